//! FAT12/16/32 through the `fatfs` crate, shared by `/flash` (when the config
//! block asks for FAT) and SD card images.
//!
//! Like the LittleFS side, every call mounts the volume, does its work and
//! unmounts; the writes fatfs makes are cached per 4 KiB block and reach the
//! medium when the call ends (see [`disk`]). The volume is formatted as the
//! firmware's FatFS `f_mkfs(FM_FAT | FM_SFD, au = 0)` does it: no partition
//! table, 512-byte sectors, one FAT, 512 root entries, and the cluster size
//! FatFS's automatic choice gives (fatfs picks the same: 512 bytes for the
//! 508 KiB region, 1 KiB for 4 MiB), which makes both regions FAT12.
//!
//! fatfs quirks this module works around:
//! - it may panic or loop forever on a damaged volume: each call runs under
//!   `catch_unwind`, reads are budgeted (see [`disk::Disk`]), and a boot sector
//!   that claims more sectors than the medium has is refused before mounting;
//! - `create_file` / `create_dir` open what exists: existence is checked first;
//! - its rename refuses an existing target and does not update `..` of a
//!   directory moved to another parent: the target is removed first (POSIX
//!   replace), and a directory changing parent is rebuilt there entry by entry.

pub mod disk;
pub mod flash;

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::panic::{self, AssertUnwindSafe};

use fatfs::{FileSystem, FormatVolumeOptions, FsOptions, ReadWriteSeek};

use super::{DEFAULT_DIRS, DirEntry, FRESH_BOOT_PY, FRESH_MAIN_PY, FsError, FsUsage, Metadata, gave_up};
use disk::{Disk, Medium};

/// A mounted FAT volume on a cached medium.
pub type Fat<'d, M> = FileSystem<&'d mut Disk<M>>;

/// Why the boot sector at the start of `disk` does not describe a FAT volume
/// that fits it, if it does not.
fn check_boot_sector<M: Medium>(disk: &mut Disk<M>) -> Result<(), FsError> {
    let mut boot = [0u8; 512];
    disk.rewind();
    disk.read_exact(&mut boot).map_err(|_| FsError::Corrupt)?;
    disk.rewind();
    if boot[510..512] != [0x55, 0xAA] {
        return Err(FsError::Corrupt);
    }
    let bytes_per_sector = u64::from(u16::from_le_bytes([boot[11], boot[12]]));
    let small = u64::from(u16::from_le_bytes([boot[19], boot[20]]));
    let large = u64::from(u32::from_le_bytes([boot[32], boot[33], boot[34], boot[35]]));
    let sectors = if small != 0 { small } else { large };
    if !bytes_per_sector.is_power_of_two() || sectors * bytes_per_sector > disk.len() {
        return Err(FsError::Corrupt);
    }
    Ok(())
}

/// Mounts the FAT volume on `disk`, runs `op`, unmounts and commits what was
/// written (also after an error, as FatFS leaves on disk what it wrote). A
/// panic discards the writes. `failure` takes the medium's own error, reported
/// in preference to the I/O error fatfs made of it.
pub fn run<M: Medium, R>(
    disk: &mut Disk<M>,
    failure: impl FnOnce(&mut M) -> Option<FsError>,
    op: impl FnOnce(&Fat<'_, M>) -> Result<R, FsError>,
) -> Result<R, FsError> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        check_boot_sector(disk)?;
        let fs = FileSystem::new(&mut *disk, FsOptions::new()).map_err(|_| FsError::Corrupt)?;
        let result = op(&fs);
        let unmounted = fs.unmount().map_err(from_io);
        let committed = disk.commit().map_err(from_io);
        let value = result?;
        unmounted?;
        committed?;
        Ok(value)
    }));
    if outcome.is_err() {
        disk.discard();
    }
    let looped = disk.looped();
    match (outcome, failure(disk.medium_mut())) {
        (Ok(Ok(value)), _) => Ok(value),
        (_, Some(failure)) => Err(failure),
        (Ok(Err(_)), None) if looped => Err(FsError::Corrupt),
        (Ok(Err(error)), None) => Err(error),
        (Err(panic), None) => Err(gave_up("fatfs", panic)),
    }
}

/// Writes an empty FAT volume over `disk`, as FatFS's `f_mkfs` does.
pub fn format<M: Medium>(disk: &mut Disk<M>, failure: impl FnOnce(&mut M) -> Option<FsError>) -> Result<(), FsError> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        disk.rewind();
        let sectors = u32::try_from(disk.len() / 512).map_err(|_| FsError::Unsupported("volume too large".into()))?;
        let mut options = FormatVolumeOptions::new()
            .bytes_per_sector(512)
            .total_sectors(sectors)
            .fats(1)
            .max_root_dir_entries(512)
            .volume_label(*b"NO NAME    ");
        if let Some(bytes) = fatfs_cluster_size(sectors) {
            options = options.bytes_per_cluster(bytes);
        }
        fatfs::format_volume(&mut *disk, options).map_err(|e| FsError::Unsupported(format!("FAT format: {e}")))?;
        disk.commit().map_err(from_io)
    }));
    if outcome.is_err() {
        disk.discard();
    }
    match (outcome, failure(disk.medium_mut())) {
        (Ok(Ok(())), _) => Ok(()),
        (_, Some(failure)) => Err(failure),
        (Ok(Err(error)), None) => Err(error),
        (Err(panic), None) => Err(gave_up("fatfs", panic)),
    }
}

