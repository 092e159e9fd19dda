//! The end of a boot: frees everything the boot's interpreter made.
//!
//! RustPython 0.5 frees objects by reference counting plus a cycle collector
//! that does not see every reference (a `classmethod`'s function, a closure's
//! tuple of cells, a function's builtins), so module namespaces, classes and
//! functions kept one another alive after their interpreter was dropped:
//! about 1.5 MB per boot. As CPython's finalisation does, the namespaces are
//! emptied first and closure cells and classes after them, which breaks every cycle
//! through them, and the collector then frees the rest. Objects with a
//! finaliser (`__del__`, e.g. unclosed files) are finalised here, as
//! MicroPython's `gc_sweep_all` does at a soft reset.

use rustpython_vm::builtins::{PyDict, PyDictRef, PyType};
use rustpython_vm::gc_state::gc_state;
use rustpython_vm::{AsObject, Context, Interpreter, Py, PyObjectRef, PyRef, VirtualMachine};

/// Empties what `vm` made: `globals` (where `main.py` and the REPL ran), every
/// module in `sys.modules`, `sys` and `builtins`, then every closure cell and
/// the namespace of every class the scripts defined.
pub fn clear(globals: &PyDictRef, vm: &VirtualMachine) {
    globals.clear();
    // Held here so that finalize_modules empties modules that nothing else
    // references (it only finds them through weak references).
    let modules: Vec<PyObjectRef> = vm
        .sys_module
        .get_attr("modules", vm)
        .ok()
        .and_then(|modules| modules.downcast::<PyDict>().ok())
        .map(|modules| modules.values_vec())
        .unwrap_or_default();
    vm.finalize_modules();
    drop(modules);
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
