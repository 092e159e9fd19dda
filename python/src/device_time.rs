//! Device time the script spends, and the interrupts it brings due.
//!
//! On the virtual clock device time moves only when the script does something
//! on the board: every access costs [`ACCESS_US`], a sleep skips ahead, and
//! time spent waiting for the host (console input) counts as it passed. When
//! such a step carries device time past the run's deadline, the watchdog's or
//! the next pin event or alarm, the interrupt is raised on the interpreter's
//! own thread and runs at the next instruction: where a handler fires depends
//! on the script alone, never on how fast or loaded the host is.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use pycom_board::{Clock, NextEvent, WatchdogDeadline};
use rustpython_vm::signal::{UserSignal, UserSignalSender};
use rustpython_vm::{PyResult, VirtualMachine};

use crate::StopRequest;
use crate::state::{self, lock};

/// Device time one access to the board from Python costs: the order of
/// MicroPython's call overhead on a 160 MHz ESP32 (a `Pin` toggle loop runs
/// at a few tens of kHz there). A busy loop that polls `ticks_us()` or a pin
/// therefore advances the clock, and a bit-banged protocol sees slots of a
/// few microseconds between its pin operations.
pub const ACCESS_US: u64 = 1;

/// What may fall due as device time passes, and where to raise it.
#[derive(Clone)]
pub struct Deadlines {
    /// The board's clock.
    pub clock: Arc<Clock>,
    /// The run's deadline and how to report it.
    pub deadline: Option<(u64, StopRequest)>,
    /// The watchdog's deadline.
    pub watchdog: WatchdogDeadline,
    /// The next pin event or alarm.
    pub events: NextEvent,
    /// The next wake-up of a sleeping `_thread` thread.
    pub threads: crate::threads::ThreadWakes,
    /// The board's power switch.
    pub power: crate::PowerSwitch,
}

impl Deadlines {
    /// The interrupt due at device time `now`, if any: the run's deadline
    /// first, then the watchdog, then pin events and alarms.
    pub fn due(&self, now: u64) -> Option<Due> {
        if self.clock.halted() {
            return Some(Due::Deadline(StopRequest { reason: "the fleet stopped".into(), exit_code: 0 }));
        }
        match &self.deadline {
            Some((at, request)) if now >= *at => Some(Due::Deadline(request.clone())),
            _ if self.watchdog.get().is_some_and(|at| now >= at) => Some(Due::Watchdog),
            _ if self.events.at_us() <= now => Some(Due::Event),
            _ if self.threads.next_us().is_some_and(|at| at <= now) => Some(Due::ThreadTurn),
            _ => None,
        }
    }

    /// The device time of the next interrupt: the run's deadline, the
    /// watchdog's, the next alarm or pin event with an interrupt armed, the
    /// next wake-up of a sleeping thread; in a
    /// fleet also the next wake-up of another board (a board that spins
    /// lets device time run on to it).
    pub fn next_us(&self) -> Option<u64> {
        let deadline = self.deadline.as_ref().map(|(at, _)| *at);
        let events = Some(self.events.at_us()).filter(|&at| at != u64::MAX);
        // Just past another board's wake-up, so that board runs before this one goes on.
        let other = self.clock.next_other_wake_us().map(|at| at.saturating_add(1));
        [deadline, self.watchdog.get(), events, self.threads.next_us(), other].into_iter().flatten().min()
    }
}

/// An interrupt that fell due.
pub enum Due {
    /// The run's deadline passed: the run stops.
    Deadline(StopRequest),
    /// The watchdog was not fed in time: the board resets.
    Watchdog,
    /// A pin device changed or an alarm fell due: handlers run.
    Event,
    /// A sleeping thread woke: it runs before the computing one goes on.
    ThreadTurn,
}

