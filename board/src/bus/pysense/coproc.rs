//! The shield's coprocessor (a PIC16 at address 8) as Pycom's `pycoproc`
//! libraries talk to it: a write is a command byte and its arguments; a read
//! returns a status byte (0xFF once the command is done) and then the
//! command's answer. Commands: peek (0x00, 16-bit address little-endian),
//! poke (0x01, address, value), read-modify-write (0x02, address, AND, OR,
//! XOR; answers the new value), hardware and firmware version and USB product
//! ID (0x10-0x12, 16-bit little-endian answers). Sleep, calibration and reset
//! commands are taken and do nothing. The battery voltage is the ADC's
//! conversion on RC2 (through a 280/180 divider, 3.3 V reference, 10-bit
//! result left-justified in ADRESH:ADRESL), started by ADCON0's GO bit.

use std::collections::HashMap;

use crate::bus::{Ack, I2cTarget};
use crate::pins::Schedule;

/// The coprocessor's address.
pub(super) const ADDRESS: u8 = 8;
/// `USB_PID_PYSENSE`.
const PYSENSE_PRODUCT_ID: u16 = 0xF012;
/// ADCON0, with the GO/nDONE bit, and the result registers.
const ADCON0: u16 = 0x9D;
const GO: u8 = 0x02;
const ADRESL: u16 = 0x9B;
const ADRESH: u16 = 0x9C;
/// PORTA, whose bit 3 is the shield's button (pulled up: high when not pressed).
const PORTA: u16 = 0x0C;

#[derive(Debug)]
pub(super) struct Coproc {
    firmware: u16,
    hardware: u16,
    battery_voltage: Schedule,
    memory: HashMap<u16, u8>,
    command: Vec<u8>,
    answer: Vec<u8>,
}

impl Coproc {
    /// A coprocessor with these versions and battery.
    pub(super) fn new(hardware: u16, firmware: u16, battery_voltage: Schedule) -> Self {
        let memory = HashMap::from([(PORTA, 1 << 3)]);
        Self { firmware, hardware, battery_voltage, memory, command: Vec::new(), answer: Vec::new() }
    }

    fn peek(&self, address: u16) -> u8 {
        self.memory.get(&address).copied().unwrap_or(0)
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
            [0x00, lo, hi, ..] => vec![self.peek(address(lo, hi))],
            [0x01, lo, hi, value, ..] => {
                self.poke(address(lo, hi), value, now_us);
                Vec::new()
            }
            [0x02, lo, hi, and, or, xor, ..] => {
                let at = address(lo, hi);
                self.poke(at, (self.peek(at) & and | or) ^ xor, now_us);
                vec![self.peek(at)]
            }
            [0x10, ..] => self.hardware.to_le_bytes().to_vec(),
            [0x11, ..] => self.firmware.to_le_bytes().to_vec(),
            [0x12, ..] => PYSENSE_PRODUCT_ID.to_le_bytes().to_vec(),
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
