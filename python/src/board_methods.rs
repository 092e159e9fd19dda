//! The builtin types' methods as the firmware has them.
//!
//! MicroPython 1.11, as the firmware v1.20.2 builds it, gives its builtin
//! types far fewer methods than CPython: a `str` has no `center`,
//! `partition`, `splitlines`, `zfill` or `title` (`MICROPY_PY_BUILTINS_STR_*`
//! are off in `esp32/mpconfigport.h`), a `bytearray` has only `append`,
//! `extend` and `decode`, an `int` only `from_bytes` and `to_bytes`, a
//! `float` none. A program that calls one of the others runs here but fails on
//! the board with `AttributeError: 'str' object has no attribute 'center'`,
//! so scripts get that error here too.
//!
//! The runtime's methods stay in the types (the runtime's own Python code and
//! the emulator's frozen modules use some of them), each one the board lacks
//! behind a descriptor ([`HiddenMethod`]) that answers the board's
//! `AttributeError` when the innermost Python frame is a script's
//! ([`crate::import_guard::from_script`]), so `hasattr('', 'center')` is
//! False, and gives the runtime's method otherwise. Methods the board has are
//! untouched, so their calls keep the runtime's fast path. Special methods
//! (`__len__`, ...) are not affected.
//!
//! Source: the `locals_dict` tables of `py/objstrunicode.c`, `objstr.c`,
//! `objarray.c`, `objint.c`, `objfloat.c`, `objlist.c`, `objdict.c`,
//! `objset.c`, `objtuple.c`, `objcomplex.c` and `objrange.c` of
//! pycom/pycom-micropython-sigfox v1.20.2.

use std::cell::Cell;

use rustpython_vm::builtins::PyType;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::types::GetDescriptor;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::import_guard::from_script;

/// What the board's `str` and `bytes` have (`MICROPY_PY_BUILTINS_STR_CENTER`,
/// `_PARTITION` and `_SPLITLINES` are off): one table, with `encode` for a
/// `str` and `decode` for `bytes` (neither runtime type has the other).
const TEXT: &[&str] = &[
    "encode",
    "decode",
    "find",
    "rfind",
    "index",
    "rindex",
    "join",
    "split",
    "rsplit",
    "startswith",
    "endswith",
    "strip",
    "lstrip",
    "rstrip",
    "format",
    "replace",
    "count",
    "lower",
    "upper",
    "isspace",
    "isalpha",
    "isdigit",
    "isupper",
    "islower",
];

/// The board's `set` (and, of them, the non-mutating ones of `frozenset`).
const SET: &[&str] = &[
    "add",
    "clear",
    "copy",
    "difference",
    "difference_update",
    "discard",
    "intersection",
    "intersection_update",
    "isdisjoint",
    "issubset",
    "issuperset",
    "pop",
    "remove",
    "symmetric_difference",
    "symmetric_difference_update",
    "union",
    "update",
];

/// Each builtin type with the methods the board gives it.
fn board_tables(vm: &VirtualMachine) -> [(&'static Py<PyType>, &'static [&'static str]); 13] {
    let types = &vm.ctx.types;
    [
        (types.str_type, TEXT),
        (types.bytes_type, TEXT),
        (types.bytearray_type, &["append", "extend", "decode"]),
        (types.memoryview_type, &[]),
        (types.int_type, &["from_bytes", "to_bytes"]),
        (types.float_type, &[]),
        (types.complex_type, &[]),
        (
            types.list_type,
            &["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"],
        ),
        (
            types.dict_type,
            &["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"],
        ),
        (types.set_type, SET),
        (types.frozenset_type, SET),
        (types.tuple_type, &["count", "index"]),
        (types.range_type, &[]),
    ]
}

thread_local! {
    /// Whether this thread's builtin types have their methods hidden: the
    /// types (RustPython's context) are the thread's, shared by every
    /// interpreter it runs, and what is hidden holds no interpreter's state.
    static HIDDEN: Cell<bool> = const { Cell::new(false) };
}

/// Hides from scripts the builtin types' methods the board lacks (see the
/// module doc), once per thread. `bytes_quirks` rebuilds only methods the
/// board has, so it never undoes this.
pub fn install(vm: &VirtualMachine) {
    if HIDDEN.replace(true) {
        return;
    }
    HiddenMethod::make_static_type();
    for (class, board) in board_tables(vm) {
        for def in class.slots.methods {
            if !def.name.starts_with("__") && !board.contains(&def.name) {
                let hidden = HiddenMethod { method: def.to_proper_method(class, &vm.ctx), name: def.name };
                class.set_attr(vm.ctx.intern_str(def.name), hidden.into_ref(&vm.ctx).into());
            }
        }
    }
}

/// A method of a builtin type that the board's type lacks: invisible to
/// scripts, the runtime's method to the runtime's and the emulator's code.
#[pyclass(module = false, name = "hidden_method")]
#[derive(Debug, PyPayload)]
struct HiddenMethod {
    /// The runtime's method (a method, class method or static method).
    method: PyObjectRef,
    name: &'static str,
}

#[pyclass(with(GetDescriptor))]
impl HiddenMethod {}

impl GetDescriptor for HiddenMethod {
    fn descr_get(
        zelf: PyObjectRef,
        obj: Option<PyObjectRef>,
        cls: Option<PyObjectRef>,
        vm: &VirtualMachine,
    ) -> PyResult {
        let zelf = Self::_as_pyref(&zelf, vm)?;
        if from_script(vm) {
            let message = match obj.as_ref().filter(|obj| !vm.is_none(obj)) {
                Some(obj) => format!("'{}' object has no attribute '{}'", obj.class().name(), zelf.name),
                None => {
                    let owner =
                        cls.as_ref().and_then(|cls| cls.downcast_ref::<PyType>()).map(|cls| cls.name().to_string());
                    format!("type object '{}' has no attribute '{}'", owner.unwrap_or_default(), zelf.name)
                }
            };
            return Err(vm.new_attribute_error(message));
        }
        match zelf.method.class().slots.descr_get.load() {
            Some(get) => get(zelf.method.clone(), obj, cls, vm),
            None => Ok(zelf.method.clone()),
        }
    }
}
