//! The shields' coprocessor (a PIC16 at address 8) as Pycom's `pycoproc`
//! libraries talk to it, the same on every shield but for its USB product ID: a write is a command byte and its arguments; a read
//! returns a status byte (0xFF once the command is done) and then the
//! command's answer. Commands: peek (0x00, 16-bit address little-endian),
//! poke (0x01, address, value), read-modify-write (0x02, address, AND, OR,
//! XOR; answers the new value), hardware and firmware version and USB product
//! ID (0x10-0x12, 16-bit little-endian answers). Sleep, calibration and reset
//! commands are taken and do nothing. The battery voltage is the ADC's
//! conversion on RC2 (through a 280/180 divider, 3.3 V reference, 10-bit
//! result left-justified in ADRESH:ADRESL), started by ADCON0's GO bit. The
//! shield's button is RA3 (PORTA bit 3), pulled up: it reads 0 while pressed.

use std::collections::HashMap;

use crate::bus::{Ack, I2cTarget};
use crate::pins::Schedule;

/// The coprocessor's address.
pub(super) const ADDRESS: u8 = 8;
/// ADCON0, with the GO/nDONE bit, and the result registers.
const ADCON0: u16 = 0x9D;
const GO: u8 = 0x02;
const ADRESL: u16 = 0x9B;
const ADRESH: u16 = 0x9C;
/// PORTA, whose bit 3 is the shield's button (pulled up: high when not pressed).
const PORTA: u16 = 0x0C;
const BUTTON: u8 = 1 << 3;

/// A coprocessor's identity: what its version and product commands answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Identity {
    /// USB product ID (`USB_PID_PYSENSE` 0xF012, Pytrack 0xF013, Pyscan 0xEF38).
    pub product: u16,
    /// Hardware version.
    pub hardware: u16,
    /// Firmware version.
    pub firmware: u16,
}

#[derive(Debug)]
pub(super) struct Coproc {
    identity: Identity,
    battery_voltage: Schedule,
    button: Schedule,
    memory: HashMap<u16, u8>,
    command: Vec<u8>,
    answer: Vec<u8>,
}

impl Coproc {
    /// A coprocessor answering as `identity`, measuring `battery_voltage`,
    /// its button pressed while `button` is 1.
    pub(super) fn new(identity: Identity, battery_voltage: Schedule, button: Schedule) -> Self {
        Self { identity, battery_voltage, button, memory: HashMap::new(), command: Vec::new(), answer: Vec::new() }
    }

    fn peek(&self, address: u16, now_us: u64) -> u8 {
        let byte = self.memory.get(&address).copied().unwrap_or(0);
        if address == PORTA {
            let released = self.button.at(now_us) < 0.5;
            byte & !BUTTON | if released { BUTTON } else { 0 }
        } else {
            byte
        }
    }

    fn poke(&mut self, address: u16, value: u8, now_us: u64) {
        self.memory.insert(address, value);
        if address == ADCON0 && value & GO != 0 {
            let volts = self.battery_voltage.at(now_us);
            let code = ((volts - 0.01) * 180.0 / 280.0 / 3.3 * 1023.0).round().clamp(0.0, 1023.0) as u16;
            self.memory.insert(ADRESH, (code >> 2) as u8);
            self.memory.insert(ADRESL, ((code & 0x03) << 6) as u8);
            self.memory.insert(ADCON0, value & !GO);
        }
    }

    /// Carries out the command written since the START.
    fn execute(&mut self, now_us: u64) {
        let address = |lo: u8, hi: u8| u16::from_le_bytes([lo, hi]);
        self.answer = match *self.command.as_slice() {
            [0x00, lo, hi, ..] => vec![self.peek(address(lo, hi), now_us)],
            [0x01, lo, hi, value, ..] => {
                self.poke(address(lo, hi), value, now_us);
                Vec::new()
            }
            [0x02, lo, hi, and, or, xor, ..] => {
                let at = address(lo, hi);
                self.poke(at, (self.peek(at, now_us) & and | or) ^ xor, now_us);
                vec![self.peek(at, now_us)]
            }
            [0x10, ..] => self.identity.hardware.to_le_bytes().to_vec(),
            [0x11, ..] => self.identity.firmware.to_le_bytes().to_vec(),
            [0x12, ..] => self.identity.product.to_le_bytes().to_vec(),
            _ => Vec::new(),
        };
    }
}

impl I2cTarget for Coproc {
    fn address(&self) -> u8 {
        ADDRESS
    }

    fn start(&mut self, now_us: u64, read: bool) -> Ack {
        if read {
            if !self.command.is_empty() {
                self.execute(now_us);
                self.command.clear();
            }
            self.answer.insert(0, 0xFF);
        } else {
            self.command.clear();
        }
        Ack::Ack
    }

    fn write(&mut self, _now_us: u64, byte: u8) -> Ack {
        self.command.push(byte);
        Ack::Ack
    }

    fn read(&mut self, _now_us: u64) -> u8 {
        if self.answer.is_empty() { 0xFF } else { self.answer.remove(0) }
    }

    fn stop(&mut self, now_us: u64) {
        if !self.command.is_empty() {
            self.execute(now_us);
            self.command.clear();
        }
    }
}
