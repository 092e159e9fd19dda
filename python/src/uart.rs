//! The receive side of the board's UART 0: bytes from a terminal, a
//! pseudo-terminal or a TCP client, read by the REPL. As on the board, a
//! Ctrl-C that arrives while code runs does not reach the input: it raises
//! `KeyboardInterrupt` in the running code.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rustpython_vm::signal::UserSignalSender;

/// Ctrl-C, the interrupt character.
const CTRL_C: u8 = 0x03;
/// Bytes the receive buffer holds (`MACHUART_RX_BUFFER_LEN` of the firmware's
/// `machuart.c`). The firmware drops what arrives beyond it; here the
/// transport waits until the REPL or the script has read some, so a pipe or a
/// TCP client loses nothing and a flood costs no memory.
pub const RX_BUFFER_LEN: usize = 4096;

/// What a read found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// One byte.
    Byte(u8),
    /// Nothing within the wait.
    Nothing,
    /// The input is closed for good (the terminal ended).
    Closed,
}

/// The UART's receive buffer, shared by the transport that fills it and the
/// REPL that reads it.
#[derive(Clone, Default)]
pub struct UartInput {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    arrived: Condvar,
    /// Signalled when a read makes room in a full buffer.
    room: Condvar,
}

#[derive(Default)]
struct State {
    bytes: VecDeque<u8>,
    closed: bool,
    /// Where a Ctrl-C goes while code runs.
    interrupt: Option<UserSignalSender>,
    /// The character that interrupts running code (`micropython.kbd_intr`),
    /// Ctrl-C whenever code starts; `None` when disabled.
    interrupt_char: Option<u8>,
}

impl UartInput {
    /// An empty, open input.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes received on the line; waits while the buffer is full (a Ctrl-C
    /// among them still interrupts running code at once).
    pub fn push(&self, bytes: &[u8]) {
        let mut state = self.state();
        for (at, &byte) in bytes.iter().enumerate() {
            while state.bytes.len() >= RX_BUFFER_LEN && !state.closed {
                if state.interrupt.is_some() && state.interrupt_char.is_some_and(|c| bytes[at..].contains(&c)) {
                    break;
                }
                self.shared.arrived.notify_all();
                state = self.shared.room.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            match &state.interrupt {
                Some(sender) if state.interrupt_char == Some(byte) => {
                    let _ = sender.send(Box::new(|vm| {
                        Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()))
                    }));
                }
                _ if state.bytes.len() >= RX_BUFFER_LEN => {} // overtaken by a Ctrl-C: dropped, as the firmware drops
                _ => state.bytes.push_back(byte),
            }
        }
        self.shared.arrived.notify_all();
    }

    /// No more input will come: the REPL ends once it has read what is left.
    pub fn close(&self) {
        self.state().closed = true;
        self.shared.arrived.notify_all();
        self.shared.room.notify_all();
    }

    /// The next byte, waiting at most `wait` for one.
    pub(crate) fn read(&self, wait: Duration) -> Received {
        let mut state = self.state();
        if state.bytes.is_empty() && !state.closed && !wait.is_zero() {
            let since = std::time::Instant::now();
            state = self.shared.arrived.wait_timeout(state, wait).unwrap_or_else(|p| p.into_inner()).0;
            crate::device_time::waited_on_host(since.elapsed());
        }
        match state.bytes.pop_front() {
            Some(byte) => {
                self.shared.room.notify_all();
                Received::Byte(byte)
            }
            None if state.closed => Received::Closed,
            None => Received::Nothing,
        }
    }

    /// Everything buffered now, without waiting (for a UART whose peer is
    /// a host program rather than the REPL).
    pub fn take_all(&self) -> Vec<u8> {
        let bytes: Vec<u8> = self.state().bytes.drain(..).collect();
        self.shared.room.notify_all();
        bytes
    }

    /// Waits up to `wait` for a byte to be buffered.
    pub fn wait_for_bytes(&self, wait: Duration) {
        let state = self.state();
        if state.bytes.is_empty() && !state.closed {
            drop(self.shared.arrived.wait_timeout(state, wait));
        }
    }

    /// While code runs, a Ctrl-C is sent to `interrupt` instead of the input;
    /// `None` when the REPL reads again. As `pyexec` does, code always starts
    /// with Ctrl-C as the interrupt character.
    pub(crate) fn set_interrupt(&self, interrupt: Option<UserSignalSender>) {
        let mut state = self.state();
        state.interrupt = interrupt;
        state.interrupt_char = Some(CTRL_C);
    }

    /// `micropython.kbd_intr(c)`: the character that interrupts the code now
    /// running, or none (`-1`); it goes to the input like any other then.
    pub(crate) fn set_interrupt_char(&self, c: Option<u8>) {
        self.state().interrupt_char = c;
    }
}
