//! LoRa and LoRaWAN in a fleet: raw frames between LoPy4s (time on air,
//! spreading factors, frequencies, collisions, signal strength), and
//! LoRaWAN class A and C against the built-in network server (OTAA join, uplinks
//! read by an independent decoder, RX1 downlinks, frame counters across
//! deep sleep, replays) or a network server on the host over Semtech UDP.

mod common;

use std::net::UdpSocket;
use std::process::{Child, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;

/// A board named `name` running `script` at `position`, in a fleet file.
fn board(name: &str, script: &str, position: &str) -> String {
    format!("[[board]]\nname = \"{name}\"\nscript = \"{script}\"\nposition = {position}\n")
}

/// Time on air in ms of a LoRa frame, from Semtech's formula (SX1276
/// datasheet 4.1.1.7): 125 kHz, coding rate 4/5, 8-symbol preamble,
/// explicit header, CRC on, low data rate optimisation at SF11 and SF12.
fn semtech_time_on_air_ms(sf: u32, payload_len: u32) -> f64 {
    let symbol_ms = f64::from(1u32 << sf) / 125_000.0 * 1000.0;
    let de = u32::from(sf >= 11);
    let bits = f64::from(8 * payload_len + 28 + 16) - f64::from(4 * sf);
    let payload_symbols = 8.0 + ((bits / f64::from(4 * (sf - 2 * de))).ceil() * 5.0).max(0.0);
    (8.0 + 4.25 + payload_symbols) * symbol_ms
}

/// The last number on the line board `name` printed starting with `start`.
fn number_after(run: &Run, name: &str, start: &str) -> f64 {
    let prefix = format!("[{name}] {start}");
    let line = run
        .lines()
        .into_iter()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in\n{}", run.stdout));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// The start of a raw LoRa script at spreading factor `sf` and `frequency`,
/// with a blocking socket `s`.
fn raw_lora(sf: u8, frequency: u32) -> String {
    format!(
        "from network import LoRa
import socket, time
lora = LoRa(mode=LoRa.LORA, region=LoRa.EU868, sf={sf}, frequency={frequency})
s = socket.socket(socket.AF_LORA, socket.SOCK_RAW)
s.setblocking(True)
"
    )
}

/// A receiver: the first frame within three seconds, its arrival time and
/// RSSI, or `nothing`.
fn receiver(sf: u8, frequency: u32) -> String {
    raw_lora(sf, frequency)
        + "s.settimeout(3)
try:
    r = s.recv(64)
    print('got', r, lora.stats().rssi, time.ticks_ms())
except OSError:
    print('nothing')
"
}

/// A sender of `payload` after `delay_ms`.
fn sender(sf: u8, frequency: u32, delay_ms: u32, payload: &str) -> String {
    raw_lora(sf, frequency)
        + &format!("time.sleep_ms({delay_ms})\nt = time.ticks_ms()\ns.send(b'{payload}')\nprint('sent', t)\n")
}

/// Ping (sends, then waits for the answer) and pong (answers) at `sf`.
fn ping_pong(sf: u8) {
    let ping = raw_lora(sf, 868_100_000)
        + "time.sleep_ms(50)\nt = time.ticks_ms()\ns.send(b'0123456789')\nprint('sent', t)\nr = s.recv(64)\nprint('got', r, time.ticks_ms())\n";
    let pong = raw_lora(sf, 868_100_000)
        + "r = s.recv(64)\nprint('got', r, time.ticks_ms())\nt = time.ticks_ms()\ns.send(b'9876543210')\nprint('sent', t)\n";
    let fleet = board("ping", "ping.py", "[0, 0]") + &board("pong", "pong.py", "[200, 0]");
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("ping.py", &ping), ("pong.py", &pong)]);
    let run = ok(dir.run(&["--timeout", "60s"]));
    assert!(
        run.stdout.contains("[pong] got b'0123456789'") && run.stdout.contains("[ping] got b'9876543210'"),
        "{}",
        run.stdout
    );
    let expected = semtech_time_on_air_ms(u32::from(sf), 10);
    let there = number_after(&run, "pong", "got") - number_after(&run, "ping", "sent");
    let back = number_after(&run, "ping", "got") - number_after(&run, "pong", "sent");
    for gap in [there, back] {
        assert!(
            (gap - expected).abs() <= 2.0,
            "SF{sf}: {gap} ms from send to receipt, {expected:.3} ms on air\n{}",
            run.stdout
        );
    }
}

#[test]
fn two_lopy4s_ping_pong_at_sf7_each_frame_taking_its_time_on_air() {
    ping_pong(7);
}

#[test]
fn two_lopy4s_ping_pong_at_sf12_each_frame_taking_its_time_on_air() {
    ping_pong(12);
}

