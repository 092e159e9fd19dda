//! The 32-byte item entry: namespace, type, span, chunk index, CRC, key and data.

use crate::crc32::esp_crc32;

/// Longest key in bytes (the 16-byte field keeps a terminating NUL).
pub const KEY_MAX_LEN: usize = 15;

/// The type byte of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    /// Unsigned 8-bit integer (also namespace table entries).
    U8,
    /// Signed 8-bit integer.
    I8,
    /// Unsigned 16-bit integer.
    U16,
    /// Signed 16-bit integer.
    I16,
    /// Unsigned 32-bit integer (what `pycom.nvs_set` stores for ints).
    U32,
    /// Signed 32-bit integer.
    I32,
    /// Unsigned 64-bit integer.
    U64,
    /// Signed 64-bit integer.
    I64,
    /// NUL-terminated string.
    Str,
    /// Legacy single-page blob (format version 1).
    BlobV1,
    /// One chunk of a multi-page blob.
    BlobData,
    /// Index of a multi-page blob.
    BlobIndex,
}

impl ItemType {
    /// The stored type byte.
    pub fn code(self) -> u8 {
        match self {
            Self::U8 => 0x01,
            Self::I8 => 0x11,
            Self::U16 => 0x02,
            Self::I16 => 0x12,
            Self::U32 => 0x04,
            Self::I32 => 0x14,
            Self::U64 => 0x08,
            Self::I64 => 0x18,
            Self::Str => 0x21,
            Self::BlobV1 => 0x41,
            Self::BlobData => 0x42,
            Self::BlobIndex => 0x48,
        }
    }

    /// The type a stored byte stands for, if any.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x01 => Self::U8,
            0x11 => Self::I8,
            0x02 => Self::U16,
            0x12 => Self::I16,
            0x04 => Self::U32,
            0x14 => Self::I32,
            0x08 => Self::U64,
            0x18 => Self::I64,
            0x21 => Self::Str,
            0x41 => Self::BlobV1,
            0x42 => Self::BlobData,
            0x48 => Self::BlobIndex,
            _ => return None,
        })
    }

    /// Whether the payload follows in data entries (strings and blobs).
    pub fn is_variable_length(self) -> bool {
        matches!(self, Self::Str | Self::BlobV1 | Self::BlobData)
    }

    /// Bytes of a primitive value (0 for the other types).
    pub fn primitive_size(self) -> usize {
        match self {
            Self::U8 | Self::I8 => 1,
            Self::U16 | Self::I16 => 2,
            Self::U32 | Self::I32 => 4,
            Self::U64 | Self::I64 => 8,
            _ => 0,
        }
    }
}

/// The header fields of a string or blob chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarLength {
    /// Payload bytes (strings include the NUL).
    pub size: u16,
    /// CRC of the payload.
    pub crc: u32,
}

/// The data field of a blob index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobIndex {
    /// Total blob bytes.
    pub size: u32,
    /// Number of chunks.
    pub chunk_count: u8,
    /// Chunk index of the first chunk: 0x00 or 0x80, toggled on every rewrite.
    pub chunk_start: u8,
}

/// The 16-byte key field for `key`: at most 15 bytes (cut at a NUL), NUL-padded.
pub fn key_bytes(key: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let end = key.iter().position(|&b| b == 0).unwrap_or(key.len()).min(KEY_MAX_LEN);
    out[..end].copy_from_slice(&key[..end]);
    out
}

/// One 32-byte item header entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// Namespace index (0 = namespace table).
    pub ns: u8,
    /// Raw type byte (see [`ItemType::from_code`]).
    pub type_code: u8,
    /// Entries the item occupies, this header included.
    pub span: u8,
    /// Chunk index of blob data; `0xFF` otherwise.
    pub chunk: u8,
    /// Stored CRC of the other 28 bytes.
    pub crc: u32,
    /// Key field.
    pub key: [u8; 16],
    /// Data field: a primitive value, a [`VarLength`] or a [`BlobIndex`].
    pub data: [u8; 8],
}

impl Item {
    /// A header for `key` with the given fields, `0xFF` data and a CRC to be filled
    /// by [`Item::seal`].
    pub fn new(ns: u8, item_type: ItemType, span: u8, key: &[u8], chunk: u8) -> Self {
        Self { ns, type_code: item_type.code(), span, chunk, crc: 0, key: key_bytes(key), data: [0xFF; 8] }
    }

    /// Decodes a 32-byte entry.
    pub fn decode(bytes: &[u8; 32]) -> Self {
        Self {
            ns: bytes[0],
            type_code: bytes[1],
            span: bytes[2],
            chunk: bytes[3],
            crc: u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes")),
            key: bytes[8..24].try_into().expect("16 bytes"),
            data: bytes[24..32].try_into().expect("8 bytes"),
        }
    }

