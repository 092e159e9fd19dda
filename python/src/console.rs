//! The board's UART 0 as seen from the host: where `print` and tracebacks go.

use rustpython_vm::{PyResult, VirtualMachine};

use crate::StopRequest;

/// Receives everything the board writes to its serial console.
pub trait Console: Send {
    /// Takes `text` written by the board; returning a request ends the run (used
    /// for `--expect-text` / `--fail-text`).
    fn write(&mut self, text: &str) -> Option<StopRequest>;
}

/// Writes `text` to the console of the current run, unwinding the script if the
/// console asks to stop.
pub fn write(text: &str, vm: &VirtualMachine) -> PyResult<()> {
    match crate::state::with(|s| s.console.write(text)) {
        Some(request) => Err(crate::state::stop(request, vm)),
        None => Ok(()),
    }
}