#[test]
fn the_formula_of_the_test_gives_the_datasheets_figures() {
    assert!((semtech_time_on_air_ms(7, 10) - 41.216).abs() < 0.001);
    assert!((semtech_time_on_air_ms(12, 10) - 991.232).abs() < 0.001);
}

#[test]
fn nothing_is_received_on_another_spreading_factor_or_frequency() {
    let fleet = board("tx", "tx.py", "[0, 0]")
        + &board("same", "same.py", "[50, 0]")
        + &board("other_sf", "other_sf.py", "[0, 50]")
        + &board("other_freq", "other_freq.py", "[-50, 0]");
    let dir = FleetDir::new(&[
        ("fleet.toml", &fleet),
        ("tx.py", &sender(7, 868_100_000, 100, "hello")),
        ("same.py", &receiver(7, 868_100_000)),
        ("other_sf.py", &receiver(8, 868_100_000)),
        ("other_freq.py", &receiver(7, 868_300_000)),
    ]);
    let run = ok(dir.run(&["--timeout", "20s"]));
    let mut lines: Vec<&str> = run.lines().into_iter().filter(|l| !l.starts_with("[tx]")).collect();
    lines.sort();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with("[other_freq] nothing") && lines[1].starts_with("[other_sf] nothing"),
        "{}",
        run.stdout
    );
    assert!(lines[2].starts_with("[same] got b'hello'"), "{}", run.stdout);
}

/// What `rx` at the origin prints when `a` (at `a_at`) and `b` (at `b_at`)
/// send frames of one length at the same moment, same SF and power.
fn two_at_once(a_at: &str, b_at: &str) -> String {
    let fleet = board("rx", "rx.py", "[0, 0]") + &board("a", "a.py", a_at) + &board("b", "b.py", b_at);
    let dir = FleetDir::new(&[
        ("fleet.toml", &fleet),
        ("rx.py", &receiver(7, 868_100_000)),
        ("a.py", &sender(7, 868_100_000, 100, "from a")),
        ("b.py", &sender(7, 868_100_000, 100, "from b")),
    ]);
    let run = ok(dir.run(&["--timeout", "20s"]));
    run.lines().into_iter().find(|l| l.starts_with("[rx]")).unwrap_or_else(|| panic!("{}", run.stdout)).to_owned()
}

#[test]
fn two_senders_at_once_at_a_similar_distance_collide_and_neither_is_received() {
    assert_eq!(two_at_once("[100, 0]", "[-90, 0]"), "[rx] nothing");
}

#[test]
fn of_two_senders_at_once_the_much_closer_one_is_received() {
    let line = two_at_once("[10, 0]", "[-1000, 0]");
    assert!(line.starts_with("[rx] got b'from a'"), "{line}");
}

