//! `machine.Timer.Chrono`: a stopwatch on the board's 40 MHz timer counter.

use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::state::{board, lock};

/// Timer clocks per microsecond (the counter runs at 40 MHz).
const CLOCKS_PER_US: u64 = 40;

/// The timer counter: clocks since boot.
fn counter() -> u64 {
    lock(&board()).uptime_us() * CLOCKS_PER_US
}

/// Elapsed clocks: what earlier runs added up, and when the current run started.
#[derive(Debug, Default)]
struct Laps {
    accumulated: u64,
    started: Option<u64>,
}

impl Laps {
    fn elapsed(&self, now: u64) -> u64 {
        self.accumulated + self.started.map_or(0, |start| now - start)
    }
}

/// A stopwatch.
#[pyclass(module = "machine", name = "Chrono")]
#[derive(Debug, PyPayload)]
pub(crate) struct Chrono {
    laps: PyMutex<Laps>,
}

impl Constructor for Chrono {
    type Args = FuncArgs;

    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, _vm: &VirtualMachine) -> PyResult<Self> {
        Ok(Self { laps: PyMutex::new(Laps::default()) })
    }
}

impl Chrono {
    /// The elapsed time in `clocks_per_unit`, in the firmware's single precision.
    fn read_in(&self, clocks_per_unit: f32) -> f64 {
        let clocks = self.laps.lock().elapsed(counter());
        f64::from(clocks as f32 / clocks_per_unit)
    }
}

#[pyclass(with(Constructor))]
impl Chrono {
    /// `start()`: starts counting (no effect while running).
    #[pymethod]
    fn start(&self) {
        let now = counter();
        self.laps.lock().started.get_or_insert(now);
    }

    /// `stop()`: stops counting, keeping what was counted.
    #[pymethod]
    fn stop(&self) {
        let now = counter();
        let mut laps = self.laps.lock();
        if let Some(start) = laps.started.take() {
            laps.accumulated += now - start;
        }
    }

    /// `reset()`: back to 0, still running if it was.
    #[pymethod]
    fn reset(&self) {
        let now = counter();
        let mut laps = self.laps.lock();
        laps.accumulated = 0;
        if laps.started.is_some() {
            laps.started = Some(now);
        }
    }

    /// `read()`: seconds.
    #[pymethod]
    fn read(&self) -> f64 {
        self.read_in((CLOCKS_PER_US * 1_000_000) as f32)
    }

    /// `read_ms()`: milliseconds.
    #[pymethod]
    fn read_ms(&self) -> f64 {
        self.read_in((CLOCKS_PER_US * 1000) as f32)
    }

    /// `read_us()`: microseconds.
    #[pymethod]
    fn read_us(&self) -> f64 {
        self.read_in(CLOCKS_PER_US as f32)
    }
}

/// `machine.Timer.Chrono`, registered by `machine.Timer`.
pub(crate) fn class() -> PyTypeRef {
    Chrono::make_static_type()
}
