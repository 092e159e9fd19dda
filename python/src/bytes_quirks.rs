//! MicroPython's quirks of `bytes`, `bytearray` and `str` that programs
//! written on the board rely on.
//!
//! A `bytearray` keeps the low byte of an integer out of 0..256 (in its
//! constructor, item assignment and `append`: `bytearray([0x55AA])` is
//! `bytearray(b'\xaa')`), as the firmware stores it without a check; `bytes`
//! refuses one with `ValueError: bytes value out of range`.
//!
//! MicroPython reads a `str` as a buffer of its UTF-8 bytes wherever bytes
//! are read through the buffer protocol, and programs written on the board
//! rely on it: Pycom's LoRaWAN nano-gateway adds `"FFFE"` to the bytes of
//! `hexlify`, AT-modem code asks `"OK" in uart.read()`. The firmware takes:
//!
//! - `bytes + str` and `bytearray + str` (also `+=`); `str + bytes` stays a
//!   `TypeError`, as there;
//! - `str in bytes` and `str in bytearray`;
//! - `bytearray(str)` without an encoding, `memoryview(str)`;
//! - `bytes.startswith(str)`, `bytes.endswith(str)`, `bytearray.extend(str)`;
//! - `str` arguments of `bytes % args` (`b'%s' % 'x'` is `b'x'`).
//!
//! The other way round, `str.startswith` and `str.endswith` read a bytes
//! argument as text. `bytes(str)` without an encoding is the firmware's `TypeError: wrong number
//! of arguments`; the
//! bytes methods that the firmware does not let read a `str` (`find`,
//! `split`, `replace`, ...), a `str` added to or searched for anything but a
//! `str` raise the firmware's `TypeError: can't convert 'T' object to str
//! implicitly` (or `... to bytes implicitly`), and a memoryview prints as
//! `<memoryview>`. The builtin types are shared by every interpreter of
//! a thread (RustPython without its threading feature keeps its context in
//! a thread-local: each board of a fleet, on a thread of its own, has its
//! own), so the slots are wrapped once per thread and the methods are built
//! from the types' static method tables, never from what an earlier boot
//! left.

use std::cell::OnceCell;

use rustpython_vm::builtins::{PyInt, PyList, PyStr, PyTuple, PyType, PyTypeRef};
use rustpython_vm::function::{FuncArgs, PyMethodDef};
use rustpython_vm::protocol::{PyMapping, PySequence};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, TryFromBorrowedObject, VirtualMachine};

