//! The `/flash` filesystem and SD card images.
//!
//! `/flash` is LittleFS (on-disk version 2.0, as Pycom firmware 1.20 writes
//! it, through littlefs2) or FAT (through fatfs, see [`fat`]), as the config
//! block's `boot_fs_type` says: [`Fs::new`] / [`Fs::with_kind`]. An
//! [`SdCard`] is a FAT volume in a host image file with the same file API.
//!
//! Every call mounts the region, does its work and drops the mount, so an
//! [`Fs`] holds nothing but the borrowed chip and the region; what it writes is
//! on the flash when the call returns.
//!
//! littlefs2 quirks this module works around:
//! - the block count is a trait constant, so the storage adapter is generic over
//!   it and only the two Pycom sizes (127 and 1024 blocks) are supported;
//! - paths must be ASCII and at most 255 bytes in all: anything else is refused
//!   before littlefs sees it ([`FsError::Unsupported`] / [`FsError::NameTooLong`]);
//! - its directory iterator panics on an entry whose full path exceeds 255
//!   bytes, which an image made by another tool can hold: listings go through
//!   littlefs's C API instead ([`raw_dir`]), and a path joined from the names
//!   past 255 bytes is refused as [`FsError::PathTooLong`];
//! - a few other paths panic (an entry type other than file or directory),
//!   which only a foreign or damaged image can reach: each call runs under
//!   `catch_unwind` and reports [`FsError::Unsupported`] with the panic message
//!   instead;
//! - it formats and mounts on-disk version 2.0 only (as the firmware does): an
//!   image at version 2.1 does not mount and is reformatted at boot. Current
//!   littlefs (e.g. littlefs-python) writes 2.1 by default and upgrades a 2.0
//!   image on its first write unless given `disk_version=0x00020000`.

mod error;
mod fat;
mod ops;
mod path;
mod raw_dir;
mod region;
mod sd;
mod storage;
mod volume;

use std::panic::{self, AssertUnwindSafe};

use littlefs2::fs::{Allocation, Filesystem};
use pycom_flash::Flash;

pub use error::FsError;
pub use path::{PATH_MAX, clean as clean_path};
pub use region::{BLOCK_SIZE, FsRegion};
pub use sd::{SD_MIN_SIZE, SdCard};
use storage::{BLOCKS_4MB, BLOCKS_8MB, FlashStorage};
pub use volume::Volume;

/// What the firmware writes to a missing `/boot.py`.
pub const FRESH_BOOT_PY: &str = "# boot.py -- run on boot-up\r\n";
/// What the firmware writes to a missing `/main.py`.
pub const FRESH_MAIN_PY: &str = "# main.py -- put your code here!\r\n";
/// Directories the firmware creates at every boot if they are missing.
pub const DEFAULT_DIRS: [&str; 3] = ["/sys", "/lib", "/cert"];

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name (no directory part).
    pub name: String,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Size in bytes (0 for a directory).
    pub size: u64,
}

/// What `stat` tells about a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Size in bytes (0 for a directory).
    pub size: u64,
}

/// How full the filesystem is (`os.statvfs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FsUsage {
    /// Bytes per block.
    pub block_size: u32,
    /// Blocks in the filesystem.
    pub blocks: u32,
    /// Blocks not in use (littlefs's estimate: at least this many are free).
    pub free_blocks: u32,
}

/// Which filesystem `/flash` holds (config block byte 533, `boot_fs_type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FsKind {
    /// LittleFS 2.0 (`boot_fs_type` 1, or 0xFF when never set).
    #[default]
    LittleFs,
    /// FAT12/16 as FatFS formats it (`boot_fs_type` 0).
    Fat,
}

impl FsKind {
    /// The kind the config block's `boot_fs_type` byte selects: FAT for 0,
    /// LittleFS for anything else (the erased 0xFF included).
    pub fn from_boot_fs_type(raw: u8) -> Self {
        if raw == 0 { Self::Fat } else { Self::LittleFs }
    }
}

/// The filesystem of one image region, borrowed with its flash chip.
pub struct Fs<'a> {
    flash: &'a mut Flash,
    region: FsRegion,
    kind: FsKind,
}

/// The region sizes littlefs2 is instantiated for.
#[derive(Clone, Copy)]
enum Geometry {
    Blocks4Mb,
    Blocks8Mb,
}

