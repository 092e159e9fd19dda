//! `--trace-bus FILE`: every I2C and SPI transaction, and the bytes UARTs 1
//! and 2 send and receive, as JSON lines in the order the board learns of
//! them (a UART's received bytes when it takes them from the device, which
//! can be ahead of the board's time).
//!
//! ```text
//! {"time_us":1203,"bus":"i2c0","address":72,"direction":"write","bytes":"00","ack":true}
//! {"time_us":1393,"bus":"i2c0","address":72,"direction":"read","bytes":"00fa","ack":true}
//! {"time_us":2210,"bus":"spi0","direction":"exchange","mosi":"0102","miso":"0102"}
//! {"time_us":3005,"bus":"uart1","direction":"tx","bytes":"4154"}
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use pycom_board::Board;
use pycom_board::bus::{BusEvent, Direction, UartLine};
use serde_json::{Value, json};

/// A bus trace being written.
pub struct BusTraceFile {
    writer: Arc<Mutex<BufWriter<File>>>,
}

/// Bytes as lowercase hex digits, two per byte.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One event as its JSON line.
fn line(event: &BusEvent) -> Value {
    match event {
        BusEvent::I2c { time_us, bus, address, direction, bytes, ack } => json!({
            "time_us": time_us,
            "bus": format!("i2c{bus}"),
            "address": address,
            "direction": match direction { Direction::Write => "write", Direction::Read => "read" },
            "bytes": hex(bytes),
            "ack": ack,
        }),
        BusEvent::Spi { time_us, bus, mosi, miso } => json!({
            "time_us": time_us,
            "bus": format!("spi{bus}"),
            "direction": "exchange",
            "mosi": hex(mosi),
            "miso": hex(miso),
        }),
        BusEvent::Uart { time_us, uart, line, bytes } => json!({
            "time_us": time_us,
            "bus": format!("uart{uart}"),
            "direction": match line { UartLine::Tx => "tx", UartLine::Rx => "rx" },
            "bytes": hex(bytes),
        }),
    }
}

impl BusTraceFile {
    /// Creates `path` (so a bad path fails before the run) and hooks it to the board's buses.
    pub fn attach(path: &Path, board: &mut Board) -> Result<Self> {
        let file = File::create(path).with_context(|| format!("cannot create bus trace {}", path.display()))?;
        let writer = Arc::new(Mutex::new(BufWriter::new(file)));
        let sink = writer.clone();
        board.set_bus_trace(Arc::new(move |event| {
            let _ = writeln!(sink.lock().unwrap_or_else(|p| p.into_inner()), "{}", line(event));
        }));
        Ok(Self { writer })
    }

    /// Writes out what is buffered.
    pub fn flush(&self) -> Result<()> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner()).flush().context("writing the bus trace")
    }
}
