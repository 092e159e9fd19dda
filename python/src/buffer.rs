//! Byte arguments as MicroPython's `mp_get_buffer` takes them: anything with the
//! buffer protocol, and `str` (its UTF-8 bytes) for reading.

use rustpython_vm::builtins::PyStr;
use rustpython_vm::protocol::PyBuffer;
use rustpython_vm::{PyObjectRef, PyResult, TryFromBorrowedObject, VirtualMachine};

/// The firmware's text for an argument without the buffer protocol.
pub const NO_BUFFER: &str = "object with buffer protocol required";

/// The bytes of a readable buffer (`bytes`, `bytearray`, `memoryview`, `array`,
/// `str`), else `TypeError`.
pub fn read_bytes(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    if let Some(s) = obj.downcast_ref::<PyStr>() {
        return Ok(s.as_bytes().to_vec());
    }
    let buffer = PyBuffer::try_from_borrowed_object(vm, obj).map_err(|_| vm.new_type_error(NO_BUFFER))?;
    Ok(buffer.contiguous_or_collect(|bytes| bytes.to_vec()))
}

/// Runs `f` on the bytes of a writable contiguous buffer (`bytearray`, a
/// `memoryview` of one), else `TypeError`.
pub fn with_writable<R>(obj: &PyObjectRef, vm: &VirtualMachine, f: impl FnOnce(&mut [u8]) -> R) -> PyResult<R> {
    let buffer = PyBuffer::try_from_borrowed_object(vm, obj).map_err(|_| vm.new_type_error(NO_BUFFER))?;
    let mut bytes = buffer.as_contiguous_mut().ok_or_else(|| vm.new_type_error(NO_BUFFER))?;
    Ok(f(&mut bytes))
}

/// Refuses an allocation of `n` bytes that the board's MicroPython heap could
/// never hold (it holds the boot's objects besides), with the firmware's
/// `MemoryError`.
pub fn check_alloc(n: usize, vm: &VirtualMachine) -> PyResult<()> {
    if n >= crate::state::heap_usage().1 {
        return Err(vm.new_memory_error(format!("memory allocation failed, allocating {n} bytes")));
    }
    Ok(())
}
