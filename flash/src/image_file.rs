//! The image file behind a [`crate::Flash`]: opened under an exclusive advisory
//! lock (`flock(2)`) for as long as the chip lives, so two processes never
//! write one image, and replaced atomically (a locked temporary file next to
//! it, synced and renamed over it) when a whole new image is written.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::MmapOptions;
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::FlashError;
use crate::cells::Cells;

/// Crash-test hook: with this variable set to N, the process aborts (ends at
/// once, as `kill -9` would end it) instead of making its (N+1)th write to an
/// image file. Tests use it to stop a command at every point of its writes.
pub const ABORT_AFTER_WRITES_ENV: &str = "PYCOM_EMU_ABORT_AFTER_IMAGE_WRITES";

/// Bytes per write when a whole image is written, so the crash-test hook can
/// stop it part-way.
const CHUNK: usize = 4096;

/// What to do when the path of a new image file is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Replace the file there (unless another process has it locked).
    Replace,
    /// Leave it and fail with [`FlashError::AlreadyExists`].
    Keep,
}

/// An image file this process holds the exclusive lock of.
#[derive(Debug)]
pub(crate) struct ImageFile {
    path: PathBuf,
    file: Flock<File>,
}

impl ImageFile {
    /// Opens the existing image at `path` under the lock and maps it (a
    /// regular file) or reads it whole (anything else).
    pub(crate) fn open(path: &Path) -> Result<(Self, Cells), FlashError> {
        let mut image =
            Self { path: path.to_owned(), file: open_locked(path, OpenOptions::new().read(true).write(true))? };
        let metadata = image.file.metadata().map_err(|e| image.io(e))?;
        if !metadata.is_file() {
            // A device or a pipe has no length to map: read, up to the limit.
            let data = read_image(&mut image.file, path)?;
            crate::nor::check_image_size(path, data.len() as u64)?;
            return Ok((image, Cells::Memory(data)));
        }
        if metadata.len() > crate::MAX_IMAGE_SIZE as u64 {
            return Err(FlashError::ImageTooLarge { path: path.to_owned(), limit: crate::MAX_IMAGE_SIZE });
        }
        crate::nor::check_image_size(path, metadata.len())?;
        // SAFETY: the mapping is private (copy-on-write) and the file is under
        // this process's exclusive lock while the chip lives, so no process that
        // honours the lock changes it; this process writes it only through
        // `store`, with the bytes it also wrote into the mapping.
        let map = unsafe { MmapOptions::new().map_copy(&*image.file) }.map_err(|e| image.io(e))?;
        Ok((image, Cells::Mapped(map)))
    }

    /// Writes `data` as the image file at `path` in one step: into a locked
    /// temporary file in the same folder, synced, then renamed (for
    /// [`Existing::Replace`]) or linked (for [`Existing::Keep`], which fails if
    /// the path is taken) into place. A crash leaves the old file or the new
    /// one, never a part of it. The returned file holds the lock.
    pub(crate) fn write_new(path: &Path, data: &[u8], existing: Existing) -> Result<Self, FlashError> {
        // Holding the old image's lock keeps other processes off it until the
        // new one (locked too) has taken its name.
        let _old = match existing {
            Existing::Replace if path.exists() => Some(open_locked(path, OpenOptions::new().read(true))?),
            _ => None,
        };
        Self::write_placed(path, data, existing)
    }

    /// Replaces this image file with one holding `data`, as
    /// [`ImageFile::write_new`] does; the lock passes to the new file.
    pub(crate) fn replace(&mut self, data: &[u8]) -> Result<(), FlashError> {
        *self = Self::write_placed(&self.path, data, Existing::Replace)?;
        Ok(())
    }

