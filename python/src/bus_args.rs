//! What `machine.I2C` and `machine.SPI` share: their argument conversions
//! (`pins` tuples, bytes to send, buffers to fill) with the firmware's texts,
//! and letting a transfer's device time pass.

use rustpython_vm::builtins::PyInt;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use crate::args::{get_array, get_int};
use crate::buffer::{check_alloc, read_bytes};

/// The firmware's text for a bad bus argument.
pub(crate) const INVALID: &str = "invalid argument(s) value";
/// `mpexception_os_resource_not_avaliable`: no such bus.
pub(crate) const NO_SUCH_BUS: &str = "resource not available";

/// `mp_obj_get_array_fixed_n`: the `n` items of a tuple or list.
pub(crate) fn fixed_items(obj: &PyObjectRef, n: usize, vm: &VirtualMachine) -> PyResult<Vec<PyObjectRef>> {
    let items = get_array(obj, vm)?;
    if items.len() != n {
        return Err(vm.new_value_error(format!("requested length {n} but object has length {}", items.len())));
    }
    Ok(items)
}

/// The GPIO of a `pins` entry, as `pin_find` looks it up.
pub(crate) fn gpio(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<u8> {
    Ok(crate::modules::pin::find(obj, vm)?.gpio())
}

/// `pyb_buf_get_for_send`: an int is one byte, anything else a readable buffer.
pub(crate) fn bytes_to_send(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    if obj.downcast_ref::<PyInt>().is_some() {
        return Ok(vec![get_int(obj, vm)? as u8]);
    }
    read_bytes(obj, vm)
}

/// A byte count for a new buffer (`vstr_init_len`): the firmware's
/// `MemoryError` for what its heap cannot hold (a negative count included).
pub(crate) fn new_len(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
    let n = get_int(obj, vm)? as u32 as usize;
    check_alloc(n, vm)?;
    Ok(n)
}

/// A required argument, with `mp_arg_parse_all`'s text when it is missing.
pub(crate) fn required(
    args: &mut std::collections::HashMap<String, PyObjectRef>,
    name: &str,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    args.remove(name).ok_or_else(|| vm.new_type_error(format!("'{name}' argument required")))
}

/// An optional int argument (`MP_ARG_INT`) with its default.
pub(crate) fn int_or(
    args: &mut std::collections::HashMap<String, PyObjectRef>,
    name: &str,
    default: i32,
    vm: &VirtualMachine,
) -> PyResult<i32> {
    args.remove(name).map_or(Ok(default), |v| get_int(&v, vm))
}

/// Lets a transfer's device time pass (watchdog, deadline and pin handlers
/// included, as in any wait).
pub(crate) fn take_time(duration_us: u64, vm: &VirtualMachine) -> PyResult<()> {
    crate::modules::time::device_sleep(duration_us, vm)
}
