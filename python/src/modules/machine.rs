//! `machine` / `umachine`: resets, the watchdog, pins, UARTs, the ADC, DACs, PWM, touch pads, the SD card and SoC facts.

pub(crate) use machine::module_def;

#[rustpython_vm::pymodule]
pub(crate) mod machine {
    use pycom_board::{BootKind, ResetCause};
    use rustpython_vm::builtins::PyType;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::types::Constructor;
    use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

    use crate::args::{arity, get_int, optional_arg};
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

    fn request_reset(kind: BootKind, vm: &VirtualMachine) -> PyResult<()> {
        state::with(|s| s.reset = Some(kind));
        Err(state::unwind(vm))
    }

    /// `reset()`: hard reset; nothing after it runs.
    #[pyfunction]
    fn reset(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        request_reset(BootKind::Hard(ResetCause::Hard), vm)
    }

    /// `soft_reset()`: restart the MicroPython runtime, keeping the chip running.
    #[pyfunction]
    fn soft_reset(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        request_reset(BootKind::Soft, vm)
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

    /// `unique_id()`: the 6-byte Wi-Fi MAC (Espressif OUI).
    #[pyfunction]
    fn unique_id(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 0, 0, vm)?;
        Ok(vec![0x30, 0xAE, 0xA4, 0x00, 0x00, 0x01])
    }

    /// `idle()`: yields; on the virtual board the clock moves on by one tick.
    #[pyfunction]
    fn idle(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        crate::modules::time::device_sleep(1000, vm)
    }

    /// `disable_irq()`: returns the previous interrupt state.
    #[pyfunction]
    fn disable_irq(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u8> {
        arity(&args, 0, 0, vm)?;
        Ok(0)
    }

    /// `enable_irq([state])`.
    #[pyfunction]
    fn enable_irq(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        optional_arg(args, vm).map(|_| ())
    }

    /// `Pin(id, mode=IN, pull=None, *, value, alt)`.
    #[pyattr(name = "Pin")]
    fn pin_class(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        crate::modules::pin::class()
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
