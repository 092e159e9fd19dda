//! The hardware timer behind `machine.Timer.Alarm`: up to 16 alarms, ordered by
//! due time. A periodic alarm is due again one interval after its previous due
//! time (the timer interrupt re-arms it as it fires), so a late handler does not
//! make the alarm drift.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many alarms the firmware's alarm heap holds (`ALARM_HEAP_MAX_ELEMENTS`).
pub const MAX_ALARMS: usize = 16;
/// No alarm armed.
const NONE: u64 = u64::MAX;

/// An alarm is armed already [`MAX_ALARMS`] times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("maximum number of {MAX_ALARMS} alarms already reached")]
pub struct AlarmsFull;

/// One armed alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Armed {
    id: u64,
    due_us: u64,
    interval_us: u64,
    periodic: bool,
}

/// The armed alarms, earliest first (equal times keep the order they were armed in).
#[derive(Debug)]
pub struct Alarms {
    armed: Vec<Armed>,
    next_due: Arc<AtomicU64>,
}

impl Default for Alarms {
    fn default() -> Self {
        Self { armed: Vec::new(), next_due: Arc::new(AtomicU64::new(NONE)) }
    }
}

impl Alarms {
    /// Arms alarm `id` (re-arming it if it is armed) to fire `interval_us` after `now_us`.
    pub fn arm(&mut self, id: u64, interval_us: u64, periodic: bool, now_us: u64) -> Result<(), AlarmsFull> {
        self.cancel(id);
        if self.armed.len() == MAX_ALARMS {
            return Err(AlarmsFull);
        }
        self.insert(Armed { id, due_us: now_us.saturating_add(interval_us), interval_us, periodic });
        Ok(())
    }

    /// Disarms alarm `id`; returns whether it was armed.
    pub fn cancel(&mut self, id: u64) -> bool {
        let before = self.armed.len();
        self.armed.retain(|alarm| alarm.id != id);
        self.publish();
        self.armed.len() != before
    }

    /// Whether alarm `id` is armed.
    pub fn is_armed(&self, id: u64) -> bool {
        self.armed.iter().any(|alarm| alarm.id == id)
    }

    /// Fires the earliest alarm due at or before `now_us`: a one-shot alarm is
    /// disarmed, a periodic one is due again one interval after this due time.
    /// Returns its id and due time.
    pub fn fire_due(&mut self, now_us: u64) -> Option<(u64, u64)> {
        let first = *self.armed.first().filter(|alarm| alarm.due_us <= now_us)?;
        self.armed.remove(0);
        if first.periodic {
            // An interval of 0 would fire forever at one instant: the timer needs at least a tick.
            let next = first.due_us.saturating_add(first.interval_us.max(1));
            self.insert(Armed { due_us: next, ..first });
        } else {
            self.publish();
        }
        Some((first.id, first.due_us))
    }

    /// Device time the next alarm fires at, if one is armed.
    pub fn next_due_us(&self) -> Option<u64> {
        self.armed.first().map(|alarm| alarm.due_us)
    }

    /// [`Alarms::next_due_us`] for a thread that watches device time (`u64::MAX` for none).
    pub fn next_due_handle(&self) -> Arc<AtomicU64> {
        self.next_due.clone()
    }

    /// Moves every armed alarm `us` later (the timer was stopped that long).
    pub fn postpone(&mut self, us: u64) {
        for alarm in &mut self.armed {
            alarm.due_us = alarm.due_us.saturating_add(us);
        }
        self.publish();
    }

    /// Disarms every alarm (a boot).
    pub fn clear(&mut self) {
        self.armed.clear();
        self.publish();
    }

    fn insert(&mut self, alarm: Armed) {
        let at = self.armed.partition_point(|other| other.due_us <= alarm.due_us);
        self.armed.insert(at, alarm);
        self.publish();
    }

    fn publish(&self) {
        self.next_due.store(self.next_due_us().unwrap_or(NONE), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarms_fire_in_due_order_and_periodic_ones_keep_their_phase() {
        let mut alarms = Alarms::default();
        alarms.arm(1, 1_000, true, 10).unwrap();
        alarms.arm(2, 2_500, false, 10).unwrap();
        assert_eq!(alarms.next_due_us(), Some(1_010));
        // Looked at late: the periodic alarm is still due every 1000 µs from its first due time.
        assert_eq!(alarms.fire_due(3_000), Some((1, 1_010)));
        assert_eq!(alarms.fire_due(3_000), Some((1, 2_010)));
        assert_eq!(alarms.fire_due(3_000), Some((2, 2_510)));
        assert_eq!(alarms.fire_due(3_000), None);
        assert_eq!(alarms.next_due_us(), Some(3_010));
        assert!(!alarms.is_armed(2));
    }

    #[test]
    fn a_seventeenth_alarm_is_refused_and_cancelled_ones_do_not_fire() {
        let mut alarms = Alarms::default();
        for id in 0..MAX_ALARMS as u64 {
            alarms.arm(id, 100, false, 0).unwrap();
        }
        assert_eq!(alarms.arm(99, 100, false, 0), Err(AlarmsFull));
        // Re-arming an armed alarm does not take a new place.
        alarms.arm(3, 50, false, 0).unwrap();
        assert!(alarms.cancel(3));
        assert!(!alarms.cancel(3));
        assert!(std::iter::from_fn(|| alarms.fire_due(1_000)).all(|(id, _)| id != 3));
    }
}
