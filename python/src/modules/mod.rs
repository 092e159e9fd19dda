//! The board's built-in modules. Each file holds a `#[pymodule]` of the same name,
//! as RustPython's macros expect.
#![allow(clippy::module_inception)]

use rustpython_vm::Context;
use rustpython_vm::builtins::PyModuleDef;

pub mod board_modules;
pub mod flashfs;
pub mod gc;
pub mod machine;
pub mod micropython;
pub mod os;
pub mod pin;
pub mod pycom;
pub mod time;

/// Module definitions to register with the interpreter. Names that clash with
/// RustPython's own (`time`, `gc`) replace them.
pub fn defs(ctx: &Context) -> Vec<&'static PyModuleDef> {
    vec![
        pycom::module_def(ctx),
        machine::module_def(ctx),
        time::module_def(ctx),
        os::module_def(ctx),
        gc::module_def(ctx),
        micropython::module_def(ctx),
        flashfs::module_def(ctx),
    ]
}

/// MicroPython's `u`-prefixed names for the same modules.
pub const ALIASES: &[(&str, &str)] =
    &[("utime", "time"), ("uos", "os"), ("umachine", "machine"), ("uerrno", "errno"), ("usys", "sys"), ("ugc", "gc")];
