//! `machine.Timer.Alarm`: a handler called once or periodically from the
//! board's alarm timer, on the interrupt task (see `crate::irq_task`).

use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine, pyclass};

use crate::args::{get_float, get_int, parse_args};
use crate::state::{self, board, lock};

/// The alarm timer's clock: the APB clock halved (`CLK_FREQ`), 40 MHz.
const TIMER_HZ: f32 = 40_000_000.0;
/// Timer clocks per microsecond.
const CLOCKS_PER_US: u64 = 40;

/// What an alarm calls.
#[derive(Debug)]
struct Target {
    handler: PyObjectRef,
    arg: Option<PyObjectRef>,
}

/// An alarm: its interval, and the handler while it is set.
#[pyclass(module = "machine", name = "Alarm")]
#[derive(Debug, PyPayload)]
pub(crate) struct Alarm {
    id: u64,
    interval_us: u64,
    periodic: bool,
    target: PyMutex<Option<Target>>,
}

impl Alarm {
    /// The handler and its argument (`None`: the alarm itself), if one is set.
    pub(crate) fn handler_and_arg(&self) -> Option<(PyObjectRef, Option<PyObjectRef>)> {
        self.target.lock().as_ref().map(|t| (t.handler.clone(), t.arg.clone()))
    }

    /// `alarm_set_callback_helper`: disarms the alarm, then arms it afresh
    /// from now unless `handler` is `None`.
    fn set(zelf: &Py<Self>, handler: PyObjectRef, arg: Option<PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
        Self::disarm(zelf);
        let arg = arg.filter(|arg| !vm.is_none(arg));
        if vm.is_none(&handler) {
            *zelf.target.lock() = None;
            return Ok(());
        }
        *zelf.target.lock() = Some(Target { handler, arg });
        lock(&board())
            .arm_alarm(zelf.id, zelf.interval_us, zelf.periodic)
            .map_err(|full| vm.new_memory_error(full.to_string()))?;
        state::with(|s| s.alarms.insert(zelf.id, zelf.to_owned()));
        Ok(())
    }

    fn disarm(zelf: &Py<Self>) {
        lock(&board()).cancel_alarm(zelf.id);
        state::with(|s| s.alarms.remove(&zelf.id));
    }
}

/// The interval of `s=`, `ms=` or `us=` in microseconds, as the firmware
/// counts it in timer clocks (`s` in single precision, rounded to a clock).
fn interval_us(args: &mut std::collections::HashMap<String, PyObjectRef>, vm: &VirtualMachine) -> PyResult<u64> {
    let s = match args.remove("s") {
        Some(s) if !vm.is_none(&s) => get_float(&s, vm)? as f32,
        _ => 0.0,
    };
    // `ms` and `us` are read as C ints into unsigned variables.
    let ms = args.remove("ms").map(|v| get_int(&v, vm)).transpose()?.unwrap_or(0) as u32;
    let us = args.remove("us").map(|v| get_int(&v, vm)).transpose()?.unwrap_or(0) as u32;
    if u8::from(s != 0.0) + u8::from(ms != 0) + u8::from(us != 0) != 1 {
        return Err(vm.new_value_error("please provide a single duration"));
    }
    if s < 0.0 {
        return Err(vm.new_value_error("please provide a positive number"));
    }
    let clocks = (s * TIMER_HZ + 0.5) as u64 + u64::from(ms) * (CLOCKS_PER_US * 1000) + u64::from(us) * CLOCKS_PER_US;
    Ok(clocks.div_ceil(CLOCKS_PER_US))
}

impl Constructor for Alarm {
    type Args = FuncArgs;

    /// Not used: [`Alarm::slot_new`] arms the alarm once it is an object.
    fn py_new(cls: &Py<PyType>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        Err(vm.new_type_error(format!("cannot create {} instances", cls.slot_name())))
    }

    fn slot_new(cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let mut args = parse_args(args, &["handler", "s"], &["ms", "us", "arg", "periodic"], vm)?;
        let handler = args.remove("handler").ok_or_else(|| vm.new_type_error("'handler' argument required"))?;
        let interval_us = interval_us(&mut args, vm)?;
        let periodic = args.remove("periodic").map(|p| p.try_to_bool(vm)).transpose()?.unwrap_or(false);
        let id = state::with(|s| {
            s.next_alarm_id += 1;
            s.next_alarm_id
        });
        let alarm = Alarm { id, interval_us, periodic, target: PyMutex::new(None) };
        let alarm: PyRef<Alarm> = alarm.into_ref_with_type(vm, cls)?;
        Alarm::set(&alarm, handler, args.remove("arg"), vm)?;
        Ok(alarm.into())
    }
}

#[pyclass(with(Constructor))]
impl Alarm {
    /// `callback(handler, *, arg=None)`: sets a new handler and starts the
    /// interval again from now; `None` stops the alarm.
    #[pymethod]
    fn callback(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["handler"], &["arg"], vm)?;
        let handler = args.remove("handler").ok_or_else(|| vm.new_type_error("'handler' argument required"))?;
        Alarm::set(zelf, handler, args.remove("arg"), vm)
    }

    /// `cancel()`: the alarm stops; `callback()` starts it again.
    #[pymethod]
    fn cancel(zelf: &Py<Self>) {
        Alarm::disarm(zelf);
    }
}

/// `machine.Timer.Alarm`, registered by `machine.Timer`.
pub(crate) fn class() -> PyTypeRef {
    Alarm::make_static_type()
}
