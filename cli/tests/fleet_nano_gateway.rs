//! The fleet's network server over Semtech's UDP packet forwarder protocol
//! (`[network_server] udp`): a LoPy4 running a nano-gateway after Pycom's
//! documented pattern (raw LoRa receive, PUSH_DATA and PULL_DATA over its
//! Wi-Fi to 10.0.2.2, PULL_RESP sent with inverted IQ at `tmst`) carries a
//! node's OTAA join and uplinks, the same way every run; and a packet
//! forwarder on the host is answered as a real server answers it.

mod common;

use std::net::UdpSocket;
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use pycom_lorawan::{Activation, Node, Received, Region};

const DEV_EUI: &str = "70B3D5499F0C1A2B";
const APP_EUI: &str = "70B3D57ED0000001";
const APP_KEY: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
/// The nano-gateway's EUI, as it sends it.
const GATEWAY_EUI: &str = "AA555A0000000101";

/// A free UDP port on the host's loopback.
fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A fleet file: `boards` (TOML) and the network server on UDP `port`,
/// knowing the test's OTAA device.
fn fleet(boards: &str, port: u16) -> String {
    format!(
        "{boards}[network_server]\nregion = \"EU868\"\nudp = \"127.0.0.1:{port}\"\nlog = \"network.jsonl\"\n\
         [[network_server.device]]\ndev_eui = \"{DEV_EUI}\"\napp_eui = \"{APP_EUI}\"\napp_key = \"{APP_KEY}\"\n"
    )
}

/// A nano-gateway on 868.1 MHz SF7BW125 after Pycom's pattern: Wi-Fi up,
/// a non-blocking UDP socket to the server at 10.0.2.2:`port`, the LoRa
/// radio in raw mode whose receive callback pushes each frame as an `rxpk`
/// stamped with `lora.stats().rx_timestamp`, a `_thread` reading the
/// server's answers every 20 ms and scheduling each PULL_RESP with a
/// `Timer.Alarm` 15 ms before its `tmst` on the `ticks_cpu()` counter (as
/// Pycom's `nanogateway.py` does; the node's RX1 window opens early enough,
/// as LoRaMac's does), and a
/// PULL_DATA every 25 s.
fn nano_gateway(port: u16) -> String {
    format!(
        r#"from network import LoRa, WLAN
from machine import Timer
import socket, time, ubinascii, ujson, _thread

SERVER = ('10.0.2.2', {port})
EUI = ubinascii.unhexlify('{GATEWAY_EUI}')
wlan = WLAN(mode=WLAN.STA)
wlan.connect('fleet-net', auth=(WLAN.WPA2, 'secret123'))
while not wlan.isconnected():
    time.sleep_ms(50)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.setblocking(False)
lock = _thread.allocate_lock()
token = 0

def send(kind, body=b''):
    global token
    token = (token + 1) & 0xFFFF
    with lock:
        udp.sendto(bytes([2, token >> 8, token & 0xFF, kind]) + EUI + body, SERVER)

def listen():
    lora.init(mode=LoRa.LORA, region=LoRa.EU868, frequency=868100000, sf=7, bandwidth=LoRa.BW_125KHZ,
              coding_rate=LoRa.CODING_4_5, preamble=8, tx_iq=True)

def on_lora(l):
    events = l.events()
    if events & LoRa.RX_PACKET_EVENT:
        data = radio.recv(256)
        st = l.stats()
        rxpk = {{'tmst': st.rx_timestamp, 'chan': 0, 'rfch': 0, 'freq': 868.1, 'stat': 1, 'modu': 'LORA',
                'datr': 'SF%dBW125' % st.sfrx, 'codr': '4/5', 'rssi': st.rssi, 'lsnr': st.snr,
                'size': len(data), 'data': ubinascii.b2a_base64(data)[:-1].decode()}}
        send(0, ujson.dumps({{'rxpk': [rxpk]}}).encode())
        print('PUSH_DATA', len(data), 'bytes, tmst', st.rx_timestamp)
    if events & LoRa.TX_PACKET_EVENT:
        listen()
        print('downlink sent, now', time.ticks_cpu())

def transmit(txpk):
    datr = txpk['datr']
    lora.init(mode=LoRa.LORA, region=LoRa.EU868, frequency=round(txpk['freq'] * 1000000),
              sf=int(datr[2:datr.index('BW')]), bandwidth=LoRa.BW_125KHZ, coding_rate=LoRa.CODING_4_5,
              preamble=txpk['prea'], tx_iq=txpk['ipol'])
    radio.send(ubinascii.a2b_base64(txpk['data']))

def udp_loop():
    while True:
        try:
            data, _ = udp.recvfrom(1024)
        except OSError:
            data = None
        if data and data[3] == 3:
            txpk = ujson.loads(data[4:])['txpk']
            Timer.Alarm(lambda alarm: transmit(txpk), us=(txpk['tmst'] - time.ticks_cpu() - 15000) & 0xFFFFFFFF)
            send(5, b'{{"txpk_ack":{{"error":"NONE"}}}}')
            print('PULL_RESP', len(ubinascii.a2b_base64(txpk['data'])), 'bytes, tmst', txpk['tmst'])
        elif data:
            print('ack', data[3])
        time.sleep_ms(20)

lora = LoRa(mode=LoRa.LORA, region=LoRa.EU868)
listen()
radio = socket.socket(socket.AF_LORA, socket.SOCK_RAW)
radio.setblocking(False)
lora.callback(trigger=LoRa.RX_PACKET_EVENT | LoRa.TX_PACKET_EVENT, handler=on_lora)
_thread.start_new_thread(udp_loop, ())
send(2)
while True:
    time.sleep(25)
    send(2)
"#
    )
}

