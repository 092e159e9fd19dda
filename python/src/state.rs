//! What the Python bindings share while a run is in progress on this thread: the
//! board, the console, the stop and reset requests.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use pycom_board::{Board, BootKind};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyTypeRef};
use rustpython_vm::{PyObjectRef, PyRef, VirtualMachine};

use crate::modules::alarm::Alarm;
use crate::modules::pin::Pin;
use crate::{Console, StopRequest};

/// Per-thread state of the run in progress.
pub struct RunState {
    /// The board the script runs on.
    pub board: Arc<Mutex<Board>>,
    /// Where the board's UART output goes.
    pub console: Box<dyn Console>,
    /// Set when the run must end (console match, timeout).
    pub stop: Option<StopRequest>,
    /// Set by `machine.reset()` / `machine.soft_reset()`.
    pub reset: Option<BootKind>,
    /// Device-time deadline and what to report when it passes.
    pub timeout: Option<(u64, StopRequest)>,
    /// The working directory (`os.chdir`), `/flash` after every boot.
    pub cwd: String,
    /// `time.timezone()` offset in seconds (firmware RAM, cleared at boot).
    pub timezone: i64,
    /// The exception type that unwinds the script for a stop or reset.
    pub unwind_type: Option<PyTypeRef>,
    /// `gc.isenabled()`.
    pub gc_enabled: bool,
    /// `gc.threshold()`.
    pub gc_threshold: i32,
    /// Host heap in use when the interpreter had booted.
    pub heap_baseline: usize,
    /// The pin objects made since boot, by GPIO (`Pin('P10') is Pin('G17')`).
    pub pins: HashMap<u8, PyRef<Pin>>,
    /// The `machine.I2C` objects made since boot, by bus (one per bus).
    pub i2c: HashMap<u8, PyRef<crate::modules::i2c::I2c>>,
    /// The `machine.SPI` objects made since boot, by bus (one per bus).
    pub spi: HashMap<u8, PyRef<crate::modules::spi::Spi>>,
    /// The `machine.UART` objects made since boot, by id.
    pub uarts: HashMap<u8, PyRef<crate::modules::uart::Uart>>,
    /// A handler raised: the firmware's interrupt task has ended.
    pub irq_task_dead: bool,
    /// Handlers are running (they do not nest).
    pub in_irq: bool,
    /// `machine.disable_irq()`: handlers wait for `enable_irq()`.
    pub irqs_disabled: bool,
    /// The armed `Timer.Alarm`s by id: the interrupt task holds them.
    pub alarms: HashMap<u64, PyRef<Alarm>>,
    /// The id the last `Timer.Alarm` got.
    pub next_alarm_id: u64,
    /// The note that `Pin.irq` is not the firmware's was shown.
    pub irq_alias_noted: bool,
    /// Friendly or raw REPL; a soft reset keeps it, a hard reset does not.
    pub repl_mode: crate::repl::Mode,
    /// The receive side of UART 0, when the run has one (`sys.stdin`,
    /// `micropython.kbd_intr`).
    pub uart: Option<crate::uart::UartInput>,
    /// `machine.main(name)`: the script run instead of `main.py`; firmware
    /// RAM, cleared before `_boot.py` at every boot.
    pub main_script: Option<String>,
    /// `os.dupterm(stream)`: the stream the REPL is duplicated on.
    pub dupterm: Option<PyObjectRef>,
    /// `micropython.opt_level()`, 0 at every boot.
    pub opt_level: i32,
    /// `lora.callback(...)`: the handler and its argument.
    pub lora_callback: Option<(PyObjectRef, PyObjectRef)>,
    /// `lora.nvram_restore()` was called before the radio was set up in LoRaWAN mode.
    pub lora_restore: bool,
}

/// Heap bytes the MicroPython heap holds right after boot (modules, `sys.path`).
const HEAP_AT_BOOT: usize = 9_600;

