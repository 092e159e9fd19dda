//! Where the LED's history goes: a trace file (CSV or JSON lines) and, in real
//! time on a terminal, a coloured cell in the top-right corner.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};
use pycom_board::{Board, LedEvent};

/// Format of a `--trace-led` file, chosen by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TraceFormat {
    /// `time_us,rgb,hex` rows after a header.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// A trace file being written.
#[derive(Clone)]
pub struct LedTraceFile {
    writer: Arc<Mutex<BufWriter<File>>>,
}

impl LedTraceFile {
    /// Creates `path` and hooks it to the board's LED: `.csv` gives CSV, anything
    /// else JSON lines.
    pub fn attach(path: &Path, board: &mut Board) -> Result<Self> {
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => TraceFormat::Csv,
            _ => TraceFormat::JsonLines,
        };
        let file = File::create(path).with_context(|| format!("cannot create LED trace {}", path.display()))?;
        let writer = Arc::new(Mutex::new(BufWriter::new(file)));
        if format == TraceFormat::Csv {
            writeln!(writer.lock().expect("fresh lock"), "time_us,rgb,hex")?;
        }
        let sink = writer.clone();
        board.led().add_trace(Box::new(move |event: LedEvent| {
            let mut w = sink.lock().unwrap_or_else(|p| p.into_inner());
            let _ = match format {
                TraceFormat::Csv => writeln!(w, "{},{},#{:06x}", event.time_us, event.rgb, event.rgb),
                TraceFormat::JsonLines => writeln!(
                    w,
                    "{{\"time_us\":{},\"rgb\":{},\"hex\":\"#{:06x}\"}}",
                    event.time_us, event.rgb, event.rgb
                ),
            };
        }));
        Ok(Self { writer })
    }

    /// Writes out what is buffered.
    pub fn flush(&self) -> Result<()> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner()).flush().context("writing the LED trace")
    }
}

/// Shows the LED colour as a cell in the terminal's top-right corner.
pub struct LedDisplay {
    finished: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// How often the display looks at the LED.
const DISPLAY_REFRESH: Duration = Duration::from_millis(20);

impl LedDisplay {
    /// Starts the display if stderr is a terminal.
    pub fn start_on_terminal(board: Arc<Mutex<Board>>) -> Option<Self> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let finished = Arc::new(AtomicBool::new(false));
        let stop = finished.clone();
        let thread = std::thread::spawn(move || {
            let mut last = None;
            while !stop.load(Ordering::Relaxed) {
                let colour = {
                    let mut b = board.lock().unwrap_or_else(|p| p.into_inner());
                    let now = b.now_us();
                    b.led().shown_at(now)
                };
                if last != Some(colour) {
                    last = Some(colour);
                    let (r, g, bl) = (colour >> 16, (colour >> 8) & 0xFF, colour & 0xFF);
                    eprint!("\x1b7\x1b[1;1H\x1b[999C\x1b[1D\x1b[48;2;{r};{g};{bl}m \x1b[0m\x1b8");
                }
                std::thread::sleep(DISPLAY_REFRESH);
            }
        });
        Some(Self { finished, thread })
    }

    /// Stops refreshing.
    pub fn stop(self) {
        self.finished.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}
