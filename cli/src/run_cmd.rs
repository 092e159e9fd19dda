//! `pycom-emu run`: power the board on and run a script as its `main.py`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use pycom_board::fs::SdCard;
use pycom_board::{Board, BoardModel, Clock, ClockMode, DeviceImage};
use pycom_python::{Outcome, RunConfig, Script, StopRequest};

use crate::board_file;
use crate::console::TerminalConsole;
use crate::led_output::{LedDisplay, LedTraceFile};
use crate::pin_trace::PinTraceFile;

/// Options of one run.
pub struct RunOptions {
    /// The device image.
    pub image: PathBuf,
    /// The board model.
    pub board: BoardModel,
    /// The script to run as `main.py`.
    pub script: PathBuf,
    /// Follow the wall clock instead of skipping waits.
    pub realtime: bool,
    /// Device time after which the run stops.
    pub timeout_us: Option<u64>,
    /// Exit status when the timeout ends the run.
    pub timeout_exit_code: i32,
    /// Text whose appearance ends the run successfully.
    pub expect_text: Option<String>,
    /// Text whose appearance ends the run as a failure.
    pub fail_text: Option<String>,
    /// Where to write the LED history.
    pub trace_led: Option<PathBuf>,
    /// Devices to wire to the pins.
    pub board_file: Option<PathBuf>,
    /// Where to write the VCD trace of the pins.
    pub trace_pins: Option<PathBuf>,
    /// Most resets before the run is stopped.
    pub max_resets: Option<u32>,
    /// How long the safe-boot pin is held at power-on.
    pub safe_boot_hold_us: Option<u64>,
    /// SD card image and the size to create it with.
    pub sd_card: Option<(PathBuf, u64)>,
    /// Firmware with differential updates.
    pub diff_update: bool,
}

fn read_script(path: &Path) -> Result<Script> {
    let source = std::fs::read_to_string(path).with_context(|| format!("cannot read script {}", path.display()))?;
    Ok(Script { name: "main.py".into(), source })
}

/// Runs the board and returns the process exit status.
pub fn run(opts: RunOptions) -> Result<i32> {
    let main = read_script(&opts.script)?;
    let devices = opts.board_file.as_deref().map(|path| board_file::load(path, opts.board)).transpose()?;
    let image = DeviceImage::open_or_create(&opts.image, opts.board)
        .with_context(|| format!("cannot open device image {}", opts.image.display()))?;
    if image.created {
        eprintln!(
            "[pycom-emu] created {} for a {} ({} MiB flash)",
            opts.image.display(),
            opts.board,
            opts.board.flash_size() >> 20
        );
    }
    let mode = if opts.realtime { ClockMode::Realtime } else { ClockMode::Virtual };
    let mut board = Board::new(opts.board, image, Arc::new(Clock::new(mode)));
    if let Some(hold) = opts.safe_boot_hold_us {
        board.hold_safe_boot_pin(hold);
    }
    if opts.diff_update {
        board.enable_diff_update();
    }
    if let Some((path, size)) = &opts.sd_card {
        let card = SdCard::open_or_create(path, *size)
            .with_context(|| format!("cannot use {} as an SD card", path.display()))?;
        board.insert_sd_card(card);
    }
    if let Some(devices) = &devices {
        devices.attach(&mut board)?;
    }
    let trace = opts.trace_led.as_deref().map(|path| LedTraceFile::attach(path, &mut board)).transpose()?;
    let pin_trace = opts.trace_pins.as_deref().map(|path| PinTraceFile::attach(path, &mut board)).transpose()?;
    let board = Arc::new(Mutex::new(board));
    let display = if opts.realtime { LedDisplay::start_on_terminal(board.clone()) } else { None };

    let expecting = opts.expect_text.clone();
    let config = RunConfig {
        main,
        timeout: opts.timeout_us.map(|us| {
            let reason = format!("timeout after {} ms of device time", us / 1000);
            (us, StopRequest { reason, exit_code: opts.timeout_exit_code })
        }),
        max_resets: opts.max_resets,
    };
    let console = Box::new(TerminalConsole::new(opts.expect_text, opts.fail_text));
    let outcome = pycom_python::run(board, console, config).context("the board stopped")?;

    if let Some(display) = display {
        display.stop();
    }
    if let Some(trace) = trace {
        trace.flush()?;
    }
    if let Some(trace) = pin_trace {
        trace.finish()?;
    }
    Ok(exit_status(outcome, expecting.as_deref()))
}

fn exit_status(outcome: Outcome, expecting: Option<&str>) -> i32 {
    match outcome {
        Outcome::Completed => match expecting {
            Some(text) => {
                eprintln!("[pycom-emu] script ended without printing {text:?}");
                1
            }
            None => 0,
        },
        Outcome::Raised => 1,
        Outcome::SystemExit(code) => code,
        Outcome::Stopped(request) => {
            eprintln!("[pycom-emu] {}", request.reason);
            request.exit_code
        }
    }
}
