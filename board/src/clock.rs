//! The board's clock: device time in microseconds since power-on of the session.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::clock_control::{ClockControl, add};
use crate::timeline::Pace;

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
    /// The board's place on a fleet's shared timeline, if it is in one.
    pace: Option<Pace>,
    /// Pause, step and speed from outside (virtual mode only).
    control: ClockControl,
}

impl Clock {
    /// A clock standing at 0.
    pub fn new(mode: ClockMode) -> Self {
        Self { mode, origin: OnceLock::new(), virtual_us: AtomicU64::new(0), pace: None, control: Default::default() }
    }

    /// A virtual clock standing at 0 that keeps step with the other boards
    /// of a fleet through `pace`: its waits last until every board has
    /// caught up ([`crate::Timeline`]).
    pub fn paced(pace: Pace) -> Self {
        Self { pace: Some(pace), ..Self::new(ClockMode::Virtual) }
    }

    /// The board's place on a fleet's timeline, if it is in one.
    pub fn pace(&self) -> Option<&Pace> {
        self.pace.as_ref()
    }

    /// Starts a real-time clock running, if it is not already.
    pub fn power_on(&self) {
        self.origin.get_or_init(Instant::now);
    }

    /// Pause, step and speed of a virtual clock (a real-time clock follows
    /// the wall clock whatever it says); on a fleet's timeline the fleet's
    /// one control, which every board of it shares ([`crate::Timeline::control`]).
    pub fn control(&self) -> &ClockControl {
        match &self.pace {
            Some(pace) => pace.timeline().control(),
            None => &self.control,
        }
    }

    /// The device time [`Clock::control`] counts in: the board's own, or on
    /// a fleet's timeline the fleet's ([`crate::Timeline::device_us`]).
    pub fn control_us(&self) -> u64 {
        match &self.pace {
            Some(pace) => pace.timeline().device_us(),
            None => self.now_us(),
        }
    }

    /// While `hurry` holds, this board's device time passes at once, paused
    /// or paced (a reset from outside is on its way, or the run is over);
    /// on a fleet's timeline the other boards keep to the fleet's control.
    pub fn set_hurry(&self, hurry: bool) {
        self.control.set_hurry(self.now_us(), hurry);
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
        match (self.mode, &self.pace) {
            (ClockMode::Virtual, None) => self.advance(us),
            (ClockMode::Virtual, Some(pace)) => {
                let until = self.now_us().saturating_add(us);
                while self.now_us() < until {
                    self.catch_up(pace.wait_until(until));
                }
            }
            (ClockMode::Realtime, _) => std::thread::sleep(Duration::from_micros(us)),
        }
    }

    /// Waits until device time `until_us`, or less on a fleet's timeline when
    /// something wakes the board earlier (a frame reaching its radio); returns
    /// the device time it woke at. In real time it sleeps until then.
    pub fn wait_until_woken(&self, until_us: u64) -> u64 {
        let now = self.now_us();
        match (self.mode, &self.pace) {
            (ClockMode::Virtual, Some(pace)) if until_us > now => self.catch_up(pace.wait_until(until_us)),
            _ => self.wait_us(until_us.saturating_sub(now)),
        }
        self.now_us()
    }

    /// On a fleet's timeline, lets the boards that should have woken before
    /// this board's time run first (a board that computes does not hold the
    /// others back); nothing otherwise.
    pub fn let_others_catch_up(&self) {
        if let Some(pace) = &self.pace {
            let now = self.now_us();
            pace.let_others_catch_up(now);
            self.catch_up(now);
        }
    }

    /// On a fleet's timeline, whether another board should have run before
    /// this board's time (a computing board then lets them, at
    /// [`Clock::let_others_catch_up`]).
    pub fn others_due(&self) -> bool {
        self.pace.as_ref().is_some_and(|pace| pace.others_due_before(self.now_us()))
    }

    /// On a fleet's timeline, the device time another board waits for next.
    pub fn next_other_wake_us(&self) -> Option<u64> {
        self.pace.as_ref().and_then(|pace| pace.next_wake_us())
    }

    /// On a fleet's timeline, waits for the board's first turn; nothing
    /// otherwise.
    pub fn take_first_turn(&self) {
        if let Some(pace) = &self.pace {
            self.catch_up(pace.start());
        }
    }

    /// Leaves a fleet's timeline for good (the board's run has ended): the
    /// other boards go on without it.
    pub fn leave_timeline(&self) {
        if let Some(pace) = &self.pace {
            pace.leave();
        }
    }

    /// On a fleet's timeline, lets the others run while the board's thread
    /// does work the board does not see (building or freeing an
    /// interpreter), until [`Clock::rejoin`]; nothing otherwise.
    pub fn step_aside(&self) {
        if let Some(pace) = &self.pace {
            pace.step_aside(self.now_us());
        }
    }

    /// Takes the board's turn again after [`Clock::step_aside`].
    pub fn rejoin(&self) {
        if let Some(pace) = &self.pace {
            self.catch_up(pace.rejoin());
        }
    }

    /// Whether the fleet this board is in has stopped ([`crate::Timeline::halt`]).
    pub fn halted(&self) -> bool {
        self.pace.as_ref().is_some_and(|pace| pace.timeline().halted())
    }

    /// Moves device time on to `us` if it is behind (on a fleet's timeline,
    /// through the fleet's control).
    fn catch_up(&self, us: u64) {
        if let Some(pace) = &self.pace {
            self.reach(pace, us);
        }
        self.virtual_us.fetch_max(us, Ordering::Relaxed);
    }

    /// The fleet's device time gets to `us`, waiting where its control says
    /// unless this board is in a hurry.
    fn reach(&self, pace: &Pace, us: u64) {
        if self.control.hurried() {
            pace.timeline().pass(us);
        } else {
            pace.timeline().reach(us);
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
        match &self.pace {
            Some(pace) => {
                self.reach(pace, self.now_us().saturating_add(us));
                add(&self.virtual_us, us);
            }
            None => self.control.advance(&self.virtual_us, us),
        }
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
