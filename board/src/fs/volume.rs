//! A mounted filesystem of the board, whichever it is: `/flash` or the SD
//! card at its mount point. Services that walk the board's tree (FTP) use
//! this; both sides offer the same file operations.

use super::{DirEntry, Fs, FsError, Metadata, SdCard};

/// A volume to work on.
pub enum Volume<'a> {
    /// The internal `/flash`.
    Flash(Fs<'a>),
    /// The SD card.
    Sd(&'a mut SdCard),
}

/// Runs the same operation on whichever volume it is.
macro_rules! either {
    ($volume:expr, |$fs:ident| $body:expr) => {
        match $volume {
            Volume::Flash($fs) => $body,
            Volume::Sd($fs) => $body,
        }
    };
}

impl Volume<'_> {
    /// A file's bytes.
    pub fn read(&mut self, path: &str) -> Result<Vec<u8>, FsError> {
        either!(self, |fs| fs.read(path))
    }

    /// Creates or replaces a file.
    pub fn write(&mut self, path: &str, data: &[u8]) -> Result<(), FsError> {
        either!(self, |fs| fs.write(path, data))
    }

    /// A directory's entries.
    pub fn list(&mut self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        either!(self, |fs| fs.list(path))
    }

    /// What is at `path`.
    pub fn metadata(&mut self, path: &str) -> Result<Metadata, FsError> {
        either!(self, |fs| fs.metadata(path))
    }

    /// Makes a directory.
    pub fn create_dir(&mut self, path: &str) -> Result<(), FsError> {
        either!(self, |fs| fs.create_dir(path))
    }

    /// Removes a file.
    pub fn remove_file(&mut self, path: &str) -> Result<(), FsError> {
        either!(self, |fs| fs.remove_file(path))
    }

    /// Removes an empty directory.
    pub fn remove_dir(&mut self, path: &str) -> Result<(), FsError> {
        either!(self, |fs| fs.remove_dir(path))
    }

    /// Renames within the volume.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), FsError> {
        either!(self, |fs| fs.rename(from, to))
    }

    /// The volume's size in bytes.
    pub fn capacity(&mut self) -> Result<u64, FsError> {
        match self {
            Volume::Flash(fs) => Ok(u64::from(fs.region().size)),
            Volume::Sd(card) => Ok(card.volume_size()),
        }
    }
}
