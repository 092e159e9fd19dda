//! What crossed the buses and UARTs: whole transfers for `--trace-bus`, and
//! the level changes on their wires for `--trace-pins`.

use std::sync::Arc;

/// Which way the bytes of an I2C transfer went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Controller to target.
    Write,
    /// Target to controller.
    Read,
}

/// Which line of a UART carried bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UartLine {
    /// The chip sent them on TXD.
    Tx,
    /// They came in on RXD.
    Rx,
}

/// One transfer on a bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BusEvent {
    /// One addressed part of an I2C transaction (from its START).
    I2c {
        /// Device time of the START.
        time_us: u64,
        /// The controller's bus number.
        bus: u8,
        /// The 7-bit address sent.
        address: u8,
        /// Read or write.
        direction: Direction,
        /// The bytes that went across after the address (up to a NACK).
        bytes: Vec<u8>,
        /// Whether the address and every written byte were acknowledged.
        ack: bool,
    },
    /// One SPI transfer.
    Spi {
        /// Device time of its first clock.
        time_us: u64,
        /// The controller's bus number.
        bus: u8,
        /// The bytes on MOSI, as on the wire.
        mosi: Vec<u8>,
        /// The bytes on MISO, as on the wire.
        miso: Vec<u8>,
    },
    /// Bytes sent back to back on a line of UART 1 or 2.
    Uart {
        /// Device time the first start bit began.
        time_us: u64,
        /// The UART's number.
        uart: u8,
        /// Sent or received.
        line: UartLine,
        /// The characters, in order.
        bytes: Vec<u8>,
    },
}

/// Where bus events go.
pub type BusTrace = Arc<dyn Fn(&BusEvent) + Send + Sync>;

/// A wire of a bus or UART changing level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineEdge {
    /// Device time of the change, in nanoseconds (bits are shorter than a
    /// microsecond at the buses' fast rates).
    pub time_ns: u64,
    /// The GPIO of the wire.
    pub gpio: u8,
    /// Whether the wire is high from then on.
    pub high: bool,
}

/// Where wire level changes go, a transfer's worth at a time.
pub type LineTrace = Arc<dyn Fn(&[LineEdge]) + Send + Sync>;

/// The traces the buses and UARTs report to (none by default).
#[derive(Clone, Default)]
pub struct WireTraces {
    /// Whole transfers.
    pub bus: Option<BusTrace>,
    /// Level changes on the wires.
    pub lines: Option<LineTrace>,
}

impl std::fmt::Debug for WireTraces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireTraces").field("bus", &self.bus.is_some()).field("lines", &self.lines.is_some()).finish()
    }
}

impl WireTraces {
    /// Reports `event` to the bus trace, if there is one.
    pub(crate) fn transfer(&self, event: impl FnOnce() -> BusEvent) {
        if let Some(bus) = &self.bus {
            bus(&event());
        }
    }

    /// Whether anyone wants the wires' level changes.
    pub(crate) fn wants_lines(&self) -> bool {
        self.lines.is_some()
    }

    /// Reports level changes to the line trace, if there is one.
    pub(crate) fn edges(&self, edges: &[LineEdge]) {
        if let (Some(lines), false) = (&self.lines, edges.is_empty()) {
            lines(edges);
        }
    }
}
