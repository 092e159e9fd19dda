//! DHT11 and DHT22 (AM2302) sensors on their one-wire bus.
//!
//! The host pulls the line low (at least 18 ms for a DHT11, 1 ms for a DHT22)
//! and releases it. 30 µs later the sensor answers: 80 µs low, 80 µs high,
//! then 40 bits, each a 50 µs low followed by a high of 26 µs (0) or 70 µs (1),
//! most significant bit first, and a final 50 µs low before it lets go.

use super::device::{Device, DhtSpec, Reading};
use super::line::{Drive, Level, Pull};
use super::schedule::Schedule;
use super::train::Train;

/// Which sensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DhtKind {
    /// 1 °C and 1 %RH steps (tenths of °C in byte 3 as newer parts send them).
    Dht11,
    /// 0.1 °C and 0.1 %RH steps.
    Dht22,
}

/// Delay from the host releasing the line to the sensor pulling it low.
const RESPONSE_DELAY_US: u64 = 30;
/// The response preamble: low, then high.
const PREAMBLE_US: u64 = 80;
/// The low before every bit and at the end.
const BIT_LOW_US: u64 = 50;
/// High time of a 0 bit.
const ZERO_HIGH_US: u64 = 26;
/// High time of a 1 bit.
const ONE_HIGH_US: u64 = 70;

impl DhtKind {
    /// Shortest start signal the sensor answers.
    fn min_start_us(self) -> u64 {
        match self {
            Self::Dht11 => 18_000,
            Self::Dht22 => 1_000,
        }
    }

    /// The 5 bytes of a reading: humidity, temperature, checksum.
    pub fn encode(self, temperature: f64, humidity: f64) -> [u8; 5] {
        let negative = temperature < 0.0;
        let sign = if negative { 0x80 } else { 0 };
        let mut bytes = match self {
            Self::Dht11 => {
                let tenths = (temperature.abs() * 10.0).round().min(2559.0) as u16;
                let rh = humidity.round().clamp(0.0, 255.0) as u8;
                [rh, 0, (tenths / 10) as u8, (tenths % 10) as u8 | sign, 0]
            }
            Self::Dht22 => {
                let rh = (humidity * 10.0).round().clamp(0.0, 1000.0) as u16;
                let t = (temperature.abs() * 10.0).round().min(f64::from(0x7FFF)) as u16;
                let [rh_hi, rh_lo] = rh.to_be_bytes();
                let [t_hi, t_lo] = t.to_be_bytes();
                [rh_hi, rh_lo, t_hi | sign, t_lo, 0]
            }
        };
        bytes[4] = bytes[..4].iter().fold(0u8, |sum, b| sum.wrapping_add(*b));
        bytes
    }
}

/// A DHT sensor with its readings.
#[derive(Debug)]
pub struct Dht {
    kind: DhtKind,
    temperature: Schedule,
    humidity: Schedule,
    pull_up: bool,
    train: Train,
    low_since: Option<u64>,
}

impl Dht {
    /// A sensor as a board file describes it.
    pub fn new(kind: DhtKind, spec: &DhtSpec) -> Self {
        Self {
            kind,
            temperature: spec.temperature.clone(),
            humidity: spec.humidity.clone(),
            pull_up: spec.pull_up,
            train: Train::default(),
            low_since: None,
        }
    }

    /// Queues the answer to a start signal the host ended at `released_us`.
    fn answer(&mut self, released_us: u64) {
        let bytes = self.kind.encode(self.temperature.at(released_us), self.humidity.at(released_us));
        let mut t = released_us + RESPONSE_DELAY_US;
        self.train.push(t, Drive::Low);
        t += PREAMBLE_US;
        self.train.push(t, Drive::Released);
        t += PREAMBLE_US;
        self.train.push(t, Drive::Low);
        for byte in bytes {
            for bit in (0..8).rev() {
                t += BIT_LOW_US;
                self.train.push(t, Drive::Released);
                t += if byte >> bit & 1 == 1 { ONE_HIGH_US } else { ZERO_HIGH_US };
                self.train.push(t, Drive::Low);
            }
        }
        t += BIT_LOW_US;
        self.train.push(t, Drive::Released);
    }
}

impl Device for Dht {
    fn drive(&self) -> Drive {
        self.train.drive()
    }

    fn pull(&self) -> Option<Pull> {
        self.pull_up.then_some(Pull::Up)
    }

    fn next_change_us(&self) -> Option<u64> {
        self.train.next_change_us()
    }

    fn step(&mut self, now_us: u64) {
        self.train.step(now_us);
    }

    fn line_changed(&mut self, now_us: u64, level: Level) {
        if self.train.busy() {
            return;
        }
        match level {
            Level::Low => {
                self.low_since.get_or_insert(now_us);
            }
            Level::High | Level::Floating => {
                if let Some(since) = self.low_since.take()
                    && now_us - since >= self.kind.min_start_us()
                {
                    self.answer(now_us);
                }
            }
        }
    }

    fn readings(&self, now_us: u64) -> Vec<Reading> {
        vec![
            Reading { quantity: "temperature", unit: "°C", value: self.temperature.at(now_us) },
            Reading { quantity: "humidity", unit: "%RH", value: self.humidity.at(now_us) },
        ]
    }

    fn set_reading(&mut self, quantity: &str, value: f64) -> bool {
        let schedule = match quantity {
            "temperature" => &mut self.temperature,
            "humidity" => &mut self.humidity,
            _ => return false,
        };
        *schedule = Schedule::Constant(value);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_encode_as_the_datasheets_say() {
        // DHT22: 48.0 %RH = 480 = 0x01E0, 21.5 °C = 215 = 0x00D7.
        assert_eq!(DhtKind::Dht22.encode(21.5, 48.0), [0x01, 0xE0, 0x00, 0xD7, 0xB8]);
        // Negative temperatures set the top bit: -10.1 °C = 0x8065.
        assert_eq!(DhtKind::Dht22.encode(-10.1, 65.2)[2..4], [0x80, 0x65]);
        assert_eq!(DhtKind::Dht11.encode(23.0, 40.0), [40, 0, 23, 0, 63]);
    }
}
