//! Typed NVS values as the API reads and writes them.

use pycom_formats::nvs::ItemType;

/// A value of one of the NVS types.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    /// `u8`.
    U8(u8),
    /// `i8`.
    I8(i8),
    /// `u16`.
    U16(u16),
    /// `i16`.
    I16(i16),
    /// `u32`.
    U32(u32),
    /// `i32`.
    I32(i32),
    /// `u64`.
    U64(u64),
    /// `i64`.
    I64(i64),
    /// A string, stored with a terminating NUL.
    Str(String),
    /// A binary blob.
    Blob(Vec<u8>),
}

impl Value {
    /// The item type the value is stored as (multi-page blobs as their index).
    pub fn item_type(&self) -> ItemType {
        match self {
            Self::U8(_) => ItemType::U8,
            Self::I8(_) => ItemType::I8,
            Self::U16(_) => ItemType::U16,
            Self::I16(_) => ItemType::I16,
            Self::U32(_) => ItemType::U32,
            Self::I32(_) => ItemType::I32,
            Self::U64(_) => ItemType::U64,
            Self::I64(_) => ItemType::I64,
            Self::Str(_) => ItemType::Str,
            Self::Blob(_) => ItemType::BlobIndex,
        }
    }

    /// The little-endian bytes of a primitive, `None` for strings and blobs.
    pub(crate) fn primitive_bytes(&self) -> Option<Vec<u8>> {
        Some(match self {
            Self::U8(v) => v.to_le_bytes().to_vec(),
            Self::I8(v) => v.to_le_bytes().to_vec(),
            Self::U16(v) => v.to_le_bytes().to_vec(),
            Self::I16(v) => v.to_le_bytes().to_vec(),
            Self::U32(v) => v.to_le_bytes().to_vec(),
            Self::I32(v) => v.to_le_bytes().to_vec(),
            Self::U64(v) => v.to_le_bytes().to_vec(),
            Self::I64(v) => v.to_le_bytes().to_vec(),
            Self::Str(_) | Self::Blob(_) => return None,
        })
    }

    /// A primitive of `item_type` from the item's 8 data bytes.
    pub(crate) fn from_primitive(item_type: ItemType, data: &[u8; 8]) -> Option<Self> {
        let take = |n: usize| -> [u8; 8] {
            let mut out = [0u8; 8];
            out[..n].copy_from_slice(&data[..n]);
            out
        };
        let b = take(item_type.primitive_size());
        Some(match item_type {
            ItemType::U8 => Self::U8(b[0]),
            ItemType::I8 => Self::I8(b[0] as i8),
            ItemType::U16 => Self::U16(u16::from_le_bytes([b[0], b[1]])),
            ItemType::I16 => Self::I16(i16::from_le_bytes([b[0], b[1]])),
            ItemType::U32 => Self::U32(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            ItemType::I32 => Self::I32(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            ItemType::U64 => Self::U64(u64::from_le_bytes(b)),
            ItemType::I64 => Self::I64(i64::from_le_bytes(b)),
            _ => return None,
        })
    }

    /// The type's name in Espressif's CSV format (`u32`, `string`, `binary`...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::U8(_) => "u8",
            Self::I8(_) => "i8",
            Self::U16(_) => "u16",
            Self::I16(_) => "i16",
            Self::U32(_) => "u32",
            Self::I32(_) => "i32",
            Self::U64(_) => "u64",
            Self::I64(_) => "i64",
            Self::Str(_) => "string",
            Self::Blob(_) => "binary",
        }
    }
}
