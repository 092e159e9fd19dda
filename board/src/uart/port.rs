//! One UART of the chip: its settings, the receive buffer filled from the
//! wire at the baud rate, and the transmitter's queue, on device time.

use std::collections::VecDeque;

use super::frame::Frame;
use super::peer::UartPeer;
use crate::bus::{BusEvent, UartLine, WireTraces, uart_chars};

/// Bytes the transmit FIFO holds (`UART_FIFO_LEN`): a write returns once its
/// last byte is in the FIFO.
pub const TX_FIFO_LEN: u64 = 128;

/// The GPIOs a UART's lines are routed to (none for a line not used).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UartPins {
    /// TXD.
    pub tx: Option<u8>,
    /// RXD.
    pub rx: Option<u8>,
}

/// A UART: closed until opened with a frame, then receiving what its peer
/// sends into a buffer and sending to its peer.
#[derive(Debug, Default)]
pub struct UartPort {
    /// The UART's number, for the bus trace.
    id: u8,
    frame: Option<Frame>,
    pins: UartPins,
    traces: WireTraces,
    rx: VecDeque<u8>,
    rx_capacity: usize,
    /// Chunks the peer started sending, not all of them arrived yet.
    incoming: VecDeque<(u64, Vec<u8>)>,
    /// When the receive line has carried everything before the first chunk.
    rx_line_free_us: u64,
    /// When the receive line will have carried every chunk taken from the peer.
    rx_traced_until_us: u64,
    /// When the transmitter has sent everything written.
    tx_free_us: u64,
    peer: Option<Box<dyn UartPeer>>,
}

impl UartPort {
    /// UART `id`, closed.
    pub fn new(id: u8) -> Self {
        Self { id, ..Self::default() }
    }

    /// Reports the bytes on the port's lines, and their bits, to `traces`.
    pub(crate) fn set_traces(&mut self, traces: WireTraces) {
        self.traces = traces;
    }

    /// Reports `bytes` sent back to back on `line` from `start_us`.
    fn trace(&self, line: UartLine, start_us: u64, bytes: &[u8]) {
        let Some(frame) = self.frame else { return };
        let gpio = match line {
            UartLine::Tx => self.pins.tx,
            UartLine::Rx => self.pins.rx,
        };
        if let (true, Some(gpio)) = (self.traces.wants_lines(), gpio) {
            self.traces.edges(&uart_chars(&frame, start_us * 1000, bytes, gpio));
        }
        self.traces.transfer(|| BusEvent::Uart { time_us: start_us, uart: self.id, line, bytes: bytes.to_vec() });
    }

    /// Wires `peer` to the port's lines.
    pub fn attach(&mut self, peer: Box<dyn UartPeer>) {
        self.peer = Some(peer);
    }

    /// The peer, if one is wired.
    pub fn peer(&self) -> Option<&dyn UartPeer> {
        self.peer.as_deref()
    }

    /// Installs the driver at `now_us` with `frame`, a receive buffer of
    /// `rx_capacity` bytes and its lines on `pins`; what was buffered or on
    /// its way is lost.
    pub fn open(&mut self, frame: Frame, rx_capacity: usize, pins: UartPins, now_us: u64) {
        self.close(now_us);
        self.frame = Some(frame);
        self.pins = pins;
        self.rx_capacity = rx_capacity;
        self.rx_line_free_us = now_us;
        self.rx_traced_until_us = now_us;
        self.tx_free_us = now_us;
    }

    /// Removes the driver: nothing is received until it is opened again.
    pub fn close(&mut self, now_us: u64) {
        self.pull(now_us, now_us);
        self.frame = None;
        self.rx.clear();
        self.incoming.clear();
    }

    /// The frame when open.
    pub fn frame(&self) -> Option<Frame> {
        self.frame
    }

    /// Takes what the peer starts sending by `until_us` (`now_us` is the
    /// board's time, for a host peer), tracing it as it goes on the line.
    fn pull(&mut self, now_us: u64, until_us: u64) {
        let Some(peer) = self.peer.as_mut() else { return };
        let chunks = peer.speak(now_us, until_us);
        for (start, bytes) in chunks {
            if let (Some(frame), false) = (self.frame, bytes.is_empty()) {
                let on_line = start.max(self.rx_traced_until_us);
                self.rx_traced_until_us = on_line + frame.chars_us(bytes.len() as u64);
                self.trace(UartLine::Rx, on_line, &bytes);
                // Chunks come mostly in order: look for the place from the end.
                let at = self.incoming.iter().rposition(|(s, _)| *s <= start).map_or(0, |i| i + 1);
                self.incoming.insert(at, (start, bytes));
            }
        }
    }

