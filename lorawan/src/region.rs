//! LoRaWAN regional parameters as the firmware's LoRaMAC (LoRaMac-node 4.x in Pycom's v1.20.2
//! tree, `lib/lora/mac/region/Region*.{c,h}`) defines them: data rates, channel plans, RX windows,
//! payload limits, TX power steps and duty-cycle bands.

use std::fmt;
use std::str::FromStr;

/// A LoRaWAN region the firmware's `network.LoRa` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    /// Europe 863-870 MHz (`LoRa.EU868`).
    Eu868,
    /// United States 902-928 MHz (`LoRa.US915`).
    Us915,
    /// Asia 923 MHz (`LoRa.AS923`).
    As923,
    /// Australia 915-928 MHz (`LoRa.AU915`).
    Au915,
    /// China 470-510 MHz (`LoRa.CN470`).
    Cn470,
    /// India 865-867 MHz (`LoRa.IN865`).
    In865,
}

/// A region name that is not one of [`Region`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown LoRaWAN region {0:?} (expected EU868, US915, AS923, AU915, CN470 or IN865)")]
pub struct UnknownRegion(pub String);

/// A LoRa data rate: spreading factor and bandwidth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataRate {
    /// Spreading factor, 7..=12.
    pub sf: u8,
    /// Bandwidth in Hz (125000, 250000 or 500000).
    pub bandwidth_hz: u32,
}

/// An uplink channel: its frequency and the data rates it may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Channel {
    /// Centre frequency in Hz.
    pub frequency_hz: u32,
    /// Lowest data rate index allowed on the channel.
    pub min_dr: u8,
    /// Highest data rate index allowed on the channel.
    pub max_dr: u8,
}

impl Channel {
    /// Whether the channel may carry data rate `dr`.
    pub fn allows(&self, dr: u8) -> bool {
        (self.min_dr..=self.max_dr).contains(&dr)
    }
}

const BW125: u32 = 125_000;
const BW250: u32 = 250_000;
const BW500: u32 = 500_000;

/// `(SF, bandwidth)` per DR index; SF 0 marks an index that is not a LoRa rate (FSK or RFU).
/// EU868/AS923/IN865 share one table (Datarates*/Bandwidths* in their Region*.h).
const DYNAMIC_RATES: [(u8, u32); 7] =
    [(12, BW125), (11, BW125), (10, BW125), (9, BW125), (8, BW125), (7, BW125), (7, BW250)];
/// DataratesUS915/BandwidthsUS915 (RegionUS915.h).
const US915_RATES: [(u8, u32); 14] = [
    (10, BW125),
    (9, BW125),
    (8, BW125),
    (7, BW125),
    (8, BW500),
    (0, 0),
    (0, 0),
    (0, 0),
    (12, BW500),
    (11, BW500),
    (10, BW500),
    (9, BW500),
    (8, BW500),
    (7, BW500),
];
/// DataratesAU915/BandwidthsAU915 (RegionAU915.h).
const AU915_RATES: [(u8, u32); 14] = [
    (12, BW125),
    (11, BW125),
    (10, BW125),
    (9, BW125),
    (8, BW125),
    (7, BW125),
    (8, BW500),
    (0, 0),
    (12, BW500),
    (11, BW500),
    (10, BW500),
    (9, BW500),
    (8, BW500),
    (7, BW500),
];
/// DataratesCN470 (RegionCN470.h): 125 kHz only.
const CN470_RATES: [(u8, u32); 6] = [(12, BW125), (11, BW125), (10, BW125), (9, BW125), (8, BW125), (7, BW125)];

/// MaxPayloadOfDatarate* (not the repeater tables: LoRaMac.c sets `RepeaterSupport = false`).
const DYNAMIC_MAX_PAYLOAD: [usize; 8] = [51, 51, 51, 115, 242, 242, 242, 242];
const US915_MAX_PAYLOAD: [usize; 14] = [11, 53, 125, 242, 242, 0, 0, 0, 53, 129, 242, 242, 242, 242];
const AU915_MAX_PAYLOAD: [usize; 14] = [51, 51, 51, 115, 242, 242, 242, 0, 53, 129, 242, 242, 242, 242];
const CN470_MAX_PAYLOAD: [usize; 6] = [51, 51, 51, 115, 222, 222];

