//! `machine.mem8`, `mem16`, `mem32`: MicroPython's windows on the SoC's
//! address space. The virtual board models no memory-mapped registers, so
//! reading or writing through them raises `OSError(ENODEV)` (after
//! MicroPython's own alignment check) instead of returning made-up values.

use std::sync::LazyLock;

use rustpython_vm::class::PyClassImpl;
use rustpython_vm::protocol::PyMappingMethods;
use rustpython_vm::types::AsMapping;
use rustpython_vm::{PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::get_int_truncated;

/// `errno.ENODEV`.
const ENODEV: i32 = 19;

/// A window of `width`-byte accesses.
#[pyclass(module = "machine", name = "mem")]
#[derive(Debug, PyPayload)]
pub(crate) struct Mem {
    width: u32,
}

impl Mem {
    /// Checks the address as MicroPython does, then refuses the access.
    fn access(&self, address: &PyObject, vm: &VirtualMachine) -> PyResult {
        let address = get_int_truncated(&address.to_owned(), vm)? as u32;
        if !address.is_multiple_of(self.width) {
            return Err(vm.new_value_error(format!("address {address:08x} is not aligned to {} bytes", self.width)));
        }
        eprintln!(
            "[pycom-emu] machine.mem{}[{address:#010x}]: the virtual board has no memory-mapped registers",
            self.width * 8
        );
        Err(crate::vfs::os_error(ENODEV, vm))
    }
}

impl AsMapping for Mem {
    fn as_mapping() -> &'static PyMappingMethods {
        static AS_MAPPING: LazyLock<PyMappingMethods> = LazyLock::new(|| PyMappingMethods {
            subscript: Some(|mapping, address, vm| Mem::mapping_downcast(mapping).access(address, vm)),
            ass_subscript: Some(|mapping, address, _value, vm| {
                Mem::mapping_downcast(mapping).access(address, vm).map(drop)
            }),
            ..PyMappingMethods::NOT_IMPLEMENTED
        });
        &AS_MAPPING
    }
}

#[pyclass(with(AsMapping))]
impl Mem {}

/// The `machine.mem8/16/32` object for `width`-byte accesses.
pub(crate) fn window(width: u32, vm: &VirtualMachine) -> PyObjectRef {
    Mem { width }.into_ref_with_type(vm, Mem::make_static_type()).map_or_else(|e| e.into(), Into::into)
}
