//! What is on a pin's wire: levels, drivers and pull resistors, and how they
//! resolve to one level.

use serde::Deserialize;

/// The level on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Driven or pulled to ground.
    Low,
    /// Driven or pulled to 3.3 V.
    High,
    /// Nothing drives or pulls the line (high impedance).
    Floating,
}

impl Level {
    /// The level of a logic value.
    pub fn from_bool(high: bool) -> Self {
        if high { Self::High } else { Self::Low }
    }

    /// What an input buffer reads: a floating line reads 0 on the virtual board.
    pub fn read(self) -> bool {
        self == Self::High
    }
}

/// How one party drives a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// Not driving (input, open-drain released, device idle).
    Released,
    /// Pulling the line to ground.
    Low,
    /// Driving the line to 3.3 V.
    High,
}

/// A pull resistor on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pull {
    /// To 3.3 V.
    Up,
    /// To ground.
    Down,
}

/// A line's level from everything on it, and whether two drivers fight.
///
/// Strong drivers win over pull resistors; when one drives high and another
/// low the line reads low (the low side sinks more current on an ESP32 pad),
/// and the fight is reported. Pull-up wins over pull-down.
pub fn resolve(drives: impl IntoIterator<Item = Drive>, pulls: impl IntoIterator<Item = Pull>) -> (Level, bool) {
    let (mut low, mut high) = (false, false);
    for drive in drives {
        match drive {
            Drive::Low => low = true,
            Drive::High => high = true,
            Drive::Released => {}
        }
    }
    if low || high {
        return (Level::from_bool(!low), low && high);
    }
    let mut level = Level::Floating;
    for pull in pulls {
        level = match (pull, level) {
            (Pull::Up, _) => Level::High,
            (Pull::Down, Level::Floating) => Level::Low,
            (Pull::Down, level) => level,
        };
    }
    (level, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_win_over_pulls_and_a_fight_reads_low() {
        assert_eq!(resolve([Drive::High], [Pull::Down]), (Level::High, false));
        assert_eq!(resolve([Drive::High, Drive::Low], []), (Level::Low, true));
        assert_eq!(resolve([Drive::Released], [Pull::Down, Pull::Up]), (Level::High, false));
        assert_eq!(resolve([Drive::Released], []), (Level::Floating, false));
    }
}
