//! Pycom's Pytrack shield (v1 and v2): the coprocessor at 8 (product ID
//! 0xF013), the L76-L GNSS receiver (0x10) and the LIS2HH12 accelerometer
//! (0x1E).

use serde::Deserialize;

use std::sync::Arc;

use super::knobs::Hand;
use super::l76::{L76, Place, Position};
use super::{Common, Shield, ShieldValues};
use crate::pins::Schedule;

/// `USB_PID_PYTRACK`.
const PRODUCT_ID: u16 = 0xF013;

/// A Pytrack in a board file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PytrackSpec {
    /// 1 or 2 (2 unless told): the coprocessor's firmware version follows.
    #[serde(default = "super::two")]
    pub version: i64,
    /// Where the receiver is: `{ lat, lon }` or a track of `{ at_ms, lat, lon }`.
    #[serde(default = "default_position")]
    pub position: Position,
    /// ms of device time before the first fix (0 unless told).
    #[serde(default)]
    pub time_to_first_fix_ms: f64,
    /// x, y, z in g, -8 to 8 (flat on a table unless told).
    #[serde(default = "super::default_acceleration")]
    pub acceleration: [Schedule; 3],
    /// V on the battery input, 0 to 5.
    #[serde(default = "super::default_battery")]
    pub battery_voltage: Schedule,
    /// The shield's button: 1 while pressed, 0 released (unless told).
    #[serde(default = "super::released")]
    pub button: Schedule,
}

/// Pycom's old home, Eindhoven.
fn default_position() -> Position {
    Position::Fixed(Place { lat: 51.4416, lon: 5.4697 })
}

impl PytrackSpec {
    /// Builds the shield.
    pub fn build(&self) -> Result<Shield, String> {
        let identity = super::identity(PRODUCT_ID, self.version)?;
        if let Some(problem) = self.position.problem() {
            return Err(problem);
        }
        let first_fix = self.time_to_first_fix_ms;
        if first_fix.is_nan() || first_fix < 0.0 {
            return Err(format!("time_to_first_fix_ms must be a time (0 or more), not {first_fix}"));
        }
        let common = Common::new(&self.acceleration, &self.battery_voltage, &self.button)?;
        let place = [Hand::default(), Hand::default()];
        let mut values = ShieldValues::default();
        let position = self.position.clone();
        values.other("latitude", "°", -90.0..=90.0, &place[0], Arc::new(move |now_us| position.at(now_us).lat));
        let position = self.position.clone();
        values.other("longitude", "°", -180.0..=180.0, &place[1], Arc::new(move |now_us| position.at(now_us).lon));
        let receiver = L76::new(self.position.clone(), (first_fix * 1000.0).round() as u64, place);
        Ok(Shield::new(identity, common, vec![Box::new(receiver)], values))
    }
}
