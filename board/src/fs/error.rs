//! Filesystem errors, with the errno values MicroPython raises them as.

use littlefs2::io::Error as LfsError;
use pycom_flash::FlashError;

/// What a `/flash` filesystem operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// No file or directory at that path (`ENOENT`).
    #[error("no such file or directory (ENOENT)")]
    NotFound,
    /// Something already exists at that path (`EEXIST`).
    #[error("file exists (EEXIST)")]
    Exists,
    /// A directory was needed and a file was found (`ENOTDIR`).
    #[error("not a directory (ENOTDIR)")]
    NotADirectory,
    /// A file was needed and a directory was found (`EISDIR`).
    #[error("is a directory (EISDIR)")]
    IsADirectory,
    /// The directory still holds entries (`ENOTEMPTY`).
    #[error("directory not empty (ENOTEMPTY)")]
    NotEmpty,
    /// The filesystem has no free block left (`ENOSPC`).
    #[error("no space left on device (ENOSPC)")]
    NoSpace,
    /// The path or the operation on it makes no sense (`EINVAL`), e.g. a NUL
    /// byte, or moving a directory into itself.
    #[error("invalid path or argument (EINVAL)")]
    InvalidPath,
    /// One of the path's names is too long for the filesystem (`ENAMETOOLONG`).
    #[error("file name too long (ENAMETOOLONG)")]
    NameTooLong,
    /// A path longer than littlefs2 can name (`ENAMETOOLONG`): one given past
    /// 255 bytes (such as a name listed on an image another tool made, joined
    /// to its directory), or a rename of a directory that would put something
    /// below it past 255 bytes.
    #[error("path too long: {bytes} bytes, LittleFS takes 255 (ENAMETOOLONG)")]
    PathTooLong {
        /// The length the longest path would have.
        bytes: usize,
    },
    /// The region or image holds no mountable filesystem of the expected kind,
    /// or its metadata is damaged (`EIO`).
    #[error("filesystem corrupt or not formatted (EIO)")]
    Corrupt,
    /// Something this engine cannot do (`EINVAL`): an unsupported region size,
    /// a non-ASCII path, ...
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The flash chip failed (or lost power) (`EIO`).
    #[error(transparent)]
    Flash(#[from] FlashError),
    /// Reading or writing an SD card image on the host failed (`EIO`).
    #[error("SD card image: {0}")]
    Io(#[source] std::io::Error),
}

impl FsError {
    /// The errno value MicroPython's `OSError` carries.
    pub fn errno(&self) -> i32 {
        match self {
            Self::NotFound => 2,
            Self::Exists => 17,
            Self::NotADirectory => 20,
            Self::IsADirectory => 21,
            Self::NotEmpty => 39,
            Self::NoSpace => 28,
            Self::InvalidPath | Self::Unsupported(_) => 22,
            Self::NameTooLong | Self::PathTooLong { .. } => 36,
            Self::Corrupt | Self::Flash(_) | Self::Io(_) => 5,
        }
    }

    /// Maps a littlefs error (`LFS_ERR_*`, a negated errno). An `LFS_ERR_IO`
    /// caused by the flash is recovered by the caller from the storage adapter.
    pub(crate) fn from_lfs(error: LfsError) -> Self {
        match error.code() {
            -2 => Self::NotFound,
            -17 => Self::Exists,
            -20 => Self::NotADirectory,
            -21 => Self::IsADirectory,
            -39 => Self::NotEmpty,
            -28 | -27 => Self::NoSpace, // LFS_ERR_NOSPC, LFS_ERR_FBIG
            -22 => Self::InvalidPath,
            -36 => Self::NameTooLong,
            -12 => Self::Unsupported("littlefs ran out of memory".into()),
            _ => Self::Corrupt,
        }
    }
}
