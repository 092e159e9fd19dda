//! An SD card: a FAT volume in a host image file, with the same file API as
//! `/flash`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::fat::disk::{Disk, Medium};
use super::fat::{self, Fat};
use super::{DirEntry, FsError, FsUsage, Metadata, path};

/// Smallest card image [`SdCard::open_or_create`] makes.
pub const SD_MIN_SIZE: u64 = 64 * 1024;

/// A FAT-formatted SD card image on the host.
///
/// The volume is either the whole image (what `os.mkfs` on the card and
/// [`SdCard::open_or_create`] make: no partition table) or the first FAT
/// partition of an MBR (how cards come from the shop).
#[derive(Debug)]
pub struct SdCard {
    file: File,
    path: PathBuf,
    /// Where the FAT volume starts in the image, and its size.
    base: u64,
    len: u64,
}

/// The image file as a [`Medium`]: host I/O errors are kept to be reported as
/// [`FsError::Io`] rather than as the damage fatfs would make of them.
struct FileMedium<'f> {
    file: &'f mut File,
    failure: Option<io::Error>,
}

impl FileMedium<'_> {
    fn check<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        result.inspect_err(|error| self.failure = Some(io::Error::new(error.kind(), error.to_string())))
    }

    fn take_failure(&mut self) -> Option<FsError> {
        self.failure.take().map(FsError::Io)
    }
}

impl Medium for FileMedium<'_> {
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let result = self.file.seek(SeekFrom::Start(offset)).and_then(|_| self.file.read_exact(buf));
        self.check(result)
    }

    fn write_block(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        let result = self.file.seek(SeekFrom::Start(offset)).and_then(|_| self.file.write_all(data));
        self.check(result)
    }
}

/// MBR partition types of FAT12, FAT16 (< and >= 32 MiB, LBA) and FAT32 (CHS, LBA).
const FAT_PARTITION_TYPES: [u8; 6] = [0x01, 0x04, 0x06, 0x0E, 0x0B, 0x0C];

/// Where the FAT volume lies in an image of `size` bytes whose first sector is
/// `first`: the whole image if it starts with a FAT boot sector, else the
/// first FAT partition of its MBR.
fn locate_volume(first: &[u8; 512], size: u64) -> Result<(u64, u64), FsError> {
    if first[510..512] != [0x55, 0xAA] {
        return Err(FsError::Corrupt);
    }
    let bytes_per_sector = u16::from_le_bytes([first[11], first[12]]);
    let is_boot_sector = matches!(first[0], 0xEB | 0xE9)
        && matches!(bytes_per_sector, 512 | 1024 | 2048 | 4096)
        && first[13].is_power_of_two();
    if is_boot_sector {
        return Ok((0, size));
    }
    for entry in first[446..510].chunks_exact(16) {
        if FAT_PARTITION_TYPES.contains(&entry[4]) {
            let start = u64::from(u32::from_le_bytes([entry[8], entry[9], entry[10], entry[11]])) * 512;
            let sectors = u64::from(u32::from_le_bytes([entry[12], entry[13], entry[14], entry[15]]));
            if start == 0 || start >= size {
                return Err(FsError::Corrupt);
            }
            return Ok((start, (sectors * 512).min(size - start)));
        }
    }
    Err(FsError::Corrupt)
}

