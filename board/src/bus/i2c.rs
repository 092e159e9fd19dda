//! I2C: targets at the hardware boundary and the transactions a controller
//! runs against them, 9 bit times per byte (8 data bits and the ACK) plus one
//! for each START and STOP.

use super::BusError;
use super::trace::{BusEvent, Direction, WireTraces};
use super::waveform::{self, I2cSymbol};

/// A target's answer to its address or to a byte written to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    /// SDA pulled low in the ninth clock: go on.
    Ack,
    /// SDA left high: the controller gives up.
    Nack,
}

/// A device on an I2C bus, as the wires see it: it answers a START with its
/// address, then takes or gives bytes one at a time until a STOP.
pub trait I2cTarget: Send + std::fmt::Debug {
    /// Its 7-bit address.
    fn address(&self) -> u8;

    /// A START (or repeated START) with this address, to `read` or to write.
    fn start(&mut self, now_us: u64, read: bool) -> Ack;

    /// The controller writes `byte`.
    fn write(&mut self, now_us: u64, byte: u8) -> Ack;

    /// The controller reads a byte.
    fn read(&mut self, now_us: u64) -> u8;

    /// A STOP ends the transaction.
    fn stop(&mut self, now_us: u64);
}

/// One addressed part of a transaction, after a START or repeated START.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I2cOp<'a> {
    /// Write these bytes.
    Write(&'a [u8]),
    /// Read this many bytes.
    Read(usize),
}

/// A configured I2C controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I2cController {
    /// Bus number (`i2c0`, `i2c1`, `i2c2` in the trace).
    pub bus: u8,
    /// SDA's GPIO, if assigned.
    pub sda: Option<u8>,
    /// SCL's GPIO, if assigned.
    pub scl: Option<u8>,
    /// SCL frequency in Hz (more than 0).
    pub baudrate: u32,
}

/// How a transaction went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct I2cOutcome {
    /// Every address and written byte was acknowledged.
    pub acked: bool,
    /// The bytes read, in order.
    pub read: Vec<u8>,
    /// Device time the transaction took.
    pub duration_us: u64,
}

/// The targets on one pair of wires.
#[derive(Debug)]
pub(crate) struct I2cWires {
    pub(crate) sda: u8,
    pub(crate) scl: u8,
    targets: Vec<Box<dyn I2cTarget>>,
}

impl I2cWires {
    pub(crate) fn new(sda: u8, scl: u8) -> Self {
        Self { sda, scl, targets: Vec::new() }
    }

    pub(crate) fn attach(&mut self, target: Box<dyn I2cTarget>) -> Result<(), BusError> {
        let address = target.address();
        if self.target(address).is_some() {
            return Err(BusError::AddressTaken { address, sda: self.sda, scl: self.scl });
        }
        self.targets.push(target);
        Ok(())
    }

    pub(crate) fn target(&mut self, address: u8) -> Option<&mut Box<dyn I2cTarget>> {
        self.targets.iter_mut().find(|t| t.address() == address)
    }
}

/// Bit times of a byte and its ACK.
const BYTE_BITS: u64 = 9;

/// Microseconds `bits` bit times take at `baudrate`, rounded up.
pub(crate) fn bits_us(bits: u64, baudrate: u32) -> u64 {
    (bits * 1_000_000).div_ceil(u64::from(baudrate.max(1)))
}

/// Runs the transaction against `target` (none answers if `None`), tracing
/// each addressed part at the time of its START, and the wires bit by bit.
pub(crate) fn run(
    controller: &I2cController,
    mut target: Option<&mut Box<dyn I2cTarget>>,
    address: u8,
    ops: &[I2cOp<'_>],
    stop: bool,
    now_us: u64,
    traces: &WireTraces,
) -> I2cOutcome {
    let mut bits = 0;
    let mut read = Vec::new();
    let mut acked = true;
    let mut symbols = Vec::new();
    for op in ops {
        let at_us = now_us + bits_us(bits, controller.baudrate);
        bits += 1 + BYTE_BITS;
        let reading = matches!(op, I2cOp::Read(_));
        let mut bytes = Vec::new();
        acked = target.as_mut().is_some_and(|t| t.start(now_us, reading) == Ack::Ack);
        symbols.push(I2cSymbol::Start);
        symbols.push(I2cSymbol::Byte { value: address << 1 | u8::from(reading), ack: acked });
        if acked {
            match *op {
                I2cOp::Write(data) => {
                    for &byte in data {
                        bits += BYTE_BITS;
                        bytes.push(byte);
                        let t = target.as_mut().expect("an acknowledging target");
                        let ack = t.write(now_us, byte) == Ack::Ack;
                        symbols.push(I2cSymbol::Byte { value: byte, ack });
                        if !ack {
                            acked = false;
                            break;
                        }
                    }
                }
                I2cOp::Read(n) => {
                    let t = target.as_mut().expect("an acknowledging target");
                    bytes = (0..n).map(|_| t.read(now_us)).collect();
                    bits += BYTE_BITS * n as u64;
                    read.extend_from_slice(&bytes);
                    // The controller acknowledges every byte but the last.
                    symbols
                        .extend(bytes.iter().enumerate().map(|(i, &value)| I2cSymbol::Byte { value, ack: i + 1 < n }));
                }
            }
        }
        let direction = if reading { Direction::Read } else { Direction::Write };
        traces.transfer(|| BusEvent::I2c {
            time_us: at_us,
            bus: controller.bus,
            address,
            direction,
            bytes,
            ack: acked,
        });
        if !acked {
            break;
        }
    }
    if stop || !acked {
        bits += 1;
        symbols.push(I2cSymbol::Stop);
        if let Some(t) = target {
            t.stop(now_us);
        }
    }
    if let (true, Some(sda), Some(scl)) = (traces.wants_lines(), controller.sda, controller.scl) {
        traces.edges(&waveform::i2c(&symbols, now_us * 1000, controller.baudrate, sda, scl));
    }
    I2cOutcome { acked, read, duration_us: bits_us(bits, controller.baudrate) }
}