/// A sequence slot taking an operand: `concat`, `inplace_concat`.
type OperandFn = fn(PySequence<'_>, &PyObject, &VirtualMachine) -> PyResult;
/// The `contains` sequence slot.
type ContainsFn = fn(PySequence<'_>, &PyObject, &VirtualMachine) -> PyResult<bool>;
/// A binary number slot (`remainder`).
type BinaryFn = fn(&PyObject, &PyObject, &VirtualMachine) -> PyResult;
/// The `__init__` slot.
type InitFn = fn(PyObjectRef, FuncArgs, &VirtualMachine) -> PyResult<()>;
/// The mapping slot that assigns `obj[key] = value` (or deletes).
type AssSubscriptFn = fn(PyMapping<'_>, &PyObject, Option<PyObjectRef>, &VirtualMachine) -> PyResult<()>;
/// The `__new__` slot.
type NewFn = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// The bytes of `obj` if it is a `str`.
fn str_bytes(obj: &PyObject, vm: &VirtualMachine) -> Option<PyObjectRef> {
    obj.downcast_ref::<PyStr>().map(|s| vm.ctx.new_bytes(s.as_bytes().to_vec()).into())
}

/// `obj` as the firmware's buffer protocol reads it: a `str` becomes its bytes.
fn as_buffer(obj: &PyObject, vm: &VirtualMachine) -> PyObjectRef {
    str_bytes(obj, vm).unwrap_or_else(|| obj.to_owned())
}

/// Where this thread's original of one slot is kept; one type per wrapped slot.
trait Original<F: Copy + 'static> {
    /// Runs `f` on this thread's cell.
    fn with<R>(f: impl FnOnce(&OnceCell<F>) -> R) -> R;

    /// The original slot, saved when it was wrapped.
    fn get() -> F {
        Self::with(|cell| *cell.get().expect("wrapped after saving"))
    }
}

macro_rules! original_slot {
    ($name:ident, $fn:ty) => {
        #[doc = concat!("The original `", stringify!($name), "` slot.")]
        struct $name;
        impl Original<$fn> for $name {
            fn with<R>(f: impl FnOnce(&OnceCell<$fn>) -> R) -> R {
                thread_local! {
                    static CELL: OnceCell<$fn> = const { OnceCell::new() };
                }
                CELL.with(f)
            }
        }
    };
}

original_slot!(BytesConcat, OperandFn);
original_slot!(ByteArrayConcat, OperandFn);
original_slot!(ByteArrayInplaceConcat, OperandFn);
original_slot!(BytesContains, ContainsFn);
original_slot!(ByteArrayContains, ContainsFn);
original_slot!(BytesRemainder, BinaryFn);
original_slot!(StrConcat, OperandFn);
original_slot!(StrContains, ContainsFn);
original_slot!(ByteArrayInit, InitFn);
original_slot!(MemoryViewNew, NewFn);
original_slot!(BytesNew, NewFn);
original_slot!(ByteArrayAssSubscript, AssSubscriptFn);

fn operand<O: Original<OperandFn>>(seq: PySequence<'_>, other: &PyObject, vm: &VirtualMachine) -> PyResult {
    let original = O::get();
    if std::ptr::eq(other, seq.obj) {
        // `ba += ba` reads a copy, as the firmware does, rather than failing
        // to resize a buffer it is reading.
        let copy = rustpython_vm::function::ArgBytesLike::try_from_borrowed_object(vm, other)?.borrow_buf().to_vec();
        return original(seq, &PyObjectRef::from(vm.ctx.new_bytes(copy)), vm);
    }
    original(seq, &as_buffer(other, vm), vm)
}

fn contains<O: Original<ContainsFn>>(seq: PySequence<'_>, needle: &PyObject, vm: &VirtualMachine) -> PyResult<bool> {
    let original = O::get();
    original(seq, &as_buffer(needle, vm), vm)
}

/// The firmware's error for an operand it cannot read as `to`.
fn cannot_convert(obj: &PyObject, to: &str, vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_type_error(format!("can't convert '{}' object to {to} implicitly", obj.class().name()))
}

fn str_concat(seq: PySequence<'_>, other: &PyObject, vm: &VirtualMachine) -> PyResult {
    if other.downcast_ref::<PyStr>().is_none() {
        return Err(cannot_convert(other, "str", vm));
    }
    let original = StrConcat::get();
    original(seq, other, vm)
}

fn str_contains(seq: PySequence<'_>, needle: &PyObject, vm: &VirtualMachine) -> PyResult<bool> {
    if needle.downcast_ref::<PyStr>().is_none() {
        return Err(cannot_convert(needle, "str", vm));
    }
    let original = StrContains::get();
    original(seq, needle, vm)
}

/// `bytes % args`: a `str` argument, alone or in the tuple, formats as its bytes.
fn remainder(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let original = BytesRemainder::get();
    match b.downcast_ref::<PyTuple>() {
        Some(items) if items.iter().any(|item| item.downcast_ref::<PyStr>().is_some()) => {
            let items: Vec<PyObjectRef> = items.iter().map(|item| as_buffer(item, vm)).collect();
            original(a, &PyObjectRef::from(vm.ctx.new_tuple(items)), vm)
        }
        _ => original(a, &as_buffer(b, vm), vm),
    }
}

/// The first positional argument as a buffer, when it is the only argument.
fn sole_str_as_buffer(mut args: FuncArgs, vm: &VirtualMachine) -> FuncArgs {
    if args.args.len() == 1
        && args.kwargs.is_empty()
        && let Some(bytes) = str_bytes(&args.args[0], vm)
    {
        args.args[0] = bytes;
    }
    args
}

/// `value` with only its low byte when it is an integer, as the firmware
/// stores a byte.
fn low_byte(value: &PyObject, vm: &VirtualMachine) -> PyObjectRef {
    if value.downcast_ref::<PyInt>().is_some()
        && let Ok(low) = vm._and(value, vm.ctx.new_int(0xFF).as_object())
    {
        return low;
    }
    value.to_owned()
}

/// The items of a list or tuple, if `obj` is one.
fn list_items(obj: &PyObject) -> Option<Vec<PyObjectRef>> {
    match (obj.downcast_ref::<PyList>(), obj.downcast_ref::<PyTuple>()) {
        (Some(list), _) => Some(list.borrow_vec().to_vec()),
        (_, Some(tuple)) => Some(tuple.as_slice().to_vec()),
        _ => None,
    }
}

fn bytearray_init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let original = ByteArrayInit::get();
    let mut args = sole_str_as_buffer(args, vm);
    if args.args.len() == 1
        && args.kwargs.is_empty()
        && let Some(items) = list_items(&args.args[0])
    {
        let items: Vec<PyObjectRef> = items.iter().map(|item| low_byte(item, vm)).collect();
        args.args[0] = vm.ctx.new_list(items).into();
    }
    original(zelf, args, vm)
}

/// `bytearray[i] = value` keeps the low byte of an integer.
fn bytearray_ass_subscript(
    mapping: PyMapping<'_>,
    key: &PyObject,
    value: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let original = ByteArrayAssSubscript::get();
    original(mapping, key, value.map(|value| low_byte(&value, vm)), vm)
}

fn memoryview_new(cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let original = MemoryViewNew::get();
    original(cls, sole_str_as_buffer(args, vm), vm)
}

/// `bytes(str)`: without an encoding the firmware counts the arguments wrong.
fn bytes_new(cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if args.args.len() == 1 && args.kwargs.is_empty() && args.args[0].downcast_ref::<PyStr>().is_some() {
        return Err(vm.new_type_error("wrong number of arguments"));
    }
    if let Some(items) = args.args.first().and_then(|arg| list_items(arg))
        && items
            .iter()
            .any(|item| item.downcast_ref::<PyInt>().is_some_and(|int| u8::try_from(int.as_bigint()).is_err()))
    {
        return Err(vm.new_value_error("bytes value out of range"));
    }
    let original = BytesNew::get();
    original(cls, args, vm)
}

/// Replaces a slot by `wrapper` once per thread, keeping the original in `O`.
fn wrap_slot<F: Copy + Send + Sync + 'static, O: Original<F>>(
    slot: &crossbeam_utils::atomic::AtomicCell<Option<F>>,
    wrapper: F,
) {
    let mut wrapped = false;
    O::with(|cell| {
        cell.get_or_init(|| {
            wrapped = true;
            slot.load().expect("the builtin type has this slot")
        });
    });
    if wrapped {
        slot.store(Some(wrapper));
    }
}

