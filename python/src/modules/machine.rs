//! `machine` / `umachine`: resets and SoC facts (peripherals land with the pins issue).

pub(crate) use machine::module_def;

#[rustpython_vm::pymodule]
mod machine {
    use pycom_board::{BootKind, ResetCause};
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyResult, VirtualMachine};

    use crate::args::{arity, optional_arg};
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
}
