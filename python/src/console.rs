//! The board's UART 0 as seen from the host: where `print` and tracebacks go.

use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine, pyclass};

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

/// The board's serial console as a text stream: `sys.stdout` and `sys.stderr`.
#[pyclass(module = "machine", name = "UART")]
#[derive(Debug, PyPayload)]
pub struct Uart0 {}

#[pyclass]
impl Uart0 {
    /// A new stream object for the current interpreter.
    pub fn new_ref(vm: &VirtualMachine) -> PyRef<Self> {
        Self::make_static_type();
        Self {}.into_ref(&vm.ctx)
    }

    /// `write(s)`: sends `s` to the console.
    #[pymethod]
    fn write(_zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        crate::args::arity(&args, 1, 1, vm)?;
        let obj: PyObjectRef = args.args.into_iter().next().expect("one argument");
        let text = String::from_utf8_lossy(obj.str(vm)?.as_bytes()).into_owned();
        write(&text, vm)?;
        Ok(text.chars().count())
    }

    /// `flush()`: output is never buffered.
    #[pymethod]
    fn flush(_zelf: &Py<Self>) {}
}
