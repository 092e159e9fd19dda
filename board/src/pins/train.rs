//! A timed list of drive changes that a device plays onto its line.

use std::collections::VecDeque;

use super::line::Drive;

/// Drive changes still to come, and the drive now.
#[derive(Debug, Clone)]
pub struct Train {
    now: Drive,
    changes: VecDeque<(u64, Drive)>,
}

impl Default for Train {
    fn default() -> Self {
        Self { now: Drive::Released, changes: VecDeque::new() }
    }
}

impl Train {
    /// How the line is driven now.
    pub fn drive(&self) -> Drive {
        self.now
    }

    /// When the next change is due.
    pub fn next_change_us(&self) -> Option<u64> {
        self.changes.front().map(|(at, _)| *at)
    }

    /// Queues `drive` from `at_us` on (after every change already queued).
    pub fn push(&mut self, at_us: u64, drive: Drive) {
        self.changes.push_back((at_us, drive));
    }

    /// Applies every change due by `now_us`.
    pub fn step(&mut self, now_us: u64) {
        while let Some(&(at, drive)) = self.changes.front()
            && at <= now_us
        {
            self.now = drive;
            self.changes.pop_front();
        }
    }

    /// Whether the train is playing: changes queued or the line still held.
    pub fn busy(&self) -> bool {
        !self.changes.is_empty() || self.now != Drive::Released
    }
}
