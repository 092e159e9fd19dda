//! The shared air: who hears which frame, collisions and capture, half
//! duplex, listen changes, and memory over long runs.

use pycom_radio::link::{LinkModel, Position};
use pycom_radio::medium::{Busy, CAPTURE_MARGIN_DB, DETECTION_SYMBOLS, Listen, Medium, RadioId, Transmission};
use pycom_radio::phy::{LoraPhy, time_on_air_us};

const CHANNEL: u32 = 868_100_000;

fn phy(sf: u8, frequency_hz: u32) -> LoraPhy {
    LoraPhy::lorawan(frequency_hz, sf, 125_000)
}

fn frame(sf: u8, power_dbm: f64, payload: &[u8]) -> Transmission {
    Transmission { phy: phy(sf, CHANNEL), iq_inverted: false, power_dbm, payload: payload.to_vec() }
}

fn node(sf: u8) -> Listen {
    Listen::Node { phy: phy(sf, CHANNEL), iq_inverted: false }
}

fn at(x: f64) -> Position {
    Position::new(x, 0.0, 0.0)
}

/// A medium with the default model and radios at these x positions.
fn medium_with(xs: &[f64]) -> (Medium, Vec<RadioId>) {
    let mut medium = Medium::new(LinkModel::default());
    let ids = xs.iter().map(|&x| medium.add_radio(at(x))).collect();
    (medium, ids)
}

fn payloads(medium: &mut Medium, radio: RadioId, now_us: u64) -> Vec<Vec<u8>> {
    medium.take_received(radio, now_us).into_iter().map(|r| r.payload).collect()
}

#[test]
fn a_listening_node_receives_a_frame_at_its_end_with_rssi_and_snr() {
    let (mut medium, r) = medium_with(&[0.0, 100.0]);
    medium.listen(r[1], 0, node(7));
    let report = medium.transmit(r[0], 1_000, frame(7, 14.0, b"hello")).unwrap();
    assert_eq!(report.time_on_air_us, time_on_air_us(&phy(7, CHANNEL), 5));
    assert_eq!(report.end_us, 1_000 + report.time_on_air_us);
    assert_eq!(report.candidates, vec![(r[1], report.end_us)]);
    assert_eq!(medium.next_arrival_us(r[1]), Some(report.end_us));
    assert!(medium.take_received(r[1], report.end_us - 1).is_empty());
    let got = medium.take_received(r[1], report.end_us);
    assert_eq!(got.len(), 1);
    let rx = &got[0];
    assert_eq!((rx.from, rx.payload.as_slice(), rx.start_us, rx.end_us), (r[0], &b"hello"[..], 1_000, report.end_us));
    // 14 dBm - 40 dB at 1 m - 27 dB per decade over two decades.
    assert!((rx.rssi_dbm - (14.0 - 40.0 - 54.0)).abs() < 1e-9);
    assert!((rx.snr_db - (rx.rssi_dbm - LinkModel::default().noise_dbm(125_000))).abs() < 1e-9);
    assert!(medium.take_received(r[1], report.end_us + 1).is_empty(), "a frame is handed over once");
    assert_eq!(medium.next_arrival_us(r[1]), None);
}

#[test]
fn a_frame_just_above_sensitivity_arrives_and_one_just_below_does_not() {
    // At 1 km the loss is 40 + 27 * 3 = 121 dB; SF7 at 125 kHz needs -123 dBm.
    let (mut medium, r) = medium_with(&[0.0, 1_000.0]);
    medium.listen(r[1], 0, node(7));
    let above = medium.transmit(r[0], 0, frame(7, -1.9, b"above")).unwrap();
    assert_eq!(above.candidates.len(), 1);
    let below = medium.transmit(r[0], above.end_us, frame(7, -2.1, b"below")).unwrap();
    assert!(below.candidates.is_empty());
    assert_eq!(payloads(&mut medium, r[1], below.end_us), vec![b"above".to_vec()]);
}

#[test]
fn two_overlapping_frames_on_the_same_channel_and_sf_destroy_each_other() {
    let (mut medium, r) = medium_with(&[-100.0, 100.0, 0.0]);
    medium.listen(r[2], 0, node(9));
    let a = medium.transmit(r[0], 0, frame(9, 14.0, b"a")).unwrap();
    let b = medium.transmit(r[1], a.time_on_air_us / 2, frame(9, 14.0, b"b")).unwrap();
    assert_eq!(a.candidates.len(), 1, "both looked receivable when sent");
    assert_eq!(b.candidates.len(), 1);
    assert!(medium.take_received(r[2], b.end_us).is_empty());
}

