//! Transmit time-off per duty-cycle sub-band, as LoRaMac's `RegionCommonCalcBackOff`: after a
//! frame of time-on-air T on a band with duty cycle 1/D, the band stays closed for T * (D - 1)
//! from the end of the frame; a DutyCycleReq adds an aggregated limit over all bands.

use crate::region::Region;

/// LoRaMac's join duty cycle in the first hour (`BACKOFF_DC_1_HOUR`: 1%).
const JOIN_DCYCLE: u32 = 100;
/// EU868 has five sub-bands (EU868_BAND0..4).
const BANDS: usize = 5;

/// When each sub-band, and all of them together, may transmit again.
#[derive(Debug, Clone, Default)]
pub(crate) struct DutyCycle {
    /// Per band: the time (µs) from which it is free again.
    band_free_at_us: [u64; BANDS],
    /// The aggregated limit's free time (µs).
    aggregated_free_at_us: u64,
    /// DutyCycleReq's MaxDCycle: all bands together may transmit 1 / 2^n of the time.
    max_dcycle: u8,
}

impl DutyCycle {
    /// How long a transmission on `frequency_hz` must wait at `now_us` (0 when it may go).
    pub(crate) fn wait_us(&self, region: Region, frequency_hz: u32, now_us: u64) -> u64 {
        let band = region.band(frequency_hz).map_or(0, |(band, _)| self.band_free_at_us[band]);
        band.max(self.aggregated_free_at_us).saturating_sub(now_us)
    }

    /// Records a transmission from `at_us` to `end_us` on `frequency_hz`; join requests count
    /// at least the join duty cycle, in the regions that enforce a duty cycle at all.
    pub(crate) fn record(&mut self, region: Region, frequency_hz: u32, at_us: u64, end_us: u64, join: bool) {
        let air_us = end_us.saturating_sub(at_us);
        if let Some((band, dcycle)) = region.band(frequency_hz) {
            let dcycle = if join { dcycle.max(JOIN_DCYCLE) } else { dcycle };
            self.band_free_at_us[band] = end_us + air_us * u64::from(dcycle - 1);
        }
        if self.max_dcycle > 0 {
            self.aggregated_free_at_us = end_us + air_us * ((1u64 << self.max_dcycle) - 1);
        }
    }

    /// Sets the aggregated duty cycle to 1 / 2^`max_dcycle` (DutyCycleReq; 0 = no limit).
    pub(crate) fn set_max_dcycle(&mut self, max_dcycle: u8) {
        self.max_dcycle = max_dcycle & 0x0F;
    }

    /// The aggregated duty-cycle exponent in force.
    pub(crate) fn max_dcycle(&self) -> u8 {
        self.max_dcycle
    }
}
