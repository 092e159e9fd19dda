//! A power cut at the next flash write, asked for from outside (the web
//! view): the flash chip stops in the middle of its next program or erase,
//! as [`PowerCut`] plays it, and the board is dead until powered on again.

use pycom_flash::PowerCut;

use super::Board;

/// The share of an interrupted program that reaches the flash, in quarters
/// (a torn write: half of it).
const TORN_QUARTERS: u8 = 2;

impl Board {
    /// Cuts the power during the next flash program or erase (half of a
    /// program's bytes are written).
    pub fn cut_power_at_next_write(&mut self) {
        self.flash.set_power_cut(PowerCut::at_next_call(TORN_QUARTERS));
    }

    /// Cancels a cut asked for and not yet happened.
    pub fn cancel_power_cut(&mut self) {
        if !self.flash.power_lost() {
            self.flash.set_power_cut(PowerCut::never());
        }
    }

    /// Whether a cut is asked for and has not happened yet.
    pub fn power_cut_armed(&self) -> bool {
        self.flash.power_cut().is_pending()
    }

    /// Whether the power was cut: the flash answers nothing until
    /// [`Board::restore_power`].
    pub fn power_lost(&self) -> bool {
        self.flash.power_lost()
    }

    /// Power comes back (before a power-on boot).
    pub fn restore_power(&mut self) {
        self.flash.set_power_cut(PowerCut::never());
    }
}
