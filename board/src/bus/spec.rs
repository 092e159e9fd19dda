//! Bus devices in a board file: `kind = "i2c"` register maps and
//! `kind = "spi_loopback"` wires.

use serde::Deserialize;

use super::register_map::{Initial, RegisterMap, Scheduled, SoftReset};
use crate::pins::Schedule;

/// An I2C device described by its registers.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct I2cRegistersSpec {
    /// SDA pin name (`P9`, the firmware's default, unless told).
    #[serde(default = "default_sda")]
    pub sda: String,
    /// SCL pin name (`P10` unless told).
    #[serde(default = "default_scl")]
    pub scl: String,
    /// 7-bit address.
    pub address: i64,
    /// Bytes of a register address: 1 or 2 (1 unless told).
    #[serde(default = "one")]
    pub register_address_bytes: i64,
    /// The register pointer moves on after each byte read or written (`true` unless told).
    #[serde(default = "yes")]
    pub auto_increment: bool,
    /// A soft-reset bit: writing it restores every register's initial value.
    #[serde(default)]
    pub reset: Option<ResetSpec>,
    /// The registers; bytes of no register read 0 and ignore writes.
    #[serde(default, rename = "register")]
    pub registers: Vec<RegisterSpec>,
}

/// A soft-reset bit of an I2C register map.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetSpec {
    /// The register holding it.
    pub register: i64,
    /// Its bits: writing any of them resets the device.
    pub mask: i64,
}

/// One register of an I2C register map.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterSpec {
    /// Its register address.
    pub at: i64,
    /// Its initial bytes, at `at`, `at + 1`, ...
    #[serde(default)]
    pub bytes: Option<Vec<i64>>,
    /// Or its value: an integer (negative ones in two's complement) or a
    /// schedule of values over device time (such a register is read-only).
    #[serde(default)]
    pub value: Option<Schedule>,
    /// Bytes of `value`, most significant first (1 unless told).
    #[serde(default = "one")]
    pub size: i64,
    /// Writes are ignored.
    #[serde(default)]
    pub read_only: bool,
    /// Writing a 1 bit clears that bit; 0 bits leave theirs alone.
    #[serde(default)]
    pub write_one_to_clear: bool,
}

/// A wire from the SPI MOSI pin to the MISO pin (the firmware test's rig).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpiLoopbackSpec {
    /// MOSI pin name.
    pub mosi: String,
    /// MISO pin name.
    pub miso: String,
}

fn default_sda() -> String {
    "P9".to_owned()
}

fn default_scl() -> String {
    "P10".to_owned()
}

fn one() -> i64 {
    1
}

fn yes() -> bool {
    true
}

/// A schedule's values and times are numbers, and the times not negative.
pub(crate) fn check_schedule(schedule: &Schedule) -> Result<(), String> {
    let (values, times): (Vec<f64>, Vec<f64>) = match schedule {
        Schedule::Constant(v) => (vec![*v], Vec::new()),
        Schedule::Steps(steps) => steps.iter().map(|s| (s.value, s.at_ms)).unzip(),
    };
    if schedule.is_empty() {
        return Err("a schedule needs at least one step".to_owned());
    }
    if values.iter().chain(&times).any(|v| v.is_nan()) {
        return Err("values and times must be numbers, not NaN".to_owned());
    }
    if let Some(t) = times.iter().find(|t| **t < 0.0) {
        return Err(format!("step times must not be negative, not {t}"));
    }
    Ok(())
}

impl I2cRegistersSpec {
    /// Builds the device, or says what is wrong with the description.
    pub fn build(&self) -> Result<RegisterMap, String> {
        let address = u8::try_from(self.address)
            .ok()
            .filter(|a| *a <= 0x7F)
            .ok_or_else(|| format!("address must be a 7-bit address (0 to 0x7f), not {:#x}", self.address))?;
        let pointer_bytes = match self.register_address_bytes {
            1 => 1u8,
            2 => 2,
            n => return Err(format!("register_address_bytes must be 1 or 2, not {n}")),
        };
        let last_register: i64 = if pointer_bytes == 1 { 0xFF } else { 0xFFFF };
        let register_at = |at: i64| {
            u16::try_from(at)
                .ok()
                .filter(|_| at <= last_register)
                .ok_or_else(|| format!("register address {at:#x} does not fit in {pointer_bytes} byte(s)"))
        };
        let reset = self
            .reset
            .map(|r| {
                let mask = u8::try_from(r.mask).map_err(|_| format!("reset mask must be a byte, not {}", r.mask))?;
                Ok::<_, String>(SoftReset { register: register_at(r.register)?, mask })
            })
            .transpose()?;
        let mut map = RegisterMap::new(address, pointer_bytes, self.auto_increment, reset);
        for register in &self.registers {
            let initial = register.initial_bytes(&mut map)?;
            let at = register_at(register.at)?;
            let end = i64::from(at) + initial.len() as i64 - 1;
            register_at(end)?;
            for (offset, byte) in initial.into_iter().enumerate() {
                let here = at + offset as u16;
                if map.defines(here) {
                    return Err(format!("registers overlap at {here:#x}"));
                }
                map.define(here, byte, register.read_only, register.write_one_to_clear);
            }
        }
        Ok(map)
    }
}

impl RegisterSpec {
    /// The register's bytes as they start out (adding its schedule to `map`).
    fn initial_bytes(&self, map: &mut RegisterMap) -> Result<Vec<Initial>, String> {
        let at = self.at;
        match (&self.bytes, &self.value) {
            (Some(bytes), None) => {
                if bytes.is_empty() {
                    return Err(format!("register {at:#x}: bytes must not be empty"));
                }
                bytes
                    .iter()
                    .map(|&b| {
                        u8::try_from(b)
                            .map(Initial::Byte)
                            .map_err(|_| format!("register {at:#x}: byte {b} is out of range (0 to 255)"))
                    })
                    .collect()
            }
            (None, Some(schedule)) => {
                let size = usize::try_from(self.size)
                    .ok()
                    .filter(|s| (1..=4).contains(s))
                    .ok_or_else(|| format!("register {at:#x}: size must be 1 to 4 bytes, not {}", self.size))?;
                check_schedule(schedule).map_err(|e| format!("register {at:#x}: {e}"))?;
                let bits = 8 * size as u32;
                let (lowest, highest) = (-(2f64.powi(bits as i32 - 1)), 2f64.powi(bits as i32) - 1.0);
                let values: Vec<f64> = match schedule {
                    Schedule::Constant(v) => vec![*v],
                    Schedule::Steps(steps) => steps.iter().map(|s| s.value).collect(),
                };
                if let Some(v) = values.iter().find(|v| !(lowest..=highest).contains(&v.round())) {
                    return Err(format!("register {at:#x}: value {v} does not fit in {size} byte(s)"));
                }
                let scheduled = Scheduled { schedule: schedule.clone(), size };
                if let Schedule::Constant(_) = schedule {
                    return Ok((0..size).map(|i| Initial::Byte(scheduled.byte(i, 0))).collect());
                }
                let register = map.add_scheduled(scheduled);
                Ok((0..size).map(|index| Initial::Scheduled { register, index }).collect())
            }
            _ => Err(format!("register {at:#x}: give either bytes or value")),
        }
    }
}
