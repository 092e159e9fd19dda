//! Argument checks and conversions with MicroPython's exact error texts.

use rustpython_vm::builtins::{PyBytes, PyFloat, PyInt, PyList, PyStr, PyTuple};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// Checks positional argument count like MicroPython's `MP_DEFINE_CONST_FUN_OBJ_*`
/// wrappers, and that no keyword arguments were passed.
pub fn arity(args: &FuncArgs, min: usize, max: usize, vm: &VirtualMachine) -> PyResult<()> {
    counted_arity(args, 0, min, max, vm)
}

/// [`arity`] for a method: MicroPython counts `self` in the error texts.
pub fn method_arity(args: &FuncArgs, min: usize, max: usize, vm: &VirtualMachine) -> PyResult<()> {
    counted_arity(args, 1, min, max, vm)
}

fn counted_arity(args: &FuncArgs, extra: usize, min: usize, max: usize, vm: &VirtualMachine) -> PyResult<()> {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error("function doesn't take keyword arguments"));
    }
    let (n, min, max) = (args.args.len() + extra, min + extra, max + extra);
    if min == max && n != min {
        return Err(vm.new_type_error(format!("function takes {min} positional arguments but {n} were given")));
    }
    if n < min {
        return Err(vm.new_type_error(format!("function missing {} required positional arguments", min - n)));
    }
    if n > max {
        return Err(vm.new_type_error(format!("function expected at most {max} arguments, got {n}")));
    }
    Ok(())
}

/// The optional single argument of a 0-1 argument function.
pub fn optional_arg(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
    arity(&args, 0, 1, vm)?;
    Ok(args.args.into_iter().next())
}

/// The Python type name MicroPython uses in conversion errors.
fn type_name(obj: &PyObjectRef) -> String {
    obj.class().name().to_string()
}

/// `mp_obj_get_int`: bool and int in the 32-bit machine word, else
/// `OverflowError` / `TypeError` as the firmware raises them.
pub fn get_int(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
    if let Some(int) = obj.downcast_ref::<PyInt>() {
        return i32::try_from(int.as_bigint())
            .map_err(|_| vm.new_overflow_error("overflow converting long int to machine word"));
    }
    Err(vm.new_type_error(format!("can't convert {} to int", type_name(obj))))
}

/// `mp_obj_get_int_truncated`: an int (or bool) cut to its low 64 bits, else `TypeError`.
pub fn get_int_truncated(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i64> {
    let int = obj
        .downcast_ref::<PyInt>()
        .ok_or_else(|| vm.new_type_error(format!("can't convert {} to int", type_name(obj))))?;
    let mut bytes = int.as_bigint().to_signed_bytes_le();
    let fill = if bytes.last().is_some_and(|b| b & 0x80 != 0) { 0xff } else { 0 };
    bytes.resize(8.max(bytes.len()), fill);
    let mut low = [0u8; 8];
    low.copy_from_slice(&bytes[..8]);
    Ok(i64::from_le_bytes(low))
}

/// `mp_obj_get_array`: the items of a tuple or list, else `TypeError`.
pub fn get_array(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Vec<PyObjectRef>> {
    if let Some(tuple) = obj.downcast_ref::<PyTuple>() {
        return Ok(tuple.as_slice().to_vec());
    }
    if let Some(list) = obj.downcast_ref::<PyList>() {
        return Ok(list.borrow_vec().to_vec());
    }
    Err(vm.new_type_error(format!("object '{}' isn't a tuple or list", type_name(obj))))
}

/// `mp_obj_get_array_fixed_n`: exactly `N` items of a tuple or list, else
/// `ValueError: tuple/list has wrong length`.
pub fn get_array_fixed<const N: usize>(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<[PyObjectRef; N]> {
    let items = get_array(obj, vm)?;
    let len = items.len();
    items.try_into().map_err(|_| vm.new_value_error(format!("tuple/list has wrong length: expected {N}, got {len}")))
}

/// `mp_obj_get_float`: int, bool or float.
pub fn get_float(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<f64> {
    if let Some(f) = obj.downcast_ref::<PyFloat>() {
        return Ok(f.to_f64());
    }
    if let Some(int) = obj.downcast_ref::<PyInt>() {
        // The board's floats are singles: the int is rounded to one.
        let single: f32 = int.as_bigint().to_string().parse().unwrap_or(f32::INFINITY);
        return Ok(f64::from(single));
    }
    Err(vm.new_type_error(format!("can't convert {} to float", type_name(obj))))
}

/// Python truthiness, as `mp_obj_is_true`.
pub fn truthy(obj: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
    obj.try_to_bool(vm)
}

/// The keyword arguments of a keyword-only function (`bootmgr`, `sigfox_info`):
/// positional arguments and unknown keywords are refused with MicroPython's texts.
pub fn keyword_only(
    args: FuncArgs,
    allowed: &[&str],
    vm: &VirtualMachine,
) -> PyResult<std::collections::HashMap<String, PyObjectRef>> {
    parse_args(args, &[], allowed, vm)
}

/// `mp_arg_parse_all`: arguments by name, with `positional` names taken from
/// positional arguments in order and `keyword` names only as keywords.
pub fn parse_args(
    args: FuncArgs,
    positional: &[&str],
    keyword: &[&str],
    vm: &VirtualMachine,
) -> PyResult<std::collections::HashMap<String, PyObjectRef>> {
    if args.args.len() > positional.len() {
        return Err(vm.new_type_error("extra positional arguments given"));
    }
    let mut out: std::collections::HashMap<String, PyObjectRef> =
        positional.iter().map(|name| (*name).to_owned()).zip(args.args).collect();
    for (name, value) in args.kwargs {
        if !positional.contains(&name.as_str()) && !keyword.contains(&name.as_str()) {
            return Err(vm.new_type_error("extra keyword arguments given"));
        }
        if out.insert(name.clone(), value).is_some() {
            return Err(vm.new_type_error(format!("function got multiple values for argument '{name}'")));
        }
    }
    Ok(out)
}

/// `mp_obj_str_get_str` as text: a str, or bytes read as UTF-8; else `TypeError`.
pub fn text_arg(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<String> {
    str_or_bytes(obj, vm).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// The bytes of a str or bytes argument, `None` for anything else.
pub fn text_bytes(obj: &PyObjectRef) -> Option<Vec<u8>> {
    if let Some(s) = obj.downcast_ref::<PyStr>() {
        return Some(s.as_bytes().to_vec());
    }
    obj.downcast_ref::<PyBytes>().map(|b| b.as_bytes().to_vec())
}

/// `mp_obj_str_get_data`: str or bytes, else `TypeError`.
pub fn str_or_bytes(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    text_bytes(obj)
        .ok_or_else(|| vm.new_type_error(format!("can't convert '{}' object to str implicitly", obj.class().name())))
}
