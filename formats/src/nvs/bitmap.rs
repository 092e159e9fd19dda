//! The entry-state bitmap: two bits per entry, packed into eight little-endian words.

use super::ENTRY_COUNT;

/// What an entry slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryState {
    /// Never written since the page was erased (`0b11`).
    Empty,
    /// Holds (part of) a live item (`0b10`).
    Written,
    /// Held an item that has since been erased (`0b00`).
    Erased,
    /// Inconsistent flash (`0b01`).
    Illegal,
}

impl EntryState {
    fn bits(self) -> u32 {
        match self {
            Self::Empty => 0b11,
            Self::Written => 0b10,
            Self::Erased => 0b00,
            Self::Illegal => 0b01,
        }
    }

    fn from_bits(bits: u32) -> Self {
        match bits & 0b11 {
            0b11 => Self::Empty,
            0b10 => Self::Written,
            0b00 => Self::Erased,
            _ => Self::Illegal,
        }
    }
}

/// Words in the bitmap.
pub const BITMAP_WORDS: usize = 8;

/// The 32-byte bitmap of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryBitmap {
    words: [u32; BITMAP_WORDS],
}

impl Default for EntryBitmap {
    /// All entries empty, as after an erase.
    fn default() -> Self {
        Self { words: [u32::MAX; BITMAP_WORDS] }
    }
}

impl EntryBitmap {
    /// Decodes the bitmap bytes.
    pub fn decode(bytes: &[u8; 32]) -> Self {
        let mut words = [0u32; BITMAP_WORDS];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = u32::from_le_bytes(chunk.try_into().expect("4 bytes"));
        }
        Self { words }
    }

    /// State of entry `index` (`index < 126`).
    pub fn get(&self, index: usize) -> EntryState {
        debug_assert!(index < ENTRY_COUNT);
        EntryState::from_bits(self.words[index / 16] >> (2 * (index % 16)))
    }

    /// Sets entry `index` to `state`.
    pub fn set(&mut self, index: usize, state: EntryState) {
        let shift = 2 * (index % 16);
        let word = &mut self.words[index / 16];
        *word = (*word & !(0b11 << shift)) | (state.bits() << shift);
    }

    /// Which word holds entry `index`.
    pub fn word_of(index: usize) -> usize {
        index / 16
    }

    /// Word `word` as stored (little-endian).
    pub fn word_bytes(&self, word: usize) -> [u8; 4] {
        self.words[word].to_le_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_written_entries_make_byte_0xaa() {
        let mut bitmap = EntryBitmap::default();
        for i in 0..4 {
            bitmap.set(i, EntryState::Written);
        }
        assert_eq!(bitmap.word_bytes(0), [0xAA, 0xFF, 0xFF, 0xFF]);
    }

    #[test]
    fn entries_map_to_their_word_lsb_first() {
        let mut bytes = [0xFF; 32];
        bytes[4] = 0b1111_1110; // entry 16 is the low two bits of word 1
        let bitmap = EntryBitmap::decode(&bytes);
        assert_eq!(bitmap.get(16), EntryState::Written);
        assert_eq!(bitmap.get(17), EntryState::Empty);
        assert_eq!(EntryBitmap::word_of(16), 1);
    }
}
