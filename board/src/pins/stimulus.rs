//! Devices that play drive changes at set times and ignore the line: a push
//! button with its presses, and a waveform source.

use super::device::{ButtonSpec, Device, Press, TimedPress, WaveformSpec, ms_to_us};
use super::line::{Drive, Level, Pull};
use super::train::Train;

/// A scheduled stimulus on a line.
#[derive(Debug)]
pub struct Stimulus {
    train: Train,
    pull: Option<Pull>,
    replay: Option<Replay>,
    /// A button's pressed drive and whether a hand holds it down now (a
    /// waveform has none).
    hand: Option<(Drive, bool)>,
}

/// The rest of a repeated waveform: one play is queued at a time, so a long
/// repeat costs no memory.
#[derive(Debug)]
struct Replay {
    levels: Vec<(u8, u64)>,
    plays_left: u32,
    next_start_us: u64,
}

impl Stimulus {
    /// A button as a board file describes it: each press connects the line to
    /// its active level, then releases it. Overlapping presses merge.
    pub fn button(spec: &ButtonSpec) -> Self {
        let pressed = if spec.active_level == 0 { Drive::Low } else { Drive::High };
        let mut presses: Vec<(u64, u64)> = spec
            .presses
            .iter()
            .map(|press| {
                let (at, hold) = match *press {
                    Press::At(at) => (at, spec.hold_ms),
                    Press::Timed(TimedPress { at_ms, hold_ms }) => (at_ms, hold_ms),
                };
                (ms_to_us(at), ms_to_us(at) + ms_to_us(hold).max(1))
            })
            .collect();
        presses.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::new();
        for (down, up) in presses {
            match merged.last_mut() {
                Some(last) if down <= last.1 => last.1 = last.1.max(up),
                _ => merged.push((down, up)),
            }
        }
        let mut train = Train::default();
        for (down, up) in merged {
            train.push(down, pressed);
            train.push(up, Drive::Released);
        }
        Self { train, pull: spec.pull, replay: None, hand: Some((pressed, false)) }
    }

    /// A waveform as a board file describes it: its levels played `repeat`
    /// times from `start_ms`, then the line released.
    pub fn waveform(spec: &WaveformSpec) -> Self {
        let replay =
            Replay { levels: spec.levels.clone(), plays_left: spec.repeat, next_start_us: ms_to_us(spec.start_ms) };
        let mut stimulus = Self { train: Train::default(), pull: spec.pull, replay: Some(replay), hand: None };
        stimulus.queue_next_play();
        stimulus
    }

    fn queue_next_play(&mut self) {
        let Some(replay) = self.replay.as_mut().filter(|r| r.plays_left > 0 && !r.levels.is_empty()) else { return };
        replay.plays_left -= 1;
        let mut t = replay.next_start_us;
        for &(level, duration_us) in &replay.levels {
            self.train.push(t, if level == 0 { Drive::Low } else { Drive::High });
            t += duration_us;
        }
        replay.next_start_us = t;
        if replay.plays_left == 0 {
            self.train.push(t, Drive::Released);
        }
    }
}

impl Device for Stimulus {
    fn drive(&self) -> Drive {
        match self.hand {
            Some((pressed, true)) => pressed,
            _ => self.train.drive(),
        }
    }

    fn pull(&self) -> Option<Pull> {
        self.pull
    }

    fn next_change_us(&self) -> Option<u64> {
        self.train.next_change_us()
    }

    fn step(&mut self, now_us: u64) {
        self.train.step(now_us);
        if self.train.next_change_us().is_none() {
            self.queue_next_play();
        }
    }

    fn line_changed(&mut self, _now_us: u64, _level: Level) {}

    fn press(&mut self, pressed: bool) -> bool {
        match &mut self.hand {
            Some((_, held)) => {
                *held = pressed;
                true
            }
            None => false,
        }
    }
}
