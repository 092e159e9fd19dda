//! A device's MAC and the network server talking to each other, frame by frame, as the
//! firmware's LoRaMac and a LoRaWAN 1.0.2 network server would.

mod support;

use pycom_lorawan::{Activation, Channel, DevAddr, DeviceRef, IgnoreReason, Key, MacError, Node, Received, Region};
use support::*;

#[test]
fn an_otaa_join_with_the_right_app_key_gives_both_sides_one_session() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = Node::new(Region::Eu868, 5);
    let plan = node.join(otaa(APP_KEY), None).unwrap().unwrap();
    assert_eq!(plan.payload.len(), 23, "MHDR | AppEUI | DevEUI | DevNonce | MIC");
    assert_eq!(plan.rx1.delay_us, 5_000_000, "JOIN_ACCEPT_DELAY1");
    assert_eq!(plan.rx2.delay_us, 6_000_000, "JOIN_ACCEPT_DELAY2");
    assert_eq!(plan.dr, 5, "modlora.c joins at DR5 in EU868 unless told otherwise");
    assert!(!node.has_joined());
    assert_eq!(deliver(&mut node, &mut server, &plan, 0), Some(Received::JoinAccepted));
    assert!(node.has_joined());
    let events = log.events();
    assert_eq!(events[0]["event"], "join");
    assert_eq!(events[0]["dev_eui"], DEV_EUI);
    assert_eq!(events[0]["dev_addr"], node.dev_addr().unwrap().to_string());
    assert_eq!(node.dev_addr().unwrap().0 >> 25, 0x13, "the DevAddr carries the NetID's NwkID");
}

#[test]
fn an_otaa_join_with_a_wrong_app_key_is_rejected_for_its_mic_and_the_node_stays_unjoined() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = Node::new(Region::Eu868, 5);
    let plan = node.join(otaa("000102030405060708090A0B0C0D0E0F"), None).unwrap().unwrap();
    assert_eq!(deliver(&mut node, &mut server, &plan, 0), None);
    assert!(!node.has_joined());
    let events = log.events();
    assert_eq!(events[0]["event"], "rejected");
    assert_eq!(events[0]["reason"], "mic");
    assert_eq!(node.uplink(1, b"x", false, None, 10_000_000), Err(MacError::NotJoined));
}

#[test]
fn a_join_accept_sealed_with_another_key_is_ignored_by_the_node() {
    let (mut server, _log) = server(Region::Eu868);
    let mut honest = Node::new(Region::Eu868, 5);
    let plan = honest.join(otaa(APP_KEY), None).unwrap().unwrap();
    let accept = server.uplink(&heard(&plan, 0, "gw1")).unwrap();
    let mut other = Node::new(Region::Eu868, 6);
    other.join(otaa("000102030405060708090A0B0C0D0E0F"), None).unwrap();
    assert_eq!(other.received(&accept.payload), Received::Ignored(IgnoreReason::BadMic));
    assert_eq!(Node::new(Region::Eu868, 7).received(&accept.payload), Received::Ignored(IgnoreReason::NoJoinPending));
}

#[test]
fn a_repeated_dev_nonce_is_refused_as_a_replay() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = Node::new(Region::Eu868, 5);
    let plan = node.join(otaa(APP_KEY), None).unwrap().unwrap();
    assert!(server.uplink(&heard(&plan, 0, "gw1")).is_some());
    assert!(server.uplink(&heard(&plan, 60_000_000, "gw1")).is_none());
    let last = log.events().pop().unwrap();
    assert_eq!((last["event"].as_str(), last["reason"].as_str()), (Some("rejected"), Some("devnonce replay")));
}

#[test]
fn one_join_request_heard_by_two_gateways_is_answered_once_and_not_called_a_replay() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = Node::new(Region::Eu868, 5);
    let plan = node.join(otaa(APP_KEY), None).unwrap().unwrap();
    assert!(server.uplink(&heard(&plan, 0, "gw1")).is_some());
    assert!(server.uplink(&heard(&plan, 0, "gw2")).is_none());
    let kinds: Vec<_> = log.events().iter().map(|e| e["event"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["join", "downlink"]);
}

