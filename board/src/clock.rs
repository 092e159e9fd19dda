//! The board's clock: device time in microseconds since power-on of the session.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How device time relates to wall time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Code runs at host speed and every wait is skipped: `sleep(3600)` returns at
    /// once with the clock one hour later.
    Virtual,
    /// Device time follows the wall clock; sleeps really sleep.
    Realtime,
}

/// Device time, shared between the board and whoever watches it.
///
/// Device time is the host time spent running since power-on plus, in
/// [`ClockMode::Virtual`], every wait that was skipped. It stands at 0 until the
/// board is powered on ([`Clock::power_on`]) and only moves forward.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    origin: OnceLock<Instant>,
    skipped_us: AtomicU64,
}

impl Clock {
    /// A clock standing at 0 until power-on.
    pub fn new(mode: ClockMode) -> Self {
        Self { mode, origin: OnceLock::new(), skipped_us: AtomicU64::new(0) }
    }

    /// Starts the clock running, if it is not already.
    pub fn power_on(&self) {
        self.origin.get_or_init(Instant::now);
    }

    /// The clock's mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// Microseconds of device time since the clock started.
    pub fn now_us(&self) -> u64 {
        let ran = self.origin.get().map_or(0, |origin| origin.elapsed().as_micros() as u64);
        ran + self.skipped_us.load(Ordering::Relaxed)
    }

    /// Lets `us` microseconds of device time pass: skipped in virtual mode, slept
    /// in real time.
    pub fn wait_us(&self, us: u64) {
        match self.mode {
            ClockMode::Virtual => {
                let _ =
                    self.skipped_us.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| Some(t.saturating_add(us)));
            }
            ClockMode::Realtime => std::thread::sleep(Duration::from_micros(us)),
        }
    }
}
