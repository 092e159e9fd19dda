//! The board's built-in modules are read-only: their globals live in the
//! firmware's ROM tables, so `sys.x = 1` or `del ujson.dumps` in a script is
//! `AttributeError: 'module' object has no attribute 'x'` (`py/objmodule.c`).
//! `builtins` stays writable (`MICROPY_CAN_OVERRIDE_BUILTINS`), and so do
//! modules imported from a file and `__main__`. The emulator's own code
//! (Rust, or its Python) still sets what it needs, and so does the import
//! machinery: a module becomes read-only when an import hands it to a
//! script ([`seal`]), and names of the `__x__` form stay writable.

use std::cell::RefCell;
use std::collections::HashSet;

use rustpython_vm::builtins::PyStr;
use rustpython_vm::function::PySetterValue;
use rustpython_vm::{AsObject, Py, PyObject, PyResult, VirtualMachine};

thread_local! {
    /// The modules imports have handed to this thread's scripts since the
    /// boot began (they live in `sys.modules` until the interpreter ends).
    static SEALED: RefCell<HashSet<usize>> = RefCell::new(HashSet::new());
}

/// Marks `module`, which an import hands to a script, as done being set up.
pub fn seal(module: &PyObject) {
    SEALED.with(|sealed| sealed.borrow_mut().insert(module.get_id()));
}

use crate::import_guard::from_script;

/// `setattr` and `delattr` of a module.
fn module_setattr(module: &PyObject, name: &Py<PyStr>, value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
    let dunder = name.as_wtf8().as_bytes().starts_with(b"__");
    if !dunder && from_script(vm) && read_only(module, vm) {
        return Err(vm.new_attribute_error(format!("'module' object has no attribute '{}'", name.as_wtf8())));
    }
    module.generic_setattr(name, value, vm)
}

/// Whether `module` is one of the firmware's built-in modules: no file, and
/// neither `builtins` nor `__main__`.
fn read_only(module: &PyObject, vm: &VirtualMachine) -> bool {
    if !SEALED.with(|sealed| sealed.borrow().contains(&module.get_id())) {
        return false;
    }
    let Some(dict) = module.dict() else { return false };
    if dict.get_item_opt("__file__", vm).ok().flatten().is_some() {
        return false;
    }
    let name = dict.get_item_opt("__name__", vm).ok().flatten();
    let name = name.as_ref().and_then(|n| n.downcast_ref::<PyStr>()).map(|n| n.as_wtf8().to_string());
    !matches!(name.as_deref(), Some("builtins" | "__main__") | None)
}

/// Makes the built-in modules read-only to scripts, from this boot on.
pub fn install(vm: &VirtualMachine) {
    SEALED.with(|sealed| sealed.borrow_mut().clear());
    vm.ctx.types.module_type.slots.setattro.store(Some(module_setattr));
}
