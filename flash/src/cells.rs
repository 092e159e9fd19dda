//! The bytes of a chip: held in memory, or mapped from its image file.

use std::ops::{Deref, DerefMut};

use memmap2::MmapMut;

/// A chip's bytes. A chip opened from its image file maps the file privately
/// (copy-on-write): only the pages the board reads are brought in, from the
/// host's page cache, and only those it writes get a copy of their own, so a
/// fleet's 8 MiB images cost each board little memory and nothing to read
/// at start. Every write also goes through to the file ([`crate::Flash`]
/// writes both), so mapping and file hold the same bytes.
#[derive(Debug)]
pub(crate) enum Cells {
    /// Bytes in memory (a new chip, a copy, a replaced image).
    Memory(Vec<u8>),
    /// A private mapping of the image file.
    Mapped(MmapMut),
}

impl Deref for Cells {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Cells::Memory(bytes) => bytes,
            Cells::Mapped(map) => map,
        }
    }
}

impl DerefMut for Cells {
    fn deref_mut(&mut self) -> &mut [u8] {
        match self {
            Cells::Memory(bytes) => bytes,
            Cells::Mapped(map) => map,
        }
    }
}