#[test]
fn a_frame_6_db_stronger_survives_the_collision_and_the_weaker_one_is_lost() {
    let (mut medium, r) = medium_with(&[-100.0, 100.0, 0.0]);
    medium.listen(r[2], 0, node(7));
    let weak = medium.transmit(r[0], 0, frame(7, 14.0 - CAPTURE_MARGIN_DB, b"weak")).unwrap();
    let strong = medium.transmit(r[1], 10_000, frame(7, 14.0, b"strong")).unwrap();
    assert!(weak.end_us > 10_000);
    assert_eq!(payloads(&mut medium, r[2], strong.end_us), vec![b"strong".to_vec()]);
}

#[test]
fn a_frame_less_than_6_db_stronger_is_lost_with_the_other() {
    let (mut medium, r) = medium_with(&[-100.0, 100.0, 0.0]);
    medium.listen(r[2], 0, node(7));
    medium.transmit(r[0], 0, frame(7, 8.5, b"weak")).unwrap();
    let strong = medium.transmit(r[1], 10_000, frame(7, 14.0, b"strong")).unwrap();
    assert!(medium.take_received(r[2], strong.end_us).is_empty());
}

#[test]
fn the_nearer_sender_captures_the_receiver_by_distance_alone() {
    // 100 m against 1 km: 27 dB apart.
    let (mut medium, r) = medium_with(&[100.0, -1_000.0, 0.0]);
    medium.listen(r[2], 0, node(7));
    let far = medium.transmit(r[1], 0, frame(7, 14.0, b"far")).unwrap();
    medium.transmit(r[0], 0, frame(7, 14.0, b"near")).unwrap();
    assert_eq!(payloads(&mut medium, r[2], far.end_us), vec![b"near".to_vec()]);
}

#[test]
fn frames_that_only_touch_in_time_do_not_collide() {
    let (mut medium, r) = medium_with(&[-100.0, 100.0, 0.0]);
    medium.listen(r[2], 0, node(7));
    let first = medium.transmit(r[0], 0, frame(7, 14.0, b"1")).unwrap();
    let second = medium.transmit(r[1], first.end_us, frame(7, 14.0, b"2")).unwrap();
    assert_eq!(payloads(&mut medium, r[2], second.end_us), vec![b"1".to_vec(), b"2".to_vec()]);
}

#[test]
fn overlapping_frames_on_different_spreading_factors_both_arrive() {
    let (mut medium, r) = medium_with(&[-100.0, 100.0, 0.0]);
    medium.listen(r[2], 0, Listen::Gateway { channels: vec![(CHANNEL, 125_000)] });
    let slow = medium.transmit(r[0], 0, frame(10, 14.0, b"sf10")).unwrap();
    medium.transmit(r[1], 1_000, frame(7, 14.0, b"sf7")).unwrap();
    assert_eq!(payloads(&mut medium, r[2], slow.end_us), vec![b"sf7".to_vec(), b"sf10".to_vec()]);
}

#[test]
fn a_frame_on_another_frequency_is_not_heard() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let tx = Transmission { phy: phy(7, 868_300_000), ..frame(7, 14.0, b"x") };
    let report = medium.transmit(r[0], 0, tx).unwrap();
    assert!(report.candidates.is_empty());
    assert!(medium.take_received(r[1], report.end_us).is_empty());
}

#[test]
fn a_frame_on_another_spreading_factor_is_not_heard_by_a_node() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(8));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    assert!(medium.take_received(r[1], report.end_us).is_empty());
}

#[test]
fn a_receiver_that_changes_its_listen_setting_mid_frame_loses_it() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    medium.listen(r[1], 5_000, node(8));
    medium.listen(r[1], 6_000, node(7));
    assert!(medium.take_received(r[1], report.end_us).is_empty());
    assert_eq!(medium.next_arrival_us(r[1]), None);
}

#[test]
fn a_receiver_that_turns_off_mid_frame_loses_it() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    medium.listen(r[1], report.end_us - 1, Listen::Off);
    assert!(medium.take_received(r[1], report.end_us).is_empty());
}

#[test]
fn setting_the_same_listen_setting_again_keeps_the_frame() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    medium.listen(r[1], 5_000, node(7));
    assert_eq!(payloads(&mut medium, r[1], report.end_us), vec![b"x".to_vec()]);
}

