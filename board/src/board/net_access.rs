//! The board's IP interfaces, as the radios bring them up and sockets use them.

use super::Board;
use crate::net::Interfaces;

impl Board {
    /// The interfaces that are up.
    pub fn interfaces(&self) -> &Interfaces {
        &self.interfaces
    }

    /// The interfaces, for the radio that brings one up or down.
    pub fn interfaces_mut(&mut self) -> &mut Interfaces {
        &mut self.interfaces
    }
}
