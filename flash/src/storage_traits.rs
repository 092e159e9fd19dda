//! The `embedded-storage` NOR flash traits, so flash-format crates written for
//! real chips run unchanged on the model.

use embedded_storage::nor_flash::{
    ErrorType, MultiwriteNorFlash, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

use crate::{Flash, FlashError, SECTOR_SIZE};

impl NorFlashError for FlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            FlashError::OutOfBounds { .. } => NorFlashErrorKind::OutOfBounds,
            FlashError::Unaligned { .. } => NorFlashErrorKind::NotAligned,
            _ => NorFlashErrorKind::Other,
        }
    }
}

impl ErrorType for Flash {
    type Error = FlashError;
}

impl ReadNorFlash for Flash {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        Flash::read(self, offset, bytes)
    }

    fn capacity(&self) -> usize {
        self.size()
    }
}

impl NorFlash for Flash {
    const WRITE_SIZE: usize = 1;
    const ERASE_SIZE: usize = SECTOR_SIZE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        Flash::erase(self, from, to)
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        Flash::write(self, offset, bytes)
    }
}

/// Bits can be cleared by several writes between erases, as on the ESP32's flash.
impl MultiwriteNorFlash for Flash {}
