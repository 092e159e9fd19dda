//! LTR-329ALS-01 ambient light sensor (address 0x29), after its datasheet:
//! ALS_CONTR (0x80) with the gain in bits 4:2 and active mode in bit 0,
//! ALS_MEAS_RATE (0x85) with the integration time in bits 5:3, PART_ID 0xA0,
//! MANUFAC_ID 0x05, and the channel counts CH1 then CH0, low byte first, at
//! 0x88-0x8B.

use super::knobs::Knob;
use super::registers::RegisterFile;

/// The sensor's address.
pub(super) const ADDRESS: u8 = 0x29;
/// Lux per count of CH0 when CH1 reads a quarter of CH0 (the datasheet's
/// formula for a CH1/(CH0+CH1) ratio below 0.45), at gain 1 and 100 ms.
const LUX_PER_CH0: f64 = 1.7743 + 1.1059 / 4.0;

#[derive(Debug)]
pub(super) struct Ltr329 {
    light: Knob,
    contr: u8,
    meas_rate: u8,
}

impl Ltr329 {
    /// A sensor seeing `light` lux.
    pub(super) fn new(light: Knob) -> Self {
        Self { light, contr: 0x00, meas_rate: 0x03 }
    }

    fn gain(&self) -> f64 {
        match self.contr >> 2 & 0x07 {
            1 => 2.0,
            2 => 4.0,
            3 => 8.0,
            6 => 48.0,
            7 => 96.0,
            _ => 1.0,
        }
    }

    fn integration(&self) -> f64 {
        [1.0, 0.5, 2.0, 4.0, 1.5, 2.5, 3.0, 3.5][usize::from(self.meas_rate >> 3 & 0x07)]
    }

    /// (CH0, CH1) counts at `now_us`; nothing while in standby.
    fn counts(&self, now_us: u64) -> (u16, u16) {
        if self.contr & 0x01 == 0 {
            return (0, 0);
        }
        let ch0 = (self.light.at(now_us) * self.gain() * self.integration() / LUX_PER_CH0).round();
        let ch0 = ch0.clamp(0.0, f64::from(u16::MAX)) as u16;
        (ch0, ch0 / 4)
    }
}

impl RegisterFile for Ltr329 {
    fn read_register(&mut self, reg: u8, now_us: u64) -> u8 {
        let (ch0, ch1) = self.counts(now_us);
        match reg {
            0x80 => self.contr,
            0x85 => self.meas_rate,
            0x86 => 0xA0,
            0x87 => 0x05,
            0x88 => ch1.to_le_bytes()[0],
            0x89 => ch1.to_le_bytes()[1],
            0x8A => ch0.to_le_bytes()[0],
            0x8B => ch0.to_le_bytes()[1],
            0x8C => (self.contr & 0x01) << 2,
            _ => 0,
        }
    }

    fn write_register(&mut self, reg: u8, value: u8, _now_us: u64) {
        match reg {
            0x80 => self.contr = value & 0x1F,
            0x85 => self.meas_rate = value & 0x3F,
            _ => {}
        }
    }
}