/// A node after Pycom's `otaa_node.py`: the three default channels moved
/// to the nano-gateway's frequency, an OTAA join at DR5, then two uplinks.
fn node() -> String {
    format!(
        "from network import LoRa
import socket, time, ubinascii
lora = LoRa(mode=LoRa.LORAWAN, region=LoRa.EU868)
for channel in range(3):
    lora.add_channel(channel, frequency=868100000, dr_min=0, dr_max=5)
time.sleep(3)
auth = (ubinascii.unhexlify('{DEV_EUI}'), ubinascii.unhexlify('{APP_EUI}'), ubinascii.unhexlify('{APP_KEY}'))
lora.join(activation=LoRa.OTAA, auth=auth, timeout=0, dr=5)
while not lora.has_joined():
    time.sleep(1)
print('has_joined', lora.has_joined())
s = socket.socket(socket.AF_LORA, socket.SOCK_RAW)
s.setsockopt(socket.SOL_LORA, socket.SO_DR, 5)
s.setblocking(True)
for i in range(2):
    time.sleep(10)
    s.send(b'nano' + bytes([48 + i]))
    print('sent', i)
time.sleep(5)
print('done')
"
    )
}

#[test]
fn a_node_joins_and_sends_uplinks_through_a_nano_gateway_board_the_same_way_every_run() {
    let port = free_port();
    let boards = "[[board]]\nname = \"gw\"\nscript = \"gw.py\"\nboard_file = \"gw.toml\"\nposition = [0, 0]\n\
                  [[board]]\nname = \"node\"\nscript = \"node.py\"\nposition = [300, 0]\n";
    let dir = FleetDir::new(&[
        ("fleet.toml", &fleet(boards, port)),
        ("gw.py", &nano_gateway(port)),
        ("gw.toml", "[[wifi]]\nssid = \"fleet-net\"\npassword = \"secret123\"\n"),
        ("node.py", &node()),
    ]);
    let run = ok(dir.run(&["--timeout", "2m", "--expect-text", "node:done"]));
    assert!(run.stderr.contains(&format!("network server: Semtech UDP on 127.0.0.1:{port}")), "{}", run.stderr);
    let lines = run.lines();
    let position =
        |line: &str| lines.iter().position(|l| l.starts_with(line)).unwrap_or_else(|| panic!("{line:?} in {lines:#?}"));
    // The join request (23 bytes) goes up, the join accept (17 bytes) comes back 5 s later on the gateway's counter.
    let push = lines[position("[gw] PUSH_DATA 23 bytes")];
    let tmst: u64 = push.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(lines.contains(&format!("[gw] PULL_RESP 17 bytes, tmst {}", tmst + 5_000_000).as_str()), "{lines:#?}");
    assert!(position("[gw] downlink sent") < position("[node] has_joined True"));
    assert!(position("[node] has_joined True") < position("[node] sent 0"));
    assert_eq!(lines.iter().filter(|l| l.starts_with("[gw] PUSH_DATA 18 bytes")).count(), 2, "{lines:#?}");
    assert!(lines.contains(&"[gw] ack 1"), "PUSH_ACK: {lines:#?}");
    assert!(lines.contains(&"[gw] ack 4"), "PULL_ACK: {lines:#?}");

    let log = dir.read("network.jsonl");
    let joins = events(&log, "join");
    assert_eq!(joins.len(), 1, "{log}");
    assert_eq!((&joins[0]["dev_eui"], &joins[0]["gateway"]), (&DEV_EUI.into(), &GATEWAY_EUI.into()));
    let accepts = events(&log, "downlink");
    assert_eq!(accepts.len(), 1, "{log}");
    assert_eq!(
        (&accepts[0]["kind"], &accepts[0]["frequency"], &accepts[0]["sf"]),
        (&"join_accept".into(), &868_100_000.into(), &7.into())
    );
    let uplinks = events(&log, "uplink");
    let got: Vec<(u64, &str, &str)> = uplinks
        .iter()
        .map(|u| (u["fcnt"].as_u64().unwrap(), u["data"].as_str().unwrap(), u["gateway"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(0, "6e616e6f30", GATEWAY_EUI), (1, "6e616e6f31", GATEWAY_EUI)], "b'nano0', b'nano1': {log}");
    assert!(events(&log, "rejected").is_empty(), "{log}");

    // The server answers each board datagram before the board's sendto returns: nothing depends on the host.
    let again = ok(dir.run(&["--timeout", "2m", "--expect-text", "node:done"]));
    assert_eq!(again.stdout, run.stdout);
    assert_eq!(dir.read("network.jsonl"), log);
}

/// A Semtech UDP datagram from gateway `eui`: version 2, `token`, `kind`, EUI, `body`.
fn gateway_datagram(token: u16, kind: u8, eui: [u8; 8], body: &[u8]) -> Vec<u8> {
    let mut datagram = vec![2, (token >> 8) as u8, token as u8, kind];
    datagram.extend_from_slice(&eui);
    datagram.extend_from_slice(body);
    datagram
}

/// The next datagram on `socket` (within 10 s).
fn receive(socket: &UdpSocket) -> Vec<u8> {
    let mut buffer = vec![0u8; 65_536];
    let len = socket.recv(&mut buffer).expect("an answer from the network server");
    buffer.truncate(len);
    buffer
}

#[test]
fn a_packet_forwarder_on_the_host_gets_acks_and_the_join_accept_as_pull_resp_timed_for_rx1() {
    let port = free_port();
    // A board that waits (in wall time, on a socket) keeps the fleet running while the forwarder talks.
    let waiter = "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('', 5000))\n\
                  s.settimeout(20)\ntry:\n    s.recv(10)\nexcept OSError:\n    pass\n";
    let dir = FleetDir::new(&[
        ("fleet.toml", &fleet("[[board]]\nname = \"idle\"\nscript = \"idle.py\"\n", port)),
        ("idle.py", waiter),
    ]);
    let mut child = dir.command(&["--timeout", "1m"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let forwarder = UdpSocket::bind("127.0.0.1:0").unwrap();
    forwarder.connect(("127.0.0.1", port)).unwrap();
    forwarder.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let eui = [0xB8, 0x27, 0xEB, 0xFF, 0xFE, 0x00, 0x00, 0x01];
    let started = Instant::now();
    let pull_ack = loop {
        assert!(started.elapsed() < Duration::from_secs(20), "no PULL_ACK");
        let _ = forwarder.send(&gateway_datagram(0x0102, 0x02, eui, &[]));
        let mut buffer = [0u8; 64];
        if let Ok(len) = forwarder.recv(&mut buffer) {
            break buffer[..len].to_vec();
        }
    };
    assert_eq!(pull_ack, [2, 0x01, 0x02, 0x04], "PULL_ACK with the PULL_DATA's token");
    forwarder.set_read_timeout(Some(Duration::from_secs(10))).unwrap();

    let mut node = Node::new(Region::Eu868, 7);
    let activation = Activation::Otaa {
        dev_eui: DEV_EUI.parse().unwrap(),
        app_eui: APP_EUI.parse().unwrap(),
        app_key: APP_KEY.parse().unwrap(),
    };
    let join = node.join(activation, None).unwrap().unwrap();
    node.transmitted(0, 62_000);
    let rxpk = serde_json::json!({"rxpk": [{
        "tmst": 4_294_000_000u32, "chan": 0, "rfch": 0, "freq": join.frequency_hz as f64 / 1e6, "stat": 1,
        "modu": "LORA", "datr": format!("SF{}BW125", join.sf), "codr": "4/5", "rssi": -70, "lsnr": 8.5,
        "size": join.payload.len(), "data": BASE64.encode(&join.payload),
    }]});
    forwarder.send(&gateway_datagram(0x0A0B, 0x00, eui, rxpk.to_string().as_bytes())).unwrap();
    assert_eq!(receive(&forwarder), [2, 0x0A, 0x0B, 0x01], "PUSH_ACK with the PUSH_DATA's token");
    let resp = receive(&forwarder);
    assert_eq!((resp[0], resp[3]), (2, 0x03), "PULL_RESP: {resp:?}");
    let txpk = &serde_json::from_slice::<serde_json::Value>(&resp[4..]).unwrap()["txpk"];
    // RX1 of a join: 5 s after the uplink on the gateway's counter, which wraps at 2**32.
    assert_eq!(txpk["tmst"], (4_294_000_000u64 + 5_000_000) % (1 << 32));
    assert_eq!((&txpk["imme"], &txpk["ipol"], &txpk["modu"]), (&false.into(), &true.into(), &"LORA".into()));
    assert_eq!(txpk["freq"].as_f64().unwrap(), join.frequency_hz as f64 / 1e6);
    assert_eq!(txpk["datr"], format!("SF{}BW125", join.sf));
    let accept = BASE64.decode(txpk["data"].as_str().unwrap()).unwrap();
    assert_eq!(node.received(&accept), Received::JoinAccepted);
    forwarder
        .send(&gateway_datagram(resp[1] as u16 * 256 + resp[2] as u16, 0x05, eui, br#"{"txpk_ack":{"error":"NONE"}}"#))
        .unwrap();

    let _ = child.kill();
    let _ = child.wait();
    let log = dir.read("network.jsonl");
    let joins = events(&log, "join");
    assert_eq!(joins.len(), 1, "{log}");
    assert_eq!(joins[0]["gateway"], "B827EBFFFE000001");
}
