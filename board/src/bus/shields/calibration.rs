//! The coprocessor's clock calibration (`CMD_CALIBRATE`): a moment after the
//! command the PIC pulls SCL (P21) low and lets it go four times, each level
//! lasting 7 ticks of its 1.024 kHz watchdog time base (its ~31 kHz
//! internal oscillator divided down), so that the module can time its clock
//! with `pycom.pulses_get('P21', 100)`. Pycom's library takes the first
//! level's length as the period and divides `EXP_RTC_PERIOD` (7000 µs) × 1000
//! / 1024 by it: a clock on its nominal frequency gives a factor of 1. Between
//! waves the shield's pull-up keeps the line high.

use crate::pins::{Device, Drive, Level, Pull};

use super::coproc::Shared;

/// Device time from the command's STOP to the first edge.
const START_US: u64 = 1_000;
/// Each level's length: 7 / 1024 s.
pub(super) const LEVEL_US: u64 = 7_000_000 / 1_024;
/// Edges of a wave: low, high, low, high.
const EDGES: u64 = 4;

/// When the last calibration wave starts, if one was asked for.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Wave {
    start_us: Option<u64>,
}

impl Wave {
    /// `CMD_CALIBRATE` at `now_us`.
    pub(super) fn start(&mut self, now_us: u64) {
        self.start_us = Some(now_us + START_US);
    }

    /// Whether the PIC pulls SCL low at `now_us`.
    fn low_at(&self, now_us: u64) -> bool {
        self.start_us.is_some_and(|start| now_us >= start && ((now_us - start) / LEVEL_US).is_multiple_of(2))
            && !self.over_at(now_us)
    }

    fn over_at(&self, now_us: u64) -> bool {
        self.start_us.is_none_or(|start| now_us >= start + (EDGES - 1) * LEVEL_US)
    }

    /// The first edge after `now_us`.
    fn next_edge_after(&self, now_us: u64) -> Option<u64> {
        let start = self.start_us?;
        (0..EDGES).map(|edge| start + edge * LEVEL_US).find(|&at| at > now_us)
    }
}

/// The coprocessor's open-drain output on SCL, with the shield's pull-up.
#[derive(Debug)]
pub(super) struct SclDriver {
    pic: Shared,
    low: bool,
    now_us: u64,
}

impl SclDriver {
    pub(super) fn new(pic: Shared) -> Self {
        Self { pic, low: false, now_us: 0 }
    }

    fn wave(&self) -> Wave {
        self.pic.lock().unwrap_or_else(|p| p.into_inner()).calibration()
    }
}

impl Device for SclDriver {
    fn drive(&self) -> Drive {
        if self.low { Drive::Low } else { Drive::Released }
    }

    fn pull(&self) -> Option<Pull> {
        Some(Pull::Up)
    }

    fn next_change_us(&self) -> Option<u64> {
        self.wave().next_edge_after(self.now_us)
    }

    fn step(&mut self, now_us: u64) {
        self.now_us = now_us;
        self.low = self.wave().low_at(now_us);
    }

    fn line_changed(&mut self, _now_us: u64, _level: Level) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_edges_of_seven_ticks_each_a_millisecond_after_the_command() {
        let mut wave = Wave::default();
        assert_eq!(wave.next_edge_after(0), None);
        wave.start(5_000);
        assert_eq!(LEVEL_US, 6_835);
        let edges: Vec<u64> =
            std::iter::successors(wave.next_edge_after(5_000), |&t| wave.next_edge_after(t)).collect();
        assert_eq!(edges, [6_000, 12_835, 19_670, 26_505]);
        let levels: Vec<bool> = edges.iter().map(|&t| wave.low_at(t)).collect();
        assert_eq!(levels, [true, false, true, false]);
        assert!(!wave.low_at(5_999));
    }
}
