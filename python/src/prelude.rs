//! Makes a fresh interpreter look like the board's MicroPython: `sys` facts,
//! `u`-aliases, builtins, and a few helpers easier written in Python.

use pycom_board::BoardModel;
use rustpython_vm::compiler::Mode;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use crate::modules;

/// Name under which the helpers are registered in `sys.modules`.
pub(crate) const HELPERS: &str = "_pycom_emu";

/// Helpers written in Python.
const HELPER_SOURCE: &str = r#"
class _AttrTuple(tuple):
    _fields = ()
    def __getattr__(self, name):
        fields = type(self)._fields
        if name in fields:
            return self[fields.index(name)]
        raise AttributeError(name)
    def __repr__(self):
        return '(' + ', '.join('%s=%r' % pair for pair in zip(type(self)._fields, self)) + ')'

def attrtuple(fields, values):
    return type('attrtuple', (_AttrTuple,), {'_fields': tuple(fields)})(values)

class Unwind(BaseException):
    pass
"#;

/// Name under which `open()` and the `/flash` importer are registered.
pub(crate) const FILES: &str = "_pycom_emu_files";

/// `open()`, its file objects and the importer of modules on `/flash`.
const FILES_SOURCE: &str = include_str!("files.py");

/// The module of `open()` and the `/flash` importer, made on its first use
/// (most boots of a deep-sleeping node open no file and import no module of
/// their own).
pub(crate) fn files(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    match vm.sys_module.get_attr("modules", vm)?.get_item(FILES, vm) {
        Ok(module) => Ok(module),
        Err(_) => helper_module(FILES, FILES_SOURCE, vm),
    }
}

fn helpers(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    crate::import_guard::import_hidden(HELPERS, vm)
}

/// Runs `source` as module `name`, registered in `sys.modules` so that the
/// end of the boot empties its namespace with the others'.
fn helper_module(name: &str, source: &str, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    let dict = vm.ctx.new_dict();
    let module: PyObjectRef = vm.new_module(name, dict.clone(), None).into();
    vm.sys_module.get_attr("modules", vm)?.set_item(name, module.clone(), vm)?;
    let code = crate::code_cache::compile(source, Mode::Exec, &format!("<pycom-emu {name}>"), vm.compile_opts(), vm)
        .map_err(|e| vm.new_syntax_error(&e, Some(source)))?;
    vm.run_code_obj(code, rustpython_vm::scope::Scope::with_builtins(None, dict, vm))?;
    Ok(module)
}

/// Builds a MicroPython attribute tuple (`os.uname()`, `sys.implementation`).
pub fn attrtuple(fields: Vec<(&str, PyObjectRef)>, vm: &VirtualMachine) -> PyResult {
    let (names, values): (Vec<PyObjectRef>, Vec<PyObjectRef>) =
        fields.into_iter().map(|(name, value)| (vm.ctx.new_str(name).into(), value)).unzip();
    let make = helpers(vm)?.get_attr("attrtuple", vm)?;
    make.call((vm.ctx.new_tuple(names), vm.ctx.new_tuple(values)), vm)
}

/// The board prints no warnings (its build has `MICROPY_WARNINGS` off), so
/// the runtime's `SyntaxWarning`s and `DeprecationWarning`s are ignored:
/// a filter ahead of the defaults ignores every `Warning`.
fn silence_warnings(vm: &VirtualMachine) {
    let ctx = &vm.ctx;
    let ignore_all = ctx.new_tuple(vec![
        ctx.new_str("ignore").into(),
        ctx.none(),
        ctx.exceptions.warning.to_owned().into(),
        ctx.none(),
        ctx.new_int(0).into(),
    ]);
    vm.state.warnings.filters.borrow_vec_mut().insert(0, ignore_all.into());
    vm.state.warnings.filters_mutated();
}

/// Registers the helpers and the board's import, and patches `sys` and `builtins`.
pub fn install(vm: &VirtualMachine, model: BoardModel) -> PyResult<()> {
    let sys_modules = vm.sys_module.get_attr("modules", vm)?;
    // First, so that the imports below make the board's modules directly.
    crate::import_guard::install(vm, model.has(pycom_board::Radio::Lte))?;

    let module = helper_module(HELPERS, HELPER_SOURCE, vm)?;
    crate::nesting::guard_builtins(&module, vm)?;
    let unwind = module.get_attr("Unwind", vm)?.downcast().map_err(|_| vm.new_type_error("Unwind"))?;
    crate::state::with(|s| s.unwind_type = Some(unwind));

    modules::sys::install(vm, model)?;

    let micropython = vm.import("micropython", 0)?;
    vm.builtins.set_attr("const", micropython.get_attr("const", vm)?, vm)?;
    let open =
        vm.new_function("open", |args: FuncArgs, vm: &VirtualMachine| files(vm)?.get_attr("open", vm)?.call(args, vm));
    vm.builtins.set_attr("open", open, vm)?;

    if !model.has(pycom_board::Radio::Sigfox) {
        // `sigfox_info` exists only in LoPy4, SiPy and FiPy builds.
        vm.import("pycom", 0)?.del_attr("sigfox_info", vm)?;
    }

    // RustPython's start-up imported its own single-threaded `_thread`: the
    // board's replaces it.
    sys_modules.del_item("_thread", vm)?;
    vm.import("_thread", 0)?;

    // The other modules and their second names are made on their first
    // import (`import_guard`); `sys` exists already.
    let sys = vm.sys_module.clone().into();
    crate::import_guard::add_alias("sys", &sys, vm)?;
    silence_warnings(vm);
    crate::traceback::install_exception_str(vm);
    crate::bytes_quirks::install(vm);
    crate::board_methods::install(vm);
    crate::number_quirks::install(vm);
    crate::float_repr::install(vm);
    crate::module_repr::install(vm);
    crate::module_attrs::install(vm);
    crate::class_repr::install(vm);
    crate::exception_repr::install(vm);
    Ok(())
}
