//! MicroPython's `round` of a bool: `round(True)` is the int 1 there, where
//! the runtime's `int.__round__` (which `bool` inherits) hands back the bool
//! itself.

use rustpython_vm::builtins::PyBool;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyResult, VirtualMachine};

/// Makes `int.__round__` of a bool give an int, once per boot.
pub fn install(vm: &VirtualMachine) {
    let class = vm.ctx.types.int_type;
    let Some(def) = class.slots.methods.iter().find(|def| def.name == "__round__") else {
        return;
    };
    let method = vm.new_method("__round__", class, move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
        let rounded = (def.func)(vm, args)?;
        Ok(match rounded.downcast_ref::<PyBool>() {
            Some(_) => vm.ctx.new_int(u8::from(rounded.is(&vm.ctx.true_value))).into(),
            None => rounded,
        })
    });
    class.set_attr(vm.ctx.intern_str("__round__"), method.into());
}
