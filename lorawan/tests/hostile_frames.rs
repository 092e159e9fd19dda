//! Whatever bytes arrive on the air, the node and the server answer with a value, never a
//! panic: random frames and valid frames with bytes flipped or cut short.

mod support;

use pycom_lorawan::{Received, Region};
use support::*;

/// xorshift64: a fixed stream of test bytes.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_and_mangled_frames_are_ignored_or_rejected_without_panicking() {
    let (mut node, mut server, _log) = abp_pair(Region::Eu868);
    let good_up = node.uplink(1, b"payload", true, Some(5), 0).unwrap().payload;
    server.queue_downlink(pycom_lorawan::DeviceRef::DevAddr(node.dev_addr().unwrap()), 2, b"down".to_vec(), true);
    let good_down = server.uplink(&heard(&node.uplink(1, b"x", false, Some(5), 0).unwrap(), 0, "gw")).unwrap().payload;
    let mut join_node = pycom_lorawan::Node::new(Region::Eu868, 3);
    let (mut join_server, _) = support::server(Region::Eu868);
    let join_up = join_node.join(otaa(APP_KEY), None).unwrap().unwrap().payload;
    let join_down = join_server
        .uplink(&heard(
            &pycom_lorawan::Node::new(Region::Eu868, 4).join(otaa(APP_KEY), None).unwrap().unwrap(),
            0,
            "gw",
        ))
        .unwrap()
        .payload;
    let mut rng = Bytes(0x9E37_79B9_7F4A_7C15);
    let seeds = [good_up, good_down, join_up, join_down];
    for round in 0..40_000u64 {
        let mut frame = if round % 4 == 0 {
            (0..rng.next() % 64).map(|_| rng.next() as u8).collect()
        } else {
            seeds[(round % 4) as usize].clone()
        };
        if !frame.is_empty() {
            let flips = 1 + rng.next() % 3;
            for _ in 0..flips {
                let at = (rng.next() % frame.len() as u64) as usize;
                frame[at] ^= 1 << (rng.next() % 8);
            }
            if rng.next().is_multiple_of(5) {
                frame.truncate((rng.next() % frame.len() as u64) as usize);
            }
        }
        let _ = node.received(&frame);
        let _ = join_node.received(&frame);
        let mut up = heard(
            &pycom_lorawan::TxPlan {
                frequency_hz: 868_100_000,
                dr: 5,
                sf: 7,
                bandwidth_hz: 125_000,
                payload: frame,
                rx1: pycom_lorawan::RxWindow { delay_us: 0, frequency_hz: 0, sf: 7, bandwidth_hz: 125_000 },
                rx2: pycom_lorawan::RxWindow { delay_us: 0, frequency_hz: 0, sf: 7, bandwidth_hz: 125_000 },
            },
            round * 1_000,
            "gw",
        );
        up.sf = [7, 12, 6, 13][(round % 4) as usize];
        let _ = server.uplink(&up);
        let _ = join_server.uplink(&up);
    }
    assert!(!matches!(node.received(&[]), Received::JoinAccepted));
}