#[test]
fn the_rssi_of_a_frame_falls_with_distance() {
    let rx = raw_lora(7, 868_100_000)
        + "for name in ('first', 'then'):\n    r = s.recv(64)\n    print(name, r, lora.stats().rssi, lora.stats().snr)\n";
    let fleet =
        board("rx", "rx.py", "[0, 0]") + &board("near", "near.py", "[10, 0]") + &board("far", "far.py", "[0, 1000]");
    let dir = FleetDir::new(&[
        ("fleet.toml", &fleet),
        ("rx.py", &rx),
        ("near.py", &sender(7, 868_100_000, 100, "near")),
        ("far.py", &sender(7, 868_100_000, 500, "far")),
    ]);
    let run = ok(dir.run(&["--timeout", "20s"]));
    let first = run
        .lines()
        .into_iter()
        .find(|l| l.starts_with("[rx] first b'near'"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let then =
        run.lines().into_iter().find(|l| l.starts_with("[rx] then b'far'")).unwrap_or_else(|| panic!("{}", run.stdout));
    let near: i32 = first.split(' ').nth(3).unwrap().parse().unwrap();
    let far: i32 = then.split(' ').nth(3).unwrap().parse().unwrap();
    assert!(near - far >= 30, "10 m: {near} dBm, 1000 m: {far} dBm");
    assert!(far > -137 && near < 0, "{near} {far}");
    for line in [first, then] {
        let snr: f64 = line.split(' ').nth(4).unwrap().parse().unwrap();
        assert!((-32.0..=31.0).contains(&snr) && snr.fract() == 0.0, "the SNR register's whole dB: {line}");
    }
}

const DEV_EUI: &str = "70B3D5499F0C1A2B";
const APP_EUI: &str = "70B3D57ED0000001";
const APP_KEY: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
const DEV_ADDR: &str = "26011BDA";
const NWK_SKEY: &str = "11111111111111112222222222222222";
const APP_SKEY: &str = "000102030405060708090A0B0C0D0E0F";

/// A fleet file of `node.py` at the origin, a gateway 500 m away and the
/// network server knowing `devices` (TOML of `[[network_server.device]]`
/// fields) and `extra` lines.
fn wan_fleet(devices: &str, extra: &str) -> String {
    board("node", "node.py", "[0, 0]")
        + "[[gateway]]\nname = \"gw\"\nposition = [500, 0, 10]\n[network_server]\nregion = \"EU868\"\nlog = \"network.jsonl\"\n"
        + "[[network_server.device]]\n"
        + devices
        + extra
}

/// The OTAA device of the network server, with `app_key`.
fn otaa_device(app_key: &str) -> String {
    format!("dev_eui = \"{DEV_EUI}\"\napp_eui = \"{APP_EUI}\"\napp_key = \"{app_key}\"\n")
}

/// The ABP device of the network server.
fn abp_device() -> String {
    format!("dev_addr = \"{DEV_ADDR}\"\nnwk_skey = \"{NWK_SKEY}\"\napp_skey = \"{APP_SKEY}\"\n")
}

/// A node script's start: `lora` in LoRaWAN mode, and `otaa()` / `abp()` joining.
fn wan_node() -> String {
    format!(
        "from network import LoRa
import socket, time, ubinascii, struct, machine, pycom
lora = LoRa(mode=LoRa.LORAWAN, region=LoRa.EU868)
def otaa():
    auth = (ubinascii.unhexlify('{DEV_EUI}'), ubinascii.unhexlify('{APP_EUI}'), ubinascii.unhexlify('{APP_KEY}'))
    lora.join(activation=LoRa.OTAA, auth=auth, timeout=0)
    for i in range(60):
        if lora.has_joined():
            print('joined', time.ticks_ms())
            return True
        time.sleep(1)
    print('never joined')
    return False
def abp():
    dev_addr = struct.unpack('>l', ubinascii.unhexlify('{DEV_ADDR}'))[0]
    lora.join(activation=LoRa.ABP, auth=(dev_addr, ubinascii.unhexlify('{NWK_SKEY}'), ubinascii.unhexlify('{APP_SKEY}')))
def sock():
    s = socket.socket(socket.AF_LORA, socket.SOCK_RAW)
    s.setsockopt(socket.SOL_LORA, socket.SO_DR, 5)
    s.setblocking(True)
    return s
"
    )
}

#[test]
fn an_otaa_join_with_the_right_app_key_succeeds() {
    let node =
        wan_node() + "print('has_joined', lora.has_joined())\nif otaa():\n    print('has_joined', lora.has_joined())\n";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&otaa_device(APP_KEY), "")), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "2m"]));
    assert!(run.stdout.starts_with("[node] has_joined False\n[node] joined "), "{}", run.stdout);
    assert!(run.stdout.ends_with("[node] has_joined True\n"), "{}", run.stdout);
    let log = dir.read("network.jsonl");
    let joins = events(&log, "join");
    assert_eq!(joins.len(), 1, "{log}");
    assert_eq!(joins[0]["dev_eui"], DEV_EUI);
    assert!(events(&log, "rejected").is_empty(), "{log}");
}

#[test]
fn an_otaa_join_with_a_wrong_app_key_is_rejected_for_its_mic_and_the_node_never_joins() {
    let node = wan_node() + "otaa()\nprint('has_joined', lora.has_joined())\n";
    let wrong = "2B7E151628AED2A6ABF7158809CF4F3D";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&otaa_device(wrong), "")), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "2m"]));
    assert_eq!(run.lines(), ["[node] never joined", "[node] has_joined False"]);
    let log = dir.read("network.jsonl");
    assert!(events(&log, "join").is_empty(), "{log}");
    let rejected = events(&log, "rejected");
    assert!(!rejected.is_empty(), "{log}");
    assert!(rejected.iter().all(|r| r["reason"] == "mic"), "{log}");
}

/// The node's `join(...)` call for OTAA with the test keys and `extra` arguments.
fn otaa_join(extra: &str) -> String {
    format!(
        "auth = (ubinascii.unhexlify('{DEV_EUI}'), ubinascii.unhexlify('{APP_EUI}'), ubinascii.unhexlify('{APP_KEY}'))
lora.join(activation=LoRa.OTAA, auth=auth{extra})
"
    )
}

