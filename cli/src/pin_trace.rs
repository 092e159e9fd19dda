//! `--trace-pins FILE.vcd`: every pin change, the bits that UARTs 1 and 2 and
//! the I2C and SPI buses put on their wires, the DACs' voltages and the LED
//! colour as a Value Change Dump, for GTKWave, PulseView or any VCD reader.
//!
//! Changes are collected during the run and written, in time order, when it
//! ends: the LED and the pins report changes lazily, each up to the time the
//! script looks, so their streams interleave out of order.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use pycom_board::analog::AnalogEvent;
use pycom_board::bus::LineEdge;
use pycom_board::pins::{Level, PinEvent, pin_names};
use pycom_board::{Board, BoardModel, LedEvent};
use vcd::{IdCode, SimulationCommand, TimescaleUnit, Value, VarType};

/// One change on a traced signal.
#[derive(Clone, Copy, Debug)]
enum Change {
    Pin(PinEvent),
    Led(LedEvent),
    Dac(AnalogEvent),
    Line(LineEdge),
}

impl Change {
    fn time_ns(&self) -> u64 {
        match self {
            Self::Pin(e) => e.time_us * 1000,
            Self::Led(e) => e.time_us * 1000,
            Self::Dac(e) => e.time_us * 1000,
            Self::Line(e) => e.time_ns,
        }
    }

    /// The GPIO and level of a change on a pin's wire.
    fn wire_level(&self) -> Option<(u8, Value)> {
        match self {
            Self::Pin(e) => Some((e.gpio, level_value(e.level))),
            Self::Line(e) => Some((e.gpio, Value::from(e.high))),
            Self::Led(_) | Self::Dac(_) => None,
        }
    }
}

/// A pin trace being recorded.
pub struct PinTraceFile {
    path: PathBuf,
    model: BoardModel,
    changes: Arc<Mutex<Vec<Change>>>,
}

/// Bits of the LED colour.
const RGB_BITS: u32 = 24;

impl PinTraceFile {
    /// Creates `path` (so a bad path fails before the run) and hooks the
    /// board's pins and LED to the trace.
    pub fn attach(path: &Path, board: &mut Board) -> Result<Self> {
        File::create(path).with_context(|| format!("cannot create pin trace {}", path.display()))?;
        let changes = Arc::new(Mutex::new(Vec::new()));
        let pins = changes.clone();
        board.add_pin_trace(Box::new(move |event| {
            pins.lock().unwrap_or_else(|p| p.into_inner()).push(Change::Pin(event));
        }));
        let dac = changes.clone();
        board.set_analog_trace(Box::new(move |event| {
            dac.lock().unwrap_or_else(|p| p.into_inner()).push(Change::Dac(event));
        }));
        let lines = changes.clone();
        board.set_line_trace(Arc::new(move |edges| {
            lines.lock().unwrap_or_else(|p| p.into_inner()).extend(edges.iter().map(|&e| Change::Line(e)));
        }));
        let led = changes.clone();
        board.led().add_trace(Box::new(move |event| {
            led.lock().unwrap_or_else(|p| p.into_inner()).push(Change::Led(event));
        }));
        Ok(Self { path: path.to_owned(), model: board.model(), changes })
    }

    /// Writes the VCD file: one wire per named pin (its module name), a real
    /// variable `P22_volts` for each DAC used, the LED colour as a 24-bit
    /// vector and whether it is lit, 1 ns per tick (bus bits are shorter
    /// than a microsecond); the last timestamp is `end_us`, when the run
    /// ended, so viewers show the last levels up to then.
    pub fn finish(self, end_us: u64) -> Result<()> {
        let mut changes = std::mem::take(&mut *self.changes.lock().unwrap_or_else(|p| p.into_inner()));
        changes.sort_by_key(Change::time_ns);
        let file =
            File::create(&self.path).with_context(|| format!("cannot create pin trace {}", self.path.display()))?;
        self.write(vcd::Writer::new(BufWriter::new(file)), &changes, end_us * 1000)
            .with_context(|| format!("writing pin trace {}", self.path.display()))
    }

    fn write(&self, mut w: vcd::Writer<BufWriter<File>>, changes: &[Change], end_ns: u64) -> std::io::Result<()> {
        w.timescale(1, TimescaleUnit::NS)?;
        w.add_module("pycom")?;
        let mut wires: Vec<(u8, IdCode)> = Vec::new();
        for pin in pin_names(self.model) {
            wires.push((pin.gpio, w.add_wire(1, pin.module)?));
        }
        let mut dacs: Vec<(u8, IdCode)> = Vec::new();
        for change in changes {
            if let Change::Dac(e) = change
                && !dacs.iter().any(|(gpio, _)| *gpio == e.gpio)
                && let Some(pin) = pin_names(self.model).iter().find(|p| p.gpio == e.gpio)
            {
                dacs.push((e.gpio, w.add_var(VarType::Real, 64, &format!("{}_volts", pin.module), None)?));
            }
        }
        let rgb = w.add_wire(RGB_BITS, "rgb_led")?;
        let lit = w.add_wire(1, "led_on")?;
        w.upscope()?;
        w.enddefinitions()?;
        w.begin(SimulationCommand::Dumpvars)?;
        let mut last = std::collections::HashMap::new();
        for &(_, id) in &wires {
            w.change_scalar(id, Value::Z)?;
            last.insert(id, Value::Z);
        }
        w.change_vector(rgb, colour_bits(0))?;
        w.change_scalar(lit, Value::V0)?;
        let mut shown_rgb = 0;
        w.end()?;
        let mut stamped = None;
        for change in changes {
            let ids: Vec<IdCode> = match (change, change.wire_level()) {
                (_, Some((pin, value))) => wires
                    .iter()
                    .filter(|&&(gpio, id)| gpio == pin && last.insert(id, value) != Some(value))
                    .map(|&(_, id)| id)
                    .collect(),
                (Change::Led(e), _) if std::mem::replace(&mut shown_rgb, e.rgb) != e.rgb => vec![rgb],
                (Change::Dac(e), _) => dacs.iter().filter(|(gpio, _)| *gpio == e.gpio).map(|&(_, id)| id).collect(),
                _ => Vec::new(),
            };
            if ids.is_empty() {
                continue;
            }
            if stamped != Some(change.time_ns()) {
                w.timestamp(change.time_ns())?;
                stamped = Some(change.time_ns());
            }
            match (change, change.wire_level()) {
                (_, Some((_, value))) => {
                    for id in ids {
                        w.change_scalar(id, value)?;
                    }
                }
                (Change::Led(e), _) => {
                    w.change_vector(rgb, colour_bits(e.rgb))?;
                    w.change_scalar(lit, Value::from(e.rgb != 0))?;
                }
                (Change::Dac(e), _) => {
                    for id in ids {
                        w.change_real(id, e.volts)?;
                    }
                }
                _ => {}
            }
        }
        if stamped.is_none_or(|t| t < end_ns) {
            w.timestamp(end_ns)?;
        }
        w.flush()
    }
}

fn level_value(level: Level) -> Value {
    match level {
        Level::Low => Value::V0,
        Level::High => Value::V1,
        Level::Floating => Value::Z,
    }
}

/// A colour as VCD bits, most significant first.
fn colour_bits(rgb: u32) -> impl Iterator<Item = Value> {
    (0..RGB_BITS).rev().map(move |bit| Value::from(rgb >> bit & 1 == 1))
}
