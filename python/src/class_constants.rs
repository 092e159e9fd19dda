//! The integer constants a firmware class carries (`WLAN.STA`, `LoRa.EU868`,
//! `Sigfox.RCZ1`), set on the class as it is made.

use rustpython_vm::builtins::PyType;
use rustpython_vm::{Context, Py};

/// Sets each `(name, value)` of `constants` on `class`.
pub fn add<T: Copy + Into<i64>>(ctx: &Context, class: &Py<PyType>, constants: &[(&str, T)]) {
    for &(name, value) in constants {
        class.set_attr(ctx.intern_str(name), ctx.new_int(value.into()).into());
    }
}
