//! What is on the far side of a UART's TX and RX lines.

use std::sync::Arc;
use std::time::Duration;

use super::frame::Frame;

/// Blocks up to a wall-clock duration for a host program to send something.
pub type HostWait = Arc<dyn Fn(Duration) + Send + Sync>;

/// A device wired to a UART: it hears what the board sends and sends bytes
/// of its own, at device times of its choosing.
pub trait UartPeer: Send + std::fmt::Debug {
    /// The board sent `bytes`, back to back from `start_us` in `frame`.
    fn hear(&mut self, bytes: &[u8], start_us: u64, frame: &Frame);

    /// Bytes the peer starts sending at or before `until_us` (`now_us` is the
    /// board's time, when a host program's bytes arrive), as
    /// `(start_us, bytes)` in the order sent.
    fn speak(&mut self, now_us: u64, until_us: u64) -> Vec<(u64, Vec<u8>)>;

    /// For a program on the host, which answers in wall time: how a board
    /// that waits for its bytes gives it that time (called without the
    /// board locked).
    fn host_wait(&self) -> Option<HostWait> {
        None
    }
}

/// TX wired to RX: every byte sent comes back as it goes out.
#[derive(Debug, Default)]
pub struct Loopback {
    echo: Vec<(u64, Vec<u8>)>,
}

impl UartPeer for Loopback {
    fn hear(&mut self, bytes: &[u8], start_us: u64, _frame: &Frame) {
        self.echo.push((start_us, bytes.to_vec()));
    }

    fn speak(&mut self, _now_us: u64, until_us: u64) -> Vec<(u64, Vec<u8>)> {
        let later = self.echo.iter().position(|(at, _)| *at > until_us).unwrap_or(self.echo.len());
        self.echo.drain(..later).collect()
    }
}
