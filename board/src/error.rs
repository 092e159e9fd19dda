use std::path::PathBuf;

use pycom_flash::FlashError;
use pycom_formats::PartitionTableError;

use crate::BoardModel;
use crate::nvs::NvsError;

/// What can keep the board from running.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// The flash chip or its image file failed.
    #[error(transparent)]
    Flash(#[from] FlashError),
    /// The NVS partition could not be mounted.
    #[error("NVS: {0}")]
    Nvs(#[from] NvsError),
    /// The image's partition table is missing or damaged.
    #[error("{path}: partition table at 0x8000: {source}")]
    PartitionTable {
        /// The image file.
        path: PathBuf,
        /// What is wrong with the table.
        #[source]
        source: PartitionTableError,
    },
    /// The image is the flash of a board with another flash size.
    #[error(
        "{path} is a {actual} MiB flash image but a {model} has {expected} MiB of flash; \
         pass --board with the model this image belongs to"
    )]
    WrongFlashSize {
        /// The image file.
        path: PathBuf,
        /// Model asked for.
        model: BoardModel,
        /// Image size in MiB.
        actual: usize,
        /// Model's flash size in MiB.
        expected: usize,
    },
}