#[test]
fn a_confirmed_uplink_retransmission_waits_out_the_duty_cycle_without_losing_a_try() {
    let (mut node, _server, _log) = abp_pair(Region::Eu868);
    let plan = node.uplink(1, &[0u8; 40], true, Some(0), 0).unwrap();
    let air = time_on_air_us(12, 125_000, plan.payload.len());
    node.transmitted(0, air);
    assert!(matches!(node.retransmit(air + 3_000_000), Err(MacError::DutyCycle { .. })));
    let again = node.retransmit(air * 100).unwrap().unwrap();
    assert_eq!(again.dr, 0, "still the first retry: same data rate");
}

#[test]
fn an_unknown_device_is_rejected() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = Node::new(Region::Eu868, 5);
    let stranger = Activation::Otaa {
        dev_eui: "0102030405060708".parse().unwrap(),
        app_eui: APP_EUI.parse().unwrap(),
        app_key: APP_KEY.parse().unwrap(),
    };
    let plan = node.join(stranger, None).unwrap().unwrap();
    assert!(server.uplink(&heard(&plan, 0, "gw1")).is_none());
    assert_eq!(log.events()[0]["reason"], "unknown device");
    assert_eq!(log.events()[0]["dev_eui"], "0102030405060708");
}

#[test]
fn uplinks_reach_the_server_with_their_counter_port_and_payload() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = joined_node(Region::Eu868, &mut server);
    for (i, text) in [&b"hello"[..], b"world"].into_iter().enumerate() {
        let at = 10_000_000 + i as u64 * 60_000_000;
        let plan = node.uplink(2, text, false, Some(5), at).unwrap();
        assert_eq!(deliver(&mut node, &mut server, &plan, at), None, "nothing to answer");
    }
    let uplinks: Vec<_> = log.events().into_iter().filter(|e| e["event"] == "uplink").collect();
    assert_eq!(uplinks.len(), 2);
    assert_eq!(uplinks[0]["fcnt"], 0);
    assert_eq!(uplinks[0]["port"], 2);
    assert_eq!(uplinks[0]["data"], "68656c6c6f");
    assert_eq!(uplinks[1]["fcnt"], 1);
    assert_eq!(uplinks[1]["data"], "776f726c64");
    assert_eq!(uplinks[1]["sf"], 7);
    assert_eq!(node.frame_counters(), (2, 0));
}

#[test]
fn a_downlink_queued_on_the_server_arrives_at_the_node_after_its_next_uplink() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = joined_node(Region::Eu868, &mut server);
    server.queue_downlink(DeviceRef::DevEui(DEV_EUI.parse().unwrap()), 7, b"led on".to_vec(), false);
    server.queue_downlink(DeviceRef::DevAddr(node.dev_addr().unwrap()), 8, b"then this".to_vec(), false);
    let plan = node.uplink(1, b"tick", false, Some(5), 10_000_000).unwrap();
    let got = deliver(&mut node, &mut server, &plan, 10_000_000);
    assert_eq!(got, Some(Received::Data { port: Some(7), payload: b"led on".to_vec(), ack: false, pending: true }));
    let plan = node.uplink(1, b"tock", false, Some(5), 70_000_000).unwrap();
    let got = deliver(&mut node, &mut server, &plan, 70_000_000);
    assert_eq!(got, Some(Received::Data { port: Some(8), payload: b"then this".to_vec(), ack: false, pending: false }));
    assert_eq!(node.frame_counters(), (2, 1));
    let downlinks: Vec<_> = log.events().into_iter().filter(|e| e["event"] == "downlink").collect();
    assert_eq!(downlinks[1]["kind"], "data");
    assert_eq!(downlinks[1]["data"], "6c6564206f6e");
}

#[test]
fn a_confirmed_uplink_gets_an_ack_and_is_no_longer_pending() {
    let (mut node, mut server, _log) = abp_pair(Region::Eu868);
    let plan = node.uplink(1, "важно".as_bytes(), true, Some(3), 0).unwrap();
    assert!(node.confirmed_pending());
    let got = deliver(&mut node, &mut server, &plan, 0);
    assert_eq!(got, Some(Received::Data { port: None, payload: vec![], ack: true, pending: false }));
    assert!(!node.confirmed_pending());
}

