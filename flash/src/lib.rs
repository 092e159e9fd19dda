//! NOR flash model of the virtual Pycom board.
//!
//! A [`Flash`] is the whole SPI flash chip of a device: erase sets a 4 KiB
//! sector to `0xFF`, programming can only clear bits, every sector counts its
//! erases, and a [`PowerCut`] can stop the chip after a given number of
//! operations so tests can check what survives a power loss at any point.
//! The contents can live in memory or be written through to an image file
//! (mapped, not read), which the chip holds under an exclusive lock and
//! replaces atomically.

mod cells;
mod error;
mod image_file;
mod nor;
mod power;
mod storage_traits;

pub use error::FlashError;
pub use image_file::{ABORT_AFTER_WRITES_ENV, Existing};
pub use nor::{Flash, FlashStats, MAX_IMAGE_SIZE, SECTOR_SIZE};
pub use power::PowerCut;
