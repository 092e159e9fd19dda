//! The board's clock: device time in microseconds since power-on of the session.

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
/// Device time is the host time spent running plus, in [`ClockMode::Virtual`],
/// every wait that was skipped. It only moves forward.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    origin: Instant,
    skipped_us: AtomicU64,
}

impl Clock {
    /// A clock starting at 0 now.
    pub fn new(mode: ClockMode) -> Self {
        Self { mode, origin: Instant::now(), skipped_us: AtomicU64::new(0) }
    }

    /// The clock's mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// Microseconds of device time since the clock started.
    pub fn now_us(&self) -> u64 {
        self.origin.elapsed().as_micros() as u64 + self.skipped_us.load(Ordering::Relaxed)
    }

    /// Lets `us` microseconds of device time pass: skipped in virtual mode, slept
    /// in real time.
    pub fn wait_us(&self, us: u64) {
        match self.mode {
            ClockMode::Virtual => {
                self.skipped_us.fetch_add(us, Ordering::Relaxed);
            }
            ClockMode::Realtime => std::thread::sleep(Duration::from_micros(us)),
        }
    }
}
