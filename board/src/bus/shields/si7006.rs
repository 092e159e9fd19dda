//! Si7006-A20 humidity and temperature sensor (address 0x40), after its
//! datasheet: a command byte starts a measurement (0xF5 humidity, 0xF3
//! temperature, "no hold master": the sensor does not acknowledge a read
//! until the conversion is done), 0xE0 reads the temperature of the last
//! humidity measurement; a result is the 16-bit code, most significant byte
//! first, then its CRC-8 (x^8 + x^5 + x^4 + 1). 0xE6/0xE7 write and read the
//! user register, 0x51/0x11 the heater register, 0xFA 0x0F / 0xFC 0xC9 read
//! the electronic ID and 0x84 0xB8 the firmware revision (0x20).

use super::knobs::Knob;
use crate::bus::{Ack, I2cTarget};

/// The sensor's address.
pub(super) const ADDRESS: u8 = 0x40;
/// Conversion times (the datasheet's maxima): RH (with its temperature), T.
const RH_CONVERSION_US: u64 = 12_000 + 10_800;
const T_CONVERSION_US: u64 = 10_800;
/// The electronic ID's two halves as the chip answers them (SNA with a CRC
/// after each byte; SNB with a CRC after each pair): an Si7006's device byte
/// is 0x06.
const ID_FIRST: [u8; 8] = [0x12, 0, 0x34, 0, 0x56, 0, 0x78, 0];
const ID_SECOND: [u8; 6] = [0x06, 0xFF, 0, 0xFF, 0xFF, 0];

/// CRC-8 of the datasheet: polynomial 0x31, initial value 0.
pub(crate) fn crc8(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |crc, &b| (0..8).fold(crc ^ b, |crc, _| if crc & 0x80 != 0 { crc << 1 ^ 0x31 } else { crc << 1 }))
}

/// A 16-bit code followed by its CRC.
fn with_crc(code: u16) -> Vec<u8> {
    let bytes = code.to_be_bytes();
    vec![bytes[0], bytes[1], crc8(&bytes)]
}

/// The datasheet's code for a relative humidity (%RH = 125 × code / 65536 − 6).
pub(crate) fn humidity_code(rh: f64) -> u16 {
    (((rh.clamp(0.0, 100.0) + 6.0) * 65536.0 / 125.0).round().min(65535.0) as u16) & 0xFFFC
}

/// The datasheet's code for a temperature (°C = 175.72 × code / 65536 − 46.85).
pub(crate) fn temperature_code(celsius: f64) -> u16 {
    (((celsius + 46.85) * 65536.0 / 175.72).round().clamp(0.0, 65535.0) as u16) & 0xFFFC
}

#[derive(Debug)]
pub(super) struct Si7006 {
    temperature: Knob,
    humidity: Knob,
    user: u8,
    heater: u8,
    /// Bytes written since the START.
    command: Vec<u8>,
    /// What a read returns, and from when.
    answer: Vec<u8>,
    ready_at: u64,
    /// Temperature code of the last humidity measurement.
    last_temperature: u16,
}

impl Si7006 {
    /// A sensor in air at these values (°C, %RH).
    pub(super) fn new(temperature: Knob, humidity: Knob) -> Self {
        Self {
            temperature,
            humidity,
            user: 0x3A,
            heater: 0x00,
            command: Vec::new(),
            answer: Vec::new(),
            ready_at: 0,
            last_temperature: 0,
        }
    }

    /// Acts on the command bytes written so far.
    fn command(&mut self, now_us: u64) {
        let (answer, busy_us) = match self.command.as_slice() {
            [0xF5] | [0xE5] => {
                self.last_temperature = temperature_code(self.temperature.at(now_us));
                (with_crc(humidity_code(self.humidity.at(now_us))), RH_CONVERSION_US)
            }
            [0xF3] | [0xE3] => (with_crc(temperature_code(self.temperature.at(now_us))), T_CONVERSION_US),
            [0xE0] => (self.last_temperature.to_be_bytes().to_vec(), 0),
            [0xE7] => (vec![self.user], 0),
            [0x11] => (vec![self.heater], 0),
            [0xE6, value] => {
                self.user = value & 0xC5 | self.user & 0x3A;
                (Vec::new(), 0)
            }
            [0x51, value] => {
                self.heater = value & 0x0F;
                (Vec::new(), 0)
            }
            [0xFA, 0x0F] => (ID_FIRST.to_vec(), 0),
            [0xFC, 0xC9] => (ID_SECOND.to_vec(), 0),
            [0x84, 0xB8] => (vec![0x20], 0),
            _ => return,
        };
        self.answer = answer;
        self.ready_at = now_us + busy_us;
    }
}

impl I2cTarget for Si7006 {
    fn address(&self) -> u8 {
        ADDRESS
    }

    fn start(&mut self, now_us: u64, read: bool) -> Ack {
        if read && now_us < self.ready_at {
            return Ack::Nack;
        }
        self.command.clear();
        Ack::Ack
    }

    fn write(&mut self, now_us: u64, byte: u8) -> Ack {
        self.command.push(byte);
        self.command(now_us);
        Ack::Ack
    }

    fn read(&mut self, _now_us: u64) -> u8 {
        if self.answer.is_empty() { 0xFF } else { self.answer.remove(0) }
    }

    fn stop(&mut self, _now_us: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_is_the_datasheets() {
        // A single low bit gives the polynomial itself; a message followed
        // by its CRC checks to 0.
        assert_eq!(crc8(&[0x01]), 0x31);
        let code = [0x66, 0x4C];
        assert_eq!(crc8(&[code[0], code[1], crc8(&code)]), 0);
    }
}