#[test]
fn an_unanswered_confirmed_uplink_is_retransmitted_with_the_same_counter_then_given_up() {
    let (mut node, mut server, log) = abp_pair(Region::Eu868);
    node.set_tx_retries(2);
    let first = node.uplink(1, b"hi", true, Some(5), 0).unwrap();
    let again = node.retransmit(10_000_000).unwrap().unwrap();
    assert_eq!(again.dr, 5, "the first retry keeps the data rate");
    let third = node.retransmit(20_000_000).unwrap().unwrap();
    assert_eq!(third.dr, 4, "every second retry steps the data rate down, as LoRaMac");
    assert_eq!(node.retransmit(30_000_000).unwrap(), None, "tx_retries=2: three transmissions in all");
    assert!(!node.confirmed_pending());
    assert_eq!(first.payload[6..8], again.payload[6..8], "one FCnt for every transmission");
    // The server acknowledges a retransmission it hears later, without logging it twice.
    assert!(server.uplink(&heard(&first, 0, "gw1")).is_some());
    assert!(server.uplink(&heard(&again, 10_000_000, "gw1")).is_some());
    assert_eq!(log.events().iter().filter(|e| e["event"] == "uplink").count(), 1);
}

#[test]
fn one_frame_heard_by_two_gateways_is_logged_once() {
    let (mut node, mut server, log) = abp_pair(Region::Eu868);
    let plan = node.uplink(1, b"twice", false, Some(5), 0).unwrap();
    server.uplink(&heard(&plan, 0, "gw1"));
    server.uplink(&heard(&plan, 0, "gw2"));
    let events = log.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "uplink");
    assert_eq!(events[0]["gateway"], "gw1");
}

#[test]
fn a_node_restored_from_its_saved_session_continues_its_counters_and_an_old_frame_is_a_replay() {
    let (mut server, log) = server(Region::Eu868);
    let mut node = joined_node(Region::Eu868, &mut server);
    let old = node.uplink(1, b"one", false, Some(5), 10_000_000).unwrap();
    deliver(&mut node, &mut server, &old, 10_000_000);
    let saved = node.save();
    let mut restored = Node::restore(Region::Eu868, &saved, 42).unwrap();
    assert!(restored.has_joined());
    assert_eq!(restored.frame_counters(), (1, 0));
    assert_eq!(restored.dev_addr(), node.dev_addr());
    let next = restored.uplink(1, b"two", false, Some(5), 70_000_000).unwrap();
    deliver(&mut restored, &mut server, &next, 70_000_000);
    assert!(server.uplink(&heard(&old, 130_000_000, "gw1")).is_none());
    let events = log.events();
    let last = events.last().unwrap();
    assert_eq!(last["event"], "rejected");
    assert_eq!(last["reason"], "replay");
    assert_eq!(last["fcnt"], 0);
    assert_eq!(events.iter().filter(|e| e["event"] == "uplink").map(|e| e["fcnt"].clone()).collect::<Vec<_>>(), [0, 1]);
}

#[test]
fn a_damaged_or_foreign_saved_session_is_refused() {
    let (node, _server, _log) = abp_pair(Region::Eu868);
    let mut saved = node.save();
    assert!(matches!(Node::restore(Region::Us915, &saved, 1), Err(MacError::BadSavedState(_))));
    saved[10] ^= 1;
    assert!(matches!(Node::restore(Region::Eu868, &saved, 1), Err(MacError::BadSavedState(_))));
    assert!(matches!(Node::restore(Region::Eu868, &[1, 2, 3], 1), Err(MacError::BadSavedState(_))));
}

#[test]
fn the_frame_counter_rolls_over_past_65535_and_is_rebuilt_on_both_sides() {
    let (mut node, mut server, log) = abp_pair(Region::Eu868);
    server.queue_downlink(DeviceRef::DevEui(DEV_EUI.parse().unwrap()), 3, b"late".to_vec(), false);
    // Fast-forward with a hand-made saved session at FCnt 65534 (magic 4, version, region,
    // joined flag, DevAddr 4, NetID 4, two keys of 16: the counter is at byte 47), then send
    // across 65536.
    let mut saved = node.save();
    saved[47..51].copy_from_slice(&65_534u32.to_le_bytes());
    let len = saved.len();
    let crc = crc_of(&saved[..len - 4]);
    saved[len - 4..].copy_from_slice(&crc.to_le_bytes());
    node = Node::restore(Region::Eu868, &saved, 3).unwrap();
    for i in 0..3u64 {
        let at = i * 60_000_000;
        let plan = node.uplink(1, &[i as u8], false, Some(5), at).unwrap();
        deliver(&mut node, &mut server, &plan, at);
    }
    let fcnts: Vec<_> =
        log.events().into_iter().filter(|e| e["event"] == "uplink").map(|e| e["fcnt"].clone()).collect();
    assert_eq!(fcnts, [65_534, 65_535, 65_536]);
    assert_eq!(node.frame_counters().0, 65_537);
}

