//! Imports as the board does them: a script sees only the board's modules.
//!
//! The rule: an `import` is checked when the code doing it is the user's,
//! that is when the innermost Python frame was compiled from a script, the
//! REPL, or a module on `/flash` or `/sd`. It is not checked when that code is
//! the emulator's own ([`is_emulator_code`]: Python compiled under a source
//! name beginning with `<pycom-emu`, such as the helpers registered by
//! `prelude::helper_module`, and the runtime's frozen import machinery), nor
//! when no Python frame runs (Rust code during the prelude). So frozen modules
//! written in Python for the emulator may import anything (`_collections`,
//! `_io`, `_sre`, ...): register them with `prelude::helper_module`, which
//! compiles them as `<pycom-emu NAME>`. Rust code that imports a module the
//! board lacks while a script may be running (from a native function a script
//! calls) uses [`import_hidden`] instead of `vm.import`.
//!
//! A checked import of a top-level name that is neither on the board
//! ([`crate::modules::board_modules`]) nor a module on the filesystem raises
//! `ImportError: no module named 'x'`. A module on the filesystem wins over a
//! runtime module of the same name the board lacks (`/flash/lib/functools.py`).
//! Errors read as MicroPython's: `no module named 'x'` (there is no
//! `ModuleNotFoundError` on the board) and `cannot import name y`.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyStr};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

use crate::modules::{self, board_modules};

/// Source names of the emulator's own Python code: built into the firmware in
/// C on a board, so it has no frames in tracebacks and imports what it needs.
const EMULATOR_SOURCES: &str = "<pycom-emu";

/// Source names of the runtime's frozen modules: its import machinery and
/// the codecs it loads on the first `encode`/`decode`.
const RUNTIME_SOURCES: [&str; 5] =
    ["_frozen_importlib", "_frozen_importlib_external", "codecs", "encodings_ascii", "encodings_utf_8"];

/// Whether code compiled from `source_path` is the emulator's own (see the module doc).
pub fn is_emulator_code(source_path: &str) -> bool {
    source_path.starts_with(EMULATOR_SOURCES) || RUNTIME_SOURCES.contains(&source_path)
}

/// Replaces `builtins.__import__` with the board's; `lte` boards have the
/// frozen LTE modules.
pub fn install(vm: &VirtualMachine, lte: bool) -> PyResult<()> {
    let guarded = vm.new_function("__import__", move |args: FuncArgs, vm: &VirtualMachine| import(args, lte, vm));
    vm.builtins.set_attr("__import__", guarded, vm)
}

/// Imports `name` for the emulator's own Rust code, whether the board has it or not.
pub fn import_hidden(name: &str, vm: &VirtualMachine) -> PyResult {
    make_native(name, 0, vm)?;
    vm.import_func.call((vm.ctx.new_str(name), vm.ctx.none(), vm.ctx.none(), vm.ctx.empty_tuple.clone(), 0), vm)
}

/// Whether the innermost running Python code is the user's.
pub(crate) fn from_script(vm: &VirtualMachine) -> bool {
    vm.current_frame().is_some_and(|frame| !is_emulator_code(frame.code.source_path().as_str()))
}

