//! A device on UART 1 or 2 played by a program on the host, through a
//! pseudo-terminal or a TCP port opened as `serve --uart` opens UART 0's.
//! Bytes are passed as they are (no `\r\n` cooking); what the host sends
//! reaches the board at the device time the board next looks.

use std::sync::Arc;

use anyhow::Result;
use pycom_board::uart::{Frame, HostWait, UartPeer};
use pycom_python::UartInput;

use crate::uart_link::{self, Outputs, UartEndpoint};

/// Opens `endpoint` (printing where it is) and returns the board's side.
pub fn open(endpoint: &UartEndpoint) -> Result<Box<dyn UartPeer>> {
    let input = UartInput::new();
    let outputs = Outputs::default();
    uart_link::serve(endpoint, input.clone(), &outputs)?;
    Ok(Box::new(HostPeer { input, outputs }))
}

/// The host program as the UART's peer.
struct HostPeer {
    input: UartInput,
    outputs: Outputs,
}

impl std::fmt::Debug for HostPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostPeer")
    }
}

impl UartPeer for HostPeer {
    fn hear(&mut self, bytes: &[u8], _start_us: u64, _frame: &Frame) {
        self.outputs.send(bytes);
    }

    fn speak(&mut self, now_us: u64, _until_us: u64) -> Vec<(u64, Vec<u8>)> {
        let bytes = self.input.take_all();
        if bytes.is_empty() { Vec::new() } else { vec![(now_us, bytes)] }
    }

    fn host_wait(&self) -> Option<HostWait> {
        let input = self.input.clone();
        Some(Arc::new(move |wall| input.wait_for_bytes(wall)))
    }
}