/// CRC-32 (ISO-HDLC), as the saved session's trailer.
fn crc_of(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn right_after_a_long_sf12_frame_the_eu868_duty_cycle_makes_the_next_uplink_wait() {
    let (mut node, _server, _log) = abp_pair(Region::Eu868);
    let plan = node.uplink(1, &[0u8; 51], false, Some(0), 0).unwrap();
    let air = time_on_air_us(12, 125_000, plan.payload.len());
    assert!(air > 2_000_000, "a 64-byte SF12 frame is on air for over 2 s ({air} µs)");
    node.transmitted(0, air);
    // 868.1/868.3/868.5 MHz are all in the 1% sub-band: closed for 99 times the time on air.
    let wait = match node.uplink(1, b"x", false, Some(5), air + 1_000) {
        Err(MacError::DutyCycle { wait_us }) => wait_us,
        other => panic!("expected a duty-cycle wait, got {other:?}"),
    };
    assert_eq!(wait, air * 99 - 1_000);
    assert!(node.uplink(1, b"x", false, Some(5), air * 100).is_ok());
}

#[test]
fn a_250_byte_payload_is_too_long_at_dr0_in_eu868() {
    let (mut node, _server, _log) = abp_pair(Region::Eu868);
    assert_eq!(node.uplink(1, &[0u8; 250], false, Some(0), 0), Err(MacError::PayloadTooLong { max: 51 }));
    assert_eq!(node.uplink(1, &[0u8; 250], false, Some(5), 0), Err(MacError::PayloadTooLong { max: 242 }));
    assert!(node.uplink(1, &[0u8; 242], false, Some(5), 0).is_ok());
}

#[test]
fn a_join_at_a_data_rate_the_firmware_refuses_fails_and_keeps_the_session() {
    let (mut node, _server, _log) = abp_pair(Region::Eu868);
    // modlora.c lora_join: EU868 joins at DR0 to DR5 only; AS923 at DR2 only.
    assert_eq!(node.join(otaa(APP_KEY), Some(6)), Err(MacError::InvalidDataRate));
    assert!(node.has_joined());
    assert_eq!(Node::new(Region::As923, 1).join(otaa(APP_KEY), Some(0)), Err(MacError::InvalidDataRate));
    let plan = Node::new(Region::Us915, 1).join(otaa(APP_KEY), Some(0)).unwrap().unwrap();
    assert_eq!((plan.sf, plan.bandwidth_hz), (10, 125_000), "US915 DR0 joins on a 125 kHz channel");
    assert!(plan.frequency_hz < 915_000_000);
}

#[test]
fn ports_outside_1_to_223_and_unknown_data_rates_are_refused() {
    let (mut node, _server, _log) = abp_pair(Region::Eu868);
    assert_eq!(node.uplink(0, b"x", false, None, 0), Err(MacError::InvalidPort));
    assert_eq!(node.uplink(224, b"x", false, None, 0), Err(MacError::InvalidPort));
    assert_eq!(node.uplink(1, b"x", false, Some(7), 0), Err(MacError::InvalidDataRate), "DR7 is FSK");
    assert_eq!(
        node.uplink(1, b"x", false, Some(6), 0),
        Err(MacError::InvalidDataRate),
        "no default channel carries DR6"
    );
}

#[test]
fn a_link_check_is_answered_with_the_margin_above_the_demodulation_floor() {
    let (mut node, mut server, _log) = abp_pair(Region::Eu868);
    node.request_link_check();
    let plan = node.uplink(1, b"where am I", false, Some(5), 0).unwrap();
    let got = deliver(&mut node, &mut server, &plan, 0);
    assert_eq!(got, Some(Received::Data { port: None, payload: vec![], ack: false, pending: false }));
    // SF7's floor is -7.5 dB; the test gateways hear at +7.5 dB SNR: 15 dB margin, one gateway.
    assert_eq!(node.link_check(), Some((15, 1)));
}

#[test]
fn mac_commands_from_the_server_are_applied_and_answered_in_the_next_uplink() {
    let (mut node, mut server, _log) = abp_pair(Region::Eu868);
    node.set_adr(true);
    let device = DeviceRef::DevAddr(node.dev_addr().unwrap());
    // LinkADRReq: DR3, TX power 2, channels 0 and 1 only, one transmission; then DevStatusReq
    // and RXTimingSetupReq (3 s).
    server.queue_mac_commands(device, vec![0x03, 0x32, 0x03, 0x00, 0x01, 0x06, 0x08, 0x03]);
    let plan = node.uplink(1, b"a", false, None, 0).unwrap();
    deliver(&mut node, &mut server, &plan, 0);
    assert_eq!(node.dr(), 3);
    assert_eq!(node.tx_power(), 2);
    assert_eq!(node.channels().iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1]);
    let next = node.uplink(1, b"b", false, None, 600_000_000).unwrap();
    assert_eq!(next.dr, 3);
    assert_eq!(next.rx1.delay_us, 3_000_000, "RXTimingSetupReq moved RX1");
    // FHDR: DevAddr(4) FCtrl FCnt(2) then FOpts: LinkADRAns ok, DevStatusAns (battery 255,
    // margin), RXTimingSetupAns.
    let fctrl = next.payload[5];
    assert_eq!(fctrl & 0x80, 0x80, "ADR bit");
    let fopts = &next.payload[8..8 + usize::from(fctrl & 0x0F)];
    assert_eq!(fopts, [0x03, 0x07, 0x06, 0xFF, 0x00, 0x08]);
}