#[test]
fn an_otaa_join_without_a_timeout_blocks_until_the_device_joined_looking_every_50_ms() {
    let node = wan_node() + &otaa_join("") + "print('joined', lora.has_joined(), time.ticks_ms())\n";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&otaa_device(APP_KEY), "")), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "1m"]));
    let accepted_ms = events(&dir.read("network.jsonl"), "downlink")[0]["time_us"].as_u64().unwrap() / 1000;
    let returned = number_after(&run, "node", "joined True") as u64;
    // The accept (17 bytes at SF7, 57 ms on air) is heard at its end; the next look sees it.
    let heard = accepted_ms + semtech_time_on_air_ms(7, 17) as u64;
    assert!(
        returned > heard && returned <= heard + 51 && returned % 50 <= 1,
        "accept sent at {accepted_ms} ms:\n{}",
        run.stdout
    );
}

#[test]
fn an_otaa_join_whose_timeout_runs_out_raises_timeout_error_and_tries_no_more() {
    let node = wan_node()
        + "try:\n    "
        + &otaa_join(", timeout=15000").replace('\n', "\n    ")
        + "\nexcept OSError as e:\n    print(type(e).__name__, e, time.ticks_ms())\ntime.sleep(60)\nprint('has_joined', lora.has_joined())\n";
    let wrong = "2B7E151628AED2A6ABF7158809CF4F3D";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&otaa_device(wrong), "")), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "2m"]));
    assert!(run.stdout.starts_with("[node] TimeoutError timed out 150"), "{}", run.stdout);
    assert!(run.stdout.ends_with("[node] has_joined False\n"), "{}", run.stdout);
    let log = dir.read("network.jsonl");
    let attempts: Vec<u64> =
        events(&log, "rejected").iter().map(|r| r["time_us"].as_u64().unwrap() / 1_000_000).collect();
    assert_eq!(attempts, [0, 10], "the attempt under way at the timeout ends, no other follows: {log}");
}

#[test]
fn in_us915_and_au915_a_node_joins_with_its_500_khz_join_request_and_gets_its_rx1_downlink() {
    // The downlink comes at the RX1 data rate of the uplink's DR3: SF7 or SF9 at 500 kHz.
    for (region, rx1_dr) in [("US915", 13), ("AU915", 11)] {
        let downlink = format!("[[network_server.downlink]]\ndev_eui = \"{DEV_EUI}\"\nport = 7\ndata = \"cafe\"\n");
        let fleet = wan_fleet(&otaa_device(APP_KEY), &downlink).replace("EU868", region);
        let node = wan_node().replace("LoRa.EU868", &format!("LoRa.{region}"))
            + "otaa()\ns = socket.socket(socket.AF_LORA, socket.SOCK_RAW)\ns.setsockopt(socket.SOL_LORA, socket.SO_DR, 3)\ns.send(b'x')\ns.setblocking(False)\nprint(s.recvfrom(64), lora.stats().sfrx)\n";
        let dir = FleetDir::new(&[("fleet.toml", &fleet), ("node.py", &node)]);
        let run = ok(dir.run(&["--timeout", "2m"]));
        assert!(run.stdout.ends_with(&format!("[node] (b'\\xca\\xfe', 7) {rx1_dr}\n")), "{region}:\n{}", run.stdout);
        let log = dir.read("network.jsonl");
        assert_eq!(events(&log, "join").len(), 1, "{region}: {log}");
    }
}

/// What `tests/lorawan_decode.py` of the `lorawan` crate (the LoRaWAN 1.0.2
/// MIC and payload decryption written from the specification on Python's
/// `cryptography`) makes of `ARGS...`.
fn independent_lorawan(args: &[&str]) -> String {
    let python = python_with("cryptography==48.0.0");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../lorawan/tests/lorawan_decode.py");
    let output = std::process::Command::new(python).arg(script).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn an_independent_decoder_reads_the_uplinks_the_gateway_heard() {
    let node = wan_node()
        + "abp()\ns = sock()\ns.bind(10)\ns.send(b'Hello, LoRaWAN!')\ns.bind(223)\ns.send(bytes(range(40)))\nprint('sent')\n";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&abp_device(), "")), ("node.py", &node)]);
    ok(dir.run(&["--expect-text", "node:sent", "--timeout", "1m"]));
    let log = dir.read("network.jsonl");
    let uplinks = events(&log, "uplink");
    assert_eq!(uplinks.len(), 2, "{log}");
    let decode = |up: &serde_json::Value| {
        independent_lorawan(&["uplink", up["phy_payload"].as_str().unwrap(), NWK_SKEY, APP_SKEY])
    };
    assert_eq!(decode(&uplinks[0]), "dev_addr=26011bda fcnt=0 port=10 data=48656c6c6f2c204c6f526157414e21 mic=ok");
    let data: String = (0..40u8).map(|b| format!("{b:02x}")).collect();
    assert_eq!(decode(&uplinks[1]), format!("dev_addr=26011bda fcnt=1 port=223 data={data} mic=ok"));
}

