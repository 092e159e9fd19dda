//! ESP-IDF NVS, format version 2: pages of 126 entries of 32 bytes.
//!
//! Only the byte layouts live here (page header, entry-state bitmap, item
//! entries, item types); what to write when is the storage engine's business.

mod bitmap;
mod header;
mod item;

pub use bitmap::{EntryBitmap, EntryState};
pub use header::{PageHeader, PageState};
pub use item::{BlobIndex, Item, ItemType, KEY_MAX_LEN, VarLength, key_bytes};

/// Bytes in one page (one flash sector).
pub const PAGE_SIZE: usize = 4096;
/// Bytes in one entry.
pub const ENTRY_SIZE: usize = 32;
/// Entries in one page.
pub const ENTRY_COUNT: usize = 126;
/// Offset of the entry-state bitmap in a page.
pub const BITMAP_OFFSET: usize = 32;
/// Offset of entry 0 in a page.
pub const ENTRIES_OFFSET: usize = 64;
/// Largest payload of one variable-length item (a string, or one blob chunk).
pub const CHUNK_MAX_SIZE: usize = ENTRY_SIZE * (ENTRY_COUNT - 1);
/// Header `version` byte of format version 2 (multi-page blobs).
pub const FORMAT_VERSION: u8 = 0xFE;
/// Namespace index of the namespace table itself.
pub const NS_TABLE: u8 = 0;
/// `chunkIndex` of every item that is not a blob data chunk.
pub const CHUNK_ANY: u8 = 0xFF;

/// Byte offset of entry `index` within its page.
pub fn entry_offset(index: usize) -> usize {
    ENTRIES_OFFSET + index * ENTRY_SIZE
}
