//! The MicroPython side of the virtual Pycom board.
//!
//! An embedded RustPython interpreter runs the user's script with the module set
//! of a Pycom board (`pycom`, `machine`, `time`/`utime`, `os`/`uos`, `gc`,
//! `micropython`, `sys`) bound to a [`pycom_board::Board`]. The host's `os`,
//! `socket` and files are not reachable from scripts. [`run`] plays the board's
//! boot loop: power-on, `main.py`, and again after each `machine.reset()`.

mod args;
mod board_methods;
mod buffer;
mod bus_args;
mod bytes_quirks;
mod class_constants;
mod class_repr;
mod code_cache;
mod config_args;
mod console;
mod cpu_clock;
mod device_time;
mod exception_repr;
mod float_repr;
mod frozen;
mod heap;
mod import_guard;
mod irq_task;
mod module_attrs;
mod module_repr;
mod modules;
mod mpy_const;
mod mpy_decorators;
mod nesting;
mod number_quirks;
mod nvs_args;
mod panic_guard;
mod power;
mod prelude;
mod readline;
mod regex;
mod repl;
mod rng;
mod session;
mod soc;
mod source;
mod state;
mod teardown;
mod threads;
mod traceback;
mod uart;
mod vfs;
mod watcher;

pub use console::Console;
pub use power::{PowerRequest, PowerSwitch};
pub use session::{Outcome, RunConfig, STOP_GRACE, Script, StopRequest, run};
pub use uart::{RX_BUFFER_LEN, UartInput};
