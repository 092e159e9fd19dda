//! What crossed a bus, for `--trace-bus`.

/// Which way the bytes of an I2C transfer went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Controller to target.
    Write,
    /// Target to controller.
    Read,
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
}

/// Where bus events go.
pub type BusTrace = Box<dyn FnMut(&BusEvent) + Send>;
