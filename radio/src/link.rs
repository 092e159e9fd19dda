//! Where radios are and how much signal survives between them: a
//! log-distance path loss model and the thermal noise of a channel.

use serde::Deserialize;

/// A radio's place in metres.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(from = "PositionInput")]
pub struct Position {
    /// East, in metres.
    pub x: f64,
    /// North, in metres.
    pub y: f64,
    /// Height, in metres.
    pub z: f64,
}

impl Position {
    /// A position from its coordinates in metres.
    pub fn new(x: f64, y: f64, z: f64) -> Self {
        Position { x, y, z }
    }

    /// Straight-line distance to `other`, in metres.
    pub fn distance_m(&self, other: &Position) -> f64 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2) + (self.z - other.z).powi(2)).sqrt()
    }
}

/// The spellings a board file may use for a position: `[x, y, z]`, `[x, y]`
/// (on the ground) or a table with `x`, `y` and optional `z`.
#[derive(Deserialize)]
#[serde(untagged)]
enum PositionInput {
    Xyz([f64; 3]),
    Xy([f64; 2]),
    Table {
        x: f64,
        y: f64,
        #[serde(default)]
        z: f64,
    },
}

impl From<PositionInput> for Position {
    fn from(input: PositionInput) -> Self {
        match input {
            PositionInput::Xyz([x, y, z]) => Position { x, y, z },
            PositionInput::Xy([x, y]) => Position { x, y, z: 0.0 },
            PositionInput::Table { x, y, z } => Position { x, y, z },
        }
    }
}

/// Bandwidth the model's noise floor is given for.
const NOISE_REFERENCE_BANDWIDTH_HZ: f64 = 125_000.0;

/// Log-distance path loss: `loss(d) = reference_loss_db + 10·n·log10(d / 1 m)`,
/// and a thermal noise floor that grows with the channel's bandwidth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkModel {
    /// Path loss exponent n: 2 in free space, 2.7 by default (open suburban
    /// terrain), 3 to 4 in towns and indoors.
    pub path_loss_exponent: f64,
    /// Loss at 1 m in dB. Free space at 868 MHz loses 31.2 dB at 1 m
    /// (20·log10(4π/λ), λ = 0.345 m); the default 40 dB adds about 9 dB for
    /// the small antennas, cables and enclosures of real nodes. With 14 dBm
    /// this puts the SF7 edge near 4 km and the SF12 edge near 12 km.
    pub reference_loss_db: f64,
    /// Noise floor of a 125 kHz channel in dBm: -174 dBm/Hz thermal noise +
    /// 10·log10(125 kHz) + a 6 dB receiver noise figure = -117.03 dBm.
    pub noise_floor_dbm: f64,
}

impl Default for LinkModel {
    fn default() -> Self {
        LinkModel {
            path_loss_exponent: 2.7,
            reference_loss_db: 40.0,
            noise_floor_dbm: -174.0 + 10.0 * NOISE_REFERENCE_BANDWIDTH_HZ.log10() + 6.0,
        }
    }
}

impl LinkModel {
    /// Received power in dBm of a signal sent with `tx_power_dbm` from `from`
    /// to `to`; a distance below 1 m counts as 1 m.
    pub fn rssi_dbm(&self, tx_power_dbm: f64, from: Position, to: Position) -> f64 {
        let distance = from.distance_m(&to).max(1.0);
        tx_power_dbm - self.reference_loss_db - 10.0 * self.path_loss_exponent * distance.log10()
    }

    /// Signal-to-noise ratio in dB of a signal received at `rssi_dbm` in a
    /// channel `bandwidth_hz` wide.
    pub fn snr_db(&self, rssi_dbm: f64, bandwidth_hz: u32) -> f64 {
        rssi_dbm - self.noise_dbm(bandwidth_hz)
    }

    /// Noise power in dBm of a channel `bandwidth_hz` wide.
    pub fn noise_dbm(&self, bandwidth_hz: u32) -> f64 {
        self.noise_floor_dbm + 10.0 * (f64::from(bandwidth_hz.max(1)) / NOISE_REFERENCE_BANDWIDTH_HZ).log10()
    }
}