#[test]
fn with_adr_off_a_link_adr_request_is_refused_as_loramac_does() {
    let (mut node, mut server, _log) = abp_pair(Region::Eu868);
    server.queue_mac_commands(DeviceRef::DevAddr(node.dev_addr().unwrap()), vec![0x03, 0x32, 0x03, 0x00, 0x01]);
    let plan = node.uplink(1, b"a", false, Some(5), 0).unwrap();
    deliver(&mut node, &mut server, &plan, 0);
    assert_eq!(node.dr(), 0, "unchanged");
    let next = node.uplink(1, b"b", false, Some(5), 60_000_000).unwrap();
    assert_eq!(&next.payload[8..10], [0x03, 0x00], "LinkADRAns with every bit refused");
}

#[test]
fn adr_asks_for_a_downlink_after_64_silent_uplinks_and_steps_down_32_later() {
    let (mut node, _server, _log) = abp_pair(Region::Eu868);
    node.set_adr(true);
    let (addr, nwk, app) = abp_keys();
    node.join(Activation::Abp { dev_addr: addr, nwk_skey: nwk, app_skey: app }, Some(5)).unwrap();
    let mut t = 0;
    let mut send = |node: &mut Node| {
        t += 1_000_000_000;
        node.uplink(1, b"", false, None, t).unwrap()
    };
    for _ in 0..64 {
        assert_eq!(send(&mut node).payload[5] & 0x40, 0, "no ADRACKReq yet");
    }
    assert_eq!(send(&mut node).payload[5] & 0x40, 0x40, "the 65th uplink asks (ADR_ACK_LIMIT 64)");
    for _ in 0..32 {
        assert_eq!(send(&mut node).dr, 5);
    }
    assert_eq!(send(&mut node).dr, 4, "ADR_ACK_DELAY 32 more: one data rate lower");
}

