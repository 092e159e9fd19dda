//! The register protocol most I2C sensors share: the first byte of a write
//! selects a register, further bytes are written from there, reads go on
//! from there, and the pointer moves on after each byte (unless the register
//! is a FIFO).

use crate::bus::{Ack, I2cTarget};

/// A sensor's registers, read and written one at a time.
pub(super) trait RegisterFile: Send + std::fmt::Debug {
    /// The register `reg` read at `now_us`.
    fn read_register(&mut self, reg: u8, now_us: u64) -> u8;

    /// `value` written to register `reg` at `now_us`.
    fn write_register(&mut self, reg: u8, value: u8, now_us: u64);

    /// Whether the pointer moves on after a byte of `reg` (it stays on a FIFO).
    fn advances(&self, _reg: u8) -> bool {
        true
    }
}

/// A register file on the bus at `address`.
#[derive(Debug)]
pub(super) struct Registered<R> {
    address: u8,
    registers: R,
    pointer: u8,
    pointer_due: bool,
}

impl<R: RegisterFile> Registered<R> {
    pub(super) fn new(address: u8, registers: R) -> Self {
        Self { address, registers, pointer: 0, pointer_due: false }
    }

    fn advance(&mut self) {
        if self.registers.advances(self.pointer) {
            self.pointer = self.pointer.wrapping_add(1);
        }
    }
}

impl<R: RegisterFile> I2cTarget for Registered<R> {
    fn address(&self) -> u8 {
        self.address
    }

    fn start(&mut self, _now_us: u64, read: bool) -> Ack {
        self.pointer_due = !read;
        Ack::Ack
    }

    fn write(&mut self, now_us: u64, byte: u8) -> Ack {
        if std::mem::take(&mut self.pointer_due) {
            self.pointer = byte;
        } else {
            self.registers.write_register(self.pointer, byte, now_us);
            self.advance();
        }
        Ack::Ack
    }

    fn read(&mut self, now_us: u64) -> u8 {
        let byte = self.registers.read_register(self.pointer, now_us);
        self.advance();
        byte
    }

    fn stop(&mut self, _now_us: u64) {
        self.pointer_due = false;
    }
}
