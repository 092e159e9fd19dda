//! The board's IP interfaces, as the radios bring them up and sockets use them.

use std::sync::Arc;

use super::Board;
use crate::net::{HostNet, Interfaces};

impl Board {
    /// The interfaces that are up.
    pub fn interfaces(&self) -> &Interfaces {
        &self.interfaces
    }

    /// The interfaces, for the radio that brings one up or down.
    pub fn interfaces_mut(&mut self) -> &mut Interfaces {
        &mut self.interfaces
    }

    /// How the board's sockets reach the host (policy, forwarded ports).
    pub fn host_net(&self) -> &Arc<HostNet> {
        &self.host_net
    }

    /// Sets how the board's sockets reach the host; before it boots.
    pub fn set_host_net(&mut self, net: HostNet) {
        self.host_net = Arc::new(net);
    }
}
