//! `repr()` of an exception as MicroPython prints it (`py/objexcept.c`):
//! the type's name and the repr of its argument tuple, so one argument
//! keeps its comma: `OSError(17,)`, `ValueError('bad',)`, `KeyError()`.

use rustpython_vm::builtins::{PyBaseException, PyStr, PyType};
use rustpython_vm::{AsObject, Py, PyObject, PyRef, PyResult, VirtualMachine};

fn exception_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let args = match zelf.downcast_ref::<PyBaseException>() {
        Some(exc) => exc.args().as_object().repr(vm)?.as_wtf8().to_string_lossy().into_owned(),
        None => "()".to_owned(),
    };
    Ok(vm.ctx.new_str(format!("{}{args}", zelf.class().name())))
}

/// Gives `class` and every class derived from it so far MicroPython's `repr`.
fn install_on(class: &Py<PyType>) {
    class.slots.repr.store(Some(exception_repr));
    let subclasses: Vec<_> = class.subclasses.read().iter().filter_map(|weak| weak.upgrade()).collect();
    for subclass in subclasses {
        if let Some(subclass) = subclass.downcast_ref::<PyType>() {
            install_on(subclass);
        }
    }
}

/// Gives every exception MicroPython's `repr`: the built-in classes' slots,
/// and `BaseException.__repr__` for classes a script derives.
pub fn install(vm: &VirtualMachine) {
    let base = vm.ctx.exceptions.base_exception_type;
    install_on(base);
    let method = vm.new_method("__repr__", base, |exc: PyRef<PyBaseException>, vm: &VirtualMachine| {
        exception_repr(exc.as_object(), vm)
    });
    base.set_attr(vm.ctx.intern_str("__repr__"), method.into());
}
