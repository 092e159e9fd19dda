//! A hand on a virtual clock from outside the board (the web view): pause
//! it, let it run on by an exact step, or pace it against the wall clock
//! (real time, ten times real time) instead of as fast as the script goes.
//!
//! Untouched, the control lets every advance through at once, so the board
//! runs exactly as it would without one. Paused, device time stops at the
//! moment of the pause: whoever moves the clock on (a sleep, an access, the
//! watcher) waits there. Paced, device time never runs ahead of the wall
//! clock times the speed, and lags it by at most [`MAX_LAG_US`] of wall time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Longest wall time one paced step waits: device time shown moves on at
/// least this often while the board sleeps.
const PACE_SLICE: Duration = Duration::from_millis(20);
/// Wall time a paced clock may fall behind (a script that computed)
/// before its pacing starts again from now.
const MAX_LAG_US: u64 = 50_000;

/// How fast a virtual clock may run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Speed {
    /// As fast as the script goes (the virtual clock's own pace).
    #[default]
    Max,
    /// Device time follows the wall clock.
    Realtime,
    /// Ten seconds of device time per second of wall time.
    X10,
}

impl Speed {
    /// Device microseconds per wall microsecond, `None` for [`Speed::Max`].
    fn factor(self) -> Option<u64> {
        match self {
            Speed::Max => None,
            Speed::Realtime => Some(1),
            Speed::X10 => Some(10),
        }
    }
}

#[derive(Debug)]
struct State {
    /// While paused, device time may not pass this.
    limit: Option<u64>,
    speed: Speed,
    /// Device time and wall time the pacing counts from.
    anchor: (u64, Instant),
    /// Let everything through (a reset is on its way and must not wait).
    hurry: bool,
}

/// The control of one clock: pause, step and speed.
#[derive(Debug)]
pub struct ClockControl {
    state: Mutex<State>,
    changed: Condvar,
    /// Nothing to control: no pause, no pacing (the fast path).
    free: AtomicBool,
}

impl Default for ClockControl {
    fn default() -> Self {
        let state = State { limit: None, speed: Speed::Max, anchor: (0, Instant::now()), hurry: false };
        Self { state: Mutex::new(state), changed: Condvar::new(), free: AtomicBool::new(true) }
    }
}

impl ClockControl {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `change` and wakes whoever waits on the clock.
    fn change(&self, now_us: u64, change: impl FnOnce(&mut State)) {
        let mut state = self.state();
        change(&mut state);
        state.anchor = (now_us, Instant::now());
        self.free.store(state.limit.is_none() && state.speed == Speed::Max || state.hurry, Ordering::Relaxed);
        self.changed.notify_all();
    }

    /// Stops device time at `now_us` (or leaves a pause where it is).
    pub fn pause(&self, now_us: u64) {
        self.change(now_us, |s| {
            s.limit.get_or_insert(now_us);
        });
    }

    /// Lets device time run again.
    pub fn resume(&self, now_us: u64) {
        self.change(now_us, |s| s.limit = None);
    }

    /// Lets a paused clock (pausing it first at `now_us`) run on by exactly
    /// `us`, then stop again; returns the device time it stops at.
    pub fn step(&self, now_us: u64, us: u64) -> u64 {
        let mut until = 0;
        self.change(now_us, |s| {
            until = s.limit.unwrap_or(now_us).max(now_us).saturating_add(us);
            s.limit = Some(until);
        });
        until
    }

    /// Sets how fast device time may run.
    pub fn set_speed(&self, now_us: u64, speed: Speed) {
        self.change(now_us, |s| s.speed = speed);
    }

    /// While `hurry` holds, device time passes at once, paused or paced (a
    /// reset from outside is on its way).
    pub fn set_hurry(&self, now_us: u64, hurry: bool) {
        self.change(now_us, |s| s.hurry = hurry);
    }

    /// Whether the clock is paused.
    pub fn paused(&self) -> bool {
        self.state().limit.is_some()
    }

    /// How fast device time may run.
    pub fn speed(&self) -> Speed {
        self.state().speed
    }

    /// Whether a hurry holds ([`ClockControl::set_hurry`]).
    pub(crate) fn hurried(&self) -> bool {
        self.state().hurry
    }

    /// Moves `time` (device µs) on by `us`, waiting where the control says.
    pub(crate) fn advance(&self, time: &AtomicU64, us: u64) {
        if self.free.load(Ordering::Relaxed) {
            add(time, us);
            return;
        }
        self.advance_paced(time, time.load(Ordering::Relaxed).saturating_add(us));
    }

