//! The operations on a mounted filesystem, generic over the block count.

use std::ffi::CStr;

use littlefs2::driver::Storage;
use littlefs2::fs::{Filesystem, OpenOptions};

use super::path::{PATH_MAX, lfs_path};
use super::{DEFAULT_DIRS, DirEntry, FRESH_BOOT_PY, FRESH_MAIN_PY, FsError, FsUsage, Metadata, region::BLOCK_SIZE};

type Fs<'a, S> = Filesystem<'a, S>;

/// The kind and size of a normalised path.
pub fn metadata<S: Storage>(fs: &Fs<'_, S>, path: &str) -> Result<Metadata, FsError> {
    let meta = fs.metadata(&lfs_path(path)?).map_err(FsError::from_lfs)?;
    Ok(Metadata { is_dir: meta.is_dir(), size: meta.len() as u64 })
}

/// The whole file at `path`.
pub fn read<S: Storage>(fs: &Fs<'_, S>, path: &str) -> Result<Vec<u8>, FsError> {
    let path = lfs_path(path)?;
    fs.open_file_and_then(&path, |file| {
        let mut data = vec![0; file.len()?];
        let mut done = 0;
        while done < data.len() {
            match file.read(&mut data[done..])? {
                0 => break,
                n => done += n,
            }
        }
        data.truncate(done);
        Ok(data)
    })
    .map_err(FsError::from_lfs)
}

/// Writes `data` to `path`, after what it holds when `append`, in place of it otherwise.
pub fn write<S: Storage>(fs: &Fs<'_, S>, path: &str, data: &[u8], append: bool) -> Result<(), FsError> {
    let path = lfs_path(path)?;
    let mut options = OpenOptions::new();
    options.write(true).create(true);
    if append {
        options.append(true);
    } else {
        options.truncate(true);
    }
    options
        .open_and_then(fs, &path, |file| {
            let mut rest = data;
            while !rest.is_empty() {
                match file.write(rest)? {
                    0 => return Err(littlefs2::io::Error::NO_SPACE),
                    n => rest = &rest[n..],
                }
            }
            Ok(())
        })
        .map_err(FsError::from_lfs)
}

/// The entries of the directory `path`, without `.` and `..`.
pub fn list<S: Storage>(fs: &Fs<'_, S>, path: &str) -> Result<Vec<DirEntry>, FsError> {
    let path = lfs_path(path)?;
    fs.read_dir_and_then(&path, |entries| {
        let mut listing = Vec::new();
        for entry in entries {
            let entry = entry?;
            // SAFETY: a littlefs2 `Path` is always a NUL-terminated C string.
            // Read it as bytes: a foreign image may hold non-ASCII names.
            let name = unsafe { CStr::from_ptr(entry.file_name().as_ptr()) };
            let name = String::from_utf8_lossy(name.to_bytes()).into_owned();
            if name == "." || name == ".." {
                continue;
            }
            let meta = entry.metadata();
            listing.push(DirEntry { name, is_dir: meta.is_dir(), size: meta.len() as u64 });
        }
        Ok(listing)
    })
    .map_err(FsError::from_lfs)
}

/// Creates the directory `path`.
pub fn create_dir<S: Storage>(fs: &Fs<'_, S>, path: &str) -> Result<(), FsError> {
    fs.create_dir(&lfs_path(path)?).map_err(FsError::from_lfs)
}

/// Removes `path`, which must be a directory when `dir` and a file otherwise.
pub fn remove<S: Storage>(fs: &Fs<'_, S>, path: &str, dir: bool) -> Result<(), FsError> {
    match (metadata(fs, path)?.is_dir, dir) {
        (true, false) => return Err(FsError::IsADirectory),
        (false, true) => return Err(FsError::NotADirectory),
        _ => {}
    }
    fs.remove(&lfs_path(path)?).map_err(FsError::from_lfs)
}

/// Renames `from` to `to`. A directory is not renamed when a path below it
/// would grow past [`PATH_MAX`]: littlefs2 could no longer list or open it.
pub fn rename<S: Storage>(fs: &Fs<'_, S>, from: &str, to: &str) -> Result<(), FsError> {
    if to.len() > from.len() && metadata(fs, from)?.is_dir {
        let bytes = to.len() + longest_below(fs, from)?;
        if bytes > PATH_MAX {
            return Err(FsError::PathTooLong { bytes });
        }
    }
    fs.rename(&lfs_path(from)?, &lfs_path(to)?).map_err(FsError::from_lfs)
}

/// How many bytes the longest path below the directory `dir` adds to `dir`.
fn longest_below<S: Storage>(fs: &Fs<'_, S>, dir: &str) -> Result<usize, FsError> {
    let mut longest = 0;
    for entry in list(fs, dir)? {
        let mut below = 1 + entry.name.len();
        if entry.is_dir {
            below += longest_below(fs, &format!("{dir}/{}", entry.name))?;
        }
        longest = longest.max(below);
    }
    Ok(longest)
}

/// How many blocks are in use.
pub fn usage<S: Storage>(fs: &Fs<'_, S>) -> Result<FsUsage, FsError> {
    let free = fs.available_blocks().map_err(FsError::from_lfs)?;
    let blocks = fs.total_blocks();
    let as_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(FsUsage { block_size: BLOCK_SIZE, blocks: as_u32(blocks), free_blocks: as_u32(free) })
}

/// The firmware's boot-time defaults: `/main.py` and `/boot.py` created only if
/// nothing has that name (`O_CREAT | O_EXCL`), then `/sys`, `/lib`, `/cert`,
/// each failure ignored as the firmware ignores it.
pub fn create_defaults<S: Storage>(fs: &Fs<'_, S>) -> Result<(), FsError> {
    for (path, contents) in [("/main.py", FRESH_MAIN_PY), ("/boot.py", FRESH_BOOT_PY)] {
        let created = OpenOptions::new().write(true).create_new(true).open_and_then(fs, &lfs_path(path)?, |file| {
            file.write(contents.as_bytes())?;
            Ok(())
        });
        match created.map_err(FsError::from_lfs) {
            Ok(()) | Err(FsError::Exists | FsError::IsADirectory) => {}
            Err(error) => return Err(error),
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
