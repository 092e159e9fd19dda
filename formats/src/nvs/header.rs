//! The 32-byte page header and the page states encoded in its first word.

use crate::crc32::esp_crc32;

/// The state word of a page. States move by clearing bits, so a page can go
/// from erased to active to full to freeing without an erase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum PageState {
    /// Erased: every byte of the sector is `0xFF`.
    Uninitialized,
    /// The page new items are written to.
    Active,
    /// No more items go into this page.
    Full,
    /// Garbage collection is copying this page's items elsewhere.
    Freeing,
    /// Marked corrupt (or with an unknown state word / bad header CRC).
    Corrupt,
}

impl PageState {
    /// The state word as stored.
    pub fn to_word(self) -> u32 {
        match self {
            Self::Uninitialized => 0xFFFF_FFFF,
            Self::Active => 0xFFFF_FFFE,
            Self::Full => 0xFFFF_FFFC,
            Self::Freeing => 0xFFFF_FFF8,
            Self::Corrupt => 0xFFFF_FFF0,
        }
    }

    /// The state a stored word stands for; unknown words read as [`PageState::Corrupt`].
    pub fn from_word(word: u32) -> Self {
        match word {
            0xFFFF_FFFF => Self::Uninitialized,
            0xFFFF_FFFE => Self::Active,
            0xFFFF_FFFC => Self::Full,
            0xFFFF_FFF8 => Self::Freeing,
            _ => Self::Corrupt,
        }
    }
}

/// A decoded page header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageHeader {
    /// The raw state word (see [`PageState::from_word`]).
    pub state_word: u32,
    /// Sequence number: pages are used in ascending order of it.
    pub seq: u32,
    /// Format version byte (`0xFE` for version 2, `0xFF` for version 1).
    pub version: u8,
    /// Stored CRC of bytes 4..28.
    pub crc: u32,
    reserved: [u8; 19],
}

impl PageHeader {
    /// The header `Page::initialize` writes: active, with `seq` and the v2 version byte.
    pub fn active(seq: u32) -> Self {
        let mut header = Self {
            state_word: PageState::Active.to_word(),
            seq,
            version: super::FORMAT_VERSION,
            crc: 0,
            reserved: [0xFF; 19],
        };
        header.crc = header.expected_crc();
        header
    }

    /// Decodes the first 32 bytes of a page.
    pub fn decode(bytes: &[u8; 32]) -> Self {
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        Self {
            state_word: word(0),
            seq: word(4),
            version: bytes[8],
            crc: word(28),
            reserved: bytes[9..28].try_into().expect("19 bytes"),
        }
    }

    /// Encodes the header as stored.
    pub fn encode(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[0..4].copy_from_slice(&self.state_word.to_le_bytes());
        out[4..8].copy_from_slice(&self.seq.to_le_bytes());
        out[8] = self.version;
        out[9..28].copy_from_slice(&self.reserved);
        out[28..32].copy_from_slice(&self.crc.to_le_bytes());
        out
    }

    /// The CRC the header should carry: over sequence number, version and reserved bytes.
    pub fn expected_crc(&self) -> u32 {
        esp_crc32(&self.encode()[4..28])
    }

    /// Whether the stored CRC matches.
    pub fn crc_valid(&self) -> bool {
        self.crc == self.expected_crc()
    }

    /// The page state this header stands for.
    pub fn state(&self) -> PageState {
        PageState::from_word(self.state_word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_active_header_round_trips_with_a_valid_crc() {
        let header = PageHeader::active(7);
        let decoded = PageHeader::decode(&header.encode());
        assert_eq!(decoded, header);
        assert!(decoded.crc_valid());
        assert_eq!(decoded.state(), PageState::Active);
    }

    #[test]
    fn the_state_word_is_outside_the_crc() {
        let mut header = PageHeader::active(3);
        header.state_word = PageState::Full.to_word();
        assert!(header.crc_valid());
    }

    #[test]
    fn unknown_state_words_read_as_corrupt() {
        assert_eq!(PageState::from_word(0x1234_5678), PageState::Corrupt);
        assert_eq!(PageState::from_word(0), PageState::Corrupt);
    }
}