#[test]
fn a_receiver_that_changes_its_setting_at_the_frame_end_keeps_it() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    medium.listen(r[1], report.end_us, Listen::Off);
    assert_eq!(payloads(&mut medium, r[1], report.end_us), vec![b"x".to_vec()]);
}

#[test]
fn a_receiver_that_starts_listening_as_the_frame_starts_hears_it() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    let report = medium.transmit(r[0], 500, frame(7, 14.0, b"x")).unwrap();
    assert!(report.candidates.is_empty());
    medium.listen(r[1], 500, node(7));
    assert_eq!(medium.next_arrival_us(r[1]), Some(report.end_us));
    assert_eq!(payloads(&mut medium, r[1], report.end_us), vec![b"x".to_vec()]);
}

#[test]
fn a_receiver_that_starts_listening_during_the_first_preamble_symbols_still_gets_the_frame() {
    // SF7: 1.024 ms symbols; an 8-symbol preamble can be joined up to 4 symbols in.
    let (mut medium, r) = medium_with(&[0.0, 10.0, 20.0]);
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    medium.listen(r[1], 1_024, node(7));
    medium.listen(r[2], DETECTION_SYMBOLS as u64 * 1_024, node(7));
    assert_eq!(medium.next_arrival_us(r[2]), Some(report.end_us));
    assert_eq!(payloads(&mut medium, r[1], report.end_us), vec![b"x".to_vec()]);
    assert_eq!(payloads(&mut medium, r[2], report.end_us), vec![b"x".to_vec()]);
}

#[test]
fn a_receiver_that_starts_listening_later_in_the_preamble_misses_the_frame() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    medium.listen(r[1], DETECTION_SYMBOLS as u64 * 1_024 + 1, node(7));
    assert_eq!(medium.next_arrival_us(r[1]), None);
    assert!(medium.take_received(r[1], report.end_us).is_empty());
}

#[test]
fn a_receiver_that_switches_away_during_the_first_preamble_symbols_does_not_get_the_frame() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    medium.listen(r[1], 1_000, node(8));
    assert!(medium.take_received(r[1], report.end_us).is_empty());
}

#[test]
fn a_radio_receiving_a_frame_says_until_when() {
    let (mut medium, r) = medium_with(&[0.0, 10.0, 20.0]);
    medium.listen(r[1], 0, node(7));
    medium.listen(r[2], 0, node(8));
    let report = medium.transmit(r[0], 100, frame(7, 14.0, b"x")).unwrap();
    assert_eq!(medium.receiving_until_us(r[1], 99), None, "not started yet");
    assert_eq!(medium.receiving_until_us(r[1], 100), Some(report.end_us));
    assert_eq!(medium.receiving_until_us(r[2], 100), None, "listening to another SF");
    medium.take_received(r[1], report.end_us);
    assert_eq!(medium.receiving_until_us(r[1], report.end_us), None);
}

#[test]
fn a_node_does_not_hear_its_own_frame() {
    let (mut medium, r) = medium_with(&[0.0]);
    medium.listen(r[0], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"me")).unwrap();
    assert!(report.candidates.is_empty());
    assert!(medium.take_received(r[0], report.end_us).is_empty());
}

#[test]
fn a_radio_that_transmits_mid_frame_loses_the_frame_it_was_receiving() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    let own = medium.transmit(r[1], 1_000, frame(8, 14.0, b"y")).unwrap();
    assert!(medium.take_received(r[1], report.end_us.max(own.end_us)).is_empty());
}

#[test]
fn a_transmitting_radio_hears_nothing_that_starts_while_it_sends() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, node(7));
    let own = medium.transmit(r[1], 0, frame(8, 14.0, b"y")).unwrap();
    let report = medium.transmit(r[0], 1_000, frame(7, 14.0, b"x")).unwrap();
    assert!(report.candidates.is_empty());
    assert!(medium.take_received(r[1], report.end_us.max(own.end_us)).is_empty());
}

#[test]
fn a_radio_still_transmitting_is_busy() {
    let (mut medium, r) = medium_with(&[0.0]);
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    assert!(medium.is_transmitting(r[0], report.end_us - 1));
    assert_eq!(medium.transmit(r[0], 1_000, frame(7, 14.0, b"y")), Err(Busy { radio: r[0], until_us: report.end_us }));
    assert!(!medium.is_transmitting(r[0], report.end_us));
    assert!(medium.transmit(r[0], report.end_us, frame(7, 14.0, b"y")).is_ok());
}