#[test]
fn a_downlink_for_another_address_or_with_an_old_counter_is_ignored() {
    let (mut node, mut server, _log) = abp_pair(Region::Eu868);
    server.queue_downlink(DeviceRef::DevAddr(node.dev_addr().unwrap()), 5, b"1".to_vec(), false);
    let plan = node.uplink(1, b"a", false, Some(5), 0).unwrap();
    let down = server.uplink(&heard(&plan, 0, "gw1")).unwrap();
    assert!(matches!(node.received(&down.payload), Received::Data { .. }));
    server.queue_downlink(DeviceRef::DevAddr(node.dev_addr().unwrap()), 5, b"2".to_vec(), false);
    let plan = node.uplink(1, b"b", false, Some(5), 60_000_000).unwrap();
    let second = server.uplink(&heard(&plan, 60_000_000, "gw1")).unwrap();
    assert!(matches!(node.received(&second.payload), Received::Data { .. }));
    assert_eq!(node.received(&second.payload), Received::Ignored(IgnoreReason::OldCounter));
    assert_eq!(node.received(&down.payload), Received::Ignored(IgnoreReason::BadMic), "a counter behind fails the MIC");
    // A downlink another server sends to another address.
    let (_, mut other_server, _) = abp_pair(Region::Eu868);
    let other: DevAddr = "26011BDB".parse().unwrap();
    let mut other_node = Node::new(Region::Eu868, 9);
    other_node
        .join(Activation::Abp { dev_addr: other, nwk_skey: Key([0x11; 16]), app_skey: Key([0x22; 16]) }, None)
        .unwrap();
    other_server.add_abp(other, Key([0x11; 16]), Key([0x22; 16]), None);
    let other_plan = other_node.uplink(1, b"c", true, Some(5), 0).unwrap();
    let for_other = other_server.uplink(&heard(&other_plan, 0, "gw1")).unwrap();
    assert_eq!(node.received(&for_other.payload), Received::Ignored(IgnoreReason::WrongAddress));
    assert_eq!(node.received(&plan.payload), Received::Ignored(IgnoreReason::NotADownlink));
    assert_eq!(node.received(&[0x60, 1, 2]), Received::Ignored(IgnoreReason::Malformed));
}

#[test]
fn two_runs_of_one_scenario_write_byte_identical_logs() {
    let run = || {
        let (mut server, log) = server(Region::Eu868);
        let mut node = joined_node(Region::Eu868, &mut server);
        let plan = node.uplink(9, b"same", true, None, 10_000_000).unwrap();
        deliver(&mut node, &mut server, &plan, 10_000_000);
        (log.text(), plan.payload)
    };
    let (first, frame) = run();
    assert_eq!(first, run().0);
    assert_eq!(first.lines().count(), 4, "join, join accept, uplink, ack:\n{first}");
    let phy_payload: String = frame.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        first.lines().nth(2).unwrap(),
        format!(
            r#"{{"event":"uplink","time_us":10051456,"dev_eui":"0004A30B001C0530","dev_addr":"26476BE3","fcnt":0,"port":9,"data":"73616d65","confirmed":true,"rssi":-80.0,"snr":7.5,"sf":7,"frequency":868500000,"gateway":"gw1","phy_payload":"{phy_payload}"}}"#
        )
    );
}

#[test]
fn a_join_accept_cf_list_adds_channels_in_eu868() {
    let (mut server, _log) = server(Region::Eu868);
    server.set_cf_list(vec![867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000]);
    let node = joined_node(Region::Eu868, &mut server);
    let frequencies: Vec<u32> = node.channels().iter().map(|(_, c)| c.frequency_hz).collect();
    assert_eq!(
        frequencies,
        [868_100_000, 868_300_000, 868_500_000, 867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000]
    );
}

#[test]
fn a_us915_uplink_is_answered_on_the_rx1_channel_its_channel_maps_to() {
    let (mut server, log) = server(Region::Us915);
    let node = joined_node(Region::Us915, &mut server);
    assert!(node.has_joined());
    let join = &log.events()[1];
    assert_eq!(join["event"], "downlink");
    assert_eq!(join["sf"], 7, "a DR4 (SF8/500 kHz) join is answered at DR13 (SF7/500 kHz)");
}

#[test]
fn every_region_joins_sends_and_receives_in_its_rx1_window() {
    for region in Region::ALL {
        let (mut server, log) = server(region);
        let mut node = joined_node(region, &mut server);
        server.queue_downlink(DeviceRef::DevEui(DEV_EUI.parse().unwrap()), 4, vec![region.firmware_id()], true);
        let plan = node.uplink(1, b"ping", false, Some(region.default_dr()), 1_000_000_000).unwrap();
        let got = deliver(&mut node, &mut server, &plan, 1_000_000_000);
        assert_eq!(
            got,
            Some(Received::Data { port: Some(4), payload: vec![region.firmware_id()], ack: false, pending: false }),
            "{region}"
        );
        // The confirmed downlink is acknowledged in the next uplink.
        let next = node.uplink(1, b"pong", false, Some(region.default_dr()), 2_000_000_000).unwrap();
        assert_eq!(next.payload[5] & 0x20, 0x20, "{region}: ACK bit");
        assert_eq!(log.events().iter().filter(|e| e["event"] == "uplink").count(), 1, "{region}");
    }
}

