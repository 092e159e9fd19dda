//! `machine.Timer`: the namespace of `Alarm`, `Chrono` and `sleep_us`.

use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{arity, get_int};

/// `machine.Timer`: not instantiated, it only holds the timer classes.
#[pyclass(module = "machine", name = "Timer")]
#[derive(Debug, PyPayload)]
pub(crate) struct Timer {}

impl Constructor for Timer {
    type Args = FuncArgs;

    /// The firmware's type has no constructor.
    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        Err(vm.new_type_error("cannot create 'Timer' instances"))
    }
}

#[pyclass(with(Constructor))]
impl Timer {
    /// `Timer.Alarm(handler, s, *, ms, us, arg=None, periodic=False)`.
    #[pyattr(name = "Alarm")]
    fn alarm(_ctx: &rustpython_vm::Context) -> PyObjectRef {
        crate::modules::alarm::class().into()
    }

    /// `Timer.Chrono()`.
    #[pyattr(name = "Chrono")]
    fn chrono(_ctx: &rustpython_vm::Context) -> PyObjectRef {
        crate::modules::chrono::class().into()
    }

    /// `Timer.sleep_us(us)`: a busy wait on the timer counter; on the virtual
    /// board `us` of device time pass, with handlers running as in `time.sleep_us`.
    #[pystaticmethod]
    fn sleep_us(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 1, vm)?;
        let us = get_int(&args.args[0], vm)?;
        crate::modules::time::device_sleep(u64::try_from(us).unwrap_or(0), vm)
    }
}

/// `machine.Timer`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    Timer::make_static_type()
}
