//! A hand on the board's power from outside the script (the web view):
//! reset, power cycle and safe boot reach the running interpreter as an
//! interrupt that unwinds it as `machine.reset()` does, and the boot loop
//! boots the board again; a power cut in the middle of a flash write (see
//! [`pycom_board::Board::cut_power_at_next_write`]) is a power cycle too.

use std::sync::{Arc, Mutex, MutexGuard};

use pycom_board::{BootKind, Clock, ResetCause};
use rustpython_vm::signal::UserSignalSender;
use rustpython_vm::{PyResult, VirtualMachine};

use crate::state;

/// What the hand on the power does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerRequest {
    /// A soft reset, as Ctrl-D at the REPL: `boot.py` and `main.py` run
    /// again (`reset_cause()` is `SOFT_RESET`).
    SoftReset,
    /// The reset button: a hard reset (`reset_cause()` is `HARD_RESET`), as `machine.reset()`.
    Reset,
    /// Power off and on: RAM is lost, `reset_cause()` is `PWRON_RESET`.
    PowerCycle,
    /// A power-on with the safe-boot pin P12 held high for `hold_us`.
    SafeBoot {
        /// How long P12 is held from power-on.
        hold_us: u64,
    },
}

impl PowerRequest {
    /// The boot that follows.
    fn boot(self) -> BootKind {
        match self {
            PowerRequest::SoftReset => BootKind::Soft,
            PowerRequest::Reset => BootKind::Hard(ResetCause::Hard),
            PowerRequest::PowerCycle | PowerRequest::SafeBoot { .. } => BootKind::Hard(ResetCause::PowerOn),
        }
    }
}

/// The board's power switch, shared by the run and whoever holds it. A
/// request waits for the running interpreter (or the next one) to take it;
/// until then device time passes without pause or pacing, so nothing holds
/// the reset back.
#[derive(Clone, Default)]
pub struct PowerSwitch {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    /// The running interpreter's interrupts, `None` between interpreters.
    sender: Option<UserSignalSender>,
    /// A request not taken yet.
    pending: Option<PowerRequest>,
    /// The board's clock, once the run started.
    clock: Option<Arc<Clock>>,
}

impl PowerSwitch {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks for `request`; a later request replaces one not taken yet.
    pub fn request(&self, request: PowerRequest) {
        let mut inner = self.inner();
        inner.pending = Some(request);
        if let Some(clock) = &inner.clock {
            clock.set_hurry(true);
        }
        if let Some(sender) = &inner.sender {
            let _ = sender.send(self.taker());
        }
    }

    /// Whether a request waits to be taken.
    pub(crate) fn pending(&self) -> bool {
        self.inner().pending.is_some()
    }

    /// The interrupt that takes the pending request and unwinds the script
    /// (sent again by the watcher while the request waits: another
    /// interpreter of the process may have taken the trigger).
    pub(crate) fn taker(&self) -> rustpython_vm::signal::UserSignal {
        let switch = self.clone();
        Box::new(move |vm| switch.take(vm))
    }

    fn take(&self, vm: &VirtualMachine) -> PyResult<()> {
        let request = {
            let mut inner = self.inner();
            let Some(request) = inner.pending.take() else { return Ok(()) };
            // Taken: the boot that follows keeps the clock's pace (a safe
            // boot's hold lasts its time at real-time speed).
            if let Some(clock) = &inner.clock {
                clock.set_hurry(false);
            }
            request
        };
        if let PowerRequest::SafeBoot { hold_us } = request {
            state::lock(&state::board()).hold_safe_boot_pin(hold_us);
        }
        state::with(|s| s.reset = Some(request.boot()));
        Err(state::unwind(vm))
    }

    /// An interpreter of the run on `clock` starts: a request not taken yet
    /// goes to it; else device time may wait again.
    pub(crate) fn attach(&self, clock: &Arc<Clock>, sender: UserSignalSender) {
        let mut inner = self.inner();
        inner.clock = Some(clock.clone());
        match inner.pending {
            Some(_) => {
                let _ = sender.send(self.taker());
            }
            None => clock.set_hurry(false),
        }
        inner.sender = Some(sender);
    }

    /// The board powers on after a cut: a power cycle asked for meanwhile
    /// is this power-on.
    pub(crate) fn powered_on(&self) {
        let mut inner = self.inner();
        if inner.pending == Some(PowerRequest::PowerCycle) {
            inner.pending = None;
        }
    }

    /// The interpreter is gone.
    pub(crate) fn detach(&self) {
        self.inner().sender = None;
    }
}

/// The flash lost its power in the middle of a write (this thread's last
/// hold on the board saw it): the script unwinds at once, with no
/// traceback, and the board powers on again.
pub(crate) fn lost() {
    const POWER_ON: BootKind = BootKind::Hard(ResetCause::PowerOn);
    state::try_with(|s| s.reset = Some(POWER_ON));
    // Raised at every hold while the power is off: another interpreter of
    // the process may take a trigger.
    crate::device_time::raise(Box::new(|vm| {
        state::with(|s| s.reset = Some(POWER_ON));
        Err(state::unwind(vm))
    }));
}
