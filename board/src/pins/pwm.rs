//! The LEDC peripheral's output on a pin (`machine.PWM`): a square wave the
//! chip drives onto the line, its settings shared with the bank so a script
//! can change them while it runs.

use std::sync::{Arc, Mutex};

use super::device::Device;
use super::line::{Drive, Level, Pull};

/// A PWM signal: `frequency_hz` cycles per second, high for `duty` of each
/// (0 stays low, 1 stays high).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Square {
    /// Cycles per second.
    pub frequency_hz: f64,
    /// Fraction of each cycle spent high, 0..=1.
    pub duty: f64,
}

/// What the script last set, with the time it took effect.
pub(crate) type SharedSquare = Arc<Mutex<Option<(Square, u64)>>>;

/// The output stage driving one pin from a [`SharedSquare`].
#[derive(Debug)]
pub(crate) struct PwmOutput {
    settings: SharedSquare,
    /// Device time of the last edge the bank stepped.
    stepped_us: u64,
}

impl PwmOutput {
    /// An output following `settings`.
    pub(crate) fn new(settings: SharedSquare) -> Self {
        Self { settings, stepped_us: 0 }
    }

    fn now(&self) -> Option<(Square, u64)> {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The time the output was last brought up to date: its last edge, or
    /// the last change of settings.
    fn last_step(&self) -> u64 {
        self.now().map_or(self.stepped_us, |(_, start)| start.max(self.stepped_us))
    }
}

/// The cycle under way at `now_us` and whether the wave is high then, for a
/// wave that toggles; the next edge after `now_us`.
fn phase(square: Square, start_us: u64, now_us: u64) -> (bool, u64) {
    let period = 1e6 / square.frequency_hz;
    let high = period * square.duty;
    let elapsed = now_us.saturating_sub(start_us) as f64;
    let mut cycle = (elapsed / period).floor();
    loop {
        let rise = start_us + (cycle * period).round() as u64;
        let fall = start_us + (cycle * period + high).round() as u64;
        let next_rise = start_us + ((cycle + 1.0) * period).round() as u64;
        if now_us < rise {
            return (false, rise);
        }
        if now_us < fall {
            return (true, fall);
        }
        if now_us < next_rise {
            return (false, next_rise);
        }
        cycle += 1.0;
    }
}

/// Whether the wave never toggles: its constant level.
fn constant(square: Square) -> Option<bool> {
    let period_us = 1e6 / square.frequency_hz;
    match square.duty {
        d if d <= 0.0 || square.frequency_hz <= 0.0 => Some(false),
        d if d >= 1.0 || period_us * d.min(1.0 - d) < 0.5 => Some(d >= 0.5),
        _ => None,
    }
}

impl Device for PwmOutput {
    fn drive(&self) -> Drive {
        let Some((square, start)) = self.now() else { return Drive::Released };
        // The bank only asks after a change it scheduled, so the level at the
        // last scheduled edge is the level now.
        let high = constant(square).unwrap_or_else(|| phase(square, start, self.last_step()).0);
        if high { Drive::High } else { Drive::Low }
    }

    fn pull(&self) -> Option<Pull> {
        None
    }

    fn next_change_us(&self) -> Option<u64> {
        let (square, start) = self.now()?;
        if constant(square).is_some() {
            return None;
        }
        Some(phase(square, start, self.last_step()).1)
    }

    fn step(&mut self, now_us: u64) {
        self.stepped_us = now_us;
    }

    fn line_changed(&mut self, _now_us: u64, _level: Level) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_duty_wave_is_high_for_the_first_quarter_of_each_cycle() {
        let square = Square { frequency_hz: 1000.0, duty: 0.25 };
        assert_eq!(phase(square, 100, 100), (true, 350));
        assert_eq!(phase(square, 100, 350), (false, 1100));
        assert_eq!(phase(square, 100, 1100), (true, 1350));
        assert_eq!(constant(Square { frequency_hz: 1000.0, duty: 1.0 }), Some(true));
        assert_eq!(constant(square), None);
    }
}