    /// Moves the bytes that have arrived by `now_us` into the receive buffer
    /// (dropping those that find it full, as the driver does).
    fn deliver(&mut self, now_us: u64) {
        let Some(frame) = self.frame else { return };
        self.pull(now_us, now_us);
        while let Some((start, bytes)) = self.incoming.front_mut() {
            let begin = (*start).max(self.rx_line_free_us);
            let arrived = (0..bytes.len()).take_while(|&i| begin + frame.chars_us(i as u64 + 1) <= now_us).count();
            for &byte in &bytes[..arrived] {
                if self.rx.len() < self.rx_capacity {
                    self.rx.push_back(byte);
                }
            }
            if arrived == 0 {
                break;
            }
            self.rx_line_free_us = begin + frame.chars_us(arrived as u64);
            if arrived == bytes.len() {
                self.incoming.pop_front();
            } else {
                bytes.drain(..arrived);
                *start = self.rx_line_free_us;
                break;
            }
        }
    }

    /// Bytes waiting in the receive buffer at `now_us`.
    pub fn any(&mut self, now_us: u64) -> usize {
        self.deliver(now_us);
        self.rx.len()
    }

    /// The next received byte at `now_us`, if one is buffered.
    pub fn read_byte(&mut self, now_us: u64) -> Option<u8> {
        self.deliver(now_us);
        self.rx.pop_front()
    }

    /// When the next byte will be in the receive buffer, if one is there or
    /// on its way by `until_us`.
    pub fn next_arrival_us(&mut self, now_us: u64, until_us: u64) -> Option<u64> {
        let frame = self.frame?;
        self.deliver(now_us);
        if !self.rx.is_empty() {
            return Some(now_us);
        }
        self.pull(now_us, until_us);
        self.incoming.front().map(|(start, _)| (*start).max(self.rx_line_free_us) + frame.chars_us(1))
    }

    /// Sends `bytes` from `now_us` (after what is still queued); returns when
    /// the write call returns: once its last byte is in the transmit FIFO.
    pub fn write(&mut self, bytes: &[u8], now_us: u64) -> u64 {
        let Some(frame) = self.frame else { return now_us };
        let start = self.tx_free_us.max(now_us);
        self.tx_free_us = start + frame.chars_us(bytes.len() as u64);
        self.trace(UartLine::Tx, start, bytes);
        if let Some(peer) = self.peer.as_mut() {
            peer.hear(bytes, start, &frame);
        }
        now_us.max(self.tx_free_us.saturating_sub(frame.chars_us(TX_FIFO_LEN)))
    }

    /// When the transmitter will have sent everything written.
    pub fn tx_done_us(&self) -> u64 {
        self.tx_free_us
    }
}

#[cfg(test)]
mod tests {
    use super::super::peer::Loopback;
    use super::*;

    fn looped() -> UartPort {
        let mut port = UartPort::default();
        port.attach(Box::new(Loopback::default()));
        port.open(Frame::default(), 4096, UartPins::default(), 0);
        port
    }

    #[test]
    fn looped_back_bytes_arrive_one_frame_time_each() {
        let mut port = looped();
        assert_eq!(port.write(b"0123456789", 0), 0);
        assert_eq!(port.any(1041), 0);
        assert_eq!(port.any(1042), 1);
        assert_eq!(port.next_arrival_us(1042, 20_000), Some(1042));
        assert_eq!(port.any(10_417), 10);
        assert_eq!(port.tx_done_us(), 10_417);
    }

    #[test]
    fn a_write_returns_once_its_tail_is_in_the_fifo() {
        let mut port = looped();
        assert_eq!(port.write(&[0x55; 228], 0), Frame::default().chars_us(228) - Frame::default().chars_us(128));
    }

    #[test]
    fn a_full_receive_buffer_drops_what_comes() {
        let mut port = UartPort::default();
        port.attach(Box::new(Loopback::default()));
        port.open(Frame::default(), 200, UartPins::default(), 0);
        port.write(&[1; 300], 0);
        assert_eq!(port.any(1_000_000), 200);
    }

    #[test]
    fn a_closed_port_hears_nothing() {
        let mut port = looped();
        port.write(b"abc", 0);
        port.close(0);
        port.open(Frame::default(), 4096, UartPins::default(), 0);
        assert_eq!(port.any(1_000_000), 0);
    }
}
