//! Board modules written in Python and compiled into the binary.
//!
//! Each one is an ordinary native module definition (registered with the
//! others in [`crate::modules::defs`]) whose exec slot compiles the embedded
//! source and runs it in the fresh module's namespace. RustPython's builtin
//! importer calls that slot on the first `import`, so a script that does not
//! import the module pays nothing for it at start-up. Sources are compiled
//! as `<pycom-emu NAME>`, so, like the firmware's C modules, they may import
//! what scripts cannot (see `import_guard`) and leave no frames in tracebacks.

use rustpython_vm::builtins::PyModule;
use rustpython_vm::compiler::Mode;
use rustpython_vm::scope::Scope;
use rustpython_vm::{Py, PyResult, VirtualMachine};

/// Compiles `source` and runs it in `module`'s namespace.
fn exec(module: &Py<PyModule>, name: &str, source: &str, vm: &VirtualMachine) -> PyResult<()> {
    let code = vm
        .compile(source, Mode::Exec, format!("<pycom-emu {name}>"))
        .map_err(|e| vm.new_syntax_error(&e, Some(source)))?;
    vm.run_code_obj(code, Scope::with_builtins(None, module.dict(), vm)).map(drop)
}

/// Defines `pub mod $ident` holding the module definition of frozen module
/// `$name`, whose source is the file `$ident.py` next to this one.
macro_rules! frozen {
    ($ident:ident, $name:tt) => {
        #[rustpython_vm::pymodule(name = $name)]
        pub mod $ident {
            use rustpython_vm::builtins::PyModule;
            use rustpython_vm::{Py, PyResult, VirtualMachine};

            pub(crate) fn module_exec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
                __module_exec(vm, module);
                super::exec(module, $name, include_str!(concat!(stringify!($ident), ".py")), vm)
            }
        }
    };
}

/// Defines `pub mod $ident` holding the definition of module `$name`, a weak
/// link of `$target` (`select` for `uselect`): importing it imports the
/// target and takes its contents.
macro_rules! weak_link {
    ($ident:ident, $name:tt, $target:tt) => {
        #[rustpython_vm::pymodule(name = $name)]
        pub mod $ident {
            use rustpython_vm::builtins::PyModule;
            use rustpython_vm::{Py, PyResult, VirtualMachine};

            pub(crate) fn module_exec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
                __module_exec(vm, module);
                super::link(module, $target, vm)
            }
        }
    };
}

/// Fills `module` with the names of module `target` (imported if need be).
fn link(module: &Py<PyModule>, target: &'static str, vm: &VirtualMachine) -> PyResult<()> {
    let target = vm.import(target, 0)?;
    let names = target.dict().ok_or_else(|| vm.new_type_error("not a module"))?;
    let dict = module.dict();
    for (name, value) in &names {
        dict.set_item(&*name, value, vm)?;
    }
    Ok(())
}

frozen!(ucollections, "ucollections");
frozen!(uio, "uio");
frozen!(utimeq, "utimeq");
frozen!(uqueue, "uqueue");
frozen!(array, "array");
frozen!(uselect, "uselect");
frozen!(framebuf, "framebuf");
frozen!(uctypes, "uctypes");
weak_link!(queue, "queue", "uqueue");
weak_link!(select, "select", "uselect");
