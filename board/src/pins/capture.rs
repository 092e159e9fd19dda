//! The RMT receiver behind `pycom.pulses_get`: channel 0 at 1 µs per tick,
//! glitch filter on, a frame ends after 0xFFFF ticks without an edge, one
//! 64-item memory block.

/// Ticks without an edge that end a frame (`idle_threshold` 0xFFFF).
pub const IDLE_THRESHOLD_US: u64 = 0xFFFF;
/// Pulses shorter than the filter (100 APB cycles, 1.25 µs) are not seen.
const FILTER_US: u64 = 1;
/// Items in one RMT memory block; each holds two `(level, duration)` halves.
const MEMORY_ITEMS: usize = 64;
/// Durations are 15-bit tick counts.
const DURATION_MASK: u64 = 0x7FFF;

/// Edges seen on the captured pin since the receiver started.
#[derive(Debug, Clone)]
pub struct Capture {
    gpio: u8,
    edges: Vec<(u64, bool)>,
}

impl Capture {
    /// A receiver listening on `gpio`.
    pub fn new(gpio: u8) -> Self {
        Self { gpio, edges: Vec::new() }
    }

    /// The pin it listens on.
    pub fn gpio(&self) -> u8 {
        self.gpio
    }

    /// The input read `level` from `time_us` on. A pulse the filter rejects
    /// takes its leading edge away again; edges after the frame ended are not
    /// part of it.
    pub fn edge(&mut self, time_us: u64, level: bool) {
        if self.frame_end_us().is_some_and(|end| time_us >= end) {
            return;
        }
        match self.edges.last() {
            Some(&(at, _)) if time_us - at <= FILTER_US => {
                self.edges.pop();
            }
            _ => self.edges.push((time_us, level)),
        }
    }

    /// When the frame ends: the idle threshold after the last edge. A receiver
    /// that has seen no edge never ends its frame.
    pub fn frame_end_us(&self) -> Option<u64> {
        self.edges.last().map(|&(at, _)| at + IDLE_THRESHOLD_US)
    }

    /// The frame as `pulses_get` returns it: `(level, duration_us)` from the
    /// first edge on, durations kept to 15 bits, cut at one memory block.
    ///
    /// The receiver ends a frame with a zero-duration half at the idle level,
    /// and the driver (`rmt_get_mem_len`) keeps items up to the first zero
    /// duration: a zero in an item's first half drops the item, one in its
    /// second half keeps it. So the marker `(idle_level, 0)` shows only after
    /// an odd number of pulses, and a pulse of exactly 32768 µs (a zero
    /// duration) cuts the frame there.
    pub fn pulses(&self) -> Vec<(u8, u16)> {
        let mut pulses: Vec<(u8, u16)> = self
            .edges
            .windows(2)
            .map(|pair| (u8::from(pair[0].1), ((pair[1].0 - pair[0].0) & DURATION_MASK) as u16))
            .collect();
        if let Some(&(_, idle)) = self.edges.last() {
            pulses.push((u8::from(idle), 0));
        }
        pulses.truncate(MEMORY_ITEMS * 2);
        if let Some(zero) = pulses.iter().position(|&(_, us)| us == 0) {
            pulses.truncate(if zero % 2 == 0 { zero } else { zero + 1 });
        }
        pulses
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_run_from_the_first_edge_and_end_with_the_idle_level() {
        let mut c = Capture::new(13);
        c.edge(100, false);
        c.edge(180, true);
        c.edge(260, false);
        assert_eq!(c.pulses(), vec![(0, 80), (1, 80)]);
        c.edge(310, true);
        assert_eq!(c.pulses(), vec![(0, 80), (1, 80), (0, 50), (1, 0)]);
        assert_eq!(c.frame_end_us(), Some(310 + IDLE_THRESHOLD_US));
    }

    #[test]
    fn a_glitch_is_filtered_and_long_pulses_wrap() {
        let mut c = Capture::new(13);
        c.edge(0, true);
        c.edge(40_000, false);
        c.edge(40_001, true);
        c.edge(50_000, false);
        assert_eq!(c.pulses(), vec![(1, (50_000 & 0x7FFF) as u16), (0, 0)]);
        assert_eq!(50_000 & 0x7FFF, 17_232);
    }
}
