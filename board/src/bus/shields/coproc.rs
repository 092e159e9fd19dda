//! The shields' coprocessor (a PIC16 at address 8) as Pycom's `pycoproc`
//! libraries talk to it, the same on every shield but for its USB product
//! ID: a write is a command byte and its arguments; a read returns a status
//! byte (0xFF once the command is done) and then the command's answer.
//! Commands: peek (0x00, 16-bit address little-endian), poke (0x01, address,
//! value), read-modify-write (0x02, address, AND, OR, XOR; answers the new
//! value), hardware and firmware version and USB product ID (0x10-0x12,
//! 16-bit little-endian answers), sleep time (0x20, 24-bit seconds
//! little-endian), sleep (0x21) and nap (0x23 with its options: bit 3,
//! `FIPY_OFF`, powers the module off; see [`super::nap`]), calibration (0x22,
//! see [`super::calibration`]); reset (0x40) is taken and does nothing. The
//! PIC stays powered while the module is off, and keeps its memory. The
//! battery voltage is the ADC's conversion on RC2 (through a 280/180
//! divider, 3.3 V reference, 10-bit result left-justified in ADRESH:ADRESL),
//! started by ADCON0's GO bit. The shield's button is RA3 (PORTA bit 3),
//! pulled up: it reads 0 while pressed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::calibration::{SclDriver, Wave};
use super::knobs::Knob;
use super::nap::{Edges, Inputs, Nap};
use crate::bus::{Ack, I2cTarget};
use crate::pins::Device;

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
/// INTCON (INTE, bit 4, enables the INT pin RC1) and OPTION_REG (INTEDG,
/// bit 6: its rising edge, else its falling one).
const INTCON: u16 = 0x0B;
const INTE: u8 = 1 << 4;
const OPTION_REG: u16 = 0x95;
const INTEDG: u8 = 1 << 6;
/// Interrupt-on-change on a rising (IOCAP) and a falling (IOCAN) edge of
/// port A; bit 5 is RA5, the accelerometer's interrupt.
const IOCAP: u16 = 0x391;
const IOCAN: u16 = 0x392;
const RA5: u8 = 1 << 5;
/// Why the module was powered on, then the seconds the sleep had left (24 bits).
const WAKE_REASON: u16 = 0x064C;
/// `CMD_GO_NAP`'s option that powers the module off.
const FIPY_OFF: u8 = 0x08;

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
    battery_voltage: Knob,
    button: Knob,
    memory: HashMap<u16, u8>,
    command: Vec<u8>,
    answer: Vec<u8>,
    nap: Nap,
    calibration: Wave,
}

impl Coproc {
    /// A coprocessor answering as `identity`, measuring `battery_voltage`,
    /// its button pressed while `button` is 1.
    fn new(identity: Identity, battery_voltage: Knob, button: Knob) -> Self {
        Self {
            identity,
            battery_voltage,
            button,
            memory: HashMap::new(),
            command: Vec::new(),
            answer: Vec::new(),
            nap: Nap::default(),
            calibration: Wave::default(),
        }
    }

    /// The last calibration wave asked for.
    pub(super) fn calibration(&self) -> Wave {
        self.calibration
    }

