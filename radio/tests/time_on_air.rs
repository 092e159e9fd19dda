//! LoRa frame durations and receiver limits, against figures worked out by
//! hand from Semtech's formula (SX1276 datasheet 4.1.1.7):
//! Ts = 2^SF / BW; preamble = (n + 4.25) Ts;
//! payload = 8 + max(ceil((8PL - 4SF + 28 + 16CRC - 20IH) / (4(SF - 2DE))) (CR + 4), 0) symbols.

use pycom_radio::phy::{
    LoraPhy, low_data_rate_optimize, sensitivity_dbm, snr_limit_db, symbol_time_us, time_on_air_ms, time_on_air_us,
};

fn phy(sf: u8, bandwidth_hz: u32) -> LoraPhy {
    LoraPhy::lorawan(868_100_000, sf, bandwidth_hz)
}

#[test]
fn sf7_at_125_khz_sends_20_bytes_in_56_576_ms() {
    // Ts 1.024 ms; 12.25 + 8 + ceil(176 / 28) * 5 = 55.25 symbols.
    assert_eq!(time_on_air_us(&phy(7, 125_000), 20), 56_576);
}

#[test]
fn sf12_at_125_khz_sends_51_bytes_in_2465_792_ms_with_low_data_rate_optimisation() {
    // Ts 32.768 ms; 12.25 + 8 + ceil(404 / 40) * 5 = 75.25 symbols.
    assert!(low_data_rate_optimize(&phy(12, 125_000)));
    assert_eq!(time_on_air_us(&phy(12, 125_000), 51), 2_465_792);
}

#[test]
fn sf9_at_125_khz_sends_10_bytes_in_144_384_ms() {
    // Ts 4.096 ms; 12.25 + 8 + ceil(88 / 36) * 5 = 35.25 symbols.
    assert_eq!(time_on_air_us(&phy(9, 125_000), 10), 144_384);
}

#[test]
fn sf12_at_250_khz_also_optimises_for_its_16_ms_symbols() {
    // Ts 16.384 ms; 12.25 + 8 + ceil(76 / 40) * 5 = 30.25 symbols.
    assert_eq!(symbol_time_us(&phy(12, 250_000)), 16_384.0);
    assert_eq!(time_on_air_us(&phy(12, 250_000), 10), 495_616);
}

#[test]
fn coding_rate_4_8_stretches_every_block_to_8_symbols() {
    // 12.25 + 8 + 7 * 8 = 76.25 symbols of 1.024 ms.
    let slow = LoraPhy { coding_rate: 4, ..phy(7, 125_000) };
    assert_eq!(time_on_air_us(&slow, 20), 78_080);
}

#[test]
fn implicit_header_without_crc_saves_20_and_16_bits() {
    // Ts 0.256 ms at 500 kHz; 12.25 + 8 + ceil(20 / 28) * 5 = 25.25 symbols.
    let bare = LoraPhy { crc: false, implicit_header: true, ..phy(7, 500_000) };
    assert_eq!(time_on_air_us(&bare, 5), 6_464);
}

#[test]
fn an_empty_payload_still_takes_the_preamble_and_8_symbols() {
    let bare = LoraPhy { crc: false, implicit_header: true, ..phy(12, 125_000) };
    assert_eq!(time_on_air_us(&bare, 0), (12.25 * 32_768.0 + 8.0 * 32_768.0) as u64);
}

#[test]
fn the_firmware_reports_time_on_air_in_milliseconds_rounded_up() {
    assert_eq!(time_on_air_ms(&phy(7, 125_000), 20), 57);
    assert_eq!(time_on_air_ms(&phy(12, 125_000), 51), 2466);
    // SF8 at 500 kHz: 12.25 + 8 + 3 * 5 = 35.25 symbols of 0.512 ms, 18.048 ms.
    assert_eq!(time_on_air_ms(&phy(8, 500_000), 10), 19);
}

#[test]
fn sensitivity_runs_from_minus_123_dbm_at_sf7_to_minus_137_dbm_at_sf12_at_125_khz() {
    assert_eq!(sensitivity_dbm(7, 125_000), -123.0);
    assert_eq!(sensitivity_dbm(12, 125_000), -137.0);
    for sf in 7..12 {
        assert!(sensitivity_dbm(sf + 1, 125_000) < sensitivity_dbm(sf, 125_000));
    }
}

#[test]
fn doubling_the_bandwidth_costs_3_db_of_sensitivity() {
    let loss = sensitivity_dbm(7, 250_000) - sensitivity_dbm(7, 125_000);
    assert!((loss - 3.0103).abs() < 1e-3);
    let loss = sensitivity_dbm(10, 500_000) - sensitivity_dbm(10, 125_000);
    assert!((loss - 6.0206).abs() < 1e-3);
}

#[test]
fn the_snr_limit_is_minus_7_5_db_at_sf7_and_2_5_db_lower_per_step() {
    assert_eq!(snr_limit_db(7), -7.5);
    assert_eq!(snr_limit_db(10), -15.0);
    assert_eq!(snr_limit_db(12), -20.0);
}