#[test]
fn a_downlink_queued_in_the_fleet_file_arrives_in_rx1() {
    let node =
        wan_node() + "otaa()\ns = sock()\ns.send(b'\\x01\\x02')\ns.setblocking(False)\nprint('got', s.recvfrom(64))\n";
    let downlink = format!("[[network_server.downlink]]\ndev_eui = \"{DEV_EUI}\"\nport = 7\ndata = \"cafe\"\n");
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&otaa_device(APP_KEY), &downlink)), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "2m"]));
    assert!(run.stdout.ends_with("[node] got (b'\\xca\\xfe', 7)\n"), "{}", run.stdout);
    let log = dir.read("network.jsonl");
    let (up, down) = (&events(&log, "uplink")[0], &events(&log, "downlink")[1]);
    assert_eq!(down["kind"], "data");
    assert_eq!(
        down["time_us"].as_u64().unwrap() - up["time_us"].as_u64().unwrap(),
        1_000_000,
        "RX1 opens 1 s after the uplink: {log}"
    );
    assert_eq!(down["frequency"], up["frequency"], "{log}");
    assert_eq!(down["sf"], up["sf"], "{log}");
}

#[test]
fn frame_counters_go_on_across_five_deep_sleep_cycles_with_nvram_save_and_restore() {
    let node = wan_node()
        + "lora.nvram_restore()
try:
    n = pycom.nvs_get('cycle')
except ValueError:
    n = 0
pycom.nvs_set('cycle', n + 1)
if not lora.has_joined():
    otaa()
s = sock()
s.send(bytes([n]))
lora.nvram_save()
print('cycle', n, lora.stats().tx_counter)
if n < 4:
    machine.deepsleep(20000)
print('done')
";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&otaa_device(APP_KEY), "")), ("node.py", &node)]);
    let run = ok(dir.run(&["--expect-text", "node:done", "--timeout", "10m"]));
    assert_eq!(run.lines().iter().filter(|l| l.starts_with("[node] joined")).count(), 1, "{}", run.stdout);
    // stats().tx_counter is the FCnt of the last uplink (McpsConfirm's UpLinkCounter).
    let cycles: Vec<&str> = run.lines().into_iter().filter(|l| l.starts_with("[node] cycle")).collect();
    assert_eq!(
        cycles,
        ["[node] cycle 0 0", "[node] cycle 1 1", "[node] cycle 2 2", "[node] cycle 3 3", "[node] cycle 4 4"]
    );
    let log = dir.read("network.jsonl");
    assert_eq!(events(&log, "join").len(), 1, "no re-join: {log}");
    let counters: Vec<u64> = events(&log, "uplink").iter().map(|u| u["fcnt"].as_u64().unwrap()).collect();
    assert_eq!(counters, [0, 1, 2, 3, 4], "{log}");
    let data: Vec<serde_json::Value> = events(&log, "uplink").iter().map(|u| u["data"].clone()).collect();
    assert_eq!(data, ["00", "01", "02", "03", "04"]);
    assert!(events(&log, "rejected").is_empty(), "{log}");
}

#[test]
fn an_abp_node_that_joins_again_restarts_its_counter_and_the_server_rejects_it_as_a_replay() {
    let node = wan_node()
        + "abp()\ns = sock()\nfor i in range(3):\n    s.send(bytes([i]))\n    time.sleep(5)\nabp()\ns.send(b'again')\nprint('resent', lora.stats().tx_counter)\n";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&abp_device(), "")), ("node.py", &node)]);
    ok(dir.run(&["--expect-text", "node:resent", "--timeout", "1m"]));
    let log = dir.read("network.jsonl");
    let counters: Vec<u64> = events(&log, "uplink").iter().map(|u| u["fcnt"].as_u64().unwrap()).collect();
    assert_eq!(counters, [0, 1, 2], "{log}");
    let rejected = events(&log, "rejected");
    assert_eq!(rejected.len(), 1, "{log}");
    assert_eq!(rejected[0]["reason"], "replay", "{log}");
    assert_eq!(rejected[0]["fcnt"], 0, "{log}");
}

#[test]
fn a_confirmed_uplink_the_server_acknowledges_is_sent_once() {
    let node = wan_node()
        + "abp()\ns = sock()\ns.setsockopt(socket.SOL_LORA, socket.SO_CONFIRMED, True)\ns.send(b'ack me')\nprint('sent', lora.stats().tx_trials)\n";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&abp_device(), "")), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "1m"]));
    assert_eq!(run.lines(), ["[node] sent 1"]);
    let log = dir.read("network.jsonl");
    assert_eq!(events(&log, "uplink")[0]["confirmed"], true, "{log}");
    assert_eq!(events(&log, "downlink")[0]["ack"], true, "{log}");
}

