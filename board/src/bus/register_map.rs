//! A register-map I2C device, as a board file describes a custom sensor: the
//! first bytes of a write set the register pointer (1 or 2 bytes, most
//! significant first), the rest are written from there; reads go on from the
//! pointer. The pointer moves on after each byte if the device auto-increments.

use std::collections::BTreeMap;

use super::i2c::{Ack, I2cTarget};
use crate::pins::Schedule;

/// One byte of the map.
#[derive(Clone, Debug)]
struct Cell {
    value: u8,
    initial: u8,
    read_only: bool,
    write_one_to_clear: bool,
    /// The scheduled register this byte is part of, and which byte it is.
    source: Option<(usize, usize)>,
}

/// A register whose value follows a schedule over device time.
#[derive(Clone, Debug)]
pub(crate) struct Scheduled {
    /// Its value (an integer, two's complement if negative).
    pub schedule: Schedule,
    /// Bytes, most significant first.
    pub size: usize,
}

impl Scheduled {
    pub(crate) fn byte(&self, index: usize, now_us: u64) -> u8 {
        let value = self.schedule.at(now_us).round() as i64;
        value.to_be_bytes()[8 - self.size + index]
    }
}

/// How the device is told to reset: writing any of `mask`'s bits to `register`
/// brings every register back to its initial value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SoftReset {
    pub register: u16,
    pub mask: u8,
}

/// A register-map device on an I2C bus.
#[derive(Clone, Debug)]
pub struct RegisterMap {
    address: u8,
    pointer_bytes: u8,
    auto_increment: bool,
    reset: Option<SoftReset>,
    cells: BTreeMap<u16, Cell>,
    scheduled: Vec<Scheduled>,
    pointer: u16,
    /// Pointer bytes still expected in the current write.
    pointer_due: u8,
}

/// How a byte of the map starts out.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Initial {
    /// A fixed byte.
    Byte(u8),
    /// Byte `index` of scheduled register `register`.
    Scheduled { register: usize, index: usize },
}

impl RegisterMap {
    /// An empty map answering `address`, with 1- or 2-byte register addresses.
    pub(crate) fn new(address: u8, pointer_bytes: u8, auto_increment: bool, reset: Option<SoftReset>) -> Self {
        Self {
            address,
            pointer_bytes,
            auto_increment,
            reset,
            cells: BTreeMap::new(),
            scheduled: Vec::new(),
            pointer: 0,
            pointer_due: 0,
        }
    }

    /// Adds a scheduled register; returns its number for [`Initial::Scheduled`].
    pub(crate) fn add_scheduled(&mut self, scheduled: Scheduled) -> usize {
        self.scheduled.push(scheduled);
        self.scheduled.len() - 1
    }

    /// Defines the byte at register address `at`.
    pub(crate) fn define(&mut self, at: u16, initial: Initial, read_only: bool, write_one_to_clear: bool) {
        let (value, source) = match initial {
            Initial::Byte(b) => (b, None),
            Initial::Scheduled { register, index } => (0, Some((register, index))),
        };
        self.cells.insert(at, Cell { value, initial: value, read_only, write_one_to_clear, source });
    }

    /// Whether the byte at `at` is defined.
    pub(crate) fn defines(&self, at: u16) -> bool {
        self.cells.contains_key(&at)
    }

    fn advance(&mut self) {
        if self.auto_increment {
            let mask = if self.pointer_bytes == 1 { 0xFF } else { 0xFFFF };
            self.pointer = self.pointer.wrapping_add(1) & mask;
        }
    }

    fn store(&mut self, byte: u8) {
        if let Some(reset) = self.reset
            && reset.register == self.pointer
            && byte & reset.mask != 0
        {
            for cell in self.cells.values_mut() {
                cell.value = cell.initial;
            }
            return;
        }
        if let Some(cell) = self.cells.get_mut(&self.pointer)
            && !cell.read_only
            && cell.source.is_none()
        {
            cell.value = if cell.write_one_to_clear { cell.value & !byte } else { byte };
        }
    }
}

impl I2cTarget for RegisterMap {
    fn address(&self) -> u8 {
        self.address
    }

    fn start(&mut self, _now_us: u64, read: bool) -> Ack {
        self.pointer_due = if read { 0 } else { self.pointer_bytes };
        Ack::Ack
    }

    fn write(&mut self, _now_us: u64, byte: u8) -> Ack {
        if self.pointer_due > 0 {
            let width_mask = if self.pointer_bytes == 1 { 0xFF } else { 0xFFFF };
            self.pointer = ((self.pointer << 8) | u16::from(byte)) & width_mask;
            self.pointer_due -= 1;
        } else {
            self.store(byte);
            self.advance();
        }
        Ack::Ack
    }

    fn read(&mut self, now_us: u64) -> u8 {
        let byte = self.cells.get(&self.pointer).map_or(0, |cell| match cell.source {
            Some((register, index)) => self.scheduled[register].byte(index, now_us),
            None => cell.value,
        });
        self.advance();
        byte
    }

    fn stop(&mut self, _now_us: u64) {
        self.pointer_due = 0;
    }
}