/// Runs `$body` with `$fs` bound to the mounted filesystem of `$self`, for
/// whichever block count the region has.
macro_rules! mounted {
    ($self:ident, |$fs:ident| $body:expr) => {
        match $self.geometry()? {
            Geometry::Blocks4Mb => run::<BLOCKS_4MB, _>($self.flash, $self.region.offset, |$fs| $body),
            Geometry::Blocks8Mb => run::<BLOCKS_8MB, _>($self.flash, $self.region.offset, |$fs| $body),
        }
    };
}

/// Mounts `BLOCKS` blocks at `offset`, runs `op` and reports a flash failure in
/// preference to the littlefs error it caused, and a panic as unsupported.
fn run<const BLOCKS: usize, R>(
    flash: &mut Flash,
    offset: u32,
    op: impl FnOnce(&Filesystem<'_, FlashStorage<'_, BLOCKS>>) -> Result<R, FsError>,
) -> Result<R, FsError> {
    let mut storage = FlashStorage::<BLOCKS>::new(flash, offset);
    let mut alloc = Box::new(Allocation::new());
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let fs = Filesystem::mount(&mut alloc, &mut storage).map_err(|_| FsError::Corrupt)?;
        op(&fs)
    }));
    let failure = storage.take_failure();
    match (outcome, failure) {
        (Ok(Ok(value)), _) => Ok(value),
        (_, Some(failure)) => Err(FsError::Flash(failure)),
        (Ok(Err(error)), None) => Err(error),
        (Err(panic), None) => Err(gave_up("littlefs2", panic)),
    }
}

/// The error for a panic inside `engine`.
fn gave_up(engine: &str, panic: Box<dyn std::any::Any + Send>) -> FsError {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    FsError::Unsupported(format!("{engine} gave up: {message}"))
}

/// Lists the directory `path` of the `BLOCKS` blocks at `offset` through
/// [`raw_dir`], reporting a flash failure in preference to the littlefs error
/// it caused.
fn list_raw<const BLOCKS: usize>(flash: &mut Flash, offset: u32, path: &str) -> Result<Vec<DirEntry>, FsError> {
    let mut storage = FlashStorage::<BLOCKS>::new(flash, offset);
    let listing = raw_dir::list(&mut storage, path);
    match storage.take_failure() {
        Some(failure) => Err(FsError::Flash(failure)),
        None => listing,
    }
}

/// Formats `BLOCKS` blocks at `offset`.
fn format_blocks<const BLOCKS: usize>(flash: &mut Flash, offset: u32) -> Result<(), FsError> {
    let mut storage = FlashStorage::<BLOCKS>::new(flash, offset);
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| Filesystem::format(&mut storage)));
    match (outcome, storage.take_failure()) {
        (Ok(Ok(())), _) => Ok(()),
        (_, Some(failure)) => Err(FsError::Flash(failure)),
        (Ok(Err(error)), None) => Err(FsError::from_lfs(error)),
        (Err(panic), None) => Err(gave_up("littlefs2", panic)),
    }
}

/// Runs a FAT operation on the region of `$self` (checked first).
macro_rules! fat_mounted {
    ($self:ident, |$fs:ident| $body:expr) => {{
        let (offset, size) = $self.fat_region()?;
        let mut disk = fat::disk::Disk::new(fat::flash::FlashMedium::new($self.flash), offset, size);
        fat::run(&mut disk, |medium| medium.take_failure().map(FsError::Flash), |$fs| $body)
    }};
}

/// Runs `$lfs` or `$fat` with `$fs` bound to the mounted filesystem, as the kind says.
macro_rules! dispatch {
    ($self:ident, |$fs:ident| lfs: $lfs:expr, fat: $fat:expr) => {
        match $self.kind {
            FsKind::LittleFs => mounted!($self, |$fs| $lfs),
            FsKind::Fat => fat_mounted!($self, |$fs| $fat),
        }
    };
}

impl<'a> Fs<'a> {
    /// The LittleFS filesystem in `region` of `flash`. Nothing is read until
    /// the first call.
    pub fn new(flash: &'a mut Flash, region: FsRegion) -> Self {
        Self::with_kind(flash, region, FsKind::LittleFs)
    }

    /// The filesystem of `kind` in `region` of `flash`. Nothing is read until
    /// the first call.
    pub fn with_kind(flash: &'a mut Flash, region: FsRegion, kind: FsKind) -> Self {
        Self { flash, region, kind }
    }

    /// The region this filesystem lives in.
    pub fn region(&self) -> FsRegion {
        self.region
    }

    /// The kind of filesystem this expects in the region.
    pub fn kind(&self) -> FsKind {
        self.kind
    }