impl SdCard {
    /// Opens the card image at `path`, which must hold a FAT volume
    /// (`EIO` otherwise; its size is what it is, `size_bytes` is ignored), or
    /// creates it with `size_bytes` bytes (a multiple of 512, at least
    /// [`SD_MIN_SIZE`]) and formats it as FatFS's `f_mkfs` would.
    pub fn open_or_create(path: &Path, size_bytes: u64) -> Result<Self, FsError> {
        let mut card = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(mut file) => {
                let size = file.metadata().map_err(FsError::Io)?.len();
                let mut first = [0u8; 512];
                file.read_exact(&mut first).map_err(|_| FsError::Corrupt)?;
                let (base, len) = locate_volume(&first, size)?;
                Self { file, path: path.to_owned(), base, len }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                if size_bytes < SD_MIN_SIZE || !size_bytes.is_multiple_of(512) {
                    return Err(FsError::Unsupported(format!(
                        "an SD card image of {size_bytes} bytes (a multiple of 512, at least {SD_MIN_SIZE})"
                    )));
                }
                let file =
                    OpenOptions::new().read(true).write(true).create_new(true).open(path).map_err(FsError::Io)?;
                file.set_len(size_bytes).map_err(FsError::Io)?;
                let mut card = Self { file, path: path.to_owned(), base: 0, len: size_bytes };
                card.format()?;
                card
            }
            Err(error) => return Err(FsError::Io(error)),
        };
        card.run(|_| Ok(()))?;
        Ok(card)
    }

    /// The image file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Size of the FAT volume in bytes.
    pub fn volume_size(&self) -> u64 {
        self.len
    }

    fn run<R>(&mut self, op: impl FnOnce(&Fat<'_, FileMedium<'_>>) -> Result<R, FsError>) -> Result<R, FsError> {
        let medium = FileMedium { file: &mut self.file, failure: None };
        let mut disk = Disk::new(medium, self.base, self.len);
        let result = fat::run(&mut disk, FileMedium::take_failure, op);
        drop(disk);
        result.and_then(|value| self.file.flush().map(|()| value).map_err(FsError::Io))
    }

    /// Writes an empty FAT volume over the card's volume (`os.mkfs`).
    pub fn format(&mut self) -> Result<(), FsError> {
        let medium = FileMedium { file: &mut self.file, failure: None };
        let mut disk = Disk::new(medium, self.base, self.len);
        fat::format(&mut disk, FileMedium::take_failure)
    }

    /// The whole contents of the file at `path`.
    pub fn read(&mut self, path: &str) -> Result<Vec<u8>, FsError> {
        let path = path::normalise_fat(path)?;
        self.run(|fs| fat::read(fs, &path))
    }

    /// Creates the file at `path`, or truncates it, and writes `data` to it.
    pub fn write(&mut self, path: &str, data: &[u8]) -> Result<(), FsError> {
        let path = path::normalise_fat(path)?;
        self.run(|fs| fat::write(fs, &path, data, false))
    }

    /// Appends `data` to the file at `path`, creating it if missing.
    pub fn append(&mut self, path: &str, data: &[u8]) -> Result<(), FsError> {
        let path = path::normalise_fat(path)?;
        self.run(|fs| fat::write(fs, &path, data, true))
    }

    /// The entries of the directory at `path`, without `.` and `..`, in
    /// directory order.
    pub fn list(&mut self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        let path = path::normalise_fat(path)?;
        self.run(|fs| fat::list(fs, &path))
    }

    /// Whether `path` is a file or a directory, and its size.
    pub fn metadata(&mut self, path: &str) -> Result<Metadata, FsError> {
        let path = path::normalise_fat(path)?;
        self.run(|fs| fat::metadata(fs, &path))
    }

    /// Creates the directory `path`; its parent must exist.
    pub fn create_dir(&mut self, path: &str) -> Result<(), FsError> {
        let path = path::normalise_fat(path)?;
        if path == "/" {
            return Err(FsError::Exists);
        }
        self.run(|fs| fat::create_dir(fs, &path))
    }

    /// Removes the file at `path` (`EISDIR` for a directory).
    pub fn remove_file(&mut self, path: &str) -> Result<(), FsError> {
        let path = path::normalise_fat(path)?;
        self.run(|fs| fat::remove(fs, &path, false))
    }

    /// Removes the empty directory at `path`.
    pub fn remove_dir(&mut self, path: &str) -> Result<(), FsError> {
        let path = path::normalise_fat(path)?;
        if path == "/" {
            return Err(FsError::InvalidPath);
        }
        self.run(|fs| fat::remove(fs, &path, true))
    }

    /// Renames (moves) `from` to `to`, as [`super::Fs::rename`] does.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), FsError> {
        let (from, to) = (path::normalise_fat(from)?, path::normalise_fat(to)?);
        if from == "/" || to == "/" || (from != to && path::is_within(&to, &from)) {
            return Err(FsError::InvalidPath);
        }
        self.run(|fs| fat::rename(fs, &from, &to))
    }

    /// Cluster size, cluster count and free clusters.
    #[allow(clippy::redundant_closure)] // the function item is not general enough over the lifetimes
    pub fn usage(&mut self) -> Result<FsUsage, FsError> {
        self.run(|fs| fat::usage(fs))
    }
}