    fn write_placed(path: &Path, data: &[u8], existing: Existing) -> Result<Self, FlashError> {
        let temp_path = temp_path(path);
        let temp = open_locked(&temp_path, OpenOptions::new().read(true).write(true).create(true))?;
        let mut image = Self { path: temp_path.clone(), file: temp };
        image.file.set_len(0).map_err(|e| image.io(e))?;
        for (i, chunk) in data.chunks(CHUNK).enumerate() {
            image.store((i * CHUNK) as u64, chunk)?;
        }
        image.file.sync_all().map_err(|e| image.io(e))?;
        let placed = match existing {
            Existing::Replace => std::fs::rename(&temp_path, path),
            Existing::Keep => std::fs::hard_link(&temp_path, path).and_then(|()| std::fs::remove_file(&temp_path)),
        };
        match placed {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = std::fs::remove_file(&temp_path);
                return Err(FlashError::AlreadyExists { path: path.to_owned() });
            }
            placed => placed.map_err(|e| image.io(e))?,
        }
        image.path = path.to_owned();
        sync_folder(path).map_err(|e| image.io(e))?;
        Ok(image)
    }

    /// Writes `bytes` at `offset` of the file.
    pub(crate) fn store(&mut self, offset: u64, bytes: &[u8]) -> Result<(), FlashError> {
        crash_test_point();
        self.file.seek(SeekFrom::Start(offset)).and_then(|_| self.file.write_all(bytes)).map_err(|e| self.io(e))
    }

    fn io(&self, source: std::io::Error) -> FlashError {
        FlashError::Io { path: self.path.clone(), source }
    }
}

/// Where a new image for `path` is written before it takes the name: a hidden
/// file next to it, on the same filesystem so the rename is atomic.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.pycom-emu-new"))
}

/// Makes the rename or link in `path`'s folder durable.
fn sync_folder(path: &Path) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(folder)?.sync_all()
}

/// Opens `path` and takes its exclusive lock without waiting. The lock is
/// checked to be on the file the path names now: a file renamed over the path
/// meanwhile (an image replaced by its owner) is opened again.
/// Reads an image file whole, refusing one larger than any flash chip
/// ([`crate::MAX_IMAGE_SIZE`]) without reading past that.
pub(crate) fn read_image(file: &mut File, path: &Path) -> Result<Vec<u8>, FlashError> {
    let limit = crate::MAX_IMAGE_SIZE;
    let mut data = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|source| FlashError::Io { path: path.to_owned(), source })?;
    if data.len() > limit {
        return Err(FlashError::ImageTooLarge { path: path.to_owned(), limit });
    }
    Ok(data)
}

fn open_locked(path: &Path, options: &OpenOptions) -> Result<Flock<File>, FlashError> {
    let io = |source| FlashError::Io { path: path.to_owned(), source };
    loop {
        let file = options.open(path).map_err(io)?;
        let locked = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(locked) => locked,
            Err((file, Errno::EWOULDBLOCK)) => {
                let holder = file.metadata().ok().and_then(|m| holder_of(m.dev(), m.ino()));
                let command = holder.and_then(command_of);
                return Err(FlashError::Locked { path: path.to_owned(), holder, command });
            }
            Err((_, errno)) => return Err(io(errno.into())),
        };
        let ours = locked.metadata().map_err(io)?;
        match std::fs::metadata(path) {
            Ok(now) if now.dev() == ours.dev() && now.ino() == ours.ino() => return Ok(locked),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(e)),
        }
    }
}

/// The process holding a `flock` on the file with this device and inode, from
/// `/proc/locks` (Linux; `None` elsewhere or when it cannot be told).
fn holder_of(dev: u64, ino: u64) -> Option<u32> {
    let key = format!("{:02x}:{:02x}:{ino}", nix::sys::stat::major(dev), nix::sys::stat::minor(dev));
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    locks.lines().find_map(|line| {
        // "1: FLOCK  ADVISORY  WRITE 12345 08:01:1234 0 EOF"; waiters have "->".
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [_, "FLOCK", _, _, pid, file, ..] if *file == key => pid.parse().ok().filter(|&pid| pid != 0),
            _ => None,
        }
    })
}

/// The program name and first argument of process `pid`, e.g. `pycom-emu serve`.
fn command_of(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let mut args = raw.split(|&b| b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned());
    let program = args.next()?;
    let program = Path::new(&program).file_name().map_or(program.clone(), |n| n.to_string_lossy().into_owned());
    Some(args.next().map_or(program.clone(), |first| format!("{program} {first}")))
}

/// Aborts the process here when the crash-test hook says this write is the
/// one to stop at.
fn crash_test_point() {
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let limit = *LIMIT.get_or_init(|| std::env::var(ABORT_AFTER_WRITES_ENV).ok().and_then(|n| n.parse().ok()));
    if let Some(limit) = limit
        && WRITES.fetch_add(1, Ordering::SeqCst) >= limit
    {
        std::process::abort();
    }
}