    fn geometry(&self) -> Result<Geometry, FsError> {
        let FsRegion { offset, size } = self.region;
        let end = u64::from(offset) + u64::from(size);
        if !offset.is_multiple_of(BLOCK_SIZE) || end > self.flash.size() as u64 {
            return Err(FsError::Unsupported(format!("region {offset:#x}+{size:#x} does not fit the flash")));
        }
        match size {
            s if s == BLOCKS_4MB as u32 * BLOCK_SIZE => Ok(Geometry::Blocks4Mb),
            s if s == BLOCKS_8MB as u32 * BLOCK_SIZE => Ok(Geometry::Blocks8Mb),
            _ => Err(FsError::Unsupported(format!(
                "a {size:#x}-byte filesystem region ({BLOCKS_4MB} or {BLOCKS_8MB} blocks of 4096 are supported)"
            ))),
        }
    }

    /// Offset and size of a FAT region: whole sectors inside the chip, at
    /// least 64 KiB (FAT takes any such size).
    fn fat_region(&self) -> Result<(u64, u64), FsError> {
        let FsRegion { offset, size } = self.region;
        let end = u64::from(offset) + u64::from(size);
        if !offset.is_multiple_of(BLOCK_SIZE) || !size.is_multiple_of(BLOCK_SIZE) || end > self.flash.size() as u64 {
            return Err(FsError::Unsupported(format!("region {offset:#x}+{size:#x} does not fit the flash")));
        }
        if u64::from(size) < SD_MIN_SIZE {
            return Err(FsError::Unsupported(format!("a {size:#x}-byte FAT region (at least 64 KiB)")));
        }
        Ok((u64::from(offset), u64::from(size)))
    }

    fn normalise(&self, path: &str) -> Result<String, FsError> {
        match self.kind {
            FsKind::LittleFs => path::normalise(path),
            FsKind::Fat => path::normalise_fat(path),
        }
    }

    /// Whether the region is erased flash (nothing to lose by formatting it).
    pub fn is_blank(&self) -> bool {
        let start = self.region.offset as usize;
        let end = start.saturating_add(self.region.size as usize);
        self.flash.contents().get(start..end).is_some_and(|bytes| bytes.iter().all(|&b| b == 0xFF))
    }

    /// Whether the region holds a filesystem of this kind that mounts.
    pub fn is_mountable(&mut self) -> bool {
        self.mount().is_ok()
    }

    fn mount(&mut self) -> Result<(), FsError> {
        dispatch!(self, |_fs| lfs: Ok(()), fat: Ok(()))
    }

    /// Writes an empty filesystem over the region (what `os.mkfs` does).
    pub fn format(&mut self) -> Result<(), FsError> {
        match self.kind {
            FsKind::LittleFs => match self.geometry()? {
                Geometry::Blocks4Mb => format_blocks::<BLOCKS_4MB>(self.flash, self.region.offset),
                Geometry::Blocks8Mb => format_blocks::<BLOCKS_8MB>(self.flash, self.region.offset),
            },
            FsKind::Fat => {
                let (offset, size) = self.fat_region()?;
                let mut disk = fat::disk::Disk::new(fat::flash::FlashMedium::new(self.flash), offset, size);
                fat::format(&mut disk, |medium| medium.take_failure().map(FsError::Flash))
            }
        }
    }

    /// What the firmware does at every boot: mount, or format if that fails
    /// (LittleFS: `lfs_format` on a failed mount; FAT: `f_mkfs` on
    /// `FR_NO_FILESYSTEM`); then create `/main.py` and `/boot.py` with their
    /// fresh contents if missing, and the directories `/sys`, `/lib`, `/cert`
    /// if missing. Returns whether it formatted.
    pub fn mount_or_format(&mut self) -> Result<bool, FsError> {
        let formatted = match self.mount() {
            Ok(()) => false,
            Err(FsError::Corrupt) => {
                self.format()?;
                true
            }
            Err(error) => return Err(error),
        };
        dispatch!(self, |fs| lfs: ops::create_defaults(fs), fat: fat::create_defaults(fs))?;
        Ok(formatted)
    }

    /// The whole contents of the file at `path`.
    pub fn read(&mut self, path: &str) -> Result<Vec<u8>, FsError> {
        let path = self.normalise(path)?;
        dispatch!(self, |fs| lfs: ops::read(fs, &path), fat: fat::read(fs, &path))
    }

