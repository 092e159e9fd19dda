//! LoRa physical layer figures: symbol and frame durations (Semtech's
//! SX1276 datasheet, section 4.1.1.7, as the firmware's sx1276 driver
//! computes them), receiver sensitivity and the SNR a spreading factor needs.

/// The settings of one LoRa frame (or of a receiver waiting for one).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoraPhy {
    /// Carrier frequency in Hz.
    pub frequency_hz: u32,
    /// Spreading factor, 6..=12.
    pub sf: u8,
    /// Bandwidth in Hz: 125_000, 250_000 or 500_000.
    pub bandwidth_hz: u32,
    /// Coding rate 1..=4, meaning 4/5..4/8.
    pub coding_rate: u8,
    /// Preamble length in symbols (the radio adds 4.25 more).
    pub preamble: u16,
    /// Whether the payload carries a CRC.
    pub crc: bool,
    /// Implicit header mode (no header on air).
    pub implicit_header: bool,
}

impl LoraPhy {
    /// A frame as LoRaWAN sends it: coding rate 4/5, 8 preamble symbols,
    /// explicit header, CRC on.
    pub fn lorawan(frequency_hz: u32, sf: u8, bandwidth_hz: u32) -> Self {
        Self { frequency_hz, sf, bandwidth_hz, coding_rate: 1, preamble: 8, crc: true, implicit_header: false }
    }
}

/// Symbol duration above which the driver turns on low-data-rate
/// optimisation: a symbol longer than 16 ms (SF11 and SF12 at 125 kHz, SF12
/// at 250 kHz).
const LOW_DATA_RATE_SYMBOL_US: f64 = 16_000.0;

/// Duration of one symbol in µs: 2^SF / bandwidth.
pub fn symbol_time_us(phy: &LoraPhy) -> f64 {
    f64::from(1u32 << clamped_sf(phy.sf)) * 1e6 / f64::from(phy.bandwidth_hz.max(1))
}

/// Whether the radio uses low-data-rate optimisation for these settings.
pub fn low_data_rate_optimize(phy: &LoraPhy) -> bool {
    symbol_time_us(phy) > LOW_DATA_RATE_SYMBOL_US
}

/// Duration of the preamble in µs: (preamble + 4.25) symbols.
pub fn preamble_time_us(phy: &LoraPhy) -> u64 {
    ((f64::from(phy.preamble) + 4.25) * symbol_time_us(phy)).ceil() as u64
}

/// Number of symbols after the preamble for a payload of `payload_len` bytes:
/// 8 + max(ceil((8PL - 4SF + 28 + 16CRC - 20IH) / (4(SF - 2DE))) (CR + 4), 0).
pub fn payload_symbols(phy: &LoraPhy, payload_len: usize) -> u64 {
    let sf = i64::from(clamped_sf(phy.sf));
    let bits =
        8 * payload_len as i64 - 4 * sf + 28 + if phy.crc { 16 } else { 0 } - if phy.implicit_header { 20 } else { 0 };
    let bits_per_block = 4 * (sf - if low_data_rate_optimize(phy) { 2 } else { 0 });
    let blocks = if bits > 0 { (bits + bits_per_block - 1) / bits_per_block } else { 0 };
    8 + blocks as u64 * (u64::from(phy.coding_rate.clamp(1, 4)) + 4)
}

/// Time on air of a frame of `payload_len` bytes, in µs (the driver's
/// `TimeOnAir` rounds the same figure up to whole milliseconds).
pub fn time_on_air_us(phy: &LoraPhy, payload_len: usize) -> u64 {
    let symbols = f64::from(phy.preamble) + 4.25 + payload_symbols(phy, payload_len) as f64;
    (symbols * symbol_time_us(phy)).ceil() as u64
}

/// Time on air in whole milliseconds, rounded up as the firmware's driver
/// reports it (`lora.stats()` `tx_time_on_air`).
pub fn time_on_air_ms(phy: &LoraPhy, payload_len: usize) -> u64 {
    time_on_air_us(phy, payload_len).div_ceil(1000)
}

/// Receiver sensitivity at 125 kHz for SF6..SF12, in dBm: the noise floor of
/// a 125 kHz channel with a 6 dB noise figure plus the SNR each spreading
/// factor needs, as Semtech tabulates it (-123 dBm at SF7, -137 dBm at SF12).
const SENSITIVITY_125K_DBM: [f64; 7] = [-118.0, -123.0, -126.0, -129.0, -132.0, -134.5, -137.0];

/// Demodulation SNR limit for SF6..SF12, in dB.
const SNR_LIMIT_DB: [f64; 7] = [-5.0, -7.5, -10.0, -12.5, -15.0, -17.5, -20.0];

/// The spreading factor the figures use: out-of-range values count as the
/// nearest of 6 and 12.
fn clamped_sf(sf: u8) -> u8 {
    sf.clamp(6, 12)
}

/// Index of a spreading factor into the SF6..SF12 tables.
fn sf_index(sf: u8) -> usize {
    usize::from(clamped_sf(sf) - 6)
}

/// The weakest signal (dBm) a receiver decodes at this spreading factor and
/// bandwidth: the 125 kHz figure, 10·log10(bw / 125 kHz) worse for wider
/// bandwidths (more noise in the channel).
pub fn sensitivity_dbm(sf: u8, bandwidth_hz: u32) -> f64 {
    SENSITIVITY_125K_DBM[sf_index(sf)] + 10.0 * (f64::from(bandwidth_hz.max(1)) / 125_000.0).log10()
}

/// The lowest SNR (dB) at which a frame of this spreading factor is decoded:
/// -7.5 dB at SF7, 2.5 dB lower per step, -20 dB at SF12.
pub fn snr_limit_db(sf: u8) -> f64 {
    SNR_LIMIT_DB[sf_index(sf)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phy(sf: u8, bandwidth_hz: u32) -> LoraPhy {
        LoraPhy::lorawan(868_100_000, sf, bandwidth_hz)
    }

    #[test]
    fn low_data_rate_optimisation_is_on_for_symbols_longer_than_16_ms() {
        assert!(!low_data_rate_optimize(&phy(10, 125_000)));
        assert!(low_data_rate_optimize(&phy(11, 125_000)));
        assert!(low_data_rate_optimize(&phy(12, 125_000)));
        assert!(low_data_rate_optimize(&phy(12, 250_000)));
        assert!(!low_data_rate_optimize(&phy(11, 250_000)));
        assert!(!low_data_rate_optimize(&phy(12, 500_000)));
    }

    #[test]
    fn spreading_factors_out_of_range_count_as_6_or_12() {
        assert_eq!(time_on_air_us(&phy(0, 125_000), 10), time_on_air_us(&phy(6, 125_000), 10));
        assert_eq!(time_on_air_us(&phy(200, 125_000), 10), time_on_air_us(&phy(12, 125_000), 10));
    }

    #[test]
    fn the_preamble_lasts_preamble_plus_four_and_a_quarter_symbols() {
        assert_eq!(preamble_time_us(&phy(7, 125_000)), 12_544);
        assert_eq!(symbol_time_us(&phy(7, 125_000)), 1024.0);
    }
}
