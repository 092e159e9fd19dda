//! The task watchdog behind `machine.WDT` and `wdt_on_boot`: once started it
//! resets the chip unless fed within its timeout. It cannot be stopped, and a
//! soft reset leaves it running.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// No deadline (watchdog not started).
const NONE: u64 = u64::MAX;

/// The watchdog's timeout and deadline, in device time.
#[derive(Debug)]
pub struct Watchdog {
    timeout_us: Option<u64>,
    deadline: Arc<AtomicU64>,
}

impl Default for Watchdog {
    fn default() -> Self {
        Self { timeout_us: None, deadline: Arc::new(AtomicU64::new(NONE)) }
    }
}

impl Watchdog {
    /// Starts (or re-times) the watchdog at device time `now_us`.
    pub fn start(&mut self, timeout_ms: u32, now_us: u64) {
        let timeout_us = u64::from(timeout_ms) * 1000;
        self.timeout_us = Some(timeout_us);
        self.deadline.store(now_us.saturating_add(timeout_us), Ordering::Relaxed);
    }

    /// Feeds it: the next deadline is a full timeout from `now_us`.
    pub fn feed(&mut self, now_us: u64) {
        if let Some(timeout_us) = self.timeout_us {
            self.deadline.store(now_us.saturating_add(timeout_us), Ordering::Relaxed);
        }
    }

    /// Stops it (a hard reset of the chip).
    pub fn stop(&mut self) {
        self.timeout_us = None;
        self.deadline.store(NONE, Ordering::Relaxed);
    }

    /// When it fires, if it runs.
    pub fn deadline_us(&self) -> Option<u64> {
        Some(self.deadline.load(Ordering::Relaxed)).filter(|&d| d != NONE)
    }

    /// The deadline, shared with a thread that watches device time.
    pub fn deadline_handle(&self) -> WatchdogDeadline {
        WatchdogDeadline(self.deadline.clone())
    }
}

/// A read-only view of the watchdog deadline for another thread.
#[derive(Clone, Debug)]
pub struct WatchdogDeadline(Arc<AtomicU64>);

impl WatchdogDeadline {
    /// When the watchdog fires, if it runs.
    pub fn get(&self) -> Option<u64> {
        Some(self.0.load(Ordering::Relaxed)).filter(|&d| d != NONE)
    }
}