fn import(args: FuncArgs, lte: bool, vm: &VirtualMachine) -> PyResult {
    let arg = |index: usize, key: &str| args.args.get(index).or_else(|| args.kwargs.get(key)).cloned();
    let name = arg(0, "name").ok_or_else(|| vm.new_type_error("__import__() missing required argument 'name'"))?;
    let name = name.downcast::<PyStr>().map_err(|_| vm.new_type_error("__import__() argument 1 must be str"))?;
    let level = match arg(4, "level") {
        Some(level) => level.try_index(vm)?.as_bigint().try_into().unwrap_or(1u32),
        None => 0,
    };
    let name = name.as_wtf8().to_string();
    if !from_script(vm) {
        make_native(&name, level, vm)?;
        return vm.import_func.call(args, vm);
    }
    if level == 0 {
        let top = name.split('.').next().unwrap_or_default();
        if !board_modules::on_board(top, lte) && !on_filesystem(top, vm)? {
            return Err(no_module(&name, vm));
        }
    }
    make_native(&name, level, vm)?;
    let fromlist = arg(3, "fromlist");
    let module = vm.import_func.call(args, vm).map_err(|e| as_micropython(e, vm))?;
    crate::module_attrs::seal(&module);
    for wanted in fromlist
        .filter(|f| !vm.is_none(f))
        .map(|f| f.try_to_value::<Vec<PyObjectRef>>(vm))
        .transpose()?
        .unwrap_or_default()
    {
        let wanted = wanted.str(vm)?;
        if wanted.as_wtf8() != "*" && module.get_attr(&wanted, vm).is_err() {
            return Err(vm.new_import_error(format!("cannot import name {}", wanted.as_wtf8()), wanted));
        }
    }
    Ok(module)
}

/// Makes module `name` at once when it is one of the Rust modules (the
/// runtime's or the board's) and not made yet, as a board's built-in module is
/// there without a search. The runtime's `importlib` would first ask each
/// finder of `sys.meta_path` in Python: that was a sixth of every boot. A
/// module on the filesystem that must win over a runtime module was loaded
/// before this by [`on_filesystem`].
/// A second name (`utime`, `json`) makes its module and registers both.
/// `_pycom_emu_files` is the emulator's module of files, also made on first use.
fn make_native(name: &str, level: u32, vm: &VirtualMachine) -> PyResult<()> {
    if level != 0 {
        return Ok(());
    }
    if name == crate::prelude::FILES {
        return crate::prelude::files(vm).map(drop);
    }
    let target = modules::ALIASES.iter().find(|(alias, _)| *alias == name).map_or(name, |(_, target)| *target);
    if !vm.state.module_defs.contains_key(target) || vm.sys_module.get_attr("modules", vm)?.get_item(name, vm).is_ok() {
        return Ok(());
    }
    let module = rustpython_vm::import::import_builtin(vm, target)?;
    add_alias(target, &module, vm)
}

/// Registers `module` (named `target`) under its second name, if it has one.
/// Where the board builds the module under its u-name (`umachine`, `uos`,
/// `utime`, `uerrno`), that is its `__name__` and the plain name only a weak
/// link: `print(machine)` shows `<module 'umachine'>`.
pub fn add_alias(target: &str, module: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let Some((alias, _)) = modules::ALIASES.iter().find(|(_, t)| *t == target) else { return Ok(()) };
    if board_modules::BUILTIN.contains(alias) {
        module.set_attr("__name__", vm.ctx.new_str(*alias), vm)?;
    }
    vm.sys_module.get_attr("modules", vm)?.set_item(*alias, module.clone(), vm)
}

/// Whether `name` is a module on the filesystem (`sys.path`), loading it
/// first when the runtime has a module of that name the board lacks.
fn on_filesystem(name: &str, vm: &VirtualMachine) -> PyResult<bool> {
    crate::prelude::files(vm)?.get_attr("user_module", vm)?.call((name,), vm)?.try_to_bool(vm)
}

fn no_module(name: &str, vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_import_error(format!("no module named '{name}'"), vm.ctx.new_str(name))
}

/// A `ModuleNotFoundError` of the runtime as the board's `ImportError`.
fn as_micropython(exc: PyBaseExceptionRef, vm: &VirtualMachine) -> PyBaseExceptionRef {
    if !exc.fast_isinstance(vm.ctx.exceptions.module_not_found_error) {
        return exc;
    }
    let name = exc.as_object().get_attr("name", vm).ok().filter(|n| !vm.is_none(n));
    let Some(name) = name.and_then(|n| n.str(vm).ok()) else { return exc };
    let converted = no_module(&name.as_wtf8().to_string(), vm);
    let traceback = exc.__traceback__().map_or_else(|| vm.ctx.none(), Into::into);
    match converted.set___traceback__(traceback, vm) {
        Ok(()) => converted,
        Err(_) => exc,
    }
}