/// The cluster size FatFS's `f_mkfs` picks for a FAT12/16 volume of
/// `sectors` 512-byte sectors (`au = 0`: one sector per cluster, doubled for
/// each boundary of `cst[] = {1, 4, 16, 64, 256, 512}` x 4096 sectors the
/// volume reaches); `None` from 2 GiB on, where FAT16 cannot hold it and fatfs
/// chooses (FAT32).
fn fatfs_cluster_size(sectors: u32) -> Option<u32> {
    if sectors >= 1 << 22 {
        return None;
    }
    let units = sectors / 4096;
    let doublings = [1, 4, 16, 64, 256, 512].iter().take_while(|&&c| c <= units).count();
    Some(512 << doublings)
}

/// Maps a fatfs error (it reports most conditions by message).
pub fn from_io(error: io::Error) -> FsError {
    match error.kind() {
        io::ErrorKind::NotFound => return FsError::NotFound,
        io::ErrorKind::AlreadyExists => return FsError::Exists,
        _ => {}
    }
    match error.to_string().as_str() {
        "Is a directory" => FsError::IsADirectory,
        "Not a directory" => FsError::NotADirectory,
        "Directory not empty" => FsError::NotEmpty,
        "No space left on device" => FsError::NoSpace,
        "File name is empty" | "File name contains unsupported characters" => FsError::InvalidPath,
        "File name too long" => FsError::NameTooLong,
        _ => FsError::Corrupt,
    }
}

/// [`from_io`] for an error while creating or growing something: running off
/// the end of the fixed FAT12/16 root directory, or a file at FAT's 4 GiB
/// limit, is `ENOSPC` (FatFS: `FR_DENIED`, which MicroPython raises as `EACCES`).
fn from_io_creating(error: io::Error) -> FsError {
    match error.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::WriteZero => FsError::NoSpace,
        _ => from_io(error),
    }
}

/// A normalised path as fatfs takes it, relative to the root (`""` for the root).
fn rel(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// The parent of a normalised path other than the root, and its last name.
fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("/", path),
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || (!a.is_ascii() && a.to_uppercase() == b.to_uppercase())
}

/// The kind and size of a normalised path.
pub fn metadata<T: ReadWriteSeek>(fs: &FileSystem<T>, path: &str) -> Result<Metadata, FsError> {
    if path == "/" {
        return Ok(Metadata { is_dir: true, size: 0 });
    }
    let (parent, name) = split(path);
    let dir = if parent == "/" { fs.root_dir() } else { fs.root_dir().open_dir(rel(parent)).map_err(from_io)? };
    for entry in dir.iter() {
        let entry = entry.map_err(from_io)?;
        if same_name(&entry.file_name(), name) || same_name(&entry.short_file_name(), name) {
            let is_dir = entry.is_dir();
            return Ok(Metadata { is_dir, size: if is_dir { 0 } else { entry.len() } });
        }
    }
    Err(FsError::NotFound)
}