#[test]
fn mac_commands_change_channels_rx_settings_and_the_aggregated_duty_cycle() {
    let (mut node, mut server, _log) = abp_pair(Region::Eu868);
    let device = DeviceRef::DevAddr(node.dev_addr().unwrap());
    // NewChannelReq: channel 3 at 867.1 MHz (8671000 in 100 Hz units), DR0..DR5; channel 1
    // is a default channel whose frequency cannot change (RegionEU868ChannelAdd).
    let f = 8_671_000u32.to_le_bytes();
    server.queue_mac_commands(device, vec![0x07, 3, f[0], f[1], f[2], 0x50, 0x07, 1, f[0], f[1], f[2], 0x50]);
    let plan = node.uplink(1, b"a", false, Some(5), 0).unwrap();
    deliver(&mut node, &mut server, &plan, 0);
    assert!(node.channels().iter().any(|(i, c)| *i == 3 && c.frequency_hz == 867_100_000));
    let next = node.uplink(1, b"b", false, Some(5), 60_000_000).unwrap();
    assert_eq!(&next.payload[8..12], [0x07, 0x03, 0x07, 0x02], "NewChannelAns: ok, then frequency refused");
    deliver(&mut node, &mut server, &next, 60_000_000);
    // RXParamSetupReq: RX1 offset 2, RX2 at DR3 on 869.525 MHz; answered until a downlink.
    let f = 8_695_250u32.to_le_bytes();
    server.queue_mac_commands(device, vec![0x05, 0x23, f[0], f[1], f[2]]);
    // DutyCycleReq 1/2^4: every band together may be busy 1/16 of the time.
    server.queue_mac_commands(device, vec![0x04, 0x04]);
    let plan = node.uplink(1, b"c", false, Some(5), 120_000_000).unwrap();
    deliver(&mut node, &mut server, &plan, 120_000_000);
    let next = node.uplink(1, b"d", true, Some(5), 180_000_000).unwrap();
    assert_eq!((next.rx1.sf, next.rx2.sf, next.rx2.frequency_hz), (9, 9, 869_525_000));
    assert_eq!(&next.payload[8..11], [0x04, 0x05, 0x07], "DutyCycleAns, RXParamSetupAns ok");
    let air = time_on_air_us(next.sf, next.bandwidth_hz, next.payload.len());
    node.transmitted(180_000_000, 180_000_000 + air);
    match node.uplink(1, b"e", false, Some(5), 180_000_000 + air + 1) {
        Err(MacError::DutyCycle { wait_us }) => assert_eq!(wait_us, air * 15 - 1),
        other => panic!("expected the aggregated duty cycle to hold the next uplink, got {other:?}"),
    }
}

#[test]
fn a_us915_link_adr_request_can_move_the_device_to_one_sub_band() {
    let (mut node, mut server, _log) = abp_pair(Region::Us915);
    node.set_adr(true);
    let device = DeviceRef::DevAddr(node.dev_addr().unwrap());
    // ChMaskCntl 7: all 125 kHz channels off, 500 kHz mask 0; then ChMaskCntl 0 with
    // channels 8..15 (the second sub-band) at DR2, power index 4.
    server.queue_mac_commands(device, vec![0x03, 0x24, 0x00, 0x00, 0x70, 0x03, 0x24, 0x00, 0xFF, 0x01]);
    let plan = node.uplink(1, b"a", false, None, 0).unwrap();
    deliver(&mut node, &mut server, &plan, 0);
    let enabled: Vec<usize> = node.channels().iter().map(|(i, _)| *i).collect();
    assert_eq!(enabled, (8..16).collect::<Vec<_>>());
    assert_eq!((node.dr(), node.tx_power()), (2, 4));
    let next = node.uplink(1, b"b", false, None, 10_000_000).unwrap();
    assert!((903_900_000..=905_300_000).contains(&next.frequency_hz), "{}", next.frequency_hz);
    assert_eq!(&next.payload[8..12], [0x03, 0x07, 0x03, 0x07], "one LinkADRAns per request of the block");
}

