//! A UART's character frame and how long one takes on the line.

/// Parity bit of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parity {
    /// Even parity (`UART.EVEN`).
    Even,
    /// Odd parity (`UART.ODD`).
    Odd,
}

/// Stop bits of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopBits {
    /// One.
    One,
    /// One and a half.
    OneAndHalf,
    /// Two.
    Two,
}

/// Baud rate and the shape of one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Bits per second.
    pub baudrate: u32,
    /// Data bits (5..=8).
    pub bits: u8,
    /// Parity bit, if any.
    pub parity: Option<Parity>,
    /// Stop bits.
    pub stop: StopBits,
}

impl Default for Frame {
    /// 9600 baud, 8N1: the firmware's defaults.
    fn default() -> Self {
        Self { baudrate: 9600, bits: 8, parity: None, stop: StopBits::One }
    }
}

impl Frame {
    /// Half-bit periods of one character: start bit, data, parity and stop bits.
    pub(crate) fn half_bits(&self) -> u64 {
        let stop = match self.stop {
            StopBits::One => 2,
            StopBits::OneAndHalf => 3,
            StopBits::Two => 4,
        };
        2 * (1 + u64::from(self.bits) + u64::from(self.parity.is_some())) + stop
    }

    /// Device time from the start of the first of `n` back-to-back characters
    /// to the end of the last, rounded up to whole microseconds.
    pub fn chars_us(&self, n: u64) -> u64 {
        let half_bit_periods = n * self.half_bits() * 1_000_000;
        half_bit_periods.div_ceil(2 * u64::from(self.baudrate.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_bytes_at_9600_8n1_take_104_ms() {
        assert_eq!(Frame::default().chars_us(100), 104_167);
    }

    #[test]
    fn parity_and_two_stop_bits_lengthen_the_frame() {
        let frame = Frame { baudrate: 1_000_000, bits: 7, parity: Some(Parity::Even), stop: StopBits::Two };
        assert_eq!(frame.chars_us(1000), 11_000);
    }
}