/// DatarateOffsetsUS915[dr][offset] (RegionUS915.h).
const US915_RX1_DR: [[u8; 4]; 5] = [[10, 9, 8, 8], [11, 10, 9, 8], [12, 11, 10, 9], [13, 12, 11, 10], [13, 13, 12, 11]];
/// DatarateOffsetsAU915[dr][offset] (RegionAU915.h).
const AU915_RX1_DR: [[u8; 6]; 7] = [
    [8, 8, 8, 8, 8, 8],
    [9, 8, 8, 8, 8, 8],
    [10, 9, 8, 8, 8, 8],
    [11, 10, 9, 8, 8, 8],
    [12, 11, 10, 9, 8, 8],
    [13, 12, 11, 10, 9, 8],
    [13, 13, 12, 11, 10, 9],
];
/// EffectiveRx1DrOffsetAS923 / EffectiveRx1DrOffsetIN865: offsets 6 and 7 raise the rate.
const EFFECTIVE_RX1_OFFSET: [i8; 8] = [0, 1, 2, 3, 4, 5, -1, -2];

impl Region {
    /// Every region, in the order of their firmware ids (LoRaMac.h `LoRaMacRegion_t`).
    pub const ALL: [Region; 6] =
        [Region::As923, Region::Au915, Region::Cn470, Region::Eu868, Region::In865, Region::Us915];

