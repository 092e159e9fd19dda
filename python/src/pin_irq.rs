//! Pin interrupts: the handlers registered with `Pin.callback` run on the
//! script's thread at the device time of their edge, as the firmware's
//! interrupt task runs them.

use rustpython_vm::{PyResult, VirtualMachine};

use crate::state::{self, board, lock};

/// Whether a handler is registered on any pin (sleeps then stop at every
/// device event so handlers see the time of their edge).
pub fn armed() -> bool {
    state::with(|s| !s.irq_task_dead && s.pins.values().any(|pin| pin.registered().is_some()))
}

/// Runs the handlers of the interrupts raised so far, oldest first.
///
/// An exception in a handler ends the firmware's interrupt task: it prints
/// "Unhandled exception in callback handler" and no handler runs again until
/// the next boot. Stops and resets still unwind the script.
pub fn run_pending(vm: &VirtualMachine) -> PyResult<()> {
    if state::with(|s| std::mem::replace(&mut s.in_irq, true)) {
        return Ok(());
    }
    let result = run_handlers(vm);
    state::with(|s| s.in_irq = false);
    result
}

fn run_handlers(vm: &VirtualMachine) -> PyResult<()> {
    let irqs = lock(&board()).take_pin_irqs();
    for irq in irqs {
        if state::with(|s| s.irq_task_dead) {
            return Ok(());
        }
        let Some(pin) = state::with(|s| s.pins.get(&irq.gpio).cloned()) else { continue };
        let Some(callback) = pin.registered() else { continue };
        let arg = callback.arg.unwrap_or_else(|| pin.into());
        if let Err(exc) = callback.handler.call((arg,), vm) {
            if state::unwinding() {
                return Err(exc);
            }
            let report = format!("Unhandled exception in callback handler\n{}", crate::traceback::format(&exc, vm));
            crate::console::write(&report, vm)?;
            state::with(|s| s.irq_task_dead = true);
            eprintln!("[pycom-emu] a pin callback raised: the firmware's interrupt task is gone until the next boot");
        }
    }
    Ok(())
}
