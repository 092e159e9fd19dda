//! The gateway's packet forwarder against a network server played by the
//! test on a UDP socket on 127.0.0.1.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use pycom_radio::medium::Reception;
use pycom_radio::phy::LoraPhy;
use pycom_radio::semtech_udp::{Downlink, Forwarder, ForwarderStats};
use serde_json::Value;

const EUI: [u8; 8] = [0xAA, 0x55, 0x5A, 0x00, 0x00, 0x00, 0x01, 0x01];

/// The server socket and a forwarder talking to it.
fn server_and_forwarder() -> (UdpSocket, Forwarder) {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let forwarder = Forwarder::new(EUI, server.local_addr().unwrap()).unwrap();
    (server, forwarder)
}

fn receive(server: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buffer = [0u8; 4096];
    let (len, from) = server.recv_from(&mut buffer).unwrap();
    (buffer[..len].to_vec(), from)
}

/// Polls until `done` holds for the forwarder's stats (the datagram may
/// still be in flight), collecting downlinks.
fn poll_until(forwarder: &mut Forwarder, done: impl Fn(&ForwarderStats) -> bool) -> Vec<Downlink> {
    let mut downlinks = Vec::new();
    for _ in 0..500 {
        downlinks.extend(forwarder.poll().unwrap());
        if done(&forwarder.stats()) {
            return downlinks;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("the forwarder never got there: {:?}", forwarder.stats());
}

fn uplink() -> Reception {
    Reception {
        from: 3,
        payload: b"\x40\x01\x02\x03\x04hello".to_vec(),
        phy: LoraPhy {
            frequency_hz: 868_100_000,
            sf: 9,
            bandwidth_hz: 125_000,
            coding_rate: 1,
            preamble: 8,
            crc: true,
            implicit_header: false,
        },
        iq_inverted: false,
        rssi_dbm: -97.4,
        snr_db: -7.46,
        start_us: 1_000,
        end_us: 200_000,
    }
}

#[test]
fn an_uplink_goes_out_as_push_data_with_one_rxpk_and_the_push_ack_is_counted() {
    let (server, mut forwarder) = server_and_forwarder();
    forwarder.push_uplink(&uplink(), 200_000, Some("2026-12-03T14:00:00.000000Z")).unwrap();
    let (datagram, from) = receive(&server);
    assert_eq!(from.port(), forwarder.local_addr().unwrap().port());
    assert_eq!(datagram[0], 2, "protocol version");
    assert_eq!(datagram[3], 0x00, "PUSH_DATA");
    assert_eq!(&datagram[4..12], &EUI);
    let text = std::str::from_utf8(&datagram[12..]).unwrap();
    assert!(text.contains("\"freq\":868.100000"), "{text}");
    assert!(text.contains("\"lsnr\":-7.5"), "{text}");
    let json: Value = serde_json::from_str(text).unwrap();
    let rxpk = &json["rxpk"].as_array().unwrap()[0];
    assert_eq!(rxpk["time"], "2026-12-03T14:00:00.000000Z");
    assert_eq!(rxpk["tmst"], 200_000);
    assert_eq!(rxpk["freq"].as_f64(), Some(868.1));
    assert_eq!((rxpk["chan"].as_u64(), rxpk["rfch"].as_u64(), rxpk["stat"].as_i64()), (Some(0), Some(0), Some(1)));
    assert_eq!(rxpk["modu"], "LORA");
    assert_eq!(rxpk["datr"], "SF9BW125");
    assert_eq!(rxpk["codr"], "4/5");
    assert_eq!(rxpk["rssi"], -97);
    assert_eq!(rxpk["lsnr"].as_f64(), Some(-7.5));
    assert_eq!(rxpk["size"], 10);
    assert_eq!(rxpk["data"], "QAECAwRoZWxsbw==");

    // A PUSH_ACK with another token is not the one awaited.
    server.send_to(&[2, 0x77, 0x77, 0x01], from).unwrap();
    server.send_to(&[2, datagram[1], datagram[2], 0x01], from).unwrap();
    poll_until(&mut forwarder, |s| s.push_acks == 1 && s.ignored == 1);
}

#[test]
fn an_uplink_without_a_time_has_no_time_field() {
    let (server, mut forwarder) = server_and_forwarder();
    forwarder.push_uplink(&uplink(), 7, None).unwrap();
    let (datagram, _) = receive(&server);
    let json: Value = serde_json::from_slice(&datagram[12..]).unwrap();
    assert!(json["rxpk"][0].get("time").is_none());
    assert_eq!(json["rxpk"][0]["tmst"], 7);
}

#[test]
fn pull_data_is_acknowledged_and_a_pull_resp_becomes_a_downlink_answered_with_tx_ack() {
    let (server, mut forwarder) = server_and_forwarder();
    forwarder.pull().unwrap();
    let (datagram, from) = receive(&server);
    assert_eq!((datagram[0], datagram[3], datagram.len()), (2, 0x02, 12), "PULL_DATA carries only the EUI");
    assert_eq!(&datagram[4..12], &EUI);
    server.send_to(&[2, datagram[1], datagram[2], 0x04], from).unwrap();
    poll_until(&mut forwarder, |s| s.pull_acks == 1);

    let txpk = br#"{"txpk":{"imme":false,"tmst":5200000,"freq":869.525,"rfch":0,"powe":27,"modu":"LORA","datr":"SF12BW125","codr":"4/6","ipol":true,"size":4,"data":"AQIDBA=="}}"#;
    let mut pull_resp = vec![2, 0x12, 0x34, 0x03];
    pull_resp.extend_from_slice(txpk);
    server.send_to(&pull_resp, from).unwrap();
    let downlinks = poll_until(&mut forwarder, |s| s.downlinks == 1);
    assert_eq!(
        downlinks,
        vec![Downlink {
            immediate: false,
            tmst_us: Some(5_200_000),
            phy: LoraPhy {
                frequency_hz: 869_525_000,
                sf: 12,
                bandwidth_hz: 125_000,
                coding_rate: 2,
                preamble: 8,
                crc: true,
                implicit_header: false,
            },
            iq_inverted: true,
            power_dbm: 27.0,
            payload: vec![1, 2, 3, 4],
        }]
    );
    let (ack, _) = receive(&server);
    assert_eq!(&ack[..4], &[2, 0x12, 0x34, 0x05], "TX_ACK echoes the PULL_RESP's token");
    assert_eq!(&ack[4..12], &EUI);
    let json: Value = serde_json::from_slice(&ack[12..]).unwrap();
    assert_eq!(json["txpk_ack"]["error"], "NONE");
}

#[test]
fn malformed_datagrams_and_datagrams_from_elsewhere_are_ignored() {
    let (server, mut forwarder) = server_and_forwarder();
    let target = SocketAddr::from(([127, 0, 0, 1], forwarder.local_addr().unwrap().port()));
    let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
    stranger.send_to(&[2, 0, 1, 0x04], target).unwrap();
    server.send_to(&[1, 0, 1, 0x04], target).unwrap();
    server.send_to(&[2, 0], target).unwrap();
    server
        .send_to(b"\x02\x00\x01\x03{\"txpk\":{\"freq\":869.525,\"modu\":\"FSK\",\"datr\":50000,\"data\":\"\"}}", target)
        .unwrap();
    server.send_to(b"\x02\x00\x01\x03not json", target).unwrap();
    let downlinks = poll_until(&mut forwarder, |s| s.ignored == 5);
    assert!(downlinks.is_empty());
    assert_eq!(forwarder.stats().downlinks, 0);
}
