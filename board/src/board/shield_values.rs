//! The shield's values as a hand sets them while the script runs (the web
//! view): a value set holds from then on in place of the board file's
//! schedule, so the script's next reading gets it.

use super::Board;
use crate::bus::shields::ShieldValueError;
use crate::pins::Reading;

impl Board {
    /// What the shield measures now that a hand may set (temperature,
    /// acceleration, battery voltage, ...); empty without a shield.
    pub fn shield_readings(&self) -> Vec<Reading> {
        let now = self.clock.now_us();
        self.shield.as_ref().map_or_else(Vec::new, |link| link.values.readings(now))
    }

    /// A hand sets the shield's `quantity` to `value` from now on, in place
    /// of the board file's schedule, within the range the board file takes.
    pub fn set_shield_reading(&mut self, quantity: &str, value: f64) -> Result<(), ShieldValueError> {
        let Some(link) = &self.shield else { return Err(ShieldValueError::Unknown(quantity.to_owned())) };
        link.values.set(quantity, value)
    }
}