#[test]
fn a_gateway_hears_every_sf_on_its_channels_but_not_inverted_iq_or_other_channels() {
    let channels = [868_100_000, 868_300_000, 868_500_000];
    let (mut medium, r) = medium_with(&[0.0, 200.0]);
    medium.listen(r[1], 0, Listen::Gateway { channels: channels.iter().map(|&f| (f, 125_000)).collect() });
    let mut now = 0;
    let mut expected = Vec::new();
    for (i, sf) in (7..=12).enumerate() {
        let frequency_hz = channels[i % channels.len()];
        let tx = Transmission { phy: phy(sf, frequency_hz), iq_inverted: false, power_dbm: 14.0, payload: vec![sf] };
        now = medium.transmit(r[0], now, tx).unwrap().end_us;
        expected.push(vec![sf]);
    }
    let inverted = Transmission { iq_inverted: true, ..frame(7, 14.0, b"down") };
    now = medium.transmit(r[0], now, inverted).unwrap().end_us;
    let elsewhere = Transmission { phy: phy(7, 867_100_000), ..frame(7, 14.0, b"elsewhere") };
    now = medium.transmit(r[0], now, elsewhere).unwrap().end_us;
    assert_eq!(payloads(&mut medium, r[1], now), expected);
}

#[test]
fn a_node_listening_with_inverted_iq_hears_only_inverted_frames() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 0, Listen::Node { phy: phy(7, CHANNEL), iq_inverted: true });
    let plain = medium.transmit(r[0], 0, frame(7, 14.0, b"up")).unwrap();
    let inverted = Transmission { iq_inverted: true, ..frame(7, 14.0, b"down") };
    let report = medium.transmit(r[0], plain.end_us, inverted).unwrap();
    let got = medium.take_received(r[1], report.end_us);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload, b"down");
    assert!(got[0].iq_inverted);
}

#[test]
fn rssi_falls_by_27_db_per_decade_of_distance() {
    let model = LinkModel::default();
    let rssi: Vec<f64> = [1.0, 10.0, 100.0, 1_000.0].iter().map(|&d| model.rssi_dbm(14.0, at(0.0), at(d))).collect();
    assert!((rssi[0] - (14.0 - 40.0)).abs() < 1e-9);
    for pair in rssi.windows(2) {
        assert!((pair[0] - pair[1] - 27.0).abs() < 1e-9);
    }
    assert_eq!(model.rssi_dbm(14.0, at(0.0), at(0.3)), rssi[0], "closer than 1 m counts as 1 m");
    let (mut medium, r) = medium_with(&[0.0, 50.0, 500.0]);
    medium.listen(r[1], 0, node(7));
    medium.listen(r[2], 0, node(7));
    let report = medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap();
    let near = medium.take_received(r[1], report.end_us)[0].rssi_dbm;
    let far = medium.take_received(r[2], report.end_us)[0].rssi_dbm;
    assert!((near - far - 27.0).abs() < 1e-9);
}

#[test]
fn a_moved_radio_is_heard_from_its_new_position() {
    let (mut medium, r) = medium_with(&[0.0, 100_000.0]);
    medium.listen(r[1], 0, node(7));
    assert!(medium.transmit(r[0], 0, frame(7, 14.0, b"x")).unwrap().candidates.is_empty());
    medium.set_position(r[0], Position::new(99_990.0, 0.0, 0.0));
    let report = medium.transmit(r[0], 1_000_000, frame(7, 14.0, b"y")).unwrap();
    assert_eq!(payloads(&mut medium, r[1], report.end_us), vec![b"y".to_vec()]);
}

#[test]
fn rssi_now_shows_the_strongest_frame_on_the_channel_while_it_is_on_the_air() {
    let (mut medium, r) = medium_with(&[0.0, 100.0, 1_000.0]);
    assert_eq!(medium.rssi_now(r[0], 0, CHANNEL), None);
    let near = medium.transmit(r[1], 0, frame(7, 14.0, b"near")).unwrap();
    medium.transmit(r[2], 0, frame(8, 14.0, b"far")).unwrap();
    let strongest = medium.rssi_now(r[0], 10, CHANNEL).unwrap();
    assert!((strongest - (14.0 - 40.0 - 54.0)).abs() < 1e-9);
    assert_eq!(medium.rssi_now(r[0], 10, 868_300_000), None, "another channel is silent");
    let others_only = medium.rssi_now(r[1], 10, CHANNEL).unwrap();
    assert!((others_only - (14.0 - 40.0 - 27.0 * 900f64.log10())).abs() < 1e-9, "its own frame does not count");
    let far_only = medium.rssi_now(r[0], near.end_us, CHANNEL).unwrap();
    assert!((far_only - (14.0 - 40.0 - 81.0)).abs() < 1e-9);
}

