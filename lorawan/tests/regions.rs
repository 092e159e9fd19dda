//! Regional parameters spot-checked against the firmware's LoRaMac region files
//! (/lib/lora/mac/region/Region*.{c,h} of Pycom's v1.20.2 tree) and modlora.c.

use pycom_lorawan::{Channel, DataRate, Region};

#[test]
fn region_names_and_firmware_constants_round_trip() {
    // modlora.c's constants table uses LoRaMac.h's LoRaMacRegion_t: AS923=0 ... EU868=5,
    // IN865=7, US915=8.
    for region in Region::ALL {
        assert_eq!(region.name().parse::<Region>().unwrap(), region);
        assert_eq!(Region::from_firmware_id(region.firmware_id()), Some(region));
    }
    assert_eq!(Region::Eu868.firmware_id(), 5);
    assert_eq!(Region::Us915.firmware_id(), 8);
    assert_eq!("eu868".parse::<Region>().unwrap(), Region::Eu868);
    assert!("EU433".parse::<Region>().is_err());
}

#[test]
fn eu868_data_rates_are_sf12_to_sf7_then_sf7_at_250_khz_and_dr7_is_fsk() {
    // DataratesEU868 = { 12, 11, 10, 9, 8, 7, 7, 50 }, BandwidthsEU868 (RegionEU868.h).
    assert_eq!(Region::Eu868.data_rate(0), Some(DataRate { sf: 12, bandwidth_hz: 125_000 }));
    assert_eq!(Region::Eu868.data_rate(5), Some(DataRate { sf: 7, bandwidth_hz: 125_000 }));
    assert_eq!(Region::Eu868.data_rate(6), Some(DataRate { sf: 7, bandwidth_hz: 250_000 }));
    assert_eq!(Region::Eu868.data_rate(7), None);
    // DataratesUS915 = { 10, 9, 8, 7, 8, 0, 0, 0, 12, ... } with DR4 and DR8+ at 500 kHz.
    assert_eq!(Region::Us915.data_rate(0), Some(DataRate { sf: 10, bandwidth_hz: 125_000 }));
    assert_eq!(Region::Us915.data_rate(4), Some(DataRate { sf: 8, bandwidth_hz: 500_000 }));
    assert_eq!(Region::Us915.data_rate(5), None);
    assert_eq!(Region::Us915.data_rate(8), Some(DataRate { sf: 12, bandwidth_hz: 500_000 }));
    assert_eq!(Region::Us915.uplink_dr(8, 500_000), Some(4));
}

#[test]
fn default_channels_are_the_firmwares() {
    // EU868_LC1..3 at DR0..DR5; US915: 902.3 MHz + 200 kHz * n (DR0-3) and 903.0 MHz +
    // 1.6 MHz * n (DR4), all 72 on in ChannelsDefaultMask (RegionUS915.c InitDefaults).
    let eu: Vec<u32> = Region::Eu868.default_channels().iter().map(|c| c.frequency_hz).collect();
    assert_eq!(eu, [868_100_000, 868_300_000, 868_500_000]);
    assert_eq!(Region::Eu868.join_channels()[0], Channel { frequency_hz: 868_100_000, min_dr: 0, max_dr: 5 });
    let us = Region::Us915.default_channels();
    assert_eq!(us.len(), 72);
    assert_eq!(us[63], Channel { frequency_hz: 914_900_000, min_dr: 0, max_dr: 3 });
    assert_eq!(us[64], Channel { frequency_hz: 903_000_000, min_dr: 4, max_dr: 4 });
    assert_eq!(Region::Au915.default_channels()[0].frequency_hz, 915_200_000);
    assert_eq!(Region::As923.default_channels().len(), 2, "AS923_LC1, AS923_LC2");
    assert_eq!(Region::In865.default_channels()[1].frequency_hz, 865_402_500);
    assert_eq!(Region::Cn470.default_channels().len(), 96);
}

