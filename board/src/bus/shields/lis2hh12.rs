//! LIS2HH12 accelerometer (address 0x1E), after its datasheet: WHO_AM_I
//! (0x0F) is 0x41, CTRL1-CTRL5 (0x20-0x24) with the full scale in CTRL4 bits
//! 5:4 (±2, ±4 or ±8 g), and the X, Y, Z outputs as signed 16-bit values, low
//! byte first, at 0x28-0x2D.

use super::knobs::Knob;
use super::registers::RegisterFile;

/// The sensor's address.
pub(super) const ADDRESS: u8 = 0x1E;

#[derive(Debug)]
pub(super) struct Lis2hh12 {
    acceleration: [Knob; 3],
    registers: [u8; 0x40],
}

impl Lis2hh12 {
    /// A sensor feeling `acceleration` (x, y, z in g).
    pub(super) fn new(acceleration: [Knob; 3]) -> Self {
        let mut registers = [0; 0x40];
        registers[0x20] = 0x07;
        registers[0x23] = 0x04;
        Self { acceleration, registers }
    }

    /// Counts per g at the configured full scale.
    fn counts_per_g(&self) -> f64 {
        match self.registers[0x23] >> 4 & 0x03 {
            2 => 8192.0,
            3 => 4096.0,
            _ => 16384.0,
        }
    }
}

impl RegisterFile for Lis2hh12 {
    fn read_register(&mut self, reg: u8, now_us: u64) -> u8 {
        match reg {
            0x0F => 0x41,
            0x28..=0x2D => {
                let axis = usize::from(reg - 0x28) / 2;
                let g = self.acceleration[axis].at(now_us);
                let counts = (g * self.counts_per_g()).round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16;
                counts.to_le_bytes()[usize::from(reg - 0x28) % 2]
            }
            _ => self.registers.get(usize::from(reg)).copied().unwrap_or(0),
        }
    }

    fn write_register(&mut self, reg: u8, value: u8, _now_us: u64) {
        if let Some(r) = self.registers.get_mut(usize::from(reg)).filter(|_| (0x1E..=0x3F).contains(&reg)) {
            *r = value;
        }
    }
}
