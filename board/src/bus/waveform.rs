//! The level changes a transfer makes on its wires, bit by bit, for the pin
//! trace: UART characters on TXD/RXD, I2C on SDA/SCL, SPI on SCK/MOSI/MISO.
//! Edges are placed at exact fractions of the bit time; a level repeated
//! where it did not change is left for the trace to drop.

use super::spi::SpiController;
use super::trace::LineEdge;
use crate::uart::{Frame, Parity};

/// Times at `parts` equal parts of a bit at `rate` bits per second, from `start_ns`.
#[derive(Clone, Copy)]
struct BitClock {
    start_ns: u64,
    parts_per_second: u128,
}

impl BitClock {
    fn new(start_ns: u64, rate: u32, parts: u32) -> Self {
        Self { start_ns, parts_per_second: u128::from(rate.max(1)) * u128::from(parts) }
    }

    /// The time of part `n` from the start, to the nanosecond.
    fn at(&self, n: u64) -> u64 {
        self.start_ns + (u128::from(n) * 1_000_000_000 / self.parts_per_second) as u64
    }
}

/// One character's bits after the start bit: data least significant first,
/// then the parity bit, if any.
fn uart_bits(frame: &Frame, byte: u8) -> impl Iterator<Item = bool> {
    let data = (0..frame.bits).map(move |i| byte >> i & 1 == 1);
    let odd_ones = (0..frame.bits).filter(|&i| byte >> i & 1 == 1).count() % 2 == 1;
    let parity = frame.parity.map(|p| match p {
        Parity::Even => odd_ones,
        Parity::Odd => !odd_ones,
    });
    data.chain(parity)
}

/// `bytes` sent back to back on `gpio` from `start_ns`: per character a low
/// start bit, the data and parity bits, and the stop bits high (the idle level).
pub(crate) fn uart_chars(frame: &Frame, start_ns: u64, bytes: &[u8], gpio: u8) -> Vec<LineEdge> {
    let clock = BitClock::new(start_ns, frame.baudrate, 2);
    let char_halves = frame.half_bits();
    let mut edges = Vec::new();
    for (i, &byte) in bytes.iter().enumerate() {
        let begin = i as u64 * char_halves;
        edges.push(LineEdge { time_ns: clock.at(begin), gpio, high: false });
        for (bit, high) in uart_bits(frame, byte).enumerate() {
            edges.push(LineEdge { time_ns: clock.at(begin + 2 + 2 * bit as u64), gpio, high });
        }
        let stop = begin + 2 + 2 * (u64::from(frame.bits) + u64::from(frame.parity.is_some()));
        edges.push(LineEdge { time_ns: clock.at(stop), gpio, high: true });
    }
    edges
}

/// A piece of an I2C transaction, as the wires carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum I2cSymbol {
    /// A START or repeated START (one bit time).
    Start,
    /// Eight bits most significant first, then the ninth: low for ACK.
    Byte {
        /// The byte.
        value: u8,
        /// Whether the receiver pulled SDA low in the ninth clock.
        ack: bool,
    },
    /// A STOP (one bit time).
    Stop,
}

/// I2C `symbols` on `sda`/`scl` from `start_ns` at `baudrate`, each bit time
/// cut in eighths: a data bit sets SDA at 1/8, raises SCL at 3/8 and lowers
/// it at 7/8; a START raises SDA, then SCL, then lowers SDA while SCL is high;
/// a STOP lowers SDA, raises SCL, then raises SDA while SCL is high.
pub(crate) fn i2c(symbols: &[I2cSymbol], start_ns: u64, baudrate: u32, sda: u8, scl: u8) -> Vec<LineEdge> {
    let clock = BitClock::new(start_ns, baudrate, 8);
    let mut edges = Vec::new();
    let mut bit = 0u64;
    let mut put = |eighth: u64, gpio: u8, high: bool| {
        edges.push(LineEdge { time_ns: clock.at(eighth), gpio, high });
    };
    for symbol in symbols {
        let at = bit * 8;
        match *symbol {
            I2cSymbol::Start => {
                put(at, sda, true);
                put(at + 2, scl, true);
                put(at + 4, sda, false);
                put(at + 7, scl, false);
                bit += 1;
            }
            I2cSymbol::Byte { value, ack } => {
                let bits = (0..8).rev().map(|i| value >> i & 1 == 1).chain([!ack]);
                for (i, high) in bits.enumerate() {
                    let at = at + 8 * i as u64;
                    put(at + 1, sda, high);
                    put(at + 3, scl, true);
                    put(at + 7, scl, false);
                }
                bit += 9;
            }
            I2cSymbol::Stop => {
                put(at + 1, sda, false);
                put(at + 3, scl, true);
                put(at + 5, sda, true);
                bit += 1;
            }
        }
    }
    edges
}