    /// The wake-up edges the script enabled in the PIC's registers.
    fn edges(&self) -> Edges {
        let byte = |address| self.memory.get(&address).copied().unwrap_or(0);
        Edges {
            accelerometer_rising: byte(IOCAP) & RA5 != 0,
            accelerometer_falling: byte(IOCAN) & RA5 != 0,
            int_pin: (byte(INTCON) & INTE != 0).then_some(byte(OPTION_REG) & INTEDG != 0),
        }
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
            [0x20, b0, b1, b2, ..] => {
                self.nap.set_seconds(u32::from_le_bytes([b0, b1, b2, 0]));
                Vec::new()
            }
            [0x21, ..] => {
                self.nap.cut();
                Vec::new()
            }
            [0x22, ..] => {
                self.calibration.start(now_us);
                Vec::new()
            }
            [0x23, options, ..] if options & FIPY_OFF != 0 => {
                self.nap.cut();
                Vec::new()
            }
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

/// A coprocessor shared by everything it is wired to.
pub(super) type Shared = Arc<Mutex<Coproc>>;

/// A shield's coprocessor: on the I2C bus, on SCL (its calibration wave), and
/// at the module's power switch. Clones are the same chip.
#[derive(Clone, Debug)]
pub struct Coprocessor(Shared);

/// The module pins whose lines the sleeping coprocessor watches: RA5 (the
/// accelerometer's interrupt) and RC1 (the INT pin).
pub const WATCHED_PINS: [&str; 2] = ["P13", "P9"];

impl Coprocessor {
    /// The coprocessor answering as `identity`, measuring `battery_voltage`,
    /// its button pressed while `button` is 1.
    pub(super) fn new(identity: Identity, battery_voltage: Knob, button: Knob) -> Self {
        Self(Arc::new(Mutex::new(Coproc::new(identity, battery_voltage, button))))
    }

    fn chip(&self) -> MutexGuard<'_, Coproc> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Its open-drain output on SCL, with the shield's pull-up, for the pin bank.
    pub fn scl_driver(&self) -> Box<dyn Device> {
        Box::new(SclDriver::new(self.0.clone()))
    }

    /// Whether it cut the module's power since the last call.
    pub fn take_power_cut(&self) -> bool {
        self.chip().nap.take_cut()
    }

    fn inputs(chip: &Coproc, now_us: u64, lines: [bool; 2]) -> Inputs {
        Inputs { button: chip.button.at(now_us) >= 0.5, accelerometer: lines[0], int_pin: lines[1] }
    }

    /// The module is off from `now_us`; `lines` are the levels of
    /// [`WATCHED_PINS`] (high: `true`).
    pub fn fall_asleep(&self, now_us: u64, lines: [bool; 2]) {
        let mut chip = self.chip();
        let inputs = Self::inputs(&chip, now_us, lines);
        chip.nap.fall_asleep(now_us, inputs);
    }

    /// Whether it powers the module again at `now_us`, the watched lines
    /// reading `lines`; it then notes why, and the seconds left, in its memory.
    pub fn wakes(&self, now_us: u64, lines: [bool; 2]) -> bool {
        let mut chip = self.chip();
        let inputs = Self::inputs(&chip, now_us, lines);
        let edges = chip.edges();
        let Some(wake) = chip.nap.wakes(now_us, inputs, edges) else { return false };
        let [b0, b1, b2, _] = wake.remaining_s.min(0xFF_FFFF).to_le_bytes();
        for (offset, byte) in [wake.reason, b0, b1, b2].into_iter().enumerate() {
            chip.memory.insert(WAKE_REASON + offset as u16, byte);
        }
        true
    }

    /// The next time the sleeping coprocessor must look again by itself:
    /// its timer's end or a change of the button (the watched lines' changes
    /// are the pin bank's events).
    pub fn next_look_us(&self, now_us: u64) -> Option<u64> {
        let chip = self.chip();
        [chip.nap.next_timer_us(), chip.button.next_step_after(now_us)].into_iter().flatten().min()
    }

    /// Whether an edge of a watched line may wake the module.
    pub fn watches_lines(&self) -> bool {
        self.chip().edges() != Edges::default()
    }
}

impl I2cTarget for Coprocessor {
    fn address(&self) -> u8 {
        ADDRESS
    }

    fn start(&mut self, now_us: u64, read: bool) -> Ack {
        self.chip().start(now_us, read)
    }

    fn write(&mut self, now_us: u64, byte: u8) -> Ack {
        self.chip().write(now_us, byte)
    }

    fn read(&mut self, now_us: u64) -> u8 {
        self.chip().read(now_us)
    }

    fn stop(&mut self, now_us: u64) {
        self.chip().stop(now_us)
    }
}
