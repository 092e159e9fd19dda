//! How fast the medium settles a busy fleet: 1000 nodes within 5 km of one
//! gateway, each sending a 20-byte uplink every 10 minutes on one of three
//! channels at SF7..SF12, for one day of device time. Prints frames per
//! second of host time and what the gateway received.
//!
//! `cargo bench -p pycom-radio --bench medium`

use std::time::Instant;

use pycom_radio::link::{LinkModel, Position};
use pycom_radio::medium::{Listen, Medium, Transmission};
use pycom_radio::phy::LoraPhy;

const NODES: u64 = 1000;
const PERIOD_US: u64 = 600_000_000;
const DAY_US: u64 = 86_400_000_000;
const CHANNELS: [u32; 3] = [868_100_000, 868_300_000, 868_500_000];

/// A deterministic pseudo-random sequence (64-bit LCG), for placement only.
struct Lcg(u64);

impl Lcg {
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() {
    let mut medium = Medium::new(LinkModel::default());
    let gateway = medium.add_radio(Position::default());
    medium.listen(gateway, 0, Listen::Gateway { channels: CHANNELS.iter().map(|&f| (f, 125_000)).collect() });
    let mut rng = Lcg(17);
    let nodes: Vec<_> = (0..NODES)
        .map(|_| {
            let (r, a) = (5_000.0 * rng.next_unit().sqrt(), std::f64::consts::TAU * rng.next_unit());
            medium.add_radio(Position::new(r * a.cos(), r * a.sin(), 1.0))
        })
        .collect();
    let mut schedule: Vec<(u64, usize)> = Vec::new();
    for (i, _) in nodes.iter().enumerate() {
        let offset = (rng.next_unit() * PERIOD_US as f64) as u64;
        schedule.extend((0..DAY_US / PERIOD_US).map(|k| (offset + k * PERIOD_US, i)));
    }
    schedule.sort_unstable();
    let started = Instant::now();
    let (mut sent, mut received, mut busy, mut most_in_memory) = (0u64, 0usize, 0u64, 0usize);
    for &(at_us, i) in &schedule {
        let phy = LoraPhy {
            frequency_hz: CHANNELS[i % CHANNELS.len()],
            sf: 7 + (i % 6) as u8,
            bandwidth_hz: 125_000,
            coding_rate: 1,
            preamble: 8,
            crc: true,
            implicit_header: false,
        };
        let tx = Transmission { phy, iq_inverted: false, power_dbm: 14.0, payload: vec![0; 20] };
        match medium.transmit(nodes[i], at_us, tx) {
            Ok(_) => sent += 1,
            Err(_) => busy += 1,
        }
        received += medium.take_received(gateway, at_us).len();
        most_in_memory = most_in_memory.max(medium.frames_in_memory());
    }
    received += medium.take_received(gateway, DAY_US + PERIOD_US).len();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{NODES} nodes, one day: {sent} frames sent ({busy} busy), {received} received by the gateway, \
         at most {most_in_memory} frames held; {:.0} frames/s of host time ({seconds:.3} s)",
        sent as f64 / seconds
    );
}