#[test]
fn positions_read_from_three_or_two_coordinates_or_a_table() {
    let xyz: Position = serde_json::from_str("[1.5, 2, 3]").unwrap();
    assert_eq!(xyz, Position::new(1.5, 2.0, 3.0));
    let xy: Position = serde_json::from_str("[4, 5]").unwrap();
    assert_eq!(xy, Position::new(4.0, 5.0, 0.0));
    let table: Position = serde_json::from_str(r#"{"x": 1, "y": 2}"#).unwrap();
    assert_eq!(table, Position::new(1.0, 2.0, 0.0));
    assert!(serde_json::from_str::<Position>("[1]").is_err());
}

#[test]
fn pruning_keeps_memory_bounded_over_100k_frames() {
    let (mut medium, r) = medium_with(&[-10.0, 10.0, 0.0, 5_000.0]);
    medium.listen(r[2], 0, node(7));
    medium.listen(r[3], 0, node(7)); // too far to hear anything: never takes.
    let mut now = 0;
    let mut received = 0;
    let mut most_in_memory = 0;
    for i in 0..100_000u32 {
        // Pairs of frames overlap (and collide) every tenth time.
        let sender = r[(i % 2) as usize];
        let report = medium.transmit(sender, now, frame(7, 14.0, &i.to_be_bytes())).unwrap();
        now = if i % 10 == 0 { now + 100 } else { report.end_us };
        if i % 2 == 1 {
            received += medium.take_received(r[2], now).len();
        }
        most_in_memory = most_in_memory.max(medium.frames_in_memory());
    }
    received += medium.take_received(r[2], now + 1_000_000).len();
    assert!(most_in_memory <= 3, "{most_in_memory} frames held at once");
    assert_eq!(received, 100_000 - 2 * 10_000);
}

#[test]
fn a_frame_above_sensitivity_but_below_the_snr_limit_is_lost_in_a_noisy_place() {
    // 14 dBm at 1 km arrives at -107 dBm, 16 dB above SF7's -123 dBm, but
    // with a -95 dBm noise floor its SNR is -12 dB, under SF7's -7.5 dB.
    let noisy = LinkModel { noise_floor_dbm: -95.0, ..LinkModel::default() };
    let mut medium = Medium::new(noisy);
    let (tx, rx) = (medium.add_radio(at(0.0)), medium.add_radio(at(1_000.0)));
    medium.listen(rx, 0, node(7));
    let report = medium.transmit(tx, 0, frame(7, 14.0, b"x")).unwrap();
    assert!(report.candidates.is_empty());
    assert!(medium.take_received(rx, report.end_us).is_empty());
}

#[test]
fn frames_of_different_bandwidths_do_not_collide() {
    let (mut medium, r) = medium_with(&[-100.0, 100.0, 0.0, 1.0]);
    medium.listen(r[2], 0, node(7));
    let wide = LoraPhy { bandwidth_hz: 500_000, ..phy(7, CHANNEL) };
    medium.listen(r[3], 0, Listen::Node { phy: wide, iq_inverted: false });
    let narrow = medium.transmit(r[0], 0, frame(7, 14.0, b"125")).unwrap();
    medium.transmit(r[1], 0, Transmission { phy: wide, ..frame(7, 14.0, b"500") }).unwrap();
    assert_eq!(payloads(&mut medium, r[2], narrow.end_us), vec![b"125".to_vec()]);
    assert_eq!(payloads(&mut medium, r[3], narrow.end_us), vec![b"500".to_vec()]);
}

#[test]
fn a_frame_sent_in_the_mediums_past_is_settled_with_the_listeners_of_that_moment() {
    let (mut medium, r) = medium_with(&[0.0, 10.0]);
    medium.listen(r[1], 1_000_000, node(7));
    let late = medium.transmit(r[0], 2_000_000, frame(7, 14.0, b"late")).unwrap();
    assert_eq!(payloads(&mut medium, r[1], late.end_us), vec![b"late".to_vec()]);
    let early = medium.transmit(r[0], 10, frame(7, 14.0, b"early")).unwrap();
    medium.listen(r[1], 5, node(8)); // too late to change the past
    assert_eq!(payloads(&mut medium, r[1], early.end_us), vec![b"early".to_vec()]);
    assert_eq!(medium.transmit(r[0], u64::MAX - 1, frame(7, 14.0, b"end")).unwrap().end_us, u64::MAX);
}