/// What a wrapped method does with an argument of the other string type.
#[derive(Clone, Copy)]
enum Other {
    /// A bytes method reads a `str` argument as its UTF-8 bytes.
    StrAsBytes,
    /// A str method reads a bytes argument as text.
    BytesAsStr,
    /// A bytes method refuses a `str` argument with the firmware's text.
    RefuseStr,
    /// A bytearray method keeps the low byte of an integer argument.
    LowByte,
}

impl Other {
    fn convert(self, arg: &PyObject, vm: &VirtualMachine) -> PyResult {
        match self {
            Other::StrAsBytes => Ok(as_buffer(arg, vm)),
            Other::BytesAsStr => Ok(match arg.downcast_ref::<rustpython_vm::builtins::PyBytes>() {
                Some(bytes) => vm.ctx.new_str(String::from_utf8_lossy(bytes.as_bytes()).into_owned()).into(),
                None => arg.to_owned(),
            }),
            Other::RefuseStr if arg.downcast_ref::<PyStr>().is_some() => Err(cannot_convert(arg, "bytes", vm)),
            Other::RefuseStr => Ok(arg.to_owned()),
            Other::LowByte => Ok(low_byte(arg, vm)),
        }
    }
}

/// Gives `class.name` a version that treats arguments of the other string
/// type as `other` says, then calls the type's own method from its static
/// method table.
fn wrap_method(class: &'static Py<PyType>, name: &'static str, other: Other, vm: &VirtualMachine) {
    let Some(def) = class.slots.methods.iter().find(|def| def.name == name) else {
        return;
    };
    let def: &'static PyMethodDef = def;
    let method = vm.new_method(name, class, move |mut args: FuncArgs, vm: &VirtualMachine| {
        for arg in args.args.iter_mut().skip(1) {
            *arg = other.convert(arg, vm)?;
        }
        (def.func)(vm, args)
    });
    class.set_attr(vm.ctx.intern_str(name), method.into());
}

