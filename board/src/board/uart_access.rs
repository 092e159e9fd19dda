//! The board's UARTs 1 and 2 as `machine.UART` uses them.

use super::Board;
use crate::pins::DeviceError;
use crate::uart::{UartPeer, UartPort, UartSpecError};

impl Board {
    /// Wires `peer` to UART `id` (1 or 2).
    pub fn attach_uart_peer(&mut self, id: u8, peer: Box<dyn UartPeer>) -> Result<(), DeviceError> {
        let port = self.uart(id).ok_or(UartSpecError::NoSuchUart(id))?;
        port.attach(peer);
        Ok(())
    }

    /// UART `id` (1 or 2; UART 0 is the console, outside the board model).
    pub fn uart(&mut self, id: u8) -> Option<&mut UartPort> {
        self.uarts.get_mut(usize::from(id).checked_sub(1)?)
    }
}
