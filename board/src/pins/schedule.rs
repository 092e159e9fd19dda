//! A value that changes in steps over device time (a sensor reading).

use serde::Deserialize;

/// A number, or steps `{ at_ms, value }`: each value holds from its time until
/// the next step (the first one also before its time).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged, expecting = "a number, or steps [{ at_ms = ..., value = ... }, ...]")]
pub enum Schedule {
    /// The same value all the time.
    Constant(f64),
    /// Values from given times on.
    Steps(Vec<Step>),
}

/// One step of a [`Schedule`].
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// When the value starts to hold, in ms of device time since power-on.
    pub at_ms: f64,
    /// The value.
    pub value: f64,
}

impl Schedule {
    /// Whether it is a list of no steps (which gives no value).
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Steps(steps) if steps.is_empty())
    }

    /// The value at `now_us`.
    pub fn at(&self, now_us: u64) -> f64 {
        match self {
            Self::Constant(value) => *value,
            Self::Steps(steps) => {
                let now_ms = now_us as f64 / 1000.0;
                let mut value = steps.first().map_or(0.0, |s| s.value);
                for step in steps {
                    if step.at_ms <= now_ms {
                        value = step.value;
                    }
                }
                value
            }
        }
    }

    /// Device time of the first step after `now_us` (where the value may change), if any.
    pub fn next_step_after(&self, now_us: u64) -> Option<u64> {
        match self {
            Self::Constant(_) => None,
            Self::Steps(steps) => steps.iter().map(|s| super::ms_to_us(s.at_ms)).filter(|&at| at > now_us).min(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_holds_from_its_time_on() {
        let s = Schedule::Steps(vec![Step { at_ms: 10.0, value: 1.0 }, Step { at_ms: 20.0, value: 2.0 }]);
        assert_eq!(s.at(0), 1.0);
        assert_eq!(s.at(19_999), 1.0);
        assert_eq!(s.at(20_000), 2.0);
        assert_eq!(Schedule::Constant(21.5).at(5), 21.5);
        assert_eq!(s.next_step_after(10_000), Some(20_000));
        assert_eq!(s.next_step_after(20_000), None);
    }
}