    /// Moves `time` (device µs) on to `target` if it is behind, waiting
    /// where the control says (a fleet's shared time, which each board's
    /// clock moves on to where it has got).
    pub(crate) fn advance_to(&self, time: &AtomicU64, target: u64) {
        if self.free.load(Ordering::Relaxed) {
            time.fetch_max(target, Ordering::Relaxed);
            return;
        }
        self.advance_paced(time, target);
    }

    fn advance_paced(&self, time: &AtomicU64, target: u64) {
        let mut state = self.state();
        loop {
            let now = time.load(Ordering::Relaxed);
            if now >= target {
                return;
            }
            let (step, wait) = allowed(&mut state, now, target - now);
            if step > 0 {
                time.fetch_max(now + step, Ordering::Relaxed);
            }
            if let Some(wait) = wait {
                state = self.changed.wait_timeout(state, wait).unwrap_or_else(|p| p.into_inner()).0;
            }
        }
    }
}

/// How much of `left` may pass now from device time `now`, and how long to
/// wait before the rest.
fn allowed(state: &mut State, now: u64, left: u64) -> (u64, Option<Duration>) {
    if state.hurry {
        return (left, None);
    }
    let room = state.limit.map_or(left, |limit| limit.saturating_sub(now).min(left));
    if room == 0 {
        // Paused: wait for a step, a resume or a hurry.
        return (0, Some(Duration::from_secs(3600)));
    }
    let Some(factor) = state.speed.factor() else { return (room, None) };
    let (anchor_us, anchor_wall) = state.anchor;
    let wall_us = u64::try_from(anchor_wall.elapsed().as_micros()).unwrap_or(u64::MAX);
    let mut reached = anchor_us.saturating_add(wall_us.saturating_mul(factor));
    if reached > now.saturating_add(MAX_LAG_US * factor) {
        state.anchor = (now, Instant::now());
        reached = now;
    }
    let ahead = reached.saturating_sub(now).min(room);
    if ahead > 0 {
        return (ahead, None);
    }
    let slice_us = u64::try_from(PACE_SLICE.as_micros()).unwrap_or(u64::MAX).saturating_mul(factor);
    let step = room.min(slice_us);
    // The wall time at which `now + step` is reached.
    let due = Duration::from_micros((now + step - anchor_us).div_ceil(factor));
    (0, Some(due.saturating_sub(anchor_wall.elapsed()).max(Duration::from_micros(100))))
}

/// Adds `us` to `time`, saturating.
pub(crate) fn add(time: &AtomicU64, us: u64) {
    let _ = time.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| Some(t.saturating_add(us)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untouched_it_lets_every_advance_through() {
        let (control, time) = (ClockControl::default(), AtomicU64::new(0));
        control.advance(&time, 3_600_000_000);
        assert_eq!(time.load(Ordering::Relaxed), 3_600_000_000);
    }

    #[test]
    fn a_step_of_a_paused_clock_moves_it_by_exactly_the_step() {
        let control = std::sync::Arc::new(ClockControl::default());
        let time = std::sync::Arc::new(AtomicU64::new(1_000));
        control.pause(1_000);
        let (c, t) = (control.clone(), time.clone());
        let sleeper = std::thread::spawn(move || c.advance(&t, 1_000_000));
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(time.load(Ordering::Relaxed), 1_000, "paused");
        assert_eq!(control.step(time.load(Ordering::Relaxed), 100_000), 101_000);
        let start = Instant::now();
        while time.load(Ordering::Relaxed) != 101_000 {
            assert!(start.elapsed() < Duration::from_secs(2), "the step did not happen");
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(time.load(Ordering::Relaxed), 101_000, "paused again after the step");
        control.resume(101_000);
        sleeper.join().unwrap();
        assert_eq!(time.load(Ordering::Relaxed), 1_001_000, "the sleep ended at its own time");
    }

    #[test]
    fn paced_at_real_time_device_time_does_not_run_ahead_of_the_wall() {
        let (control, time) = (ClockControl::default(), AtomicU64::new(0));
        control.set_speed(0, Speed::X10);
        let start = Instant::now();
        control.advance(&time, 500_000);
        let wall = start.elapsed();
        assert_eq!(time.load(Ordering::Relaxed), 500_000);
        assert!(wall >= Duration::from_millis(45), "500 ms at x10 took {wall:?}");
        assert!(wall < Duration::from_millis(500), "500 ms at x10 took {wall:?}");
    }

    #[test]
    fn a_hurry_goes_through_a_pause() {
        let (control, time) = (ClockControl::default(), AtomicU64::new(0));
        control.pause(0);
        control.set_hurry(0, true);
        control.advance(&time, 10);
        assert_eq!(time.load(Ordering::Relaxed), 10);
        assert!(control.paused());
    }
}
