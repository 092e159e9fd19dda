//! Pycom's Pysense shield (v1 and v2) on its I2C bus (SDA P22, SCL P21): the
//! coprocessor at 8 and the SI7006-A20 (0x40), LTR-329ALS-01 (0x29),
//! MPL3115A2 (0x60) and LIS2HH12 (0x1E) sensors, each answering as its
//! datasheet says, so that Pycom's `pycoproc` and sensor libraries run
//! unchanged.

mod coproc;
mod lis2hh12;
mod ltr329;
mod mpl3115;
mod registers;
mod si7006;

use serde::Deserialize;

use super::I2cTarget;
use super::spec::check_schedule;
use crate::pins::Schedule;
use registers::Registered;

/// The shield's SDA pin.
pub const SDA: &str = "P22";
/// The shield's SCL pin.
pub const SCL: &str = "P21";

/// A Pysense in a board file: every value a number or a schedule.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PysenseSpec {
    /// 1 or 2 (2 unless told): the coprocessor's firmware version follows.
    #[serde(default = "two")]
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
    #[serde(default = "default_light")]
    pub light: Schedule,
    /// x, y, z in g, -8 to 8 (flat on a table unless told).
    #[serde(default = "default_acceleration")]
    pub acceleration: [Schedule; 3],
    /// V on the battery input, 0 to 5.
    #[serde(default = "default_battery")]
    pub battery_voltage: Schedule,
}

fn two() -> i64 {
    2
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
fn default_light() -> Schedule {
    Schedule::Constant(300.0)
}
fn default_acceleration() -> [Schedule; 3] {
    [Schedule::Constant(0.0), Schedule::Constant(0.0), Schedule::Constant(1.0)]
}
fn default_battery() -> Schedule {
    Schedule::Constant(4.1)
}

/// A schedule is well-formed and its values lie in `range`.
fn check(name: &str, schedule: &Schedule, range: std::ops::RangeInclusive<f64>) -> Result<(), String> {
    check_schedule(schedule).map_err(|e| format!("{name}: {e}"))?;
    let values: Vec<f64> = match schedule {
        Schedule::Constant(v) => vec![*v],
        Schedule::Steps(steps) => steps.iter().map(|s| s.value).collect(),
    };
    match values.iter().find(|v| !range.contains(v)) {
        Some(v) => Err(format!("{name} {v} is out of range ({} to {})", range.start(), range.end())),
        None => Ok(()),
    }
}

impl PysenseSpec {
    /// Builds the shield's I2C targets.
    pub fn build(&self) -> Result<Vec<Box<dyn I2cTarget>>, String> {
        let (hardware, firmware) = match self.version {
            1 => (1, 11),
            2 => (2, 16),
            n => return Err(format!("version must be 1 or 2, not {n}")),
        };
        check("temperature", &self.temperature, -40.0..=125.0)?;
        check("humidity", &self.humidity, 0.0..=100.0)?;
        check("pressure", &self.pressure, 20_000.0..=110_000.0)?;
        check("altitude", &self.altitude, -698.0..=11_000.0)?;
        check("light", &self.light, 0.0..=64_000.0)?;
        for axis in &self.acceleration {
            check("acceleration", axis, -8.0..=8.0)?;
        }
        check("battery_voltage", &self.battery_voltage, 0.0..=5.0)?;
        Ok(vec![
            Box::new(coproc::Coproc::new(hardware, firmware, self.battery_voltage.clone())),
            Box::new(si7006::Si7006::new(self.temperature.clone(), self.humidity.clone())),
            Box::new(Registered::new(ltr329::ADDRESS, ltr329::Ltr329::new(self.light.clone()))),
            Box::new(Registered::new(
                mpl3115::ADDRESS,
                mpl3115::Mpl3115::new(self.temperature.clone(), self.pressure.clone(), self.altitude.clone()),
            )),
            Box::new(Registered::new(lis2hh12::ADDRESS, lis2hh12::Lis2hh12::new(self.acceleration.clone()))),
        ])
    }
}
