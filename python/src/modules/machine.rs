//! `machine` / `umachine`: resets, sleeps, the watchdog, pins, timers, the
//! RTC, I2C, SPI, UARTs, the ADC, DACs, PWM, touch pads, the SD card and SoC
//! facts.

pub(crate) use machine::module_def;

#[rustpython_vm::pymodule]
pub(crate) mod machine {
    use pycom_board::sleep::{SleepEnd, WakeMode, WakePins, WakeReason};
    use pycom_board::{BootKind, ResetCause};
    use rustpython_vm::builtins::{PyBaseExceptionRef, PyType};
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::types::Constructor;
    use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

    use crate::StopRequest;
    use crate::args::{arity, get_int, optional_arg, parse_args};
    use crate::modules::time::CPU_HZ;
    use crate::state::{self, board, lock};

    /// Power applied.
    #[pyattr]
    const PWRON_RESET: u8 = ResetCause::PowerOn as u8;
    /// `machine.reset()`.
    #[pyattr]
    const HARD_RESET: u8 = ResetCause::Hard as u8;
    /// Watchdog expired.
    #[pyattr]
    const WDT_RESET: u8 = ResetCause::Watchdog as u8;
    /// Woke from deep sleep.
    #[pyattr]
    const DEEPSLEEP_RESET: u8 = ResetCause::DeepSleep as u8;
    /// Soft reset.
    #[pyattr]
    const SOFT_RESET: u8 = ResetCause::Soft as u8;
    /// Supply dip.
    #[pyattr]
    const BROWN_OUT_RESET: u8 = ResetCause::BrownOut as u8;

    /// Not woken from a sleep.
    #[pyattr]
    const PWRON_WAKE: u8 = WakeReason::PowerOn as u8;
    /// Woken by `pin_sleep_wakeup` pins.
    #[pyattr]
    const PIN_WAKE: u8 = WakeReason::Pin as u8;
    /// Woken by the sleep timer.
    #[pyattr]
    const RTC_WAKE: u8 = WakeReason::Rtc as u8;
    /// Woken by the ULP co-processor.
    #[pyattr]
    const ULP_WAKE: u8 = WakeReason::Ulp as u8;
    /// `pin_sleep_wakeup` mode: wake when all pins are low.
    #[pyattr]
    const WAKEUP_ALL_LOW: u8 = WakeMode::AllLow as u8;
    /// `pin_sleep_wakeup` mode: wake when any pin is high.
    #[pyattr]
    const WAKEUP_ANY_HIGH: u8 = WakeMode::AnyHigh as u8;

    /// Requests a reset; returns the exception that unwinds the script.
    fn request_reset(kind: BootKind, vm: &VirtualMachine) -> PyBaseExceptionRef {
        state::with(|s| s.reset = Some(kind));
        state::unwind(vm)
    }

    /// `reset()`: hard reset; nothing after it runs.
    #[pyfunction]
    fn reset(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        Err(request_reset(BootKind::Hard(ResetCause::Hard), vm))
    }

    /// `soft_reset()`: restart the MicroPython runtime, keeping the chip running.
    #[pyfunction]
    fn soft_reset(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        Err(request_reset(BootKind::Soft, vm))
    }

    /// `reset_cause()`.
    #[pyfunction]
    fn reset_cause(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u8> {
        arity(&args, 0, 0, vm)?;
        Ok(lock(&board()).reset_cause() as u8)
    }

    /// `main(name)`: the script `boot.py` hands over to instead of `main.py`
    /// (a path relative to the working directory). Kept in RAM and cleared at
    /// every boot, so it only takes effect when `boot.py` calls it.
    #[pyfunction]
    fn main(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 1, vm)?;
        let name = args.args[0]
            .downcast_ref::<rustpython_vm::builtins::PyStr>()
            .ok_or_else(|| vm.new_type_error("expecting a string file name"))?;
        let name = name.to_string();
        state::with(|s| s.main_script = Some(name));
        Ok(())
    }

    /// `freq()`: CPU frequency in Hz.
    #[pyfunction]
    fn freq(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u64> {
        arity(&args, 0, 0, vm)?;
        Ok(CPU_HZ)
    }

    /// `unique_id()`: the chip's base MAC, the Wi-Fi station MAC (kept with
    /// the device image, see `pycom_board::Board::base_mac`).
    #[pyfunction]
    fn unique_id(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 0, 0, vm)?;
        Ok(lock(&board()).base_mac().to_vec())
    }

