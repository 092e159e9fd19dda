//! `repr()` of a module as MicroPython prints it (`py/objmodule.c`):
//! `<module 'sys'>` for a built-in one, `<module 'lib' from '/flash/lib/lib.py'>`
//! for one imported from a file.

use rustpython_vm::builtins::PyStr;
use rustpython_vm::{PyObject, PyRef, PyResult, VirtualMachine};

/// The text of a module attribute that is a str, if it has one.
fn str_attr(module: &PyObject, name: &'static str, vm: &VirtualMachine) -> Option<String> {
    let dict = module.dict()?;
    let value = dict.get_item_opt(name, vm).ok()??;
    value.downcast_ref::<PyStr>().map(|s| s.as_wtf8().to_string_lossy().into_owned())
}

fn module_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let name = str_attr(zelf, "__name__", vm).unwrap_or_else(|| "?".to_owned());
    Ok(vm.ctx.new_str(match str_attr(zelf, "__file__", vm) {
        Some(file) => format!("<module '{name}' from '{file}'>"),
        None => format!("<module '{name}'>"),
    }))
}

/// Gives every module MicroPython's `repr`.
pub fn install(vm: &VirtualMachine) {
    vm.ctx.types.module_type.slots.repr.store(Some(module_repr));
}
