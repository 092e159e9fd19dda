//! SPI: devices selected by a chip-select pin (or always, without one), and
//! full-duplex transfers at 8 bit times per byte.

use super::i2c::bits_us;
use super::trace::{BusEvent, WireTraces};
use super::waveform;

/// A device on SPI wires, as the wires see it: each byte clocked in on MOSI
/// clocks one out on MISO at the same time.
pub trait SpiDevice: Send + std::fmt::Debug {
    /// `mosi` was clocked in; returns the byte the device shifted out meanwhile.
    fn exchange(&mut self, now_us: u64, mosi: u8) -> u8;
}

/// A configured SPI controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpiController {
    /// Bus number (`spi0`, `spi1` in the trace).
    pub bus: u8,
    /// SCK's GPIO, if assigned.
    pub sck: Option<u8>,
    /// MOSI's GPIO, if assigned.
    pub mosi: Option<u8>,
    /// MISO's GPIO, if assigned.
    pub miso: Option<u8>,
    /// SCK frequency in Hz (more than 0).
    pub baudrate: u32,
    /// Each byte goes out least significant bit first (`SPI.LSB`).
    pub lsb_first: bool,
    /// SCK idles high (`polarity=1`).
    pub polarity: bool,
    /// Data is sampled on the second clock edge (`phase=1`).
    pub phase: bool,
}

/// How a transfer went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpiOutcome {
    /// The bytes clocked in on MISO, in the controller's bit order.
    pub miso: Vec<u8>,
    /// Device time the transfer took.
    pub duration_us: u64,
}

/// A device and the GPIOs it is wired to.
#[derive(Debug)]
pub struct SpiWires {
    /// SCK, if the device is clocked by it (a plain wire is not).
    pub sck: Option<u8>,
    /// The line the device listens on.
    pub mosi: u8,
    /// The line the device answers on.
    pub miso: u8,
    /// Its chip select (active low), if it has one.
    pub cs: Option<u8>,
    /// The device.
    pub device: Box<dyn SpiDevice>,
}

/// A wire from MOSI to MISO: every byte comes back as it went out.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpiLoopback;

impl SpiDevice for SpiLoopback {
    fn exchange(&mut self, _now_us: u64, mosi: u8) -> u8 {
        mosi
    }
}

/// Bit times of a byte.
const BYTE_BITS: u64 = 8;

/// Runs a transfer on the devices of `wires` that `controller` reaches and
/// that are selected; MISO reads as its idle level where none answers.
/// Traces the transfer, and its wires bit by bit.
pub(crate) fn run(
    controller: &SpiController,
    wires: &mut [SpiWires],
    mosi: &[u8],
    now_us: u64,
    selected: impl Fn(u8) -> bool,
    idle_high: bool,
    traces: &WireTraces,
) -> SpiOutcome {
    let order = |byte: u8| if controller.lsb_first { byte.reverse_bits() } else { byte };
    let mut reached: Vec<&mut SpiWires> = wires
        .iter_mut()
        .filter(|w| {
            Some(w.mosi) == controller.mosi
                && Some(w.miso) == controller.miso
                && w.sck.is_none_or(|sck| Some(sck) == controller.sck)
                && w.cs.is_none_or(&selected)
        })
        .collect();
    let on_wire: Vec<u8> = mosi.iter().map(|&b| order(b)).collect();
    let answered: Vec<u8> = if reached.is_empty() {
        vec![if idle_high { 0xFF } else { 0x00 }; mosi.len()]
    } else {
        // Two devices answering at once: a low wins, as on a real line.
        on_wire
            .iter()
            .map(|&out| reached.iter_mut().fold(0xFF, |line, w| line & w.device.exchange(now_us, out)))
            .collect()
    };
    if traces.wants_lines() {
        traces.edges(&waveform::spi(controller, now_us * 1000, &on_wire, &answered));
    }
    traces.transfer(|| BusEvent::Spi { time_us: now_us, bus: controller.bus, mosi: on_wire, miso: answered.clone() });
    let bits = BYTE_BITS * mosi.len() as u64;
    SpiOutcome { miso: answered.into_iter().map(order).collect(), duration_us: bits_us(bits, controller.baudrate) }
}