/// `(used, total)` bytes of the board's MicroPython heap.
pub fn heap_usage() -> (usize, usize) {
    with(|s| {
        let total = lock(&s.board).model().gc_heap_size();
        let used = HEAP_AT_BOOT + crate::heap::live_bytes().saturating_sub(s.heap_baseline);
        (used.min(total), total)
    })
}

thread_local! {
    static STATE: RefCell<Option<RunState>> = const { RefCell::new(None) };
}

/// Makes `state` the current run of this thread until [`uninstall`].
pub fn install(state: RunState) {
    STATE.with(|s| *s.borrow_mut() = Some(state));
}

/// Ends the current run and hands its state back.
pub fn uninstall() -> Option<RunState> {
    STATE.with(|s| s.borrow_mut().take())
}

/// Runs `f` on the current run's state.
///
/// # Panics
/// If no run is installed on this thread: the modules are only reachable from a
/// script started by [`crate::run`].
pub fn with<R>(f: impl FnOnce(&mut RunState) -> R) -> R {
    STATE.with(|s| f(s.borrow_mut().as_mut().expect("a pycom-emu run is installed on this thread")))
}

/// Runs `f` on the current run's state if this thread has one that is not
/// in use.
pub fn try_with<R>(f: impl FnOnce(&mut RunState) -> R) -> Option<R> {
    STATE.with(|s| s.try_borrow_mut().ok()?.as_mut().map(f))
}

/// The board of the current run.
pub fn board() -> Arc<Mutex<Board>> {
    with(|s| s.board.clone())
}

/// Locks a shared board, recovering it if a panicking thread poisoned the lock.
/// On the interpreter's thread this is an access from Python: it costs device
/// time ([`crate::device_time::access`]).
pub fn lock(board: &Mutex<Board>) -> BoardGuard<'_> {
    crate::device_time::access();
    BoardGuard(board.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// A hold on the board; letting go of it after the flash lost its power
/// (a power cut in the middle of a write) powers the board off and on
/// ([`crate::power`]).
pub struct BoardGuard<'a>(MutexGuard<'a, Board>);

impl std::ops::Deref for BoardGuard<'_> {
    type Target = Board;
    fn deref(&self) -> &Board {
        &self.0
    }
}

impl std::ops::DerefMut for BoardGuard<'_> {
    fn deref_mut(&mut self) -> &mut Board {
        &mut self.0
    }
}

impl Drop for BoardGuard<'_> {
    fn drop(&mut self) {
        if self.0.power_lost() {
            crate::power::lost();
        }
    }
}

/// Whether a stop or reset was requested: the exception in flight unwinds
/// the script rather than being reported.
pub fn unwinding() -> bool {
    with(|s| s.stop.is_some() || s.reset.is_some())
}

/// The exception that unwinds the script after a stop or reset was requested.
pub fn unwind(vm: &VirtualMachine) -> PyBaseExceptionRef {
    // Before the prelude registered the unwind type no script code runs: any
    // exception that is not an `Exception` unwinds the start-up.
    let ty = with(|s| s.unwind_type.clone()).unwrap_or_else(|| vm.ctx.exceptions.base_exception_type.to_owned());
    vm.invoke_exception(ty, vec![]).unwrap_or_else(|err| err)
}

/// The watchdog fired: requests a hard reset (`WDT_RESET`) and returns the
/// exception that unwinds the script.
pub fn watchdog_reset(vm: &VirtualMachine) -> PyBaseExceptionRef {
    with(|s| s.reset = Some(BootKind::Hard(pycom_board::ResetCause::Watchdog)));
    unwind(vm)
}

/// Requests the end of the run and returns the exception that unwinds the script.
pub fn stop(request: StopRequest, vm: &VirtualMachine) -> PyBaseExceptionRef {
    with(|s| {
        s.stop.get_or_insert(request);
    });
    unwind(vm)
}
