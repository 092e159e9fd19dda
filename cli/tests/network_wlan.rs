//! `network.WLAN` as firmware 1.20.2 implements it (modwlan.c), joining the
//! board file's `[[wifi]]` access points on device time.

mod common;
use common::{Device, SHOW};

const NETWORKS: &str = "
[[wifi]]
ssid = \"pycom-net\"
password = \"secret123\"
rssi = -55

[[wifi]]
ssid = \"cafe\"
channel = 11
rssi = -70
away = [{ from_ms = 20000, until_ms = 40000 }]

[[wifi]]
ssid = \"lab\"
password = \"hidden-lab\"
hidden = true
";

fn wlan(script: &str) -> Vec<String> {
    let source = format!("import time\nfrom network import WLAN\n{SHOW}\nstart = time.ticks_ms()\n{script}");
    Device::new().run_wired(NETWORKS, &source, &[])
}

#[test]
fn a_scan_lists_the_networks_in_range_strongest_first_after_13_channels_of_120_ms() {
    let lines = wlan(
        "wlan = WLAN(mode=WLAN.STA)
nets = wlan.scan()
print(time.ticks_diff(time.ticks_ms(), start))
for n in nets:
    print(n.ssid, n.sec, n.channel, n.rssi, len(n.bssid))
print(len(wlan.scan(show_hidden=True)), wlan.scan(ssid='cafe')[0].ssid)",
    );
    assert_eq!(lines, ["1560", "pycom-net 3 6 -55 6", "cafe 0 11 -70 6", "3 cafe"]);
}

#[test]
fn the_right_key_gets_a_dhcp_lease_on_the_virtual_network_after_association() {
    let lines = wlan(
        "wlan = WLAN(mode=WLAN.STA)
print(wlan.isconnected(), wlan.ifconfig())
wlan.connect('pycom-net', auth=(WLAN.WPA2, 'secret123'), timeout=5000)
while not wlan.isconnected():
    time.sleep_ms(10)
print(time.ticks_diff(time.ticks_ms(), start), wlan.ifconfig())
print(wlan.ssid(), wlan.auth(), wlan.channel(), len(wlan.bssid()))",
    );
    assert_eq!(
        lines,
        [
            "False ('0.0.0.0', '0.0.0.0', '0.0.0.0', '0.0.0.0')",
            "1500 ('10.0.2.15', '255.255.255.0', '10.0.2.2', '10.0.2.3')",
            "pycom-net (3, 'secret123') 6 6",
        ]
    );
}

#[test]
fn a_wrong_key_never_connects_and_the_timeout_raises_once() {
    let lines = wlan(
        "wlan = WLAN(mode=WLAN.STA)
wlan.connect('pycom-net', auth=(WLAN.WPA2, 'not-the-key'), timeout=3000)
try:
    while not wlan.isconnected():
        time.sleep_ms(100)
except TimeoutError as e:
    print('TimeoutError:', e, time.ticks_diff(time.ticks_ms(), start))
print(wlan.isconnected(), wlan.ifconfig()[0])",
    );
    assert_eq!(lines, ["TimeoutError: Connection to AP Timeout! 3000", "False 0.0.0.0"]);
}

#[test]
fn the_connection_drops_while_the_access_point_is_away_and_comes_back_by_itself() {
    let lines = wlan(
        "wlan = WLAN(mode=WLAN.STA)
wlan.connect('cafe')
while not wlan.isconnected():
    time.sleep_ms(100)
while wlan.isconnected():
    time.sleep_ms(100)
print('dropped at', time.ticks_ms() // 1000)
while not wlan.isconnected():
    time.sleep_ms(100)
print('back at', time.ticks_ms() // 1000)",
    );
    assert_eq!(lines, ["dropped at 20", "back at 41"]);
}

#[test]
fn an_access_point_of_its_own_is_192_168_4_1_and_cannot_scan_or_connect() {
    let lines = wlan(
        "wlan = WLAN(mode=WLAN.AP, ssid='my-board', auth=(WLAN.WPA2, 'abcdefgh'), channel=3)
print(wlan.mode(), wlan.ssid(), wlan.auth(), wlan.channel(), wlan.ifconfig(id=1)[0], wlan.ap_sta_list())
show(wlan.scan)
show(wlan.connect, 'pycom-net')
show(WLAN, mode=WLAN.AP)
show(WLAN, mode=WLAN.STA, ssid='x', auth=(WLAN.WPA2, 'short'))
show(WLAN, mode=7)
show(WLAN, 1, mode=WLAN.STA)
show(wlan.ifconfig, 2)",
    );
    assert_eq!(
        lines,
        [
            "2 my-board (3, 'abcdefgh') 3 192.168.4.1 []",
            "OSError: the requested operation is not possible",
            "OSError: the requested operation is not possible",
            "ValueError: AP SSID not given",
            "ValueError: invalid key length",
            "ValueError: invalid argument(s) value",
            "OSError: resource not available",
            "OSError: resource not available",
        ]
    );
}

#[test]
fn a_fresh_board_starts_its_access_point_at_boot_as_the_firmware_does() {
    let lines = wlan(
        "wlan = WLAN()
print(wlan.mode(), wlan.ssid()[:11], len(wlan.ssid()), wlan.auth(), wlan.ifconfig(id=1)[0])",
    );
    assert_eq!(lines, ["2 lopy4-wlan- 15 (3, 'www.pycom.io') 192.168.4.1"]);
}

#[test]
fn wifi_on_boot_with_stored_credentials_joins_the_network_without_a_connect() {
    let device = Device::new();
    let configure = "import pycom\npycom.wifi_mode_on_boot(1)\npycom.wifi_ssid_sta('pycom-net')\n\
                     pycom.wifi_pwd_sta('secret123')\npycom.wifi_on_boot(True)\n";
    common::ok(device.run_with_board_file(NETWORKS, configure, &[]));
    let lines = device.run_wired(
        NETWORKS,
        "import time\nfrom network import WLAN\nwlan = WLAN()\nprint(wlan.mode())\n\
         while not wlan.isconnected():\n    time.sleep_ms(10)\nprint(wlan.ssid(), wlan.ifconfig()[0], time.ticks_ms() < 2000)",
        &[],
    );
    assert_eq!(lines, ["1", "pycom-net 10.0.2.15 True"]);
}

#[test]
fn a_bad_access_point_in_the_board_file_is_refused_naming_the_file() {
    let device = Device::new();
    device.refuses_board_file("[[wifi]]\nssid = \"\"\n", "wifi ssid \"\" must be 1 to 32 bytes");
    device.refuses_board_file(
        "[[wifi]]\nssid = \"x\"\npassword = \"short\"\n",
        "a WPA passphrase has 8 to 63 characters",
    );
    device.refuses_board_file("[[wifi]]\nssid = \"x\"\nchannel = 14\n", "channel 14 is not 1 to 13");
    device.refuses_board_file("[[wifi]]\nssid = \"x\"\nbssid = \"zz\"\n", "is not like aa:bb:cc:dd:ee:ff");
    device.refuses_board_file("[[wifi]]\nssid = \"x\"\nrange = 3\n", "unknown field `range`");
}
