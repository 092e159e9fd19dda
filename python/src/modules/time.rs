//! `time` / `utime` on the board's clock.

pub(crate) use time::{device_sleep, device_wait, module_def};

/// Pycom's `modutime.c` returns the tick counters as `uint32_t`: they wrap at
/// 2**32, not at MicroPython's small-int period of 2**30.
const TICKS_MAX: i64 = u32::MAX as i64;
/// CPU clock of a Pycom board (`machine.freq()`).
pub const CPU_HZ: u64 = 160_000_000;
/// Longest a single real-time sleep step blocks before checking for interrupts.
const REALTIME_STEP_US: u64 = 10_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, mday, hour, minute, second, weekday, yearday)` of `secs` since 1970.
pub fn to_tuple(secs: i64) -> [i64; 8] {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let weekday = (days + 3).rem_euclid(7); // 1970-01-01 was a Thursday; 0 = Monday
    let yearday = days - days_from_civil(y, 1, 1) + 1;
    [y, m, d, rem / 3600, rem % 3600 / 60, rem % 60, weekday, yearday]
}

/// Seconds since 1970 of a civil date and time (fields may overflow, as in C).
pub fn from_fields(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    let months = y * 12 + (mo - 1);
    let (y, mo) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    days_from_civil(y, mo, 1) * 86_400 + (d - 1) * 86_400 + h * 3600 + mi * 60 + s
}

/// `ticks_diff(a, b)`: as `time_ticks_diff`, the difference of both
/// truncated to `int32_t`.
pub fn ticks_diff(a: i64, b: i64) -> i64 {
    i64::from((a as i32).wrapping_sub(b as i32))
}

/// `ticks_add(t, delta)`: as `time_ticks_add`, a `uint32_t` sum.
pub fn ticks_add(t: i64, delta: i64) -> i64 {
    i64::from((t as u32).wrapping_add(delta as u32))
}

#[rustpython_vm::pymodule]
mod time {
    use pycom_board::ClockMode;
    use rustpython_vm::builtins::{PyInt, PyTupleRef};
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use super::{REALTIME_STEP_US, TICKS_MAX, from_fields, to_tuple};
    use crate::args::{arity, get_float, get_int, optional_arg};
    use crate::state::{self, board, lock};

    /// What ends a sleep early.
    enum Wake {
        /// The run's deadline (`--timeout`).
        Deadline(crate::StopRequest),
        /// The watchdog was not fed in time.
        Watchdog,
    }

    /// Lets `us` of device time pass, ending the run if its deadline comes first
    /// and resetting the board if the watchdog fires first.
    pub(crate) fn device_sleep(us: u64, vm: &VirtualMachine) -> PyResult<()> {
        device_wait(us, vm, &mut |_| false).map(|_| ())
    }

    /// [`device_sleep`] that ends early, with `true`, once `done` says so
    /// (it looks after every step: an event, a radio step, a frame that woke
    /// the board). The main thread runs the `_thread` threads that may go on
    /// meanwhile and moves the clock; a started thread leaves both to it.
    pub(crate) fn device_wait(
        us: u64,
        vm: &VirtualMachine,
        done: &mut dyn FnMut(&mut pycom_board::Board) -> bool,
    ) -> PyResult<bool> {
        if crate::threads::in_thread() {
            return crate::threads::wait_in_thread(us, vm, done);
        }
        let board = board();
        let (clock, watchdog) = {
            let b = lock(&board);
            (b.clock().clone(), b.watchdog_deadline())
        };
        let now = clock.now_us();
        let mut until = now.saturating_add(us);
        let mut wake = None;
        if let Some((at, request)) = state::with(|s| s.timeout.clone())
            && at <= until
        {
            until = at;
            wake = Some(Wake::Deadline(request));
        }
        if let Some(at) = watchdog
            && at < until
        {
            until = at;
            wake = Some(Wake::Watchdog);
        }
        let _published = crate::threads::main_waits_until(until);
        // Looks whether the wait is over, as an access from Python; or, after
        // `_thread` threads ran, `quietly` (costing no device time).
        let mut look = |vm: &VirtualMachine, quietly: bool| -> PyResult<bool> {
            let finished = if quietly {
                crate::threads::holds(&board, done)
            } else {
                let mut b = lock(&board);
                b.sync();
                done(&mut b)
            };
            if finished || !quietly {
                crate::irq_task::run_pending(vm)?;
            }
            Ok(finished)
        };
        match clock.mode() {
            ClockMode::Virtual => loop {
                if crate::threads::run_due(vm)? {
                    // What the threads did may be what is waited for. While one
                    // computes, device time stands (but for the watcher's moves
                    // of a computing board's clock): the main thread does not
                    // touch the board meanwhile.
                    if look(vm, true)? {
                        return Ok(true);
                    }
                    if crate::threads::turn_waiting() && crate::threads::now_us(&board) < until {
                        continue;
                    }
                }
                // Stop at each alarm and, with pin handlers armed, at each
                // device event, so handlers run at the time of their event
                // (unless they are held back); at each step of the radio's
                // task; and at each wake-up of a sleeping thread.
                let stops = !crate::irq_task::held();
                let (now, next) = {
                    let b = lock(&board);
                    let events = b.next_event_us(crate::irq_task::armed()).filter(|_| stops);
                    let steps = [events, b.radio_next_due_us(), crate::threads::next_wake_us()];
                    (b.now_us(), steps.into_iter().flatten().min())
                };
                let step_to = next.filter(|&at| at < until).unwrap_or(until).max(now);
                // On a fleet's timeline a frame reaching the radio wakes the board early.
                let woke = clock.wait_until_woken(step_to);
                if look(vm, false)? {
                    return Ok(true);
                }
                if woke >= until {
                    break;
                }
            },
            ClockMode::Realtime => {
                let mut left = until.saturating_sub(now);
                while left > 0 {
                    crate::threads::run_due(vm)?;
                    let step = left.min(REALTIME_STEP_US);
                    clock.wait_us(step);
                    if look(vm, false)? {
                        return Ok(true);
                    }
                    vm.check_signals()?;
                    left -= step;
                }
            }
        }
        match wake {
            Some(Wake::Deadline(request)) => Err(state::stop(request, vm)),
            Some(Wake::Watchdog) => Err(state::watchdog_reset(vm)),
            None => vm.check_signals().map(|()| false),
        }
    }

    fn uptime_us() -> u64 {
        lock(&board()).uptime_us()
    }

    fn int_arg(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i32> {
        arity(&args, 1, 1, vm)?;
        get_int(&args.args[0], vm)
    }

    /// `sleep(seconds)`: int or float seconds.
    #[pyfunction]
    fn sleep(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 1, vm)?;
        let secs = get_float(&args.args[0], vm)?;
        // The firmware multiplies by 1000 in single precision and delays
        // for that many whole milliseconds (`sleep(0.7)` is 700 ms).
        let ms = (secs as f32 * 1e3).clamp(0.0, u32::MAX as f32);
        device_sleep(ms as u64 * 1000, vm)
    }

    /// `sleep_ms(ms)`.
    #[pyfunction]
    fn sleep_ms(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let ms = int_arg(args, vm)?;
        device_sleep(u64::try_from(ms).unwrap_or(0) * 1000, vm)
    }

    /// `sleep_us(us)`.
    #[pyfunction]
    fn sleep_us(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let us = int_arg(args, vm)?;
        device_sleep(u64::try_from(us).unwrap_or(0), vm)
    }

    /// `ticks_ms()`: milliseconds since boot, wrapping at 2**32.
    #[pyfunction]
    fn ticks_ms(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 0, 0, vm)?;
        Ok((uptime_us() / 1000) as i64 & TICKS_MAX)
    }

    /// `ticks_us()`: microseconds since boot, wrapping at 2**32.
    #[pyfunction]
    fn ticks_us(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 0, 0, vm)?;
        Ok(uptime_us() as i64 & TICKS_MAX)
    }

    /// `ticks_cpu()`: as the firmware's `time_ticks_cpu`, microseconds since
    /// boot from the 64-bit `esp_timer_get_time()`, handed to
    /// `mp_obj_new_int_from_uint`, whose `mp_uint_t` keeps 32 bits (the
    /// counter `lora.stats().rx_timestamp` is read from, also a `uint32_t`).
    #[pyfunction]
    fn ticks_cpu(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 0, 0, vm)?;
        Ok(uptime_us() as i64 & TICKS_MAX)
    }

    fn tick_value(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i64> {
        obj.downcast_ref::<PyInt>()
            .map(|i| i64::try_from(i.as_bigint()).unwrap_or(0))
            .ok_or_else(|| vm.new_type_error(format!("can't convert {} to int", obj.class().name())))
    }

    /// `ticks_diff(new, old)`: signed difference on the wrapping tick counter.
    #[pyfunction]
    fn ticks_diff(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 2, 2, vm)?;
        Ok(super::ticks_diff(tick_value(&args.args[0], vm)?, tick_value(&args.args[1], vm)?))
    }

    /// `ticks_add(ticks, delta)`.
    #[pyfunction]
    fn ticks_add(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 2, 2, vm)?;
        Ok(super::ticks_add(tick_value(&args.args[0], vm)?, tick_value(&args.args[1], vm)?))
    }

    fn rtc_seconds() -> i64 {
        lock(&board()).rtc_epoch_us().div_euclid(1_000_000)
    }

    /// `time()`: seconds since 1970 from the RTC (`machine.RTC`), which starts
    /// at 0 at every hard boot except a wake from deep sleep.
    #[pyfunction(name = "time")]
    fn time_(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 0, 0, vm)?;
        Ok(rtc_seconds())
    }

    fn tuple_of(secs: Option<PyObjectRef>, offset: i64, vm: &VirtualMachine) -> PyResult<PyTupleRef> {
        let secs = match secs {
            Some(s) if !vm.is_none(&s) => i64::from(get_int(&s, vm)?),
            _ => rtc_seconds(),
        };
        let fields = to_tuple(secs + offset).map(|v| vm.ctx.new_int(v).into());
        Ok(vm.ctx.new_tuple(fields.to_vec()))
    }

    /// `localtime([secs])`: 8-tuple in local time (see `timezone`).
    #[pyfunction]
    fn localtime(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyTupleRef> {
        let offset = state::with(|s| s.timezone);
        tuple_of(optional_arg(args, vm)?, offset, vm)
    }

    /// `gmtime([secs])`: 8-tuple in UTC.
    #[pyfunction]
    fn gmtime(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyTupleRef> {
        tuple_of(optional_arg(args, vm)?, 0, vm)
    }

    /// `mktime(tuple)`: inverse of `localtime`, accepting 8 or 9 fields.
    #[pyfunction]
    fn mktime(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 1, 1, vm)?;
        let items: Vec<PyObjectRef> = args.args[0].try_to_value(vm)?;
        if !(8..=9).contains(&items.len()) {
            return Err(vm.new_type_error(format!("mktime needs a tuple of length 8 or 9 ({} given)", items.len())));
        }
        let mut f = [0i64; 6];
        for (slot, item) in f.iter_mut().zip(&items) {
            *slot = i64::from(get_int(item, vm)?);
        }
        let offset = state::with(|s| s.timezone);
        Ok(offset + from_fields(f[0], f[1], f[2], f[3], f[4], f[5]))
    }

    /// `timezone([secs])`: get or set the local-time offset in seconds.
    #[pyfunction]
    fn timezone(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        match optional_arg(args, vm)? {
            Some(secs) if !vm.is_none(&secs) => {
                let secs = i64::from(get_int(&secs, vm)?);
                state::with(|s| s.timezone = secs);
                Ok(vm.ctx.none())
            }
            _ => Ok(vm.ctx.new_int(state::with(|s| s.timezone)).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(to_tuple(0), [1970, 1, 1, 0, 0, 0, 3, 1]);
        // 2000-01-01 was a Saturday.
        assert_eq!(to_tuple(946_684_800), [2000, 1, 1, 0, 0, 0, 5, 1]);
        assert_eq!(to_tuple(951_782_400), [2000, 2, 29, 0, 0, 0, 1, 60]);
        assert_eq!(from_fields(2000, 2, 29, 0, 0, 0), 951_782_400);
        assert_eq!(from_fields(2024, 12, 31, 23, 59, 59) + 1, from_fields(2025, 1, 1, 0, 0, 0));
    }

    #[test]
    fn ticks_wrap_at_32_bits_like_pycoms_modutime() {
        assert_eq!(ticks_diff(5, TICKS_MAX - 4), 10);
        assert_eq!(ticks_diff(TICKS_MAX - 4, 5), -10);
        assert_eq!(ticks_add(TICKS_MAX, 1), 0);
        assert_eq!(ticks_add(0, -1), TICKS_MAX);
        assert_eq!(ticks_add((1 << 30) - 1, 1), 1 << 30, "past MicroPython's 2**30 period");
        assert_eq!(ticks_diff(0, (1 << 30) - 1), -((1 << 30) - 1));
    }
}
