//! The script entry (`pycom-emu run`: compile and run a `main.py`) and the
//! REPL on the UART (what a terminal, `serve --uart` and a logged-in Telnet
//! session feed it).

use std::sync::{Arc, Mutex};

use pycom_python::{Console, Outcome, RunConfig, Script, StopRequest, UartInput};

use crate::device::{board_on, booted_image};

/// Device time a script or a REPL session may run (time spent on the
/// interpreter is device time too, so a `while True:` ends).
const BUDGET_US: u64 = 1_000_000;
/// Resets a run may make (`machine.reset()`, Ctrl-D) before it is stopped.
const MAX_RESETS: u32 = 3;
/// What the REPL input holds at most: the UART's receive buffer, which the
/// input is put into before the board powers on.
const REPL_INPUT_MAX: usize = pycom_python::RX_BUFFER_LEN;

/// Any bytes (as UTF-8, bad sequences replaced) as `main.py` of a LoPy4,
/// compiled and run for a second of device time: the run never panics or
/// aborts the process. A Rust panic inside script code that became
/// `SystemError` prints `[pycom-emu] Rust panic at FILE:LINE`, which
/// `scripts/fuzz` counts.
pub fn script(data: &[u8]) {
    let source = String::from_utf8_lossy(data).into_owned();
    run(RunConfig {
        main: Some(Script { name: "main.py".into(), source }),
        uart: None,
        repl: false,
        timeout: None,
        max_resets: None,
        power: Default::default(),
    });
}

/// Any bytes as what arrives on the UART of a LoPy4 before it powers on
/// (at most its receive buffer): the friendly and the raw REPL with their
/// control keys (Ctrl-A raw mode, Ctrl-B back, Ctrl-C, Ctrl-D soft reset,
/// Ctrl-E paste mode, Ctrl-F safe boot) read it to its end, for a second of
/// device time at most, without a panic.
pub fn repl(data: &[u8]) {
    let input = UartInput::new();
    input.push(&data[..data.len().min(REPL_INPUT_MAX)]);
    input.close();
    run(RunConfig {
        main: None,
        uart: Some(input),
        repl: true,
        timeout: None,
        max_resets: None,
        power: Default::default(),
    });
}

/// Runs a booted LoPy4 as `config` says, within the budget.
fn run(config: RunConfig) {
    let stop = StopRequest { reason: "fuzz budget".into(), exit_code: 42 };
    let config = RunConfig { timeout: Some((BUDGET_US, stop)), max_resets: Some(MAX_RESETS), ..config };
    let board = Arc::new(Mutex::new(board_on(booted_image())));
    let outcome = pycom_python::run(board, Box::new(Discard), config);
    if let Ok(Outcome::InternalError(message)) = outcome {
        panic!("the emulator failed: {message}");
    }
}

/// A console that drops what the board prints.
struct Discard;

impl Console for Discard {
    fn write(&mut self, _text: &str) -> Option<StopRequest> {
        None
    }
}
