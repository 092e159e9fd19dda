//! `repr()` of a class as MicroPython prints it (`py/objtype.c`): its bare
//! name, `<class 'Pin'>` and `<class 'A'>`, never the module in front.

use rustpython_vm::builtins::{PyStr, PyType};
use rustpython_vm::{PyObject, PyRef, PyResult, VirtualMachine};

fn class_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let name = zelf.downcast_ref::<PyType>().map_or_else(|| "?".to_owned(), |class| class.name().to_string());
    Ok(vm.ctx.new_str(format!("<class '{name}'>")))
}

/// Gives every class MicroPython's `repr`.
pub fn install(vm: &VirtualMachine) {
    vm.ctx.types.type_type.slots.repr.store(Some(class_repr));
}
