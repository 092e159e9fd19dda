//! A FAT volume on a region of the NOR flash chip.

use std::io;

use pycom_flash::{Flash, FlashError};

use super::disk::Medium;

/// The flash chip from a region's offset on. A block write programs the new
/// bytes directly when they only clear bits, and otherwise erases the 4 KiB
/// sector and programs the merged contents, as the firmware's flash disk does;
/// a block whose bytes did not change is left alone, sparing the sector.
pub struct FlashMedium<'f> {
    flash: &'f mut Flash,
    failure: Option<FlashError>,
}

impl<'f> FlashMedium<'f> {
    /// The whole chip (the [`super::disk::Disk`] window picks the region).
    pub fn new(flash: &'f mut Flash) -> Self {
        Self { flash, failure: None }
    }

    /// The flash error behind the last I/O error, if the chip caused one.
    pub fn take_failure(&mut self) -> Option<FlashError> {
        self.failure.take()
    }

    fn check(&mut self, result: Result<(), FlashError>) -> io::Result<()> {
        result.map_err(|error| {
            let message = error.to_string();
            self.failure = Some(error);
            io::Error::other(message)
        })
    }

    fn address(offset: u64) -> io::Result<u32> {
        u32::try_from(offset).map_err(|_| io::Error::other("flash address beyond 4 GiB"))
    }
}

impl Medium for FlashMedium<'_> {
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let result = self.flash.read(Self::address(offset)?, buf);
        self.check(result)
    }

    fn write_block(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        let address = Self::address(offset)?;
        let mut old = vec![0; data.len()];
        let result = self.flash.read(address, &mut old);
        self.check(result)?;
        let Some(first) = old.iter().zip(data).position(|(o, n)| o != n) else {
            return Ok(());
        };
        let result = if old.iter().zip(data).all(|(o, n)| o & n == *n) {
            // Only 1 -> 0 bits: program the changed span, no erase.
            let last = old.iter().zip(data).rposition(|(o, n)| o != n).unwrap_or(first);
            self.flash.write(address + first as u32, &data[first..=last])
        } else {
            self.flash.erase_and_write(address, data)
        };
        self.check(result)
    }
}
