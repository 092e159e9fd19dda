use std::path::PathBuf;

/// Everything that can go wrong on the flash chip or its backing file.
#[derive(Debug, thiserror::Error)]
pub enum FlashError {
    /// The access reaches past the end of the chip.
    #[error("flash access at {offset:#x}+{len:#x} is outside the {size:#x}-byte chip")]
    OutOfBounds {
        /// First byte of the access.
        offset: u32,
        /// Length of the access in bytes.
        len: usize,
        /// Size of the chip in bytes.
        size: usize,
    },
    /// An erase that does not start and end on a sector boundary.
    #[error("erase range {from:#x}..{to:#x} is not aligned to 4 KiB sectors")]
    Unaligned {
        /// Start of the range.
        from: u32,
        /// End of the range (exclusive).
        to: u32,
    },
    /// Programming would have to turn a 0 bit back into 1, which NOR flash cannot
    /// do without an erase.
    #[error("write at {addr:#x} needs an erase first: byte {old:#04x} cannot become {new:#04x}")]
    NotErased {
        /// Address of the first offending byte.
        addr: u32,
        /// Byte currently stored.
        old: u8,
        /// Byte the write asked for.
        new: u8,
    },
    /// The injected power cut has happened; the chip accepts nothing more.
    #[error("power lost (injected power cut)")]
    PowerLost,
    /// The image file has a size that is not a whole number of sectors.
    #[error("image {path} is {size} bytes, not a multiple of 4096")]
    BadImageSize {
        /// The image file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// The image file is larger than any flash chip the ESP32 addresses.
    #[error("image {path} is larger than {limit} bytes, the largest flash an ESP32 addresses")]
    ImageTooLarge {
        /// The image file.
        path: PathBuf,
        /// [`crate::MAX_IMAGE_SIZE`].
        limit: usize,
    },
    /// Reading or writing the image file failed.
    #[error("flash image {path}: {source}")]
    Io {
        /// The image file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another process has the image file open (its exclusive lock is held).
    #[error("image {path} is in use by {}", describe_holder(*holder, command.as_deref()))]
    Locked {
        /// The image file.
        path: PathBuf,
        /// The process holding the lock, when it can be found.
        holder: Option<u32>,
        /// That process's program and first argument, e.g. `pycom-emu serve`.
        command: Option<String>,
    },
    /// A new image file was to be created where a file exists already.
    #[error("image {path} exists already")]
    AlreadyExists {
        /// The image file.
        path: PathBuf,
    },
}

/// "process 123 (pycom-emu serve)", or what is known of it.
fn describe_holder(holder: Option<u32>, command: Option<&str>) -> String {
    match (holder, command) {
        (Some(pid), Some(command)) => format!("process {pid} ({command})"),
        (Some(pid), None) => format!("process {pid}"),
        (None, _) => "another process".to_owned(),
    }
}
