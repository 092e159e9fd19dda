//! The operations on a mounted filesystem, generic over the block count.

use littlefs2::driver::Storage;
use littlefs2::fs::{Filesystem, OpenOptions};

use super::path::lfs_path;
use super::{DEFAULT_DIRS, FRESH_BOOT_PY, FRESH_MAIN_PY, FsError, FsUsage, Metadata, region::BLOCK_SIZE};

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

/// Renames `from` to `to`.
pub fn rename<S: Storage>(fs: &Fs<'_, S>, from: &str, to: &str) -> Result<(), FsError> {
    fs.rename(&lfs_path(from)?, &lfs_path(to)?).map_err(FsError::from_lfs)
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