/// Bytes methods that refuse a `str` argument on the board.
const REFUSING_STR: &[&str] = &[
    "count",
    "find",
    "index",
    "replace",
    "rfind",
    "rindex",
    "rsplit",
    "rstrip",
    "split",
    "strip",
    "lstrip",
];

/// `repr(memoryview)`, as the firmware prints it.
fn memoryview_repr(_zelf: &PyObject, vm: &VirtualMachine) -> PyResult<rustpython_vm::PyRef<PyStr>> {
    Ok(vm.ctx.new_str("<memoryview>"))
}

/// Lets the builtin types read a `str` where the firmware does.
pub fn install(vm: &VirtualMachine) {
    let types = &vm.ctx.types;
    let bytes = &types.bytes_type.slots;
    let bytearray = &types.bytearray_type.slots;
    wrap_slot::<OperandFn, BytesConcat>(&bytes.as_sequence.concat, operand::<BytesConcat>);
    wrap_slot::<OperandFn, ByteArrayConcat>(&bytearray.as_sequence.concat, operand::<ByteArrayConcat>);
    wrap_slot::<OperandFn, ByteArrayInplaceConcat>(
        &bytearray.as_sequence.inplace_concat,
        operand::<ByteArrayInplaceConcat>,
    );
    wrap_slot::<ContainsFn, BytesContains>(&bytes.as_sequence.contains, contains::<BytesContains>);
    wrap_slot::<ContainsFn, ByteArrayContains>(&bytearray.as_sequence.contains, contains::<ByteArrayContains>);
    wrap_slot::<BinaryFn, BytesRemainder>(&bytes.as_number.remainder, remainder);
    wrap_slot::<InitFn, ByteArrayInit>(&bytearray.init, bytearray_init);
    wrap_slot::<NewFn, BytesNew>(&types.bytes_type.slots.new, bytes_new);
    wrap_slot::<NewFn, MemoryViewNew>(&types.memoryview_type.slots.new, memoryview_new);
    wrap_slot::<OperandFn, StrConcat>(&types.str_type.slots.as_sequence.concat, str_concat);
    wrap_slot::<ContainsFn, StrContains>(&types.str_type.slots.as_sequence.contains, str_contains);
    types.memoryview_type.slots.repr.store(Some(memoryview_repr));
    for name in ["startswith", "endswith"] {
        wrap_method(types.bytes_type, name, Other::StrAsBytes, vm);
        wrap_method(types.str_type, name, Other::BytesAsStr, vm);
    }
    wrap_method(types.bytearray_type, "extend", Other::StrAsBytes, vm);
    wrap_method(types.bytearray_type, "append", Other::LowByte, vm);
    wrap_slot::<AssSubscriptFn, ByteArrayAssSubscript>(
        &types.bytearray_type.slots.as_mapping.ass_subscript,
        bytearray_ass_subscript,
    );
    for name in REFUSING_STR {
        wrap_method(types.bytes_type, name, Other::RefuseStr, vm);
    }
}
