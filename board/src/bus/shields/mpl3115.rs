//! MPL3115A2 barometer and altimeter (address 0x60), after its datasheet:
//! CTRL_REG1 (0x26) bit 7 picks altitude (1) or pressure (0), bit 0 makes it
//! active; OUT_P (0x01-0x03) holds pressure in Pa as Q18.2 or altitude in m
//! as signed Q16.4, OUT_T (0x04-0x05) temperature in °C as signed Q8.4, both
//! left-aligned; STATUS (0x00) reports data ready while active; WHO_AM_I
//! (0x0C) is 0xC4.

use super::knobs::Knob;
use super::registers::RegisterFile;

/// The sensor's address.
pub(super) const ADDRESS: u8 = 0x60;

#[derive(Debug)]
pub(super) struct Mpl3115 {
    temperature: Knob,
    pressure: Knob,
    altitude: Knob,
    registers: [u8; 0x30],
}

impl Mpl3115 {
    /// A sensor reading these values (°C, Pa, m).
    pub(super) fn new(temperature: Knob, pressure: Knob, altitude: Knob) -> Self {
        Self { temperature, pressure, altitude, registers: [0; 0x30] }
    }

    fn active(&self) -> bool {
        self.registers[0x26] & 0x01 != 0
    }

    /// OUT_P as 20 bits, left-aligned in 24.
    fn out_p(&self, now_us: u64) -> u32 {
        let raw = if self.registers[0x26] & 0x80 != 0 {
            (self.altitude.at(now_us) * 16.0).round().clamp(-32768.0 * 16.0, 32767.0 * 16.0) as i32 as u32 & 0xF_FFFF
        } else {
            (self.pressure.at(now_us) * 4.0).round().clamp(0.0, f64::from(0xF_FFFF)) as u32
        };
        raw << 4
    }

    /// OUT_T as 12 bits, left-aligned in 16.
    fn out_t(&self, now_us: u64) -> u16 {
        let raw = (self.temperature.at(now_us) * 16.0).round().clamp(-128.0 * 16.0, 127.0 * 16.0) as i16 as u16;
        (raw & 0x0FFF) << 4
    }
}

impl RegisterFile for Mpl3115 {
    fn read_register(&mut self, reg: u8, now_us: u64) -> u8 {
        let (p, t) = (self.out_p(now_us).to_be_bytes(), self.out_t(now_us).to_be_bytes());
        match reg {
            0x00 | 0x06 if self.active() => 0x0E,
            0x01..=0x03 => p[usize::from(reg)],
            0x04 | 0x05 => t[usize::from(reg - 4)],
            0x0C => 0xC4,
            _ => self.registers.get(usize::from(reg)).copied().unwrap_or(0),
        }
    }

    fn write_register(&mut self, reg: u8, value: u8, _now_us: u64) {
        if reg == 0x26 && value & 0x04 != 0 {
            self.registers = [0; 0x30];
        } else if let Some(r) = self.registers.get_mut(usize::from(reg)).filter(|_| reg >= 0x0D) {
            *r = value;
        }
    }
}
