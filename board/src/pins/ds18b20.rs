//! A DS18B20 temperature sensor on a 1-Wire bus, answering at the line level:
//! reset and presence, time slots read 15..60 µs after their falling edge,
//! the ROM commands (read, match, skip, search) and the function commands
//! `CONVERT T` (750 ms at 12 bits, read slots answer 0 while busy) and
//! `READ SCRATCHPAD` (nine bytes, the last a CRC8).

use std::collections::VecDeque;

use super::device::{Device, Ds18b20Spec, Reading};
use super::line::{Drive, Level, Pull};
use super::schedule::Schedule;

/// Shortest low the sensor takes as a reset pulse.
const RESET_MIN_US: u64 = 480;
/// From the end of a reset to the presence pulse.
const PRESENCE_DELAY_US: u64 = 30;
/// Length of the presence pulse.
const PRESENCE_US: u64 = 120;
/// A write slot low for less than this is a 1 (the sensor samples the line
/// 15 µs or more into the slot).
const WRITE_ONE_MAX_US: u64 = 15;
/// How long the sensor holds the line low to send a 0.
const SEND_ZERO_US: u64 = 30;
/// A 12-bit conversion.
const CONVERSION_US: u64 = 750_000;
/// The family code of a DS18B20.
const FAMILY: u8 = 0x28;
/// The temperature register at power-on (85 °C).
const POWER_ON_RAW: i16 = 0x0550;

/// The Maxim/Dallas CRC8 (polynomial x^8 + x^5 + x^4 + 1, LSB first).
pub fn crc8(bytes: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &byte in bytes {
        let mut b = byte;
        for _ in 0..8 {
            let mix = (crc ^ b) & 1;
            crc >>= 1;
            if mix == 1 {
                crc ^= 0x8C;
            }
            b >>= 1;
        }
    }
    crc
}

/// What the sensor expects next.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Not addressed: it waits for a reset.
    Idle,
    /// Reading a ROM command.
    RomCommand,
    /// Reading the 64 bits of a `MATCH ROM`.
    MatchRom,
    /// `SEARCH ROM`: bit `n` of the ROM, sending it and its complement, then
    /// reading the master's choice.
    Search { bit: u8, step: u8 },
    /// Reading a function command.
    FunctionCommand,
    /// Sending bits (ROM, scratchpad), then idle.
    Sending,
    /// Converting: read slots answer 0 until done.
    Converting,
}

/// What the sensor does at its next self-timed change.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Release,
    PresenceStart,
    PresenceEnd,
}

/// A DS18B20 with its temperature over device time.
#[derive(Debug)]
pub struct Ds18b20 {
    temperature: Schedule,
    pull_up: bool,
    rom: [u8; 8],
    raw: i16,
    conversion_done_us: u64,
    phase: Phase,
    /// Bits read so far (LSB first) and how many.
    received: (u64, u8),
    sending: VecDeque<bool>,
    driving_low: bool,
    low_since: Option<u64>,
    /// The slot under way is one the master writes.
    reading: bool,
    next: Option<(u64, Action)>,
}

fn bits_of(bytes: &[u8]) -> impl Iterator<Item = bool> + '_ {
    bytes.iter().flat_map(|&b| (0..8).map(move |i| b >> i & 1 == 1))
}

impl Ds18b20 {
    /// A sensor as a board file describes it.
    pub fn new(spec: &Ds18b20Spec) -> Self {
        let mut rom = [FAMILY, 0x6A, 0x2B, 0x11, 0x04, 0x00, 0x00, 0];
        rom[7] = crc8(&rom[..7]);
        Self {
            temperature: spec.temperature.clone(),
            pull_up: spec.pull_up,
            rom,
            raw: POWER_ON_RAW,
            conversion_done_us: 0,
            phase: Phase::Idle,
            received: (0, 0),
            sending: VecDeque::new(),
            driving_low: false,
            low_since: None,
            reading: false,
            next: None,
        }
    }

    /// The nine scratchpad bytes: temperature, alarms, configuration (12 bits),
    /// reserved, CRC8.
    fn scratchpad(&self) -> [u8; 9] {
        let [lsb, msb] = self.raw.to_le_bytes();
        let mut bytes = [lsb, msb, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0];
        bytes[8] = crc8(&bytes[..8]);
        bytes
    }

    fn send(&mut self, bytes: &[u8]) {
        self.sending = bits_of(bytes).collect();
        self.phase = Phase::Sending;
    }

    fn rom_bit(&self, bit: u8) -> bool {
        self.rom[usize::from(bit / 8)] >> (bit % 8) & 1 == 1
    }

