//! The I2C and SPI buses: transactions a controller runs on device time, the
//! devices on the wires (board-file register maps, a loopback wire, Pycom's
//! shields), and the trace of what crossed the bus.
//!
//! Devices sit on pins, not on controllers: a controller reaches the devices
//! wired to the pins it is configured with, as on the board.

mod i2c;
mod register_map;
pub mod shields;
mod spec;
mod spi;
mod trace;
mod waveform;

pub use i2c::{Ack, I2cController, I2cOp, I2cOutcome, I2cTarget};
pub use register_map::RegisterMap;
pub use spec::{I2cRegistersSpec, RegisterSpec, ResetSpec, SpiLoopbackSpec};
pub use spi::{SpiController, SpiDevice, SpiLoopback, SpiOutcome, SpiWires};
pub use trace::{BusEvent, BusTrace, Direction, LineEdge, LineTrace, UartLine, WireTraces};
pub(crate) use waveform::uart_chars;

pub(crate) use i2c::I2cWires;

/// Why a device cannot go on a bus.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    /// Two I2C devices on the same wires answer the same address.
    #[error("I2C address {address:#04x} on SDA GPIO{sda}/SCL GPIO{scl} is taken by another device")]
    AddressTaken {
        /// The 7-bit address.
        address: u8,
        /// SDA's GPIO.
        sda: u8,
        /// SCL's GPIO.
        scl: u8,
    },
}

/// Everything wired to the board's buses.
#[derive(Default)]
pub struct Buses {
    i2c: Vec<I2cWires>,
    spi: Vec<SpiWires>,
    traces: WireTraces,
}

impl std::fmt::Debug for Buses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Buses").field("i2c", &self.i2c).field("spi", &self.spi).finish_non_exhaustive()
    }
}

impl Buses {
    /// Puts `target` on the I2C wires `sda`/`scl` (GPIOs); its address must be free there.
    pub fn attach_i2c(&mut self, sda: u8, scl: u8, target: Box<dyn I2cTarget>) -> Result<(), BusError> {
        let wires = match self.i2c.iter().position(|w| w.sda == sda && w.scl == scl) {
            Some(i) => &mut self.i2c[i],
            None => {
                self.i2c.push(I2cWires::new(sda, scl));
                self.i2c.last_mut().expect("just pushed")
            }
        };
        wires.attach(target)
    }

    /// Puts `device` on the SPI wires: `mosi`, `miso`, and `sck`/`cs` if it uses them.
    pub fn attach_spi(&mut self, wires: SpiWires) {
        self.spi.push(wires);
    }

    /// Sends every transaction and wire level change to `traces`.
    pub fn set_traces(&mut self, traces: WireTraces) {
        self.traces = traces;
    }

    /// Runs an I2C transaction starting at `now_us`.
    pub fn i2c_transaction(
        &mut self,
        controller: &I2cController,
        address: u8,
        ops: &[I2cOp<'_>],
        stop: bool,
        now_us: u64,
    ) -> I2cOutcome {
        let wires = self.i2c.iter_mut().find(|w| Some(w.sda) == controller.sda && Some(w.scl) == controller.scl);
        let target = wires.and_then(|w| w.target(address));
        i2c::run(controller, target, address, ops, stop, now_us, &self.traces)
    }

    /// Clocks `mosi` out and what comes back in, starting at `now_us`;
    /// `selected` tells whether a chip-select GPIO is low now, `idle_high`
    /// whether MISO idles high when nothing drives it.
    pub fn spi_transfer(
        &mut self,
        controller: &SpiController,
        mosi: &[u8],
        now_us: u64,
        selected: impl Fn(u8) -> bool,
        idle_high: bool,
    ) -> SpiOutcome {
        spi::run(controller, &mut self.spi, mosi, now_us, selected, idle_high, &self.traces)
    }
}