fn exists<T: ReadWriteSeek>(fs: &FileSystem<T>, path: &str) -> Result<Option<Metadata>, FsError> {
    match metadata(fs, path) {
        Ok(meta) => Ok(Some(meta)),
        Err(FsError::NotFound) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The whole file at `path`.
pub fn read<T: ReadWriteSeek>(fs: &FileSystem<T>, path: &str) -> Result<Vec<u8>, FsError> {
    if metadata(fs, path)?.is_dir {
        return Err(FsError::IsADirectory);
    }
    let mut file = fs.root_dir().open_file(rel(path)).map_err(from_io)?;
    let mut data = Vec::new();
    file.read_to_end(&mut data).map_err(from_io)?;
    Ok(data)
}

/// Writes `data` to `path`, after what it holds when `append`, in place of it otherwise.
pub fn write<T: ReadWriteSeek>(fs: &FileSystem<T>, path: &str, data: &[u8], append: bool) -> Result<(), FsError> {
    if path == "/" {
        return Err(FsError::IsADirectory);
    }
    let (parent, _) = split(path);
    if !metadata(fs, parent)?.is_dir {
        return Err(FsError::NotADirectory);
    }
    if exists(fs, path)?.is_some_and(|meta| meta.is_dir) {
        return Err(FsError::IsADirectory);
    }
    let mut file = fs.root_dir().create_file(rel(path)).map_err(from_io_creating)?;
    if append {
        file.seek(SeekFrom::End(0)).map_err(from_io)?;
    } else {
        file.truncate().map_err(from_io)?;
    }
    let written = file.write_all(data).map_err(from_io_creating);
    let flushed = file.flush().map_err(from_io);
    written.and(flushed)
}

/// The entries of the directory `path`, without `.` and `..`, in directory order.
pub fn list<T: ReadWriteSeek>(fs: &FileSystem<T>, path: &str) -> Result<Vec<DirEntry>, FsError> {
    let dir = if path == "/" {
        fs.root_dir()
    } else {
        match metadata(fs, path)? {
            Metadata { is_dir: false, .. } => return Err(FsError::NotADirectory),
            _ => fs.root_dir().open_dir(rel(path)).map_err(from_io)?,
        }
    };
    let mut listing = Vec::new();
    for entry in dir.iter() {
        let entry = entry.map_err(from_io)?;
        let name = entry.file_name();
        if name == "." || name == ".." {
            continue;
        }
        let is_dir = entry.is_dir();
        listing.push(DirEntry { name, is_dir, size: if is_dir { 0 } else { entry.len() } });
    }
    Ok(listing)
}

/// Creates the directory `path`; its parent must exist.
pub fn create_dir<T: ReadWriteSeek>(fs: &FileSystem<T>, path: &str) -> Result<(), FsError> {
    if exists(fs, path)?.is_some() {
        return Err(FsError::Exists);
    }
    let (parent, _) = split(path);
    if !metadata(fs, parent)?.is_dir {
        return Err(FsError::NotADirectory);
    }
    fs.root_dir().create_dir(rel(path)).map_err(from_io_creating)?;
    Ok(())
}

/// Removes `path`, which must be a directory when `dir` and a file otherwise.
pub fn remove<T: ReadWriteSeek>(fs: &FileSystem<T>, path: &str, dir: bool) -> Result<(), FsError> {
    match (metadata(fs, path)?.is_dir, dir) {
        (true, false) => return Err(FsError::IsADirectory),
        (false, true) => return Err(FsError::NotADirectory),
        _ => {}
    }
    fs.root_dir().remove(rel(path)).map_err(from_io)
}

/// Renames `from` to `to` (both normalised; the caller refused moving a
/// directory into itself), replacing a file or an empty directory there.
pub fn rename<T: ReadWriteSeek>(fs: &FileSystem<T>, from: &str, to: &str) -> Result<(), FsError> {
    let source = metadata(fs, from)?;
    let (to_parent, _) = split(to);
    if !metadata(fs, to_parent)?.is_dir {
        return Err(FsError::NotADirectory);
    }
    if from == to {
        return Ok(());
    }
    if let Some(target) = exists(fs, to)?
        && !same_name(from, to)
    {
        match (source.is_dir, target.is_dir) {
            (false, true) => return Err(FsError::IsADirectory),
            (true, false) => return Err(FsError::NotADirectory),
            _ => remove(fs, to, target.is_dir)?,
        }
    }
    if source.is_dir && split(from).0 != to_parent {
        return move_dir(fs, from, to);
    }
    let root = fs.root_dir();
    root.rename(rel(from), &root, rel(to)).map_err(from_io)
}

/// Moves the directory `from` to another parent as `to`: a new directory (so
/// its `..` names its new parent) that takes over the entries, then `from` goes.
fn move_dir<T: ReadWriteSeek>(fs: &FileSystem<T>, from: &str, to: &str) -> Result<(), FsError> {
    create_dir(fs, to)?;
    for entry in list(fs, from)? {
        let (old, new) = (format!("{from}/{}", entry.name), format!("{to}/{}", entry.name));
        if entry.is_dir {
            move_dir(fs, &old, &new)?;
        } else {
            let root = fs.root_dir();
            root.rename(rel(&old), &root, rel(&new)).map_err(from_io)?;
        }
    }
    remove(fs, from, true)
}

/// Cluster size, cluster count and free clusters (what FatFS's `statvfs` gives).
pub fn usage<T: ReadWriteSeek>(fs: &FileSystem<T>) -> Result<FsUsage, FsError> {
    let stats = fs.stats().map_err(from_io)?;
    Ok(FsUsage { block_size: stats.cluster_size(), blocks: stats.total_clusters(), free_blocks: stats.free_clusters() })
}

/// The firmware's boot-time defaults, as on LittleFS: `/main.py` and `/boot.py`
/// if nothing has that name, then `/sys`, `/lib`, `/cert` if missing.
pub fn create_defaults<T: ReadWriteSeek>(fs: &FileSystem<T>) -> Result<(), FsError> {
    for (path, contents) in [("/main.py", FRESH_MAIN_PY), ("/boot.py", FRESH_BOOT_PY)] {
        if exists(fs, path)?.is_none() {
            write(fs, path, contents.as_bytes(), false)?;
        }
    }
    for dir in DEFAULT_DIRS {
        match create_dir(fs, dir) {
            Ok(()) | Err(FsError::Exists) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}