    /// Creates the file at `path`, or truncates it, and writes `data` to it.
    pub fn write(&mut self, path: &str, data: &[u8]) -> Result<(), FsError> {
        let path = self.normalise(path)?;
        dispatch!(self, |fs| lfs: ops::write(fs, &path, data, false), fat: fat::write(fs, &path, data, false))
    }

    /// Appends `data` to the file at `path`, creating it if missing.
    pub fn append(&mut self, path: &str, data: &[u8]) -> Result<(), FsError> {
        let path = self.normalise(path)?;
        dispatch!(self, |fs| lfs: ops::write(fs, &path, data, true), fat: fat::write(fs, &path, data, true))
    }

    /// The entries of the directory at `path`, without `.` and `..`: in
    /// littlefs order (sorted by name) on LittleFS, in directory order on FAT.
    pub fn list(&mut self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        let path = self.normalise(path)?;
        match self.kind {
            FsKind::LittleFs => match self.geometry()? {
                Geometry::Blocks4Mb => list_raw::<BLOCKS_4MB>(self.flash, self.region.offset, &path),
                Geometry::Blocks8Mb => list_raw::<BLOCKS_8MB>(self.flash, self.region.offset, &path),
            },
            FsKind::Fat => fat_mounted!(self, |fs| fat::list(fs, &path)),
        }
    }

    /// Whether `path` is a file or a directory, and its size.
    pub fn metadata(&mut self, path: &str) -> Result<Metadata, FsError> {
        let path = self.normalise(path)?;
        dispatch!(self, |fs| lfs: ops::metadata(fs, &path), fat: fat::metadata(fs, &path))
    }

    /// Creates the directory `path`; its parent must exist.
    pub fn create_dir(&mut self, path: &str) -> Result<(), FsError> {
        let path = self.normalise(path)?;
        if path == "/" {
            return Err(FsError::Exists);
        }
        dispatch!(self, |fs| lfs: ops::create_dir(fs, &path), fat: fat::create_dir(fs, &path))
    }

    /// Removes the file at `path` (`EISDIR` for a directory).
    pub fn remove_file(&mut self, path: &str) -> Result<(), FsError> {
        let path = self.normalise(path)?;
        dispatch!(self, |fs| lfs: ops::remove(fs, &path, false), fat: fat::remove(fs, &path, false))
    }

    /// Removes the empty directory at `path` (`ENOTEMPTY`, `ENOTDIR` for a
    /// file, `EINVAL` for the root).
    pub fn remove_dir(&mut self, path: &str) -> Result<(), FsError> {
        let path = self.normalise(path)?;
        if path == "/" {
            return Err(FsError::InvalidPath);
        }
        dispatch!(self, |fs| lfs: ops::remove(fs, &path, true), fat: fat::remove(fs, &path, true))
    }

    /// Renames (moves) `from` to `to`, replacing a file or an empty directory
    /// of the same kind there, as POSIX `rename` does. Moving a directory into
    /// itself, or the root anywhere, is `EINVAL`. On LittleFS a directory is
    /// not renamed when a path below it would grow past [`PATH_MAX`]
    /// ([`FsError::PathTooLong`]): littlefs2 could no longer open it.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), FsError> {
        let (from, to) = (self.normalise(from)?, self.normalise(to)?);
        if from == "/" || to == "/" || (from != to && path::is_within(&to, &from)) {
            return Err(FsError::InvalidPath);
        }
        if self.kind == FsKind::LittleFs && to.len() > from.len() && self.metadata(&from)?.is_dir {
            let bytes = to.len() + self.longest_below(&from)?;
            if bytes > PATH_MAX {
                return Err(FsError::PathTooLong { bytes });
            }
        }
        dispatch!(self, |fs| lfs: ops::rename(fs, &from, &to), fat: fat::rename(fs, &from, &to))
    }

    /// How many bytes the longest path below the directory `dir` adds to `dir`.
    fn longest_below(&mut self, dir: &str) -> Result<usize, FsError> {
        let mut longest = 0;
        for entry in self.list(dir)? {
            let mut below = 1 + entry.name.len();
            if entry.is_dir {
                below += self.longest_below(&format!("{dir}/{}", entry.name))?;
            }
            longest = longest.max(below);
        }
        Ok(longest)
    }

    /// Block size, block count and free blocks (on FAT: cluster size, data
    /// clusters and free clusters, as FatFS's `statvfs` reports them).
    pub fn usage(&mut self) -> Result<FsUsage, FsError> {
        dispatch!(self, |fs| lfs: ops::usage(fs), fat: fat::usage(fs))
    }
}