#[test]
fn channels_are_added_and_removed_as_lora_add_channel_and_remove_channel_allow() {
    let mut node = Node::new(Region::Eu868, 1);
    let extra = Channel { frequency_hz: 867_100_000, min_dr: 0, max_dr: 5 };
    node.add_channel(3, extra).unwrap();
    assert_eq!(node.channels().len(), 4);
    assert_eq!(node.add_channel(16, extra), Err(MacError::InvalidChannel), "EU868 has 16 channels");
    let outside = Channel { frequency_hz: 915_000_000, ..extra };
    assert_eq!(node.add_channel(4, outside), Err(MacError::InvalidChannel));
    let narrow = Channel { frequency_hz: 868_100_000, min_dr: 0, max_dr: 3 };
    assert_eq!(node.add_channel(0, narrow), Err(MacError::InvalidChannel), "a default channel reaches DR5");
    assert_eq!(node.remove_channel(0), Err(MacError::InvalidChannel), "default channels stay");
    node.remove_channel(3).unwrap();
    assert_eq!(node.channels().len(), 3);
    let mut us = Node::new(Region::Us915, 1);
    us.remove_channel(0).unwrap();
    assert_eq!(us.channels().len(), 71);
}

#[test]
fn a_class_c_device_gets_its_queued_downlinks_in_rx2_without_an_uplink_one_at_a_time() {
    let (mut server, log) = server(Region::Eu868);
    let device = DeviceRef::DevEui(DEV_EUI.parse().unwrap());
    server.set_class_c(device);
    server.queue_downlink(device, 7, b"now".to_vec(), false);
    server.queue_downlink_at(device, 8, b"later".to_vec(), false, 60_000_000);
    assert_eq!(server.next_class_c_us(|_| true), None, "nowhere to send before the join");
    let mut node = joined_node(Region::Eu868, &mut server);
    let join_end = log.events()[0]["time_us"].as_u64().unwrap();
    // After the join's two windows (5 s and 6 s) and 2 s to spare.
    let first = server.next_class_c_us(|_| true).unwrap();
    assert_eq!(first, join_end + 8_000_000);
    assert_eq!(server.next_class_c_us(|g| g != "gw1"), None, "gw1 cannot send");
    assert!(server.class_c_downlinks(first, |g| g != "gw1").is_empty());
    assert!(server.class_c_downlinks(first - 1, |_| true).is_empty());
    let down = server.class_c_downlinks(first, |_| true);
    assert_eq!(down.len(), 1);
    assert_eq!((down[0].at_us, down[0].frequency_hz, down[0].sf), (first, 869_525_000, 12));
    assert_eq!(down[0].gateway, "gw1");
    let got = node.received(&down[0].payload);
    assert_eq!(got, Received::Data { port: Some(7), payload: b"now".to_vec(), ack: false, pending: false });
    assert_eq!(server.next_class_c_us(|_| true), Some(60_000_000));
    let later = server.class_c_downlinks(60_000_000, |_| true);
    assert_eq!(
        node.received(&later[0].payload),
        Received::Data { port: Some(8), payload: b"later".to_vec(), ack: false, pending: false }
    );
    assert_eq!(server.next_class_c_us(|_| true), None);
}

#[test]
fn a_class_a_device_gets_a_downlink_queued_for_later_only_in_the_rx1_of_an_uplink_after_that() {
    let (mut server, _log) = server(Region::Eu868);
    let mut node = joined_node(Region::Eu868, &mut server);
    let device = DeviceRef::DevEui(DEV_EUI.parse().unwrap());
    server.queue_downlink_at(device, 8, b"later".to_vec(), false, 60_000_000);
    assert_eq!(server.next_class_c_us(|_| true), None);
    assert!(server.class_c_downlinks(70_000_000, |_| true).is_empty());
    let plan = node.uplink(1, b"early", false, Some(5), 10_000_000).unwrap();
    assert_eq!(deliver(&mut node, &mut server, &plan, 10_000_000), None);
    let plan = node.uplink(1, b"late", false, Some(5), 70_000_000).unwrap();
    let got = deliver(&mut node, &mut server, &plan, 70_000_000);
    assert_eq!(got, Some(Received::Data { port: Some(8), payload: b"later".to_vec(), ack: false, pending: false }));
}
