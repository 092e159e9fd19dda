//! One UART of the chip: its settings, the receive buffer filled from the
//! wire at the baud rate, and the transmitter's queue, on device time.

use std::collections::VecDeque;

use super::frame::Frame;
use super::peer::UartPeer;

/// Bytes the transmit FIFO holds (`UART_FIFO_LEN`): a write returns once its
/// last byte is in the FIFO.
pub const TX_FIFO_LEN: u64 = 128;

/// A UART: closed until opened with a frame, then receiving what its peer
/// sends into a buffer and sending to its peer.
#[derive(Debug, Default)]
pub struct UartPort {
    frame: Option<Frame>,
    rx: VecDeque<u8>,
    rx_capacity: usize,
    /// Chunks the peer started sending, not all of them arrived yet.
    incoming: VecDeque<(u64, Vec<u8>)>,
    /// When the receive line has carried everything before the first chunk.
    rx_line_free_us: u64,
    /// When the transmitter has sent everything written.
    tx_free_us: u64,
    peer: Option<Box<dyn UartPeer>>,
}

impl UartPort {
    /// Wires `peer` to the port's lines.
    pub fn attach(&mut self, peer: Box<dyn UartPeer>) {
        self.peer = Some(peer);
    }

    /// The peer, if one is wired.
    pub fn peer(&self) -> Option<&dyn UartPeer> {
        self.peer.as_deref()
    }

    /// Installs the driver at `now_us` with `frame` and a receive buffer of
    /// `rx_capacity` bytes; what was buffered or on its way is lost.
    pub fn open(&mut self, frame: Frame, rx_capacity: usize, now_us: u64) {
        self.close(now_us);
        self.frame = Some(frame);
        self.rx_capacity = rx_capacity;
        self.rx_line_free_us = now_us;
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
    /// board's time, for a host peer).
    fn pull(&mut self, now_us: u64, until_us: u64) {
        let Some(peer) = self.peer.as_mut() else { return };
        for (start, bytes) in peer.speak(now_us, until_us) {
            if self.frame.is_some() && !bytes.is_empty() {
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
        port.open(Frame::default(), 4096, 0);
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
        port.open(Frame::default(), 200, 0);
        port.write(&[1; 300], 0);
        assert_eq!(port.any(1_000_000), 200);
    }

    #[test]
    fn a_closed_port_hears_nothing() {
        let mut port = looped();
        port.write(b"abc", 0);
        port.close(0);
        port.open(Frame::default(), 4096, 0);
        assert_eq!(port.any(1_000_000), 0);
    }
}
