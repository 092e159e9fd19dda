//! A shield's values as a hand sets them while the script runs (the web
//! view): each quantity the board file gives as a number or a schedule can
//! be set to a number that holds from then on in place of the file's value,
//! checked against the same range as the board file's.

use std::fmt;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};

use super::check;
use crate::pins::{Reading, Schedule};

/// A hand on one of a shield's values: while unset, the board file's holds.
/// Clones are the same hand (a quantity two chips measure is set once).
#[derive(Clone, Debug, Default)]
pub(super) struct Hand(Arc<Mutex<Option<f64>>>);

impl Hand {
    /// The value the hand set, if it did.
    pub(super) fn get(&self) -> Option<f64> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, value: f64) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(value);
    }
}

/// A value a chip measures: the board file's schedule, unless a hand set it.
#[derive(Clone, Debug)]
pub(super) struct Knob {
    schedule: Schedule,
    hand: Hand,
}

impl Knob {
    /// The board file's `schedule`, with a hand of its own.
    pub(super) fn new(schedule: &Schedule) -> Self {
        Self { schedule: schedule.clone(), hand: Hand::default() }
    }

    /// The value at `now_us`.
    pub(super) fn at(&self, now_us: u64) -> f64 {
        self.hand.get().unwrap_or_else(|| self.schedule.at(now_us))
    }

    /// The device time of the schedule's next step after `now_us`, if any
    /// (none once a hand set the value: it holds).
    pub(super) fn next_step_after(&self, now_us: u64) -> Option<u64> {
        match self.hand.get() {
            Some(_) => None,
            None => self.schedule.next_step_after(now_us),
        }
    }
}

/// The board file's value of a quantity at a device time.
type FileValue = Arc<dyn Fn(u64) -> f64 + Send + Sync>;

/// One quantity of a shield that a hand may set.
#[derive(Clone)]
struct ShieldValue {
    quantity: &'static str,
    unit: &'static str,
    range: RangeInclusive<f64>,
    hand: Hand,
    file: FileValue,
}

impl fmt::Debug for ShieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShieldValue").field("quantity", &self.quantity).field("hand", &self.hand).finish()
    }
}

/// Why a shield's value was not set.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShieldValueError {
    /// The board has no shield, or its shield does not measure that.
    #[error("the shield does not measure {0}")]
    Unknown(String),
    /// The value is out of the quantity's range (the board file's check).
    #[error("{0}")]
    Invalid(String),
}

/// The values of a shield that a hand may set, in the order the page shows them.
#[derive(Clone, Debug, Default)]
pub struct ShieldValues(Vec<ShieldValue>);

impl ShieldValues {
    /// Adds `knob` as `quantity` in `unit`, settable within `range`.
    pub(super) fn knob(&mut self, quantity: &'static str, unit: &'static str, range: RangeInclusive<f64>, knob: &Knob) {
        let schedule = knob.schedule.clone();
        let file = Arc::new(move |now_us| schedule.at(now_us));
        self.0.push(ShieldValue { quantity, unit, range, hand: knob.hand.clone(), file });
    }

    /// Adds a quantity whose board-file value `file` gives, set through `hand`.
    pub(super) fn other(
        &mut self,
        quantity: &'static str,
        unit: &'static str,
        range: RangeInclusive<f64>,
        hand: &Hand,
        file: FileValue,
    ) {
        self.0.push(ShieldValue { quantity, unit, range, hand: hand.clone(), file });
    }

    /// Each value at `now_us`.
    pub fn readings(&self, now_us: u64) -> Vec<Reading> {
        let value = |v: &ShieldValue| v.hand.get().unwrap_or_else(|| (v.file)(now_us));
        self.0.iter().map(|v| Reading { quantity: v.quantity, unit: v.unit, value: value(v) }).collect()
    }

    /// A hand sets `quantity` to `value` from now on, if it is in range.
    pub fn set(&self, quantity: &str, value: f64) -> Result<(), ShieldValueError> {
        let known = self.0.iter().find(|v| v.quantity == quantity);
        let known = known.ok_or_else(|| ShieldValueError::Unknown(quantity.to_owned()))?;
        check(known.quantity, &Schedule::Constant(value), known.range.clone()).map_err(ShieldValueError::Invalid)?;
        known.hand.set(value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_set_by_hand_holds_in_place_of_the_schedule_and_is_checked_as_the_file_is() {
        let knob = Knob::new(&Schedule::Constant(21.0));
        let mut values = ShieldValues::default();
        values.knob("temperature", "°C", -40.0..=125.0, &knob);
        assert_eq!(knob.at(0), 21.0);
        values.set("temperature", 30.5).unwrap();
        assert_eq!((knob.at(5), values.readings(5)[0].value), (30.5, 30.5));
        assert_eq!(
            values.set("temperature", 200.0),
            Err(ShieldValueError::Invalid("temperature 200 is out of range (-40 to 125)".into()))
        );
        assert_eq!(values.set("humidity", 1.0), Err(ShieldValueError::Unknown("humidity".into())));
        assert_eq!(knob.at(5), 30.5, "a refused value changes nothing");
    }
}
