//! The littlefs2 block device: one region of the flash chip.

use littlefs2::consts::{U16, U4096};
use littlefs2::driver::Storage;
use littlefs2::io::{Error as LfsError, Result as LfsResult};
use pycom_flash::{Flash, FlashError};

use super::region::BLOCK_SIZE;

/// Block count of the 4 MB boards' `fs` partition (0x7F000 bytes).
pub const BLOCKS_4MB: usize = 127;
/// Block count of the 8 MB boards' upper half (0x400000 bytes).
pub const BLOCKS_8MB: usize = 1024;

/// Bytes of each littlefs cache ([`Storage::CACHE_SIZE`] below).
pub const CACHE_BYTES: usize = 4096;
/// Bytes of the lookahead bitmap: 8 per [`Storage::LOOKAHEAD_SIZE`] word.
pub const LOOKAHEAD_BYTES: usize = 8 * 16;

/// `BLOCKS` blocks of flash starting at `offset`, as littlefs sees them.
///
/// Reads, programs and caches work on whole 4 KiB blocks, as the Pycom
/// firmware's `lfscfg` does (and littlefs-python's default): these sizes are
/// not stored on disk, but a writer with a smaller program size would append
/// commits inside blocks the firmware believes it may rewrite whole.
pub struct FlashStorage<'f, const BLOCKS: usize> {
    flash: &'f mut Flash,
    offset: u32,
    failure: Option<FlashError>,
}

impl<'f, const BLOCKS: usize> FlashStorage<'f, BLOCKS> {
    /// The region of `flash` starting at `offset`.
    pub fn new(flash: &'f mut Flash, offset: u32) -> Self {
        Self { flash, offset, failure: None }
    }

    /// The flash error behind the last `LFS_ERR_IO`, if the chip caused one.
    pub fn take_failure(&mut self) -> Option<FlashError> {
        self.failure.take()
    }

    fn address(&self, off: usize, len: usize) -> LfsResult<u32> {
        let end = off.checked_add(len).ok_or(LfsError::IO)?;
        if end > BLOCKS * BLOCK_SIZE as usize {
            return Err(LfsError::IO);
        }
        u32::try_from(off).ok().and_then(|off| self.offset.checked_add(off)).ok_or(LfsError::IO)
    }

    fn check(&mut self, result: Result<(), FlashError>, len: usize) -> LfsResult<usize> {
        match result {
            Ok(()) => Ok(len),
            Err(error) => {
                self.failure = Some(error);
                Err(LfsError::IO)
            }
        }
    }
}

impl<const BLOCKS: usize> Storage for FlashStorage<'_, BLOCKS> {
    const READ_SIZE: usize = BLOCK_SIZE as usize;
    const WRITE_SIZE: usize = BLOCK_SIZE as usize;
    const BLOCK_SIZE: usize = BLOCK_SIZE as usize;
    const BLOCK_COUNT: usize = BLOCKS;
    type CACHE_SIZE = U4096;
    /// 128 bytes: one bit per block of the larger region.
    type LOOKAHEAD_SIZE = U16;

    fn read(&mut self, off: usize, buf: &mut [u8]) -> LfsResult<usize> {
        let address = self.address(off, buf.len())?;
        let result = self.flash.read(address, buf);
        self.check(result, buf.len())
    }

    fn write(&mut self, off: usize, data: &[u8]) -> LfsResult<usize> {
        let address = self.address(off, data.len())?;
        let result = self.flash.write(address, data);
        self.check(result, data.len())
    }

    fn erase(&mut self, off: usize, len: usize) -> LfsResult<usize> {
        let from = self.address(off, len)?;
        // `address` checked `from + len` stays inside the region, itself a u32.
        let result = self.flash.erase(from, from + len as u32);
        self.check(result, len)
    }
}
