//! `machine.Touch` (machtouch.c): the ESP32's ten touch pads. Nothing on the
//! virtual board touches them: a pad reads the constant count of an
//! untouched pad.

use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_int, method_arity};
use crate::modules::time::device_sleep;

/// The touch pads' GPIOs, pad 0 to 9.
const PAD_GPIOS: [u8; 10] = [4, 0, 2, 15, 13, 12, 14, 27, 33, 32];
/// The filtered count of an untouched pad (a touch lowers it).
const UNTOUCHED: u16 = 1000;
/// The firmware waits two filter periods (10 ms) for the first reading.
const FIRST_READING_US: u64 = 20_000;

/// One touch pad (`TouchPad` in the firmware).
#[pyclass(module = "machine", name = "TouchPad")]
#[derive(Debug, PyPayload)]
pub(crate) struct Touch {
    init_value: PyMutex<u16>,
}

impl Constructor for Touch {
    type Args = FuncArgs;

    /// `Touch(pin)`.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        if args.args.len() != 1 {
            return Err(
                vm.new_type_error(format!("function takes 1 positional arguments but {} were given", args.args.len()))
            );
        }
        let gpio = crate::modules::pin::find(&args.args[0], vm)?.gpio();
        if !PAD_GPIOS.contains(&gpio) {
            return Err(vm.new_value_error("invalid pin for touchpad"));
        }
        device_sleep(FIRST_READING_US, vm)?;
        Ok(Self { init_value: PyMutex::new(UNTOUCHED) })
    }
}

impl Representable for Touch {
    fn repr_str(_zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok("<TouchPad>".to_owned())
    }
}

#[pyclass(with(Constructor, Representable))]
impl Touch {
    /// `read()`: the filtered count.
    #[pymethod]
    fn read(&self) -> u16 {
        UNTOUCHED
    }

    /// `config(threshold)`: the interrupt threshold (no touches come).
    #[pymethod]
    fn config(&self, threshold: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        get_int(&threshold, vm).map(drop)
    }

    /// `init_value([value])`: the reading taken when the pad was set up.
    #[pymethod]
    fn init_value(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<u16>> {
        method_arity(&args, 0, 1, vm)?;
        match args.args.first() {
            None => Ok(Some(*self.init_value.lock())),
            Some(value) => {
                *self.init_value.lock() = get_int(value, vm)? as u16;
                Ok(None)
            }
        }
    }
}

/// `machine.Touch`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    Touch::make_static_type()
}
