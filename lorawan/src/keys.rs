//! Identifiers and keys as people write them: EUIs, AES keys and device addresses in hex.
//!
//! EUIs and DevAddrs are written most significant byte first ("70B3D57ED0000001"); on air
//! LoRaWAN sends them little-endian, which [`Eui::to_air`] and [`DevAddr::to_air`] give.

use std::fmt;
use std::str::FromStr;

/// Why a hex identifier or key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text has the wrong number of hex digits.
    #[error("expected {expected} hex digits, got {got}")]
    Length {
        /// Hex digits wanted.
        expected: usize,
        /// Hex digits given.
        got: usize,
    },
    /// The text holds a character that is not a hex digit.
    #[error("not a hex digit: {0:?}")]
    NotHex(char),
}

/// Reads exactly `N` bytes written as `2 * N` hex digits (either case).
fn parse_hex<const N: usize>(text: &str) -> Result<[u8; N], ParseError> {
    let text = text.trim();
    if text.len() != 2 * N {
        return Err(ParseError::Length { expected: 2 * N, got: text.chars().count() });
    }
    let mut bytes = [0u8; N];
    let digits: Vec<u8> =
        text.chars().map(|c| c.to_digit(16).map(|d| d as u8).ok_or(ParseError::NotHex(c))).collect::<Result<_, _>>()?;
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks(2)) {
        *byte = pair[0] << 4 | pair[1];
    }
    Ok(bytes)
}

/// Writes bytes as upper-case hex, in the order given.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02X}"))
}

/// A 64-bit extended unique identifier (DevEUI, AppEUI/JoinEUI), most significant byte first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Eui(pub [u8; 8]);

impl Eui {
    /// The EUI as sent on air: least significant byte first.
    pub fn to_air(self) -> [u8; 8] {
        let mut bytes = self.0;
        bytes.reverse();
        bytes
    }

    /// The EUI from its on-air (least significant byte first) form.
    pub fn from_air(bytes: [u8; 8]) -> Self {
        let mut bytes = bytes;
        bytes.reverse();
        Self(bytes)
    }
}

impl FromStr for Eui {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, ParseError> {
        parse_hex(text).map(Self)
    }
}

impl fmt::Display for Eui {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

/// A 128-bit AES key (AppKey, NwkSKey, AppSKey), in the byte order the key is written and used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(pub [u8; 16]);

impl FromStr for Key {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, ParseError> {
        parse_hex(text).map(Self)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

/// A 32-bit device address, as a number (written as 8 hex digits, most significant first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DevAddr(pub u32);

impl DevAddr {
    /// The address as sent on air: least significant byte first.
    pub fn to_air(self) -> [u8; 4] {
        self.0.to_le_bytes()
    }

    /// The address from its on-air (least significant byte first) form.
    pub fn from_air(bytes: [u8; 4]) -> Self {
        Self(u32::from_le_bytes(bytes))
    }
}

impl FromStr for DevAddr {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, ParseError> {
        parse_hex::<4>(text).map(|bytes| Self(u32::from_be_bytes(bytes)))
    }
}

impl fmt::Display for DevAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08X}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eui_is_written_most_significant_byte_first_and_sent_reversed() {
        let eui: Eui = "70B3D57ED0000001".parse().unwrap();
        assert_eq!(eui.0[0], 0x70);
        assert_eq!(eui.to_air()[0], 0x01);
        assert_eq!(Eui::from_air(eui.to_air()), eui);
        assert_eq!(eui.to_string(), "70B3D57ED0000001");
    }

    #[test]
    fn a_dev_addr_reads_as_a_number_and_prints_eight_digits() {
        let addr: DevAddr = "26011bda".parse().unwrap();
        assert_eq!(addr, DevAddr(0x2601_1BDA));
        assert_eq!(addr.to_air(), [0xDA, 0x1B, 0x01, 0x26]);
        assert_eq!(DevAddr(0x1F).to_string(), "0000001F");
    }

    #[test]
    fn bad_hex_is_refused_with_the_reason() {
        assert_eq!("0102".parse::<Key>(), Err(ParseError::Length { expected: 32, got: 4 }));
        assert_eq!("zz000000".parse::<DevAddr>(), Err(ParseError::NotHex('z')));
    }
}