impl Due {
    /// The interrupt as a signal for the interpreter.
    pub fn signal(self) -> UserSignal {
        match self {
            Due::Deadline(request) => Box::new(move |vm| finished(started(|| Err(state::stop(request, vm))))),
            Due::Watchdog => Box::new(|vm| finished(started(|| watchdog_fired(vm)))),
            Due::Event => Box::new(|vm| finished(started(|| device_event_due(vm)))),
            Due::ThreadTurn => Box::new(|vm| finished(started(|| crate::threads::wake_due(vm)))),
        }
    }
}

struct Armed {
    deadlines: Deadlines,
    sender: UserSignalSender,
    /// A signal is queued and has not run yet: no need to send another.
    signalled: bool,
}

thread_local! {
    static ARMED: RefCell<Option<Armed>> = const { RefCell::new(None) };
}

/// Starts charging this thread's board accesses and raising what falls due,
/// through `sender`, until [`disarm`].
pub fn arm(deadlines: Deadlines, sender: UserSignalSender) {
    ARMED.with(|a| *a.borrow_mut() = Some(Armed { deadlines, sender, signalled: false }));
}

/// Stops charging (the interpreter is gone).
pub fn disarm() {
    ARMED.with(|a| *a.borrow_mut() = None);
}

/// Raises `signal` in this thread's interpreter, if one runs, at its next
/// instruction.
pub fn raise(signal: rustpython_vm::signal::UserSignal) {
    ARMED.with(|a| {
        if let Ok(armed) = a.try_borrow()
            && let Some(armed) = armed.as_ref()
        {
            let _ = armed.sender.send(signal);
        }
    });
}

/// One access to the board from Python: costs [`ACCESS_US`].
pub fn access() {
    spend(ACCESS_US);
}

/// Host time the script spent waiting on the host (console input): on the
/// virtual clock it passes as it did.
pub fn waited_on_host(waited: Duration) {
    spend(u64::try_from(waited.as_micros()).unwrap_or(u64::MAX));
}

fn spend(us: u64) {
    let clock = ARMED.with(|a| {
        let Ok(mut armed) = a.try_borrow_mut() else { return None };
        let armed = armed.as_mut()?;
        armed.deadlines.clock.spend_us(us);
        if !armed.signalled
            && let Some(due) = armed.deadlines.due(armed.deadlines.clock.now_us())
        {
            armed.signalled = armed.sender.send(due.signal()).is_ok();
        }
        Some(armed.deadlines.clock.clone())
    });
    // In a fleet, the boards that should have woken meanwhile run first.
    if let Some(clock) = clock {
        clock.let_others_catch_up();
    }
}

/// Runs a signal's body with the interrupt marked as being handled, so the
/// board accesses of the body do not queue it again (an interrupt that
/// stays due while handlers are held back would otherwise queue itself from
/// its own handler for ever).
fn started(body: impl FnOnce() -> PyResult<()>) -> PyResult<()> {
    ARMED.with(|a| {
        if let Ok(mut armed) = a.try_borrow_mut()
            && let Some(armed) = armed.as_mut()
        {
            armed.signalled = true;
        }
    });
    body()
}

/// Ends a signal's run: the next step that finds something due raises it again.
fn finished(result: PyResult<()>) -> PyResult<()> {
    ARMED.with(|a| {
        if let Ok(mut armed) = a.try_borrow_mut()
            && let Some(armed) = armed.as_mut()
        {
            armed.signalled = false;
        }
    });
    result
}

/// A pin device changed or an alarm fell due: brings the pins up to now and
/// runs the handlers.
fn device_event_due(vm: &VirtualMachine) -> PyResult<()> {
    lock(&state::board()).sync();
    crate::irq_task::run_pending(vm)
}

/// The watchdog deadline passed: resets the board unless the script fed it
/// in the meantime.
fn watchdog_fired(vm: &VirtualMachine) -> PyResult<()> {
    let board = state::board();
    let due = {
        let b = lock(&board);
        b.watchdog_deadline().is_some_and(|at| b.now_us() >= at)
    };
    if due { Err(state::watchdog_reset(vm)) } else { Ok(()) }
}
