//! Conversions and error texts of the firmware's `pycom.nvs_*` functions.

use pycom_board::nvs::NvsError;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt};
use rustpython_vm::common::wtf8::{CodePoint, Wtf8Buf};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

use crate::args::text_bytes;

/// Longest string `nvs_set` accepts is one byte less than this.
const MAX_STRING: usize = 1984;

/// What `nvs_set` stores.
pub enum NvsInput {
    /// An int, reduced modulo 2**32.
    U32(u32),
    /// A string (or bytes), cut at the first NUL as C sees it.
    Str(Vec<u8>),
}

/// The value of `nvs_set(key, value)`, checked as the firmware checks it.
pub fn value(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<NvsInput> {
    if let Some(mut bytes) = text_bytes(obj) {
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(nul);
        }
        if bytes.len() >= MAX_STRING {
            return Err(vm.new_value_error(format!("value too long (max: {MAX_STRING})")));
        }
        return Ok(NvsInput::Str(bytes));
    }
    if obj.downcast_ref::<PyInt>().is_some() && !obj.fast_isinstance(vm.ctx.types.bool_type) {
        let mask: PyObjectRef = vm.ctx.new_int(u32::MAX).into();
        let low = vm._and(obj, &mask)?;
        let low = low.downcast_ref::<PyInt>().and_then(|i| u32::try_from(i.as_bigint()).ok()).unwrap_or(0);
        return Ok(NvsInput::U32(low));
    }
    Err(vm.new_value_error("Value must be string, bytes or integer"))
}

/// What `nvs_get` returns for the bytes of a stored string: the firmware makes
/// a str of them as they are. Valid UTF-8 gives that str; a byte that is not
/// part of valid UTF-8 becomes the lone surrogate U+DC00 + byte (as Python's
/// `surrogateescape`), since a str here cannot hold raw bytes: nothing is lost.
pub fn stored_str(bytes: &[u8], vm: &VirtualMachine) -> PyObjectRef {
    let mut text = Wtf8Buf::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            text.push(CodePoint::from_u32(0xDC00 + u32::from(byte)).expect("a surrogate is a code point"));
        }
    }
    vm.ctx.new_str(text).into()
}

/// The exception `nvs_set` raises for an NVS error.
pub fn set_error(error: NvsError, vm: &VirtualMachine) -> PyBaseExceptionRef {
    match error {
        NvsError::NotEnoughSpace | NvsError::PageFull | NvsError::NoFreePages => {
            vm.new_os_error("No free space available".to_owned())
        }
        NvsError::InvalidName => vm.new_value_error("Key is invalid"),
        NvsError::KeyTooLong => vm.new_value_error("Key is too long"),
        other => plain_exception(format!("Error occurred while storing value, code: {}", other.code()), vm),
    }
}

/// The exception `nvs_get` raises for an NVS error other than a missing key.
pub fn get_error(error: &NvsError, vm: &VirtualMachine) -> PyBaseExceptionRef {
    plain_exception(format!("Error occurred while fetching value, code: {}", error.code()), vm)
}

fn plain_exception(message: String, vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_msg(vm.ctx.exceptions.exception_type.to_owned(), message.into())
}
