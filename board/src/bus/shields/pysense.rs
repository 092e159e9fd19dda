//! Pycom's Pysense shield (v1 and v2): the coprocessor at 8 (product ID
//! 0xF012) and the SI7006-A20 (0x40), LTR-329ALS-01 (0x29),
//! MPL3115A2 (0x60) and LIS2HH12 (0x1E) sensors.

use serde::Deserialize;

use std::ops::RangeInclusive;

use super::knobs::Knob;
use super::registers::Registered;
use super::{Common, LIGHT, Shield, ShieldValues, check, ltr329, mpl3115, si7006};
use crate::bus::I2cTarget;
use crate::pins::Schedule;

/// `USB_PID_PYSENSE`.
const PRODUCT_ID: u16 = 0xF012;

/// A Pysense in a board file: every value a number or a schedule.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PysenseSpec {
    /// 1 or 2 (2 unless told): the coprocessor's firmware version follows.
    #[serde(default = "super::two")]
    pub version: i64,
    /// °C (SI7006 and MPL3115A2), -40 to 125.
    #[serde(default = "default_temperature")]
    pub temperature: Schedule,
    /// %RH, 0 to 100.
    #[serde(default = "default_humidity")]
    pub humidity: Schedule,
    /// Pa, 20,000 to 110,000 (the MPL3115A2 in pressure mode).
    #[serde(default = "default_pressure")]
    pub pressure: Schedule,
    /// m, -698 to 11,000 (the MPL3115A2 in altitude mode).
    #[serde(default = "default_altitude")]
    pub altitude: Schedule,
    /// lux, 0 to 64,000.
    #[serde(default = "super::default_light")]
    pub light: Schedule,
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

fn default_temperature() -> Schedule {
    Schedule::Constant(21.0)
}
fn default_humidity() -> Schedule {
    Schedule::Constant(50.0)
}
fn default_pressure() -> Schedule {
    Schedule::Constant(101_325.0)
}
fn default_altitude() -> Schedule {
    Schedule::Constant(0.0)
}

impl PysenseSpec {
    /// Builds the shield.
    pub fn build(&self) -> Result<Shield, String> {
        let identity = super::identity(PRODUCT_ID, self.version)?;
        let mut values = ShieldValues::default();
        let mut knob = |quantity, unit, range: RangeInclusive<f64>, schedule| {
            check(quantity, schedule, range.clone())?;
            let knob = Knob::new(schedule);
            values.knob(quantity, unit, range, &knob);
            Ok::<_, String>(knob)
        };
        let temperature = knob("temperature", "°C", -40.0..=125.0, &self.temperature)?;
        let humidity = knob("humidity", "%RH", 0.0..=100.0, &self.humidity)?;
        let pressure = knob("pressure", "Pa", 20_000.0..=110_000.0, &self.pressure)?;
        let altitude = knob("altitude", "m", -698.0..=11_000.0, &self.altitude)?;
        let light = knob("light", "lux", LIGHT, &self.light)?;
        let common = Common::new(&self.acceleration, &self.battery_voltage, &self.button)?;
        let chips: Vec<Box<dyn I2cTarget>> = vec![
            Box::new(si7006::Si7006::new(temperature.clone(), humidity)),
            Box::new(Registered::new(ltr329::ADDRESS, ltr329::Ltr329::new(light))),
            Box::new(Registered::new(mpl3115::ADDRESS, mpl3115::Mpl3115::new(temperature, pressure, altitude))),
        ];
        Ok(Shield::new(identity, common, chips, values))
    }
}
