//! What `LoRa(...)` sets, with the firmware's constants.

use pycom_lorawan::Region;

/// `LoRa.LORA` (raw frames) or `LoRa.LORAWAN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackMode {
    /// Raw LoRa frames (0).
    Lora,
    /// LoRaWAN class A or C (1).
    Lorawan,
}

impl StackMode {
    /// The mode with the firmware's number.
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            0 => Some(Self::Lora),
            1 => Some(Self::Lorawan),
            _ => None,
        }
    }
}

/// `LoRa.ALWAYS_ON`, `TX_ONLY`, `SLEEP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerMode {
    /// The receiver is on between transmissions (0).
    AlwaysOn,
    /// The receiver is off until a frame is sent (1).
    TxOnly,
    /// The radio sleeps: no sending, no receiving (2).
    Sleep,
}

impl PowerMode {
    /// The mode with the firmware's number.
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            0 => Some(Self::AlwaysOn),
            1 => Some(Self::TxOnly),
            2 => Some(Self::Sleep),
            _ => None,
        }
    }

    /// The firmware's number.
    pub fn id(self) -> i64 {
        match self {
            Self::AlwaysOn => 0,
            Self::TxOnly => 1,
            Self::Sleep => 2,
        }
    }
}

/// `LoRa.BW_125KHZ`, `BW_250KHZ`, `BW_500KHZ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bandwidth {
    /// 125 kHz (0).
    Khz125,
    /// 250 kHz (1).
    Khz250,
    /// 500 kHz (2).
    Khz500,
}

impl Bandwidth {
    /// The bandwidth with the firmware's number.
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            0 => Some(Self::Khz125),
            1 => Some(Self::Khz250),
            2 => Some(Self::Khz500),
            _ => None,
        }
    }

    /// The firmware's number.
    pub fn id(self) -> i64 {
        match self {
            Self::Khz125 => 0,
            Self::Khz250 => 1,
            Self::Khz500 => 2,
        }
    }

    /// Hz.
    pub fn hz(self) -> u32 {
        match self {
            Self::Khz125 => 125_000,
            Self::Khz250 => 250_000,
            Self::Khz500 => 500_000,
        }
    }
}

/// `LoRa.CLASS_A`, `CLASS_C`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceClass {
    /// Receive only in the two windows after an uplink (0).
    A,
    /// Receive in RX2 whenever not sending (2).
    C,
}

impl DeviceClass {
    /// The class with the firmware's number.
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            0 => Some(Self::A),
            2 => Some(Self::C),
            _ => None,
        }
    }
}

/// The radio's settings, as `LoRa()` checked them.
#[derive(Clone, Debug, PartialEq)]
pub struct LoraSettings {
    /// Raw LoRa or LoRaWAN.
    pub mode: StackMode,
    /// The region.
    pub region: Region,
    /// Raw mode frequency in Hz.
    pub frequency_hz: u32,
    /// Transmit power in dBm.
    pub tx_power: i8,
    /// Raw mode bandwidth.
    pub bandwidth: Bandwidth,
    /// Raw mode spreading factor, 6 to 12.
    pub sf: u8,
    /// Raw mode preamble in symbols.
    pub preamble: u16,
    /// Raw mode coding rate: 1 to 4 for 4/5 to 4/8.
    pub coding_rate: u8,
    /// Power mode.
    pub power_mode: PowerMode,
    /// Raw mode: send with inverted IQ.
    pub tx_iq: bool,
    /// Raw mode: receive with inverted IQ.
    pub rx_iq: bool,
    /// LoRaWAN adaptive data rate.
    pub adr: bool,
    /// LoRaWAN public network sync word.
    pub public: bool,
    /// LoRaWAN retransmissions of a confirmed uplink.
    pub tx_retries: u8,
    /// LoRaWAN class.
    pub device_class: DeviceClass,
}
