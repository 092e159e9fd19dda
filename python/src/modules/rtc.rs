//! `machine.RTC`: the system time on the board's RTC (the same time
//! `time.time()` and `time.localtime()` read) and its slow memory.

use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_array, get_int, method_arity, parse_args};
use crate::modules::pin::INVALID;
use crate::modules::time::{from_fields, to_tuple};
use crate::state::{board, lock};

/// `RTC.INTERNAL_RC` (`RTC_SLOW_FREQ_RTC`).
const INTERNAL_RC: u8 = 0;
/// `RTC.XTAL_32KHZ` (`RTC_SLOW_FREQ_32K_XTAL`).
const XTAL_32KHZ: u8 = 1;
/// The shortest `ntp_sync` update period, in seconds.
const MIN_UPDATE_PERIOD_S: i32 = 15;

/// Microseconds since 1970 of a `(year, month, day[, hour[, minute[, second[, usecond[, tz]]]]])` tuple.
fn datetime_us(datetime: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i64> {
    let items = get_array(datetime, vm)?;
    if !(3..=8).contains(&items.len()) {
        return Err(vm.new_value_error(INVALID));
    }
    let mut fields = [0i64; 7];
    for (slot, item) in fields.iter_mut().zip(&items) {
        *slot = i64::from(get_int(item, vm)?);
    }
    let [year, month, day, hour, minute, second, usecond] = fields;
    Ok(from_fields(year, month, day, hour, minute, second) * 1_000_000 + usecond)
}

/// Sets the RTC from a datetime tuple; `None` leaves it.
fn set_datetime(datetime: Option<PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
    if let Some(datetime) = datetime.filter(|d| !vm.is_none(d)) {
        let us = datetime_us(&datetime, vm)?;
        lock(&board()).set_rtc_epoch_us(us);
    }
    Ok(())
}

/// The RTC (there is one).
#[pyclass(module = "machine", name = "RTC")]
#[derive(Debug, PyPayload)]
pub(crate) struct Rtc {}

impl Constructor for Rtc {
    type Args = FuncArgs;

    /// `RTC(id=0, datetime=None, source=None)`.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        let mut args = parse_args(args, &["id", "datetime", "source"], &[], vm)?;
        if args.remove("id").map(|id| get_int(&id, vm)).transpose()?.unwrap_or(0) != 0 {
            return Err(vm.new_os_error("resource not available".to_owned()));
        }
        set_datetime(args.remove("datetime"), vm)?;
        // The clock source changes the RTC's accuracy, not the time it keeps.
        if let Some(source) = args.remove("source").filter(|s| !vm.is_none(s)) {
            get_int(&source, vm)?;
        }
        Ok(Self {})
    }
}

#[pyclass(with(Constructor))]
impl Rtc {
    /// `RTC.INTERNAL_RC`: the internal 150 kHz RC oscillator.
    #[pyattr(name = "INTERNAL_RC")]
    fn internal_rc(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(INTERNAL_RC).into()
    }

    /// `RTC.XTAL_32KHZ`: an external 32 kHz crystal.
    #[pyattr(name = "XTAL_32KHZ")]
    fn xtal_32khz(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(XTAL_32KHZ).into()
    }

    /// `init(datetime=None, source=None)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["datetime", "source"], &[], vm)?;
        set_datetime(args.remove("datetime"), vm)
    }

    /// `now()`: `(year, month, day, hour, minute, second, usecond, None)`.
    #[pymethod]
    fn now(&self, vm: &VirtualMachine) -> PyObjectRef {
        let us = lock(&board()).rtc_epoch_us();
        let [year, month, day, hour, minute, second, ..] = to_tuple(us.div_euclid(1_000_000));
        let mut fields: Vec<PyObjectRef> = [year, month, day, hour, minute, second, us.rem_euclid(1_000_000)]
            .map(|v| vm.ctx.new_int(v).into())
            .to_vec();
        fields.push(vm.ctx.none());
        vm.ctx.new_tuple(fields).into()
    }

    /// `ntp_sync(server, update_period=3600, backup_server=None)`: starts SNTP.
    /// The board has no network yet, so, as on a board whose Wi-Fi is not
    /// connected, no server answers and `synced()` stays `False`.
    #[pymethod]
    fn ntp_sync(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["server", "update_period", "backup_server"], &[], vm)?;
        let server = args.remove("server").ok_or_else(|| vm.new_type_error("'server' argument required"))?;
        let period = args.remove("update_period").map(|p| get_int(&p, vm)).transpose()?.unwrap_or(3600);
        if period.saturating_mul(1000) < MIN_UPDATE_PERIOD_S * 1000 {
            return Err(vm.new_value_error("update period cannot be shorter than 15 s"));
        }
        lock(&board()).start_rtc_sync();
        for name in [Some(server), args.remove("backup_server")].into_iter().flatten().filter(|n| !vm.is_none(n)) {
            crate::args::str_or_bytes(&name, vm)?;
        }
        Ok(())
    }

    /// `synced()`: whether SNTP has set the time.
    #[pymethod]
    fn synced(&self) -> bool {
        lock(&board()).rtc_synced()
    }

    /// `memory([data])`: the bytes kept in RTC memory through deep sleep.
    #[pymethod]
    fn memory(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<Vec<u8>>> {
        method_arity(&args, 0, 1, vm)?;
        let Some(data) = args.args.first() else { return Ok(Some(lock(&board()).rtc_memory())) };
        let bytes = crate::buffer::read_bytes(data, vm)?;
        lock(&board()).set_rtc_memory(&bytes).map_err(|e| vm.new_value_error(e.to_string()))?;
        Ok(None)
    }
}

/// `machine.RTC`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    Rtc::make_static_type()
}