#[test]
fn a_confirmed_uplink_no_gateway_hears_fails_after_its_retries_with_eagain_and_tx_failed_event() {
    let node = wan_node()
        + "abp()
s = sock()
s.setsockopt(socket.SOL_LORA, socket.SO_CONFIRMED, True)
lora.callback(trigger=LoRa.TX_FAILED_EVENT | LoRa.TX_PACKET_EVENT, handler=lambda l: print('event', l.events()))
try:
    s.send(b'anyone?')
except OSError as e:
    print(e)
st = lora.stats()
print(st.tx_counter, st.sftx, st.tx_trials, st.tx_time_on_air)
";
    let fleet = wan_fleet(&abp_device(), "").replace("position = [500, 0, 10]", "position = [200000, 0, 10]");
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "1m"]));
    // A failed send leaves the statistics as they were (the firmware updates them on success).
    assert_eq!(run.lines(), ["[node] event 4", "[node] [Errno 11] EAGAIN", "[node] 0 0 0 0"]);
    assert_eq!(dir.read("network.jsonl"), "", "200 km away the gateway hears nothing");
}

#[test]
fn an_uplink_longer_than_the_sockets_data_rate_carries_raises_emsgsize() {
    let node = wan_node()
        + "abp()
s = sock()
s.setsockopt(socket.SOL_LORA, socket.SO_DR, 0)
for blocking in (True, False):
    s.setblocking(blocking)
    for n in (52, 256):
        try:
            s.send(bytes(n))
        except OSError as e:
            print(n, e)
s.setblocking(True)
print(s.send(bytes(51)))
";
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&abp_device(), "")), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "1m"]));
    let too_long = ["[node] 52 [Errno 122] EMSGSIZE", "[node] 256 [Errno 122] EMSGSIZE"];
    assert_eq!(run.lines(), [&too_long[..], &too_long[..], &["[node] 51"]].concat());
    let log = dir.read("network.jsonl");
    assert_eq!(events(&log, "uplink").len(), 1, "DR0 carries 51 bytes: {log}");
}

#[test]
fn of_two_gateways_that_hear_an_uplink_the_server_logs_it_once_and_answers_through_the_better() {
    let fleet = wan_fleet(
        &abp_device(),
        &format!("[[network_server.downlink]]\ndev_addr = \"{DEV_ADDR}\"\nport = 5\ndata = \"01\"\n"),
    )
    .replace(
        "name = \"gw\"\nposition = [500, 0, 10]",
        "name = \"far\"\nposition = [3000, 0, 10]\n[[gateway]]\nname = \"near\"\nposition = [200, 0, 10]",
    );
    let node = wan_node() + "abp()\ns = sock()\ns.send(b'1')\ns.setblocking(False)\nprint(s.recvfrom(64))\n";
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "1m"]));
    assert_eq!(run.lines(), ["[node] (b'\\x01', 5)"]);
    let log = dir.read("network.jsonl");
    let (uplinks, downlinks) = (events(&log, "uplink"), events(&log, "downlink"));
    assert_eq!((uplinks.len(), downlinks.len()), (1, 1), "{log}");
    assert_eq!((&uplinks[0]["gateway"], &downlinks[0]["gateway"]), (&"near".into(), &"near".into()), "{log}");
}

/// A fleet process, killed if the test ends before it does.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The next datagram on `server`, and where it came from.
fn datagram(server: &UdpSocket) -> (Vec<u8>, std::net::SocketAddr) {
    let mut buffer = vec![0u8; 65_536];
    let (len, from) = server.recv_from(&mut buffer).expect("a datagram from the gateway");
    buffer.truncate(len);
    (buffer, from)
}

