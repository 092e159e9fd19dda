//! Rust panics that script code reaches inside the embedded interpreter (a
//! compiler or runtime bug, e.g. a hand-made code object): caught where the
//! emulator runs Python, so a script can never abort the process.
//!
//! The default panic hook stays for panics elsewhere; a caught panic prints
//! one line on stderr (where in the emulator it happened) instead of a
//! backtrace, and its message is handed to the caller, which reports it.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::{PyResult, VirtualMachine};

thread_local! {
    /// How many guarded calls are running on this thread.
    static GUARDED: Cell<u32> = const { Cell::new(0) };
    /// The message of the last panic caught on this thread.
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) > 0 {
                let message = message(info);
                match info.location() {
                    Some(at) => eprintln!("[pycom-emu] Rust panic at {}:{}: {message}", at.file(), at.line()),
                    None => eprintln!("[pycom-emu] Rust panic: {message}"),
                }
                MESSAGE.with(|m| *m.borrow_mut() = Some(message));
            } else {
                default(info);
            }
        }));
    });
}

fn message(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Runs `f`, returning the message of a Rust panic inside it as the error.
pub fn guard<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.map_err(|_| MESSAGE.with(|m| m.borrow_mut().take()).unwrap_or_else(|| "unknown panic".to_owned()))
}

/// Runs script code `f`: a Rust panic inside it becomes `SystemError` with
/// the panic's message, raised to the caller.
pub fn run_python<R>(vm: &VirtualMachine, f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    guard(f).unwrap_or_else(|message| Err(internal_error(&message, vm)))
}

fn internal_error(message: &str, vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_msg(vm.ctx.exceptions.system_error.to_owned(), format!("internal error: {message}").into())
}