/// The bytes on MOSI and MISO (as on the wire, most significant bit first)
/// from `start_ns`, each bit time cut in quarters: SCK is at its idle level
/// from the start, leaves it at the first quarter and returns at the third;
/// data changes on the edge that does not sample (at the bit's start for
/// CPHA 0, with the first edge for CPHA 1).
pub(crate) fn spi(lines: &SpiController, start_ns: u64, mosi: &[u8], miso: &[u8]) -> Vec<LineEdge> {
    let clock = BitClock::new(start_ns, lines.baudrate, 4);
    let mut edges = Vec::new();
    let mut put = |quarter: u64, gpio: Option<u8>, high: bool| {
        if let Some(gpio) = gpio {
            edges.push(LineEdge { time_ns: clock.at(quarter), gpio, high });
        }
    };
    put(0, lines.sck, lines.polarity);
    for (i, (&out, &back)) in mosi.iter().zip(miso).enumerate() {
        for bit in 0..8u64 {
            let at = (i as u64 * 8 + bit) * 4;
            let data_at = if lines.phase { at + 1 } else { at };
            put(data_at, lines.mosi, out >> (7 - bit) & 1 == 1);
            put(data_at, lines.miso, back >> (7 - bit) & 1 == 1);
            put(at + 1, lines.sck, !lines.polarity);
            put(at + 3, lines.sck, lines.polarity);
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uart::StopBits;

    fn levels(edges: &[LineEdge], gpio: u8) -> Vec<(u64, bool)> {
        edges.iter().filter(|e| e.gpio == gpio).map(|e| (e.time_ns, e.high)).collect()
    }

    #[test]
    fn a_uart_character_is_a_low_start_bit_the_data_lsb_first_and_a_high_stop_bit() {
        let frame = Frame { baudrate: 1_000_000, bits: 8, parity: None, stop: StopBits::One };
        let edges = uart_chars(&frame, 5_000, &[0b0000_0101], 3);
        let expected: Vec<(u64, bool)> = [(0, false), (1000, true), (2000, false), (3000, true)]
            .into_iter()
            .chain((4..9).map(|bit| (bit * 1000, false)))
            .chain([(9000, true)])
            .map(|(t, high)| (5_000 + t, high))
            .collect();
        assert_eq!(levels(&edges, 3), expected);
    }

    #[test]
    fn uart_parity_makes_the_count_of_ones_even_or_odd() {
        let even = Frame { baudrate: 1_000_000, bits: 7, parity: Some(Parity::Even), stop: StopBits::Two };
        let odd = Frame { parity: Some(Parity::Odd), ..even };
        let parity_bit = |frame: &Frame, byte| uart_chars(frame, 0, &[byte], 0)[8].high;
        assert!(parity_bit(&even, 0b0000_0111));
        assert!(!parity_bit(&odd, 0b0000_0111));
        assert!(!parity_bit(&even, 0b1000_0011), "the eighth bit is not sent in 7-bit frames");
    }

    #[test]
    fn back_to_back_uart_characters_follow_each_others_stop_bits() {
        let frame = Frame { baudrate: 9600, bits: 8, parity: None, stop: StopBits::OneAndHalf };
        let edges = uart_chars(&frame, 0, b"AB", 1);
        assert_eq!(edges.len(), 20, "start, 8 data and stop edges per character");
        assert!(edges[9].high, "the first character's stop bits");
        assert_eq!((edges[10].time_ns, edges[10].high), (1_093_750, false), "the second start bit after 10.5 bits");
    }

    #[test]
    fn an_i2c_start_drops_sda_while_scl_is_high_and_a_stop_raises_it() {
        let edges = i2c(&[I2cSymbol::Start, I2cSymbol::Stop], 0, 100_000, 9, 10);
        assert_eq!(levels(&edges, 9), [(0, true), (5_000, false), (11_250, false), (16_250, true)]);
        assert_eq!(levels(&edges, 10), [(2_500, true), (8_750, false), (13_750, true)]);
    }

    #[test]
    fn an_i2c_byte_is_eight_clocks_msb_first_and_the_ack_clock() {
        let edges = i2c(&[I2cSymbol::Byte { value: 0xA1, ack: true }], 0, 400_000, 9, 10);
        let sda: Vec<bool> = levels(&edges, 9).into_iter().map(|(_, high)| high).collect();
        assert_eq!(sda, [true, false, true, false, false, false, false, true, false]);
        let scl = levels(&edges, 10);
        assert_eq!(scl.len(), 18);
        assert_eq!(scl[0], (937, true));
        assert_eq!(scl[17], (22_187, false));
    }

    #[test]
    fn spi_mode_0_sets_data_before_the_rising_edge_and_mode_3_after_the_falling_one() {
        let mode0 = SpiController {
            bus: 0,
            sck: Some(1),
            mosi: Some(2),
            miso: Some(3),
            baudrate: 1_000_000,
            lsb_first: false,
            polarity: false,
            phase: false,
        };
        let edges = spi(&mode0, 0, &[0x80], &[0x01]);
        assert_eq!(levels(&edges, 2)[..2], [(0, true), (1_000, false)]);
        assert_eq!(levels(&edges, 3)[7], (7_000, true));
        assert_eq!(levels(&edges, 1)[..3], [(0, false), (250, true), (750, false)]);
        let mode3 = SpiController { polarity: true, phase: true, ..mode0 };
        let edges = spi(&mode3, 0, &[0x80], &[0x01]);
        assert_eq!(levels(&edges, 1)[..3], [(0, true), (250, false), (750, true)]);
        assert_eq!(levels(&edges, 2)[0], (250, true));
    }
}
