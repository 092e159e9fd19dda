//! FSK frames between Sigfox radios: time on air at 1.2 kbps, channels,
//! range, half duplex and collisions.

use pycom_radio::fsk::{FskMedium, SENSITIVITY_DBM, time_on_air_us};
use pycom_radio::link::{LinkModel, Position};

const CHANNEL: u32 = 868_000_000;

fn medium_with(xs: &[f64]) -> (FskMedium, Vec<usize>) {
    let mut medium = FskMedium::new(LinkModel::default());
    let ids = xs.iter().map(|&x| medium.add_radio(Position::new(x, 0.0, 0.0))).collect();
    (medium, ids)
}

fn payloads(medium: &mut FskMedium, radio: usize, now_us: u64) -> Vec<Vec<u8>> {
    medium.take_received(radio, now_us).into_iter().map(|r| r.payload).collect()
}

#[test]
fn a_frame_lasts_its_eleven_bytes_of_framing_and_payload_at_1200_bps() {
    assert_eq!(time_on_air_us(0), 73_334);
    assert_eq!(time_on_air_us(5), 106_667);
    assert_eq!(time_on_air_us(64), 500_000);
}

#[test]
fn a_listener_on_the_channel_receives_the_frame_at_its_end() {
    let (mut medium, r) = medium_with(&[0.0, 100.0, 100.0]);
    medium.listen(r[1], 0, Some(CHANNEL));
    medium.listen(r[2], 0, Some(CHANNEL + 100_000));
    let report = medium.transmit(r[0], 1_000, CHANNEL, 14.0, b"ping".to_vec()).unwrap();
    assert_eq!(report.end_us, 1_000 + time_on_air_us(4));
    assert_eq!(report.candidates, vec![(r[1], report.end_us)]);
    assert_eq!(medium.next_arrival_us(r[1]), Some(report.end_us));
    assert!(payloads(&mut medium, r[1], report.end_us - 1).is_empty());
    let got = medium.take_received(r[1], report.end_us);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload, b"ping");
    assert!((got[0].rssi_dbm - (14.0 - 40.0 - 54.0)).abs() < 1e-9);
    assert!(payloads(&mut medium, r[2], report.end_us).is_empty(), "another channel hears nothing");
    assert_eq!(medium.frames_in_memory(), 0);
}

#[test]
fn out_of_range_or_late_or_sending_receivers_miss_the_frame() {
    // 14 dBm - 40 - 27 * log10(d) < -122 dBm past about 4.6 km.
    let far = 10f64.powf((14.0 - 40.0 - SENSITIVITY_DBM) / 27.0) * 1.05;
    let (mut medium, r) = medium_with(&[0.0, far, 10.0, 20.0]);
    for &radio in &r[1..] {
        medium.listen(radio, 0, Some(CHANNEL));
    }
    let report = medium.transmit(r[0], 0, CHANNEL, 14.0, b"x".to_vec()).unwrap();
    medium.listen(r[2], 10, None);
    medium.listen(r[2], 20, Some(CHANNEL));
    medium.transmit(r[3], 30, CHANNEL + 1_000_000, 14.0, b"y".to_vec()).unwrap();
    for &radio in &r[1..] {
        assert!(payloads(&mut medium, radio, report.end_us).is_empty(), "radio {radio}");
    }
}

#[test]
fn overlapping_frames_collide_unless_one_is_6_db_stronger() {
    let (mut medium, r) = medium_with(&[0.0, 10.0, 1000.0, 5.0]);
    medium.listen(r[3], 0, Some(CHANNEL));
    let near = medium.transmit(r[1], 0, CHANNEL, 14.0, b"near".to_vec()).unwrap();
    medium.transmit(r[2], 1_000, CHANNEL, 14.0, b"far".to_vec()).unwrap();
    assert_eq!(payloads(&mut medium, r[3], near.end_us + 100_000), vec![b"near".to_vec()]);
    let a = medium.transmit(r[1], 200_000, CHANNEL, 14.0, b"a".to_vec()).unwrap();
    medium.transmit(r[0], 200_000, CHANNEL, 14.0, b"b".to_vec()).unwrap();
    assert!(payloads(&mut medium, r[3], a.end_us + 1).is_empty());
}

#[test]
fn a_radio_cannot_send_while_its_frame_is_on_the_air() {
    let (mut medium, r) = medium_with(&[0.0]);
    let report = medium.transmit(r[0], 0, CHANNEL, 14.0, vec![0; 64]).unwrap();
    let busy = medium.transmit(r[0], 1, CHANNEL, 14.0, vec![1]).unwrap_err();
    assert_eq!(busy.until_us, report.end_us);
    assert!(medium.transmit(r[0], report.end_us, CHANNEL, 14.0, vec![1]).is_ok());
}