    /// A time slot starts at `now_us` (the master pulled the line low).
    fn slot(&mut self, now_us: u64) {
        let answer = match &self.phase {
            Phase::Sending => Some(self.sending.pop_front().unwrap_or(true)),
            Phase::Converting => Some(now_us >= self.conversion_done_us),
            Phase::Search { bit, step: 0 } => Some(self.rom_bit(*bit)),
            Phase::Search { bit, step: 1 } => Some(!self.rom_bit(*bit)),
            Phase::Idle => None,
            _ => {
                self.reading = true;
                None
            }
        };
        if let Phase::Search { step, .. } = &mut self.phase {
            *step += 1;
        }
        if answer == Some(false) {
            self.driving_low = true;
            self.low_since = None;
            self.next = Some((now_us + SEND_ZERO_US, Action::Release));
        }
    }

    /// The master wrote `bit`.
    fn received_bit(&mut self, now_us: u64, bit: bool) {
        if let Phase::Search { bit: n, .. } = self.phase {
            self.phase = if bit != self.rom_bit(n) {
                Phase::Idle
            } else if n == 63 {
                Phase::FunctionCommand
            } else {
                Phase::Search { bit: n + 1, step: 0 }
            };
            return;
        }
        let (value, count) = &mut self.received;
        *value |= u64::from(bit) << *count;
        *count += 1;
        let (value, count) = self.received;
        match (&self.phase, count) {
            (Phase::MatchRom, 64) => {
                self.received = (0, 0);
                self.phase = if value.to_le_bytes() == self.rom { Phase::FunctionCommand } else { Phase::Idle };
            }
            (Phase::RomCommand, 8) => {
                self.received = (0, 0);
                match value as u8 {
                    0x33 => self.send(&self.rom.clone()),
                    0x55 => self.phase = Phase::MatchRom,
                    0xCC => self.phase = Phase::FunctionCommand,
                    0xF0 => self.phase = Phase::Search { bit: 0, step: 0 },
                    _ => self.phase = Phase::Idle,
                }
            }
            (Phase::FunctionCommand, 8) => {
                self.received = (0, 0);
                match value as u8 {
                    0x44 => {
                        self.conversion_done_us = now_us + CONVERSION_US;
                        let celsius = self.temperature.at(self.conversion_done_us);
                        self.raw = (celsius * 16.0).round().clamp(-55.0 * 16.0, 125.0 * 16.0) as i16;
                        self.phase = Phase::Converting;
                    }
                    0xBE => self.send(&self.scratchpad()),
                    _ => self.phase = Phase::Idle,
                }
            }
            _ => {}
        }
    }
}

impl Device for Ds18b20 {
    fn drive(&self) -> Drive {
        if self.driving_low { Drive::Low } else { Drive::Released }
    }

    fn pull(&self) -> Option<Pull> {
        self.pull_up.then_some(Pull::Up)
    }

    fn next_change_us(&self) -> Option<u64> {
        self.next.map(|(at, _)| at)
    }

    fn step(&mut self, now_us: u64) {
        let Some((_, action)) = self.next.take() else { return };
        match action {
            Action::Release | Action::PresenceEnd => self.driving_low = false,
            Action::PresenceStart => {
                self.driving_low = true;
                self.low_since = None;
                self.next = Some((now_us + PRESENCE_US, Action::PresenceEnd));
            }
        }
    }

    fn line_changed(&mut self, now_us: u64, level: Level) {
        if !level.read() {
            if !self.driving_low && self.low_since.is_none() {
                self.low_since = Some(now_us);
                self.slot(now_us);
            }
            return;
        }
        let Some(since) = self.low_since.take() else { return };
        let reading = std::mem::replace(&mut self.reading, false);
        if now_us - since >= RESET_MIN_US {
            self.phase = Phase::RomCommand;
            self.received = (0, 0);
            self.sending.clear();
            self.driving_low = false;
            self.next = Some((now_us + PRESENCE_DELAY_US, Action::PresenceStart));
        } else if reading {
            self.received_bit(now_us, now_us - since < WRITE_ONE_MAX_US);
        }
    }

    fn readings(&self, now_us: u64) -> Vec<Reading> {
        vec![Reading { quantity: "temperature", unit: "°C", value: self.temperature.at(now_us) }]
    }

    fn set_reading(&mut self, quantity: &str, value: f64) -> bool {
        if quantity != "temperature" {
            return false;
        }
        self.temperature = Schedule::Constant(value);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_matches_maxims_worked_example() {
        assert_eq!(crc8(&[0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00]), 0xA2);
    }

    #[test]
    fn the_scratchpad_holds_the_temperature_in_sixteenths_and_its_crc() {
        let mut sensor =
            Ds18b20::new(&Ds18b20Spec { pin: "P10".into(), temperature: Schedule::Constant(-10.125), pull_up: true });
        assert_eq!(sensor.scratchpad()[..2], [0x50, 0x05]);
        sensor.raw = (-10.125f64 * 16.0) as i16;
        let pad = sensor.scratchpad();
        assert_eq!(pad[..2], [0x5E, 0xFF]);
        assert_eq!(crc8(&pad), 0);
    }
}