#[test]
fn rx1_follows_the_uplink_in_eu868_and_maps_to_the_downlink_bank_in_us915() {
    assert_eq!(Region::Eu868.rx1(868_300_000, 5, 0), (868_300_000, 5));
    assert_eq!(Region::Eu868.rx1(868_300_000, 5, 2), (868_300_000, 3));
    // US915_FIRST_RX1_CHANNEL + (channel % 8) * 600 kHz; DatarateOffsetsUS915[dr][offset].
    assert_eq!(Region::Us915.rx1(902_300_000, 0, 0), (923_300_000, 10));
    assert_eq!(Region::Us915.rx1(903_700_000, 3, 1), (923_300_000 + 7 * 600_000, 12), "channel 7");
    assert_eq!(Region::Us915.rx1(904_600_000, 4, 0), (923_300_000 + 600_000, 13), "the second 500 kHz channel");
    assert_eq!(Region::Au915.rx1(915_900_000, 6, 0), (923_300_000, 13));
    // CN470_FIRST_RX1_CHANNEL + (channel % 48) * 200 kHz.
    assert_eq!(Region::Cn470.rx1(470_300_000 + 50 * 200_000, 2, 0), (500_300_000 + 2 * 200_000, 2));
    // EffectiveRx1DrOffsetAS923: offset 6 raises the rate, capped at DR5.
    assert_eq!(Region::As923.rx1(923_200_000, 5, 6), (923_200_000, 5));
    assert_eq!(Region::As923.rx1(923_200_000, 2, 7), (923_200_000, 4));
}

#[test]
fn rx2_defaults_are_the_regions_fixed_window() {
    assert_eq!(Region::Eu868.rx2_default(), (869_525_000, 0));
    assert_eq!(Region::Us915.rx2_default(), (923_300_000, 8));
    assert_eq!(Region::As923.rx2_default(), (923_200_000, 2));
    assert_eq!(Region::In865.rx2_default(), (866_550_000, 2));
    assert_eq!(Region::Cn470.rx2_default(), (505_300_000, 0));
}

#[test]
fn maximum_payloads_are_the_non_repeater_tables() {
    // MaxPayloadOfDatarateEU868 = { 51, 51, 51, 115, 242, 242, 242, 242 }; LoRaMac.c sets
    // RepeaterSupport = false. US915 DR0 carries only 11 bytes.
    let eu: Vec<usize> = (0..8).map(|dr| Region::Eu868.max_payload(dr)).collect();
    assert_eq!(eu, [51, 51, 51, 115, 242, 242, 242, 242]);
    assert_eq!(Region::Us915.max_payload(0), 11);
    assert_eq!(Region::Us915.max_payload(4), 242);
    assert_eq!(Region::Cn470.max_payload(5), 222);
    assert_eq!(Region::Eu868.max_payload(15), 0);
}

#[test]
fn tx_power_steps_are_two_db_down_from_the_max_eirp_less_antenna_gain() {
    // RegionCommonComputeTxPower: floor(maxEirp - 2 * index - antennaGain); EU868 16 dBm EIRP,
    // 2.15 dBi: 13 dBm at index 0; US915 30 dBm ERP without gain.
    assert_eq!(Region::Eu868.max_tx_power_dbm(), 13);
    assert_eq!(Region::Eu868.tx_power_dbm(7), Some(-1));
    assert_eq!(Region::Eu868.tx_power_dbm(8), None, "EU868_MIN_TX_POWER is TX_POWER_7");
    assert_eq!(Region::Us915.max_tx_power_dbm(), 30);
    assert_eq!(Region::Us915.tx_power_dbm(10), Some(10));
}

#[test]
fn eu868_duty_cycle_bands_are_loramacs_and_other_regions_have_none() {
    // RegionEU868.c VerifyTxFreq with EU868_BAND0..4.
    assert_eq!(Region::Eu868.duty_cycle_band(868_100_000), Some(0.01));
    assert_eq!(Region::Eu868.duty_cycle_band(867_100_000), Some(0.01));
    assert_eq!(Region::Eu868.duty_cycle_band(868_800_000), Some(0.001));
    assert_eq!(Region::Eu868.duty_cycle_band(869_525_000), Some(0.1));
    assert_eq!(Region::Eu868.duty_cycle_band(869_850_000), Some(0.01));
    assert_eq!(Region::Eu868.duty_cycle_band(868_650_000), None, "between bands: not a valid channel");
    assert_eq!(Region::Us915.duty_cycle_band(902_300_000), None);
}

#[test]
fn defaults_and_delays_are_the_firmwares() {
    assert_eq!(Region::Eu868.default_dr(), 0);
    assert_eq!(Region::As923.default_dr(), 2);
    // modlora.c lora_join: the join data rate when none is given, and which ones it accepts.
    assert_eq!(Region::Eu868.default_join_dr(), 5);
    assert_eq!(Region::Us915.default_join_dr(), 4);
    assert!(Region::Us915.join_dr_allowed(0) && !Region::Us915.join_dr_allowed(2));
    assert!(!Region::As923.join_dr_allowed(0));
    assert_eq!(Region::Eu868.receive_delay1_us(), 1_000_000);
    assert_eq!(Region::Eu868.join_accept_delay1_us(), 5_000_000);
    assert_eq!((Region::Eu868.adr_ack_limit(), Region::Eu868.adr_ack_delay()), (64, 32));
}
