//! Pycom's shields on their I2C bus (SDA P22, SCL P21), each one `[[device]]`
//! of a board file: the Pysense, the Pytrack and the Pyscan. They share the
//! coprocessor at 8 (only its product ID and versions differ) and some
//! sensors; every chip answers as its datasheet says, so that Pycom's
//! `pycoproc` and sensor libraries run unchanged. The coprocessor also
//! drives SCL to calibrate its clock and switches the module's power.

mod calibration;
mod coproc;
mod knobs;
mod l76;
mod lis2hh12;
mod ltr329;
mod mfrc630;
mod mifare;
mod mpl3115;
mod nap;
mod nmea;
mod pyscan;
mod pysense;
mod pytrack;
mod registers;
mod si7006;

pub use coproc::{Coprocessor, WATCHED_PINS};
pub use knobs::{ShieldValueError, ShieldValues};
pub use l76::{Place, Position, TrackPoint};
pub use mfrc630::CardSpec;
pub use pyscan::PyscanSpec;
pub use pysense::PysenseSpec;
pub use pytrack::PytrackSpec;

use std::ops::RangeInclusive;

use super::I2cTarget;
use super::spec::check_schedule;
use crate::pins::Schedule;
use coproc::Identity;
use knobs::Knob;

/// The shields' SDA pin.
pub const SDA: &str = "P22";
/// The shields' SCL pin.
pub const SCL: &str = "P21";

/// Acceleration in g on each axis.
const ACCELERATION: RangeInclusive<f64> = -8.0..=8.0;
/// Volts on the battery input.
const BATTERY_VOLTAGE: RangeInclusive<f64> = 0.0..=5.0;
/// The button: 0 released, 1 pressed.
const BUTTON: RangeInclusive<f64> = 0.0..=1.0;
/// Lux on the light sensor.
const LIGHT: RangeInclusive<f64> = 0.0..=64_000.0;

/// A shield built from its board-file description.
#[derive(Debug)]
pub struct Shield {
    /// Its chips on the I2C bus, the coprocessor first.
    pub targets: Vec<Box<dyn I2cTarget>>,
    /// Its coprocessor.
    pub coprocessor: Coprocessor,
    /// Its values a hand may set while the script runs.
    pub values: ShieldValues,
}

/// What every shield measures: the accelerometer's acceleration, the
/// battery's voltage, the button.
struct Common {
    acceleration: [Knob; 3],
    battery_voltage: Knob,
    button: Knob,
}

impl Common {
    /// The board file's values, checked.
    fn new(acceleration: &[Schedule; 3], battery_voltage: &Schedule, button: &Schedule) -> Result<Self, String> {
        for axis in acceleration {
            check("acceleration", axis, ACCELERATION)?;
        }
        check("battery_voltage", battery_voltage, BATTERY_VOLTAGE)?;
        check("button", button, BUTTON)?;
        Ok(Self {
            acceleration: acceleration.each_ref().map(Knob::new),
            battery_voltage: Knob::new(battery_voltage),
            button: Knob::new(button),
        })
    }

    /// The LIS2HH12 accelerometer feeling the acceleration.
    fn accelerometer(&self) -> Box<dyn I2cTarget> {
        let chip = lis2hh12::Lis2hh12::new(self.acceleration.clone());
        Box::new(registers::Registered::new(lis2hh12::ADDRESS, chip))
    }
}

impl Shield {
    /// A shield with a coprocessor answering as `identity` and measuring
    /// `common`'s battery and button, with `chips` (the accelerometer
    /// added last), and the chips' `values` a hand may set (`common`'s added).
    fn new(identity: Identity, common: Common, mut chips: Vec<Box<dyn I2cTarget>>, mut values: ShieldValues) -> Self {
        for (axis, quantity) in common.acceleration.iter().zip(["acceleration_x", "acceleration_y", "acceleration_z"]) {
            values.knob(quantity, "g", ACCELERATION, axis);
        }
        values.knob("battery_voltage", "V", BATTERY_VOLTAGE, &common.battery_voltage);
        values.knob("button", "pressed", BUTTON, &common.button);
        chips.push(common.accelerometer());
        let coprocessor = Coprocessor::new(identity, common.battery_voltage, common.button);
        let mut targets: Vec<Box<dyn I2cTarget>> = vec![Box::new(coprocessor.clone())];
        targets.extend(chips);
        Self { targets, coprocessor, values }
    }
}

/// The coprocessor of a shield generation (1 or 2) with this USB product ID.
fn identity(product: u16, version: i64) -> Result<Identity, String> {
    match version {
        1 => Ok(Identity { product, hardware: 1, firmware: 11 }),
        2 => Ok(Identity { product, hardware: 2, firmware: 16 }),
        n => Err(format!("version must be 1 or 2, not {n}")),
    }
}

fn two() -> i64 {
    2
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
fn released() -> Schedule {
    Schedule::Constant(0.0)
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