#[test]
fn a_gateway_forwards_uplinks_over_semtech_udp_and_sends_the_pull_resp_downlink_in_rx1() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let port = server.local_addr().unwrap().port();
    let fleet = board("node", "node.py", "[0, 0]")
        + &format!("[[gateway]]\nname = \"gw\"\nposition = [300, 0, 10]\nforward = \"127.0.0.1:{port}\"\n");
    let node = wan_node()
        + "abp()\ns = sock()\ns.bind(10)\ns.send(b'up')\ns.setblocking(False)\nprint('got', s.recvfrom(64))\n";
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("node.py", &node)]);
    // The answer is made before the run: the gateway waits half a second (wall time) for it.
    let downlink = independent_lorawan(&["downlink", DEV_ADDR, "0", "9", "beef", NWK_SKEY, APP_SKEY]);
    let downlink = hex_bytes(&downlink);
    let mut fleet = Running(Some(dir.command(&["--timeout", "1m"]).stderr(Stdio::piped()).spawn().unwrap()));

    let (pull, gateway) = datagram(&server);
    assert_eq!(
        (pull.len(), pull[0], pull[3]),
        (12, 2, 0x02),
        "PULL_DATA: version 2, type 2, the gateway's EUI: {pull:?}"
    );
    server.send_to(&[2, pull[1], pull[2], 0x04], gateway).unwrap();
    let (push, from) = datagram(&server);
    assert_eq!(from, gateway, "one socket for pushes and pulls");
    assert_eq!((push[0], push[3]), (2, 0x00), "PUSH_DATA: {push:?}");
    assert_eq!(push[4..12], pull[4..12], "the same gateway EUI");
    server.send_to(&[2, push[1], push[2], 0x01], gateway).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&push[12..]).unwrap();
    let rxpk = &json["rxpk"][0];
    let frame = BASE64.decode(rxpk["data"].as_str().unwrap()).unwrap();
    assert_eq!(rxpk["size"], frame.len());
    assert_eq!(rxpk["datr"], "SF7BW125");
    let hex: String = frame.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        independent_lorawan(&["uplink", &hex, NWK_SKEY, APP_SKEY]),
        "dev_addr=26011bda fcnt=0 port=10 data=7570 mic=ok"
    );

    let tmst = rxpk["tmst"].as_u64().unwrap() + 1_000_000;
    let txpk = serde_json::json!({"txpk": {
        "imme": false, "tmst": tmst, "freq": rxpk["freq"], "rfch": 0, "powe": 14, "modu": "LORA",
        "datr": rxpk["datr"], "codr": "4/5", "ipol": true, "size": downlink.len(), "data": BASE64.encode(&downlink),
    }});
    let mut resp = vec![2, 0x12, 0x34, 0x03];
    resp.extend_from_slice(txpk.to_string().as_bytes());
    server.send_to(&resp, gateway).unwrap();
    let (ack, _) = datagram(&server);
    assert_eq!((ack[0], ack[1], ack[2], ack[3]), (2, 0x12, 0x34, 0x05), "TX_ACK with the PULL_RESP's token: {ack:?}");

    let output = fleet.0.take().unwrap().wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout, "[node] got (b'\\xbe\\xef', 9)\n");
}

/// Bytes written as hex.
fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

/// A node that joins by OTAA as class A or C, with an RX callback, then
/// waits for a downlink without sending: `recv` for `wait_s` seconds, then
/// (class A) an uplink and a look at what came.
fn class_node(class: &str, wait_s: u32) -> String {
    wan_node().replace("region=LoRa.EU868)", &format!("region=LoRa.EU868, device_class=LoRa.CLASS_{class})"))
        + &format!(
            "def rx(l):
    print('rx event', l.events() & LoRa.RX_PACKET_EVENT, time.ticks_ms())
lora.callback(trigger=LoRa.RX_PACKET_EVENT, handler=rx)
otaa()
s = sock()
s.settimeout({wait_s})
for i in range(2):
    try:
        print('got', s.recvfrom(64), time.ticks_ms())
    except OSError as e:
        print(e, time.ticks_ms())
        s.send(b'up')
        s.setblocking(False)
        print('after uplink', s.recvfrom(64))
        break
"
        )
}

/// `class` = "C" for the server's device, and two downlinks queued for it:
/// one from the start, one at 40 s.
fn class_fleet(class: &str) -> String {
    let device = format!("{}class = \"{class}\"\n", otaa_device(APP_KEY));
    let downlinks = format!(
        "[[network_server.downlink]]\ndev_eui = \"{DEV_EUI}\"\nport = 7\ndata = \"cafe\"\n\
[[network_server.downlink]]\ndev_eui = \"{DEV_EUI}\"\nport = 8\ndata = \"beef\"\nat = \"40s\"\n"
    );
    wan_fleet(&device, &downlinks)
}