    /// `idle()`: yields; on the virtual board the clock moves on by one tick.
    #[pyfunction]
    fn idle(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        crate::modules::time::device_sleep(1000, vm)
    }

    /// `rng()`: 24 random bits from the hardware RNG.
    #[pyfunction]
    fn rng(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u32> {
        arity(&args, 0, 0, vm)?;
        let bytes = crate::rng::random_bytes(3);
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], 0]))
    }

    /// `temperature()`: the die temperature sensor's raw reading (about
    /// degrees Fahrenheit on a board at room temperature).
    #[pyfunction]
    fn temperature(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u8> {
        arity(&args, 0, 0, vm)?;
        Ok(crate::soc::DIE_TEMPERATURE_RAW)
    }

    /// `info()`: the FreeRTOS tasks' stack water marks and the free heap.
    #[pyfunction]
    fn info(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        let model = lock(&board()).model();
        crate::console::write(&crate::soc::info_report(model), vm)
    }

    /// `flash_encrypt()`: flash encryption is off.
    #[pyfunction]
    fn flash_encrypt(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u8> {
        arity(&args, 0, 0, vm)?;
        Ok(0)
    }

    /// `secure_boot()`: secure boot is off.
    #[pyfunction]
    fn secure_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u8> {
        arity(&args, 0, 0, vm)?;
        Ok(0)
    }

    /// `disable_irq()`: holds pin and alarm handlers back until `enable_irq`;
    /// returns the previous state (the `PS` register's value).
    #[pyfunction]
    fn disable_irq(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u32> {
        arity(&args, 0, 0, vm)?;
        let was_disabled = state::with(|s| std::mem::replace(&mut s.irqs_disabled, true));
        Ok(crate::soc::ps_register(was_disabled))
    }

    /// `enable_irq([state])`: restores `state` (enables without one); held
    /// handlers run now.
    #[pyfunction]
    fn enable_irq(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let disabled = match optional_arg(args, vm)? {
            Some(ps) => crate::soc::ps_disables_irqs(get_int(&ps, vm)? as u32),
            None => false,
        };
        state::with(|s| s.irqs_disabled = disabled);
        crate::irq_task::run_pending(vm)
    }

    /// The sleep time of `deepsleep([ms])` / `sleep([ms])` in µs (`None`: no timer).
    fn sleep_us(ms: Option<&PyObjectRef>, vm: &VirtualMachine) -> PyResult<Option<u64>> {
        let Some(ms) = ms else { return Ok(None) };
        let ms = crate::args::get_int_truncated(ms, vm)?;
        // The firmware hands the product to an unsigned timer: negative is "very long".
        Ok(Some((ms as u64).wrapping_mul(1000)))
    }

    /// The run's deadline (`--timeout`), which ends any sleep.
    fn deadline() -> (Option<u64>, Option<StopRequest>) {
        state::with(|s| s.timeout.clone()).map_or((None, None), |(at, request)| (Some(at), Some(request)))
    }

    /// Ends the run for a sleep that nothing will ever end.
    fn sleep_forever(vm: &VirtualMachine) -> PyBaseExceptionRef {
        let reason = "the board sleeps with no timer and no wake-up pin that will change: the run ends".to_owned();
        state::stop(StopRequest { reason, exit_code: 0 }, vm)
    }

    /// What follows a sleep with the CPU off: the run stops at its deadline
    /// or for a sleep without end, or the board boots with `cause`. Returns
    /// the exception that unwinds the script.
    fn boot_after(
        end: SleepEnd,
        request: Option<StopRequest>,
        cause: ResetCause,
        vm: &VirtualMachine,
    ) -> PyBaseExceptionRef {
        match (end, request) {
            (SleepEnd::Deadline, Some(request)) => state::stop(request, vm),
            (SleepEnd::Never, _) => sleep_forever(vm),
            _ => request_reset(BootKind::Hard(cause), vm),
        }
    }

    /// A shield's coprocessor cut the module's power: the board is off until
    /// the shield powers it again, then boots with `PWRON_RESET` (the
    /// exception that unwinds the script).
    pub(crate) fn shield_powered_off(vm: &VirtualMachine) -> PyBaseExceptionRef {
        let (at, request) = deadline();
        let end = lock(&board()).shield_power_off(at);
        boot_after(end, request, ResetCause::PowerOn, vm)
    }

    /// `deepsleep([ms])`: powers the board down (RAM and Python state are
    /// lost, the RTC and flash kept) for `ms`, or until a wake-up pin; the
    /// board then boots with `DEEPSLEEP_RESET`.
    #[pyfunction]
    fn deepsleep(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 1, vm)?;
        let duration = sleep_us(args.args.first(), vm)?;
        let (at, request) = deadline();
        let end = lock(&board()).deep_sleep(duration, at);
        Err(boot_after(end, request, ResetCause::DeepSleep, vm))
    }

    /// `sleep([ms, resume_wifi_ble])`: light sleep for `ms`, or until a
    /// wake-up pin; RAM is kept and the call returns. Handlers held while
    /// the CPU slept run on return.
    #[pyfunction]
    fn sleep(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 2, vm)?;
        let duration = sleep_us(args.args.first(), vm)?;
        if let Some(resume) = args.args.get(1) {
            resume.clone().try_to_bool(vm)?;
        }
        let (at, request) = deadline();
        let end = lock(&board()).light_sleep(duration, at);
        match (end, request) {
            (SleepEnd::Deadline, Some(request)) => Err(state::stop(request, vm)),
            (SleepEnd::Never, _) => Err(sleep_forever(vm)),
            _ => crate::irq_task::run_pending(vm),
        }
    }

    /// `remaining_sleep_time()`: ms the last timed sleep had left when the
    /// board woke early (0 if it slept it out).
    #[pyfunction]
    fn remaining_sleep_time(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u64> {
        arity(&args, 0, 0, vm)?;
        Ok(lock(&board()).remaining_sleep_ms())
    }

    /// `pin_sleep_wakeup(pins, mode, enable_pull=False)`: the RTC pins that
    /// wake the board from a sleep, all low or any high.
    #[pyfunction]
    fn pin_sleep_wakeup(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["pins", "mode", "enable_pull"], &[], vm)?;
        let pins = args.remove("pins").ok_or_else(|| vm.new_type_error("'pins' argument required"))?;
        let mode = args.remove("mode").ok_or_else(|| vm.new_type_error("'mode' argument required"))?;
        let pins = crate::args::get_array(&pins, vm)?;
        let mode = get_int(&mode, vm)?;
        let mode = WakeMode::from_value(i64::from(mode))
            .ok_or_else(|| vm.new_value_error(format!("invalid wakeup mode {mode}")))?;
        let keep_pulls = args.remove("enable_pull").map(|pull| pull.try_to_bool(vm)).transpose()?.unwrap_or(false);
        let mut mask = 0u64;
        for pin in &pins {
            mask |= 1 << crate::modules::pin::find(pin, vm)?.gpio();
        }
        let wake = WakePins::new(mask, mode, keep_pulls).map_err(|e| vm.new_value_error(e.to_string()))?;
        lock(&board()).set_wake_pins(wake);
        Ok(())
    }

    /// `wake_reason()`: `(reason, pins)`, the pins (a list) only for `PIN_WAKE`.
    #[pyfunction]
    fn wake_reason(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        arity(&args, 0, 0, vm)?;
        let (reason, mask) = lock(&board()).wake_reason();
        let pins = if reason == WakeReason::Pin {
            let mut list = Vec::new();
            for gpio in (0..64u8).filter(|gpio| mask & 1 << gpio != 0) {
                list.push(crate::modules::pin::by_gpio(gpio, vm)?.into());
            }
            vm.ctx.new_list(list).into()
        } else {
            vm.ctx.none()
        };
        Ok(vm.ctx.new_tuple(vec![vm.ctx.new_int(reason as u8).into(), pins]).into())
    }

    /// `Timer`: `Timer.Alarm`, `Timer.Chrono`, `Timer.sleep_us`.
    #[pyattr(name = "Timer")]
    fn timer_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::timer::class()
    }

    /// `RTC(id=0, datetime=None, source=None)`.
    #[pyattr(name = "RTC")]
    fn rtc_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::rtc::class()
    }

    /// `mem8`, `mem16`, `mem32`: the SoC's memory-mapped registers, which the
    /// virtual board does not model; any access raises `OSError(ENODEV)`.
    #[pyattr]
    fn mem8(vm: &VirtualMachine) -> PyObjectRef {
        crate::modules::mem::window(1, vm)
    }

    /// See `mem8`.
    #[pyattr]
    fn mem16(vm: &VirtualMachine) -> PyObjectRef {
        crate::modules::mem::window(2, vm)
    }

    /// See `mem8`.
    #[pyattr]
    fn mem32(vm: &VirtualMachine) -> PyObjectRef {
        crate::modules::mem::window(4, vm)
    }

    /// `Pin(id, mode=IN, pull=None, *, value, alt)`.
    #[pyattr(name = "Pin")]
    fn pin_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::pin::class()
    }

    /// `I2C(id=0, mode=I2C.MASTER, *, baudrate=100000, pins=(SDA, SCL))`.
    #[pyattr(name = "I2C")]
    fn i2c_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::i2c::class()
    }

    /// `SPI(id=0, mode=SPI.MASTER, *, baudrate=1000000, bits=8, polarity=0,
    /// phase=0, firstbit=SPI.MSB, pins=(CLK, MOSI, MISO))`.
    #[pyattr(name = "SPI")]
    fn spi_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::spi::class()
    }

    /// `UART(id=1, baudrate=9600, bits=8, parity=None, stop=1, *, pins,
    /// timeout_chars=2, rx_buffer_size=4096)`.
    #[pyattr(name = "UART")]
    fn uart_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::uart::class()
    }

    /// `ADC(id=0, *, bits=12)`.
    #[pyattr(name = "ADC")]
    fn adc_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::adc::class()
    }

    /// `DAC(pin)`.
    #[pyattr(name = "DAC")]
    fn dac_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::dac::class()
    }

    /// `PWM(timer, frequency)`.
    #[pyattr(name = "PWM")]
    fn pwm_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::pwm::class()
    }

    /// `Touch(pin)`.
    #[pyattr(name = "Touch")]
    fn touch_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::touch::class()
    }

    /// `WDT(id=0, timeout=ms)`: starts the watchdog (or re-times the one started by
    /// `wdt_on_boot`); the board resets with `WDT_RESET` unless `feed()` is called
    /// within the timeout. It cannot be stopped.
    #[pyattr]
    #[pyclass(module = "machine", name = "WDT")]
    #[derive(Debug, PyPayload)]
    struct Wdt {}

    fn timeout_ms(value: &PyObjectRef, vm: &VirtualMachine) -> PyResult<u32> {
        let ms = get_int(value, vm)?;
        u32::try_from(ms).map_err(|_| vm.new_value_error("invalid argument(s) value"))
    }

    impl Constructor for Wdt {
        type Args = FuncArgs;

        fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
            let mut positional = args.args.iter();
            let id = positional.next().or(args.kwargs.get("id"));
            let timeout = positional.next().or(args.kwargs.get("timeout"));
            if id.map(|id| get_int(id, vm)).transpose()?.unwrap_or(0) != 0 {
                return Err(vm.new_value_error("invalid argument(s) value"));
            }
            let timeout = timeout.ok_or_else(|| vm.new_type_error("'timeout' argument required"))?;
            let ms = timeout_ms(timeout, vm)?;
            lock(&board()).start_watchdog(ms);
            Ok(Self {})
        }
    }

    #[pyclass(with(Constructor))]
    impl Wdt {
        /// `feed()`: the next reset is a full timeout away.
        #[pymethod]
        fn feed(&self) {
            lock(&board()).feed_watchdog();
        }

        /// `init(timeout)`: re-times the watchdog.
        #[pymethod]
        fn init(&self, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
            let ms = timeout_ms(&timeout, vm)?;
            lock(&board()).start_watchdog(ms);
            Ok(())
        }
    }

    /// `SD(id=0)`: the SD card in the slot (`pycom-emu run --sd`), to mount with
    /// `os.mount(sd, '/sd')`. Without a card it fails as the board does.
    #[pyattr]
    #[pyclass(module = "machine", name = "SD")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct Sd {}

    impl Constructor for Sd {
        type Args = FuncArgs;

        fn py_new(_cls: &Py<PyType>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
            if lock(&board()).sd_card().is_none() {
                return Err(vm.new_os_error("the requested operation failed".to_owned()));
            }
            Ok(Self {})
        }
    }

    #[pyclass(with(Constructor))]
    impl Sd {
        /// `init()`: the card is ready from the start.
        #[pymethod]
        fn init(&self, _args: FuncArgs) {}

        /// `deinit()`.
        #[pymethod]
        fn deinit(&self) {}
    }
}