    /// Encodes the entry as stored.
    pub fn encode(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[0] = self.ns;
        out[1] = self.type_code;
        out[2] = self.span;
        out[3] = self.chunk;
        out[4..8].copy_from_slice(&self.crc.to_le_bytes());
        out[8..24].copy_from_slice(&self.key);
        out[24..32].copy_from_slice(&self.data);
        out
    }

    /// The CRC the entry should carry: over everything but the CRC field.
    pub fn expected_crc(&self) -> u32 {
        let bytes = self.encode();
        let mut covered = [0u8; 28];
        covered[..4].copy_from_slice(&bytes[..4]);
        covered[4..].copy_from_slice(&bytes[8..]);
        esp_crc32(&covered)
    }

    /// Fills in the CRC.
    pub fn seal(mut self) -> Self {
        self.crc = self.expected_crc();
        self
    }

    /// Whether the stored CRC matches.
    pub fn crc_valid(&self) -> bool {
        self.crc == self.expected_crc()
    }

    /// The item type, if the type byte is known.
    pub fn item_type(&self) -> Option<ItemType> {
        ItemType::from_code(self.type_code)
    }

    /// The key up to its NUL.
    pub fn key_str(&self) -> &[u8] {
        let end = self.key.iter().position(|&b| b == 0).unwrap_or(self.key.len());
        &self.key[..end]
    }

    /// The header of a string or blob chunk.
    pub fn var_length(&self) -> VarLength {
        VarLength {
            size: u16::from_le_bytes([self.data[0], self.data[1]]),
            crc: u32::from_le_bytes(self.data[4..8].try_into().expect("4 bytes")),
        }
    }

    /// Sets the string/blob-chunk header for `payload`.
    pub fn set_var_length(&mut self, payload: &[u8]) {
        let size = u16::try_from(payload.len()).expect("a chunk is at most 4000 bytes");
        self.data[0..2].copy_from_slice(&size.to_le_bytes());
        self.data[2..4].copy_from_slice(&[0xFF, 0xFF]);
        self.data[4..8].copy_from_slice(&esp_crc32(payload).to_le_bytes());
    }

    /// The blob index fields.
    pub fn blob_index(&self) -> BlobIndex {
        BlobIndex {
            size: u32::from_le_bytes(self.data[0..4].try_into().expect("4 bytes")),
            chunk_count: self.data[4],
            chunk_start: self.data[5],
        }
    }

    /// Sets the blob index fields.
    pub fn set_blob_index(&mut self, index: BlobIndex) {
        self.data[0..4].copy_from_slice(&index.size.to_le_bytes());
        self.data[4] = index.chunk_count;
        self.data[5] = index.chunk_start;
        self.data[6..8].copy_from_slice(&[0xFF, 0xFF]);
    }

    /// Entries a variable-length payload of `len` bytes needs, header included.
    pub fn span_for_payload(len: usize) -> usize {
        1 + len.div_ceil(super::ENTRY_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_code_round_trips() {
        for code in 0..=255u8 {
            if let Some(t) = ItemType::from_code(code) {
                assert_eq!(t.code(), code);
            }
        }
        assert_eq!(ItemType::from_code(0xFF), None);
    }

    #[test]
    fn keys_are_cut_to_15_bytes_and_nul_padded() {
        assert_eq!(&key_bytes(b"abcdefghijklmnopq")[..], b"abcdefghijklmno\0");
        assert_eq!(&key_bytes(b"ab\0cd")[..4], b"ab\0\0");
    }

    #[test]
    fn the_crc_changes_with_namespace_type_and_key() {
        let base = Item::new(1, ItemType::U32, 1, b"key", CHUNK).seal();
        for other in [
            Item::new(2, ItemType::U32, 1, b"key", CHUNK),
            Item::new(1, ItemType::I32, 1, b"key", CHUNK),
            Item::new(1, ItemType::U32, 1, b"kez", CHUNK),
        ] {
            assert_ne!(other.seal().crc, base.crc);
        }
        assert!(Item::decode(&base.encode()).crc_valid());
    }

    const CHUNK: u8 = super::super::CHUNK_ANY;

    #[test]
    fn a_string_header_carries_size_and_payload_crc() {
        let mut item = Item::new(1, ItemType::Str, 2, b"s", CHUNK);
        item.set_var_length(b"hello\0");
        assert_eq!(item.var_length().size, 6);
        assert_eq!(item.var_length().crc, esp_crc32(b"hello\0"));
        assert_eq!(item.data[2..4], [0xFF, 0xFF]);
        assert_eq!(Item::span_for_payload(6), 2);
        assert_eq!(Item::span_for_payload(1984), 63);
    }
}
