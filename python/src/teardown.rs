//! The end of a boot: frees everything the boot's interpreter made.
//!
//! RustPython 0.5 frees objects by reference counting plus a cycle collector
//! that does not see every reference (a `classmethod`'s function, a closure's
//! tuple of cells, a function's builtins), so module namespaces, classes and
//! functions kept one another alive after their interpreter was dropped:
//! about 1.5 MB per boot. As CPython's finalisation does, the namespaces are
//! emptied first and closure cells and classes after them, which breaks every cycle
//! through them, and the collector then frees the rest in one pass. Files
//! still open are closed first, as MicroPython's `gc_sweep_all` finalises
//! them at a soft reset (the board runs no `__del__` of user classes).
//!
//! The runtime's own `finalize_modules` does the same with two more passes of
//! the collector, each over every object of the process: a fifth of a boot.

use rustpython_vm::builtins::{PyDict, PyDictRef, PyModule, PyType};
use rustpython_vm::gc_state::gc_state;
use rustpython_vm::{AsObject, Context, Interpreter, Py, PyObjectRef, PyRef, VirtualMachine};

/// Empties what `vm` made: the files still open are closed, then `globals`
/// (where `main.py` and the REPL ran), every module in `sys.modules` (in the
/// reverse order of their imports), `sys` and `builtins`, then every closure
/// cell and the namespace of every class the scripts defined.
pub fn clear(globals: &PyDictRef, vm: &VirtualMachine) {
    close_files(vm);
    globals.clear();
    let modules: Vec<PyObjectRef> = vm
        .sys_module
        .get_attr("modules", vm)
        .ok()
        .and_then(|modules| modules.downcast::<PyDict>().ok())
        .map(|modules| {
            let values = modules.values_vec();
            modules.clear();
            values
        })
        .unwrap_or_default();
    let (builtins, sys) = (vm.builtins.dict(), vm.sys_module.dict());
    for module in modules.iter().rev() {
        if let Some(module) = module.downcast_ref::<PyModule>() {
            let dict = module.dict();
            if !dict.is(&builtins) && !dict.is(&sys) {
                dict.clear();
            }
        }
    }
    drop(modules);
    sys.clear();
    builtins.clear();
    for object in gc_state().get_objects(None) {
        if object.class().is(vm.ctx.types.cell_type) {
            let _ = object.del_attr("cell_contents", vm);
        } else if let Some(class) = object.downcast_ref::<PyType>()
            && defined_in_python(class, vm)
        {
            let attributes = std::mem::take(&mut *class.attributes.write());
            drop(attributes);
        }
    }
}

/// Closes the files the scripts left open (`files.close_all`), while the
/// module that writes them back still has its namespace.
fn close_files(vm: &VirtualMachine) {
    let close_all = vm
        .sys_module
        .get_attr("modules", vm)
        .and_then(|modules| modules.get_item(crate::prelude::FILES, vm))
        .and_then(|files| files.get_attr("close_all", vm));
    if let Ok(close_all) = close_all {
        let _ = close_all.call((), vm);
    }
}

/// Whether `class` was made by a `class` statement (it has Python methods):
/// such a class belongs to one interpreter, unlike the heap types RustPython
/// keeps for the whole process (e.g. `ExceptionGroup`).
fn defined_in_python(class: &PyType, vm: &VirtualMachine) -> bool {
    let types = &vm.ctx.types;
    let python_made = [types.function_type, types.classmethod_type, types.staticmethod_type, types.property_type];
    class.heaptype_ext.is_some()
        && class.attributes.read().values().any(|value| python_made.iter().any(|t| value.class().is(*t)))
}

/// Drops `interpreter` (which [`clear`] emptied), collects what is left of it
/// and forgets its classes in the lists of subclasses of the built-in types
/// (which RustPython prunes only in `__subclasses__()`, and walks when a type
/// changes).
pub fn free(interpreter: Interpreter) {
    drop(interpreter);
    gc_state().collect_force(2);
    forget_dead_subclasses(Context::genesis().types.object_type);
}

fn forget_dead_subclasses(class: &Py<PyType>) {
    let alive: Vec<PyRef<PyType>> = {
        let mut subclasses = class.subclasses.write();
        subclasses.retain(|weak| weak.upgrade().is_some());
        subclasses.iter().filter_map(|weak| weak.upgrade()?.downcast().ok()).collect()
    };
    for subclass in alive {
        forget_dead_subclasses(&subclass);
    }
}