    /// The region's name as the firmware's constant spells it ("EU868").
    pub fn name(self) -> &'static str {
        match self {
            Region::Eu868 => "EU868",
            Region::Us915 => "US915",
            Region::As923 => "AS923",
            Region::Au915 => "AU915",
            Region::Cn470 => "CN470",
            Region::In865 => "IN865",
        }
    }

    /// The value of the firmware's `LoRa.<REGION>` constant (LoRaMac.h `LoRaMacRegion_t`).
    pub fn firmware_id(self) -> u8 {
        match self {
            Region::As923 => 0,
            Region::Au915 => 1,
            Region::Cn470 => 2,
            Region::Eu868 => 5,
            Region::In865 => 7,
            Region::Us915 => 8,
        }
    }

    /// The region whose `LoRa.<REGION>` constant is `id`.
    pub fn from_firmware_id(id: u8) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.firmware_id() == id)
    }

    /// Whether the region has a dynamic channel plan (channels added by CFList and
    /// NewChannelReq) rather than fixed channel banks.
    pub fn has_dynamic_channels(self) -> bool {
        matches!(self, Region::Eu868 | Region::As923 | Region::In865)
    }

    fn rates(self) -> &'static [(u8, u32)] {
        match self {
            Region::Eu868 | Region::As923 | Region::In865 => &DYNAMIC_RATES,
            Region::Us915 => &US915_RATES,
            Region::Au915 => &AU915_RATES,
            Region::Cn470 => &CN470_RATES,
        }
    }

    /// The LoRa modulation of data rate `dr` (uplink or downlink), or None for FSK, RFU
    /// or out-of-range indexes.
    pub fn data_rate(self, dr: u8) -> Option<DataRate> {
        match self.rates().get(usize::from(dr)) {
            Some(&(sf, bandwidth_hz)) if sf != 0 => Some(DataRate { sf, bandwidth_hz }),
            _ => None,
        }
    }

    /// The highest data rate index an uplink may use (`*_TX_MAX_DATARATE`; EU868's DR7 is FSK,
    /// which this crate does not model, so DR6 there).
    pub fn max_uplink_dr(self) -> u8 {
        match self {
            Region::Eu868 | Region::As923 | Region::In865 | Region::Au915 => 6,
            Region::Us915 => 4,
            Region::Cn470 => 5,
        }
    }

    /// The uplink data rate index of a modulation, as a gateway reports it.
    pub fn uplink_dr(self, sf: u8, bandwidth_hz: u32) -> Option<u8> {
        (0..=self.max_uplink_dr()).find(|&dr| self.data_rate(dr) == Some(DataRate { sf, bandwidth_hz }))
    }

    /// The data rate a device starts with (`*_DEFAULT_DATARATE`).
    pub fn default_dr(self) -> u8 {
        match self {
            Region::As923 => 2,
            _ => 0,
        }
    }

    /// The data rate `LoRa.join()` uses when no `dr` is given (modlora.c `lora_join`).
    pub fn default_join_dr(self) -> u8 {
        match self {
            Region::As923 => 2,
            Region::Au915 => 6,
            Region::Us915 => 4,
            Region::Cn470 | Region::Eu868 | Region::In865 => 5,
        }
    }

    /// Whether `LoRa.join(dr=...)` accepts `dr` in this region (modlora.c `lora_join`;
    /// IN865 is not checked there, so any uplink rate).
    pub fn join_dr_allowed(self, dr: u8) -> bool {
        match self {
            Region::As923 => dr == 2,
            Region::Au915 => dr == 0 || dr == 6,
            Region::Us915 => dr == 0 || dr == 4,
            Region::Cn470 | Region::Eu868 => dr <= 5,
            Region::In865 => dr <= self.max_uplink_dr(),
        }
    }

    /// The lower data rate LoRaMAC falls back to (`PHY_NEXT_LOWER_TX_DR`, floor at DR0).
    pub fn next_lower_dr(self, dr: u8) -> u8 {
        dr.saturating_sub(1)
    }

    /// How many channels the region's MAC keeps (`*_MAX_NB_CHANNELS`).
    pub fn max_channels(self) -> usize {
        match self {
            Region::Eu868 | Region::As923 | Region::In865 => 16,
            Region::Us915 | Region::Au915 => 72,
            Region::Cn470 => 96,
        }
    }

    /// The uplink channels a device starts with, all enabled (`Region*InitDefaults`).
    /// US915 and AU915: 64 channels at 125 kHz and 8 at 500 kHz, all on, as Pycom's
    /// RegionUS915.c sets `ChannelsDefaultMask`.
    pub fn default_channels(self) -> Vec<Channel> {
        let fixed = |count: u32, first: u32, step: u32, min_dr: u8, max_dr: u8| {
            (0..count).map(move |i| Channel { frequency_hz: first + i * step, min_dr, max_dr })
        };
        match self {
            Region::Eu868 => [868_100_000, 868_300_000, 868_500_000].map(|f| dynamic(f, 5)).to_vec(),
            Region::As923 => [923_200_000, 923_400_000].map(|f| dynamic(f, 5)).to_vec(),
            Region::In865 => [865_062_500, 865_402_500, 865_985_000].map(|f| dynamic(f, 5)).to_vec(),
            Region::Us915 => {
                fixed(64, 902_300_000, 200_000, 0, 3).chain(fixed(8, 903_000_000, 1_600_000, 4, 4)).collect()
            }
            Region::Au915 => {
                fixed(64, 915_200_000, 200_000, 0, 5).chain(fixed(8, 915_900_000, 1_600_000, 6, 6)).collect()
            }
            Region::Cn470 => fixed(96, 470_300_000, 200_000, 0, 5).collect(),
        }
    }

    /// The channels a join request may go out on: the default channels (`*_JOIN_CHANNELS`
    /// in the dynamic regions; every default channel in the fixed-plan ones).
    pub fn join_channels(self) -> Vec<Channel> {
        self.default_channels()
    }

    /// The RX1 downlink frequency and data rate for an uplink on `up_frequency_hz` at
    /// `up_dr` with the session's RX1 data-rate offset (`Region*RxConfig`/`*ApplyDrOffset`).
    pub fn rx1(self, up_frequency_hz: u32, up_dr: u8, rx1_dr_offset: u8) -> (u32, u8) {
        let offset = usize::from(rx1_dr_offset);
        match self {
            Region::Eu868 => (up_frequency_hz, up_dr.saturating_sub(rx1_dr_offset)),
            Region::As923 | Region::In865 => {
                let shift = EFFECTIVE_RX1_OFFSET.get(offset).copied().unwrap_or(0);
                let dr = (i16::from(up_dr) - i16::from(shift)).clamp(0, 5);
                (up_frequency_hz, dr as u8)
            }
            Region::Us915 | Region::Au915 => {
                let frequency = 923_300_000 + (self.fixed_channel_index(up_frequency_hz) % 8) * 600_000;
                let dr = if self == Region::Us915 {
                    US915_RX1_DR.get(usize::from(up_dr)).and_then(|row| row.get(offset))
                } else {
                    AU915_RX1_DR.get(usize::from(up_dr)).and_then(|row| row.get(offset))
                };
                (frequency, dr.copied().unwrap_or(8))
            }
            Region::Cn470 => {
                let frequency = 500_300_000 + (self.fixed_channel_index(up_frequency_hz) % 48) * 200_000;
                (frequency, up_dr.saturating_sub(rx1_dr_offset))
            }
        }
    }

    /// The channel number of an uplink frequency in a fixed channel plan: 125 kHz channels
    /// every 200 kHz from the first, then (US915/AU915) the 500 kHz channels every 1.6 MHz,
    /// which lie off the 200 kHz grid.
    fn fixed_channel_index(self, frequency_hz: u32) -> u32 {
        let (first, wide_first) = match self {
            Region::Us915 => (902_300_000, 903_000_000),
            Region::Au915 => (915_200_000, 915_900_000),
            _ => (470_300_000, u32::MAX),
        };
        let narrow = frequency_hz.saturating_sub(first);
        let wide = frequency_hz.saturating_sub(wide_first);
        if narrow % 200_000 != 0 && frequency_hz >= wide_first && wide % 1_600_000 == 0 {
            64 + wide / 1_600_000
        } else {
            (narrow + 100_000) / 200_000
        }
    }

    /// Whether the MAC accepts `frequency_hz` for a channel or RX window: EU868's duty-cycle
    /// sub-bands (RegionEU868.c `VerifyTxFreq`), elsewhere the range modlora.c's
    /// `lora_validate_frequency` allows.
    pub fn frequency_allowed(self, frequency_hz: u32) -> bool {
        let range = match self {
            Region::Eu868 => return self.band(frequency_hz).is_some(),
            Region::As923 | Region::Au915 => 915_000_000..=928_000_000,
            Region::Us915 => 902_000_000..=928_000_000,
            Region::Cn470 => 470_000_000..=510_000_000,
            Region::In865 => 865_000_000..=867_000_000,
        };
        range.contains(&frequency_hz)
    }

    /// The largest RX1 data-rate offset (`*_MAX_RX1_DR_OFFSET`).
    pub fn max_rx1_dr_offset(self) -> u8 {
        match self {
            Region::Eu868 => 5,
            Region::Us915 | Region::Cn470 => 3,
            Region::Au915 => 6,
            Region::As923 | Region::In865 => 7,
        }
    }

    /// The RX2 window's default frequency and data rate (`*_RX_WND_2_FREQ`, `*_RX_WND_2_DR`).
    pub fn rx2_default(self) -> (u32, u8) {
        match self {
            Region::Eu868 => (869_525_000, 0),
            Region::Us915 | Region::Au915 => (923_300_000, 8),
            Region::As923 => (923_200_000, 2),
            Region::Cn470 => (505_300_000, 0),
            Region::In865 => (866_550_000, 2),
        }
    }

    /// The largest MACPayload (FHDR excluded: the application payload N) at data rate `dr`,
    /// 0 for a rate the region does not have (MaxPayloadOfDatarate*).
    pub fn max_payload(self, dr: u8) -> usize {
        let table: &[usize] = match self {
            Region::Eu868 | Region::As923 | Region::In865 => &DYNAMIC_MAX_PAYLOAD,
            Region::Us915 => &US915_MAX_PAYLOAD,
            Region::Au915 => &AU915_MAX_PAYLOAD,
            Region::Cn470 => &CN470_MAX_PAYLOAD,
        };
        table.get(usize::from(dr)).copied().unwrap_or(0)
    }

    /// The maximum EIRP in dBm (`*_DEFAULT_MAX_EIRP` / `US915_DEFAULT_MAX_ERP`).
    pub fn max_eirp_dbm(self) -> f64 {
        match self {
            Region::Eu868 | Region::As923 => 16.0,
            Region::Us915 | Region::Au915 | Region::In865 => 30.0,
            Region::Cn470 => 19.15,
        }
    }

    /// The conducted power of TX power index 0 (the highest), in dBm.
    pub fn max_tx_power_dbm(self) -> i8 {
        self.tx_power_dbm(0).unwrap_or(0)
    }

    /// The highest TX power index (the lowest power): `*_MIN_TX_POWER`.
    pub fn min_tx_power_index(self) -> u8 {
        match self {
            Region::Eu868 | Region::As923 | Region::Cn470 => 7,
            Region::Us915 | Region::Au915 | Region::In865 => 10,
        }
    }

    /// The conducted power of TX power index `index`: `floor(max EIRP - 2 * index - antenna
    /// gain)` as RegionCommonComputeTxPower (antenna gain 2.15 dBi; US915 counts ERP, gain 0).
    pub fn tx_power_dbm(self, index: u8) -> Option<i8> {
        if index > self.min_tx_power_index() {
            return None;
        }
        let antenna_gain = if self == Region::Us915 { 0.0 } else { 2.15 };
        Some((self.max_eirp_dbm() - 2.0 * f64::from(index) - antenna_gain).floor() as i8)
    }

    /// The duty-cycle sub-band of a frequency: its index and its `DCycle` (1/fraction of time
    /// on air allowed), or None where the region enforces no duty cycle. EU868 as RegionEU868.c
    /// `VerifyTxFreq` and EU868_BAND0..4: 1%, 1%, 0.1%, 10%, 1%.
    pub(crate) fn band(self, frequency_hz: u32) -> Option<(usize, u32)> {
        if self != Region::Eu868 {
            return None;
        }
        match frequency_hz {
            863_000_000..865_000_000 => Some((2, 1000)),
            865_000_000..=868_000_000 => Some((0, 100)),
            868_000_001..=868_600_000 => Some((1, 100)),
            868_700_000..=869_200_000 => Some((2, 1000)),
            869_400_000..=869_650_000 => Some((3, 10)),
            869_700_000..=870_000_000 => Some((4, 100)),
            _ => None,
        }
    }

    /// The fraction of time a device may transmit on this frequency's sub-band (0.01 = 1%),
    /// or None where the region has no duty cycle (only EU868 enables it with bands below 100%).
    pub fn duty_cycle_band(self, frequency_hz: u32) -> Option<f64> {
        self.band(frequency_hz).map(|(_, dcycle)| 1.0 / f64::from(dcycle))
    }

    /// The delay from the end of an uplink to the RX1 window (`*_RECEIVE_DELAY1`): 1 s.
    pub fn receive_delay1_us(self) -> u64 {
        1_000_000
    }

    /// The delay from the end of a join request to the first join-accept window
    /// (`*_JOIN_ACCEPT_DELAY1`): 5 s; the second window opens 1 s later.
    pub fn join_accept_delay1_us(self) -> u64 {
        5_000_000
    }

    /// How many uplinks without a downlink before ADRACKReq is set (`*_ADR_ACK_LIMIT`).
    pub fn adr_ack_limit(self) -> u32 {
        64
    }

    /// How many more uplinks before the data rate steps down (`*_ADR_ACK_DELAY`).
    pub fn adr_ack_delay(self) -> u32 {
        32
    }

    /// The largest jump in the downlink counter a device accepts (`*_MAX_FCNT_GAP`).
    pub fn max_fcnt_gap(self) -> u32 {
        16384
    }

    /// The demodulation floor of a spreading factor in dB of SNR (LoRaWAN's LinkCheckAns margin
    /// is counted above it).
    pub fn demodulation_floor_db(sf: u8) -> f64 {
        -5.0 - 2.5 * f64::from(sf.saturating_sub(6))
    }
}

/// A dynamic-plan default channel: DR0..=`max_dr`.
fn dynamic(frequency_hz: u32, max_dr: u8) -> Channel {
    Channel { frequency_hz, min_dr: 0, max_dr }
}

impl FromStr for Region {
    type Err = UnknownRegion;

    fn from_str(text: &str) -> Result<Self, UnknownRegion> {
        Region::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownRegion(text.to_string()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
