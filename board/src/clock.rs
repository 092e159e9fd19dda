//! The board's clock: device time in microseconds since power-on of the session.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How device time relates to wall time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Device time moves only by what the board does: every wait is skipped
    /// (`sleep(3600)` returns at once with the clock one hour later) and every
    /// operation costs the device time it is charged ([`Clock::spend_us`]), so
    /// a run does not depend on how fast or loaded the host is.
    Virtual,
    /// Device time follows the wall clock; sleeps really sleep.
    Realtime,
}

/// Device time, shared between the board and whoever watches it.
///
/// In [`ClockMode::Virtual`] device time is the sum of every wait and every
/// charge since the clock was made; in [`ClockMode::Realtime`] it is the wall
/// time since power-on ([`Clock::power_on`]), 0 before. It only moves forward.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    origin: OnceLock<Instant>,
    virtual_us: AtomicU64,
}

impl Clock {
    /// A clock standing at 0.
    pub fn new(mode: ClockMode) -> Self {
        Self { mode, origin: OnceLock::new(), virtual_us: AtomicU64::new(0) }
    }

    /// Starts a real-time clock running, if it is not already.
    pub fn power_on(&self) {
        self.origin.get_or_init(Instant::now);
    }

    /// The clock's mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// Microseconds of device time since the clock started.
    pub fn now_us(&self) -> u64 {
        match self.mode {
            ClockMode::Virtual => self.virtual_us.load(Ordering::Relaxed),
            ClockMode::Realtime => self.origin.get().map_or(0, |origin| origin.elapsed().as_micros() as u64),
        }
    }

    /// Lets `us` microseconds of device time pass: skipped in virtual mode, slept
    /// in real time.
    pub fn wait_us(&self, us: u64) {
        match self.mode {
            ClockMode::Virtual => self.advance(us),
            ClockMode::Realtime => std::thread::sleep(Duration::from_micros(us)),
        }
    }

    /// Charges `us` microseconds of device time for work the board did (an
    /// operation's cost, or host time spent computing or waiting on the host).
    /// In real time the work's own wall time is its device time: nothing to add.
    pub fn spend_us(&self, us: u64) {
        if self.mode == ClockMode::Virtual {
            self.advance(us);
        }
    }

    fn advance(&self, us: u64) {
        let _ = self.virtual_us.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| Some(t.saturating_add(us)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_moves_only_by_waits_and_charges() {
        let clock = Clock::new(ClockMode::Virtual);
        clock.power_on();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now_us(), 0);
        clock.wait_us(3_600_000_000);
        clock.spend_us(7);
        assert_eq!(clock.now_us(), 3_600_000_007);
    }

    #[test]
    fn real_time_stands_until_power_on_and_ignores_charges() {
        let clock = Clock::new(ClockMode::Realtime);
        clock.spend_us(1_000_000);
        assert_eq!(clock.now_us(), 0);
        clock.power_on();
        clock.wait_us(2_000);
        assert!(clock.now_us() >= 2_000);
        assert!(clock.now_us() < 1_000_000);
    }
}
