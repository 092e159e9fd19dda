//! The firmware's interrupt task: the handlers registered with `Pin.callback`
//! and `Timer.Alarm` run on the script's thread at the device time of their
//! edge or alarm, one at a time, unless `machine.disable_irq()` holds them back.

use rustpython_vm::{PyResult, VirtualMachine};

use crate::state::{self, board, lock};

/// Whether a handler is registered on any pin (sleeps then stop at every
/// device event so handlers see the time of their edge).
pub fn armed() -> bool {
    state::with(|s| !s.irq_task_dead && s.pins.values().any(|pin| pin.registered().is_some()))
}

/// Whether handlers are held back now: `machine.disable_irq()`, or a handler
/// is running (they do not nest). Sleeps then need not stop at events.
pub fn held() -> bool {
    state::with(|s| s.irqs_disabled || s.in_irq)
}

/// Runs the handlers of the interrupts raised so far: pin edges, oldest
/// first, then the alarms due by now, earliest first.
///
/// An exception in a handler ends the firmware's interrupt task: it prints
/// "Unhandled exception in callback handler" and no handler runs again until
/// the next boot (the alarms still fire, with nobody to call). Stops and
/// resets still unwind the script.
pub fn run_pending(vm: &VirtualMachine) -> PyResult<()> {
    if state::with(|s| s.irqs_disabled || std::mem::replace(&mut s.in_irq, true)) {
        return Ok(());
    }
    let result = run_pin_handlers(vm).and_then(|()| run_alarm_handlers(vm)).and_then(|()| run_lora_handler(vm));
    state::with(|s| s.in_irq = false);
    result
}

fn run_pin_handlers(vm: &VirtualMachine) -> PyResult<()> {
    let irqs = lock(&board()).take_pin_irqs();
    for irq in irqs {
        let Some(pin) = state::with(|s| s.pins.get(&irq.gpio).cloned()) else { continue };
        let Some(callback) = pin.registered() else { continue };
        let arg = callback.arg.unwrap_or_else(|| pin.into());
        call(&callback.handler, arg, vm)?;
    }
    Ok(())
}

fn run_alarm_handlers(vm: &VirtualMachine) -> PyResult<()> {
    let board = board();
    loop {
        let Some(id) = lock(&board).fire_due_alarm() else { return Ok(()) };
        let Some(alarm) = state::with(|s| s.alarms.get(&id).cloned()) else { continue };
        if !lock(&board).alarm_armed(id) {
            // A one-shot alarm is done once it fired.
            state::with(|s| s.alarms.remove(&id));
        }
        if let Some((handler, arg)) = alarm.handler_and_arg() {
            let arg = arg.unwrap_or_else(|| alarm.into());
            call(&handler, arg, vm)?;
        }
    }
}

/// The LoRa radio's callback, once per batch of events it was raised for.
fn run_lora_handler(vm: &VirtualMachine) -> PyResult<()> {
    if !lock(&board()).lora_irq() {
        return Ok(());
    }
    let Some((handler, arg)) = state::with(|s| s.lora_callback.clone()) else { return Ok(()) };
    call(&handler, arg, vm)
}

/// Calls one handler as the interrupt task does.
fn call(handler: &rustpython_vm::PyObjectRef, arg: rustpython_vm::PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    if state::with(|s| s.irq_task_dead) {
        return Ok(());
    }
    if let Err(exc) = handler.call((arg,), vm) {
        if state::unwinding() {
            return Err(exc);
        }
        let report = format!("Unhandled exception in callback handler\n{}", crate::traceback::format(&exc, vm));
        crate::console::write(&report, vm)?;
        state::with(|s| s.irq_task_dead = true);
        eprintln!("[pycom-emu] a callback handler raised: the firmware's interrupt task is gone until the next boot");
    }
    Ok(())
}