#[test]
fn a_class_c_node_gets_queued_downlinks_in_rx2_without_sending() {
    let dir = FleetDir::new(&[("fleet.toml", &class_fleet("C")), ("node.py", &class_node("C", 60))]);
    let run = ok(dir.run(&["--timeout", "2m"]));
    let log = dir.read("network.jsonl");
    assert!(events(&log, "uplink").is_empty(), "the node never sent: {log}");
    let downs = events(&log, "downlink");
    assert_eq!(downs.len(), 3, "the join accept and two data downlinks: {log}");
    let join_end = events(&log, "join")[0]["time_us"].as_u64().unwrap();
    for (down, port, data) in [(&downs[1], 7, "cafe"), (&downs[2], 8, "beef")] {
        // RX2 of EU868: 869.525 MHz at DR0 (SF12).
        assert_eq!(
            (down["kind"].as_str(), down["frequency"].as_u64(), down["sf"].as_u64()),
            (Some("data"), Some(869_525_000), Some(12)),
            "{log}"
        );
        assert_eq!((down["port"].as_u64(), down["data"].as_str()), (Some(port), Some(data)), "{log}");
    }
    // The first goes once the join's windows are over (6 s after the request
    // ended, and 2 s to spare), the second at the time the fleet file gives.
    assert_eq!(downs[1]["time_us"].as_u64().unwrap(), join_end + 8_000_000, "{log}");
    assert_eq!(downs[2]["time_us"].as_u64().unwrap(), 40_000_000, "{log}");
    let lines = run.lines();
    let got: Vec<&&str> = lines.iter().filter(|l| l.starts_with("[node] got ")).collect();
    assert_eq!(got.len(), 2, "{}", run.stdout);
    assert!(got[0].starts_with("[node] got (b'\\xca\\xfe', 7) "), "{}", run.stdout);
    assert!(got[1].starts_with("[node] got (b'\\xbe\\xef', 8) "), "{}", run.stdout);
    // Each arrives at its frame's end: 15 bytes at SF12, 1155 ms (the
    // payload CRC a downlink leaves out changes no symbol count here).
    let at = |line: &str| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap();
    let toa = semtech_time_on_air_ms(12, 15) as u64;
    for (line, down) in [(got[0], &downs[1]), (got[1], &downs[2])] {
        let sent_ms = down["time_us"].as_u64().unwrap() / 1000;
        assert!(
            (sent_ms + toa..=sent_ms + toa + 60).contains(&at(line)),
            "{line} for a downlink sent at {sent_ms}: {}",
            run.stdout
        );
    }
    let events_seen = lines.iter().filter(|l| l.starts_with("[node] rx event 1 ")).count();
    assert_eq!(events_seen, 2, "{}", run.stdout);
}

#[test]
fn a_class_a_node_gets_the_same_queue_only_after_its_next_uplink() {
    let dir = FleetDir::new(&[("fleet.toml", &class_fleet("A")), ("node.py", &class_node("A", 20))]);
    let run = ok(dir.run(&["--timeout", "2m"]));
    assert!(!run.stdout.contains("[node] got"), "{}", run.stdout);
    assert!(run.stdout.contains("[node] timed out "), "{}", run.stdout);
    assert!(run.stdout.ends_with("[node] after uplink (b'\\xca\\xfe', 7)\n"), "{}", run.stdout);
    let log = dir.read("network.jsonl");
    let (up, down) = (&events(&log, "uplink")[0], &events(&log, "downlink")[1]);
    assert_eq!(down["time_us"].as_u64().unwrap() - up["time_us"].as_u64().unwrap(), 1_000_000, "RX1: {log}");
    assert_eq!(events(&log, "downlink").len(), 2, "the 40 s downlink waits for another uplink: {log}");
}

/// modlora.c's `lora_recv`: a `recv` smaller than the frame returns its
/// start and keeps the rest, which the next `recv`s return before any other
/// frame; `recv(0)` returns `b''` and keeps the whole frame.
#[test]
fn a_short_raw_recv_leaves_the_rest_of_the_frame_for_the_next_ones() {
    let tx = raw_lora(7, 868_100_000) + "time.sleep_ms(100)\ns.send(b'0123456789')\ns.send(b'ab')\n";
    let rx = raw_lora(7, 868_100_000)
        + "time.sleep(2)\nprint(s.recv(0), s.recv(4), s.recv(4), s.recv(64), s.recv(64))\n\
s.setblocking(False)\nprint('then', s.recv(64))\n";
    let fleet = board("tx", "tx.py", "[0, 0]") + &board("rx", "rx.py", "[50, 0]");
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("tx.py", &tx), ("rx.py", &rx)]);
    let run = ok(dir.run(&["--timeout", "20s"]));
    assert_eq!(run.lines(), ["[rx] b'' b'0123' b'4567' b'89' b'ab'", "[rx] then b''"], "{}", run.stdout);
}

#[test]
fn a_short_lorawan_recvfrom_leaves_the_rest_of_the_downlink_with_its_port() {
    let node = wan_node()
        + "otaa()\ns = sock()\ns.send(b'\\x01')\ns.setblocking(False)\n\
print(s.recvfrom(3), s.recvfrom(64), s.recvfrom(64))\n";
    let downlink = format!("[[network_server.downlink]]\ndev_eui = \"{DEV_EUI}\"\nport = 7\ndata = \"cafebabe\"\n");
    let dir = FleetDir::new(&[("fleet.toml", &wan_fleet(&otaa_device(APP_KEY), &downlink)), ("node.py", &node)]);
    let run = ok(dir.run(&["--timeout", "2m"]));
    assert!(run.stdout.ends_with("[node] (b'\\xca\\xfe\\xba', 7) (b'\\xbe', 7) (b'', 0)\n"), "{}", run.stdout);
}
