//! The board's I2C and SPI buses as `machine.I2C` and `machine.SPI` use them,
//! on the board's clock.

use super::Board;
use crate::bus::{BusTrace, I2cController, I2cOp, I2cOutcome, LineTrace, SpiController, SpiOutcome};
use crate::pins::Level;

impl Board {
    /// Runs an I2C transaction from now: one START (or repeated START) and
    /// address per op, then a STOP if `stop` or if the target did not
    /// acknowledge. The caller lets [`I2cOutcome::duration_us`] pass.
    pub fn i2c_transaction(
        &mut self,
        controller: &I2cController,
        address: u8,
        ops: &[I2cOp<'_>],
        stop: bool,
    ) -> I2cOutcome {
        let now = self.clock.now_us();
        let outcome = self.buses.i2c_transaction(controller, address, ops, stop, now);
        self.shield_heard_command();
        outcome
    }

    /// Clocks `mosi` out on SPI from now and returns what came in. Devices
    /// with a chip select answer while their pin is low; MISO reads high where
    /// none answers and the line is pulled up. The caller lets
    /// [`SpiOutcome::duration_us`] pass.
    pub fn spi_transfer(&mut self, controller: &SpiController, mosi: &[u8]) -> SpiOutcome {
        let now = self.clock.now_us();
        self.pins.advance(now);
        let levels: Vec<Level> = (0..crate::pins::GPIO_COUNT as u8).map(|gpio| self.pins.level(gpio, now)).collect();
        let idle_high = controller.miso.is_some_and(|miso| levels[usize::from(miso)] == Level::High);
        self.buses.spi_transfer(controller, mosi, now, |cs| levels[usize::from(cs)] == Level::Low, idle_high)
    }

    /// Sends every I2C and SPI transaction, and what UARTs 1 and 2 send and
    /// receive, to `trace`.
    pub fn set_bus_trace(&mut self, trace: BusTrace) {
        self.wire_traces.bus = Some(trace);
        self.share_wire_traces();
    }

    /// Sends the level changes that the buses' and UARTs' traffic makes on
    /// their wires to `trace`.
    pub fn set_line_trace(&mut self, trace: LineTrace) {
        self.wire_traces.lines = Some(trace);
        self.share_wire_traces();
    }

    fn share_wire_traces(&mut self) {
        self.buses.set_traces(self.wire_traces.clone());
        for port in &mut self.uarts {
            port.set_traces(self.wire_traces.clone());
        }
    }
}
