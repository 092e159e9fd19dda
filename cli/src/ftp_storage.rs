//! The board's filesystems as libunftp storage, as the firmware's FTP server
//! shows them: a root holding `flash` (and the SD card's mount point while it
//! is mounted), paths resolved inside that root only (`..` stops at `/`, host
//! paths do not exist), and an upload to `/flash/sys/appimg.bin` streamed into
//! the OTA updater instead of a file.

use std::fmt::Debug;
use std::path::{Component, Path};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use async_trait::async_trait;
use pycom_board::Board;
use pycom_board::fs::{FsError, Volume};
use tokio::io::AsyncReadExt;
use unftp_core::auth::DefaultUser;
use unftp_core::storage::{Error, ErrorKind, Fileinfo, Metadata, Result, StorageBackend};

/// Where an upload to `/flash` becomes a firmware update (`ftp.c`'s OTA path).
const OTA_PATH: &str = "/sys/appimg.bin";
/// The internal filesystem's directory in the root.
const FLASH: &str = "flash";
/// Chunk the OTA updater is fed with.
const OTA_CHUNK: usize = 4096;

/// The board's `/flash`, shared with the running board.
#[derive(Clone)]
pub struct BoardStorage {
    board: Arc<Mutex<Board>>,
}

impl Debug for BoardStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoardStorage")
    }
}

/// A file or directory as the FTP server reports it.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    is_dir: bool,
    size: u64,
}

impl Metadata for Entry {
    fn len(&self) -> u64 {
        self.size
    }

    fn is_dir(&self) -> bool {
        self.is_dir
    }

    fn is_file(&self) -> bool {
        !self.is_dir
    }

    fn is_symlink(&self) -> bool {
        false
    }

    fn modified(&self) -> Result<SystemTime> {
        Ok(SystemTime::UNIX_EPOCH)
    }

    fn gid(&self) -> u32 {
        0
    }

    fn uid(&self) -> u32 {
        0
    }
}

/// Where a client path leads.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// `/`, which lists the volumes.
    Root,
    /// A path inside a volume (`flash`, `sd`), as the volume names it (`/main.py`).
    In(String, String),
}

/// Resolves `path` lexically inside the server's root: `.` is dropped, `..`
/// climbs no higher than `/`.
fn place(path: &Path) -> Place {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    match parts.split_first() {
        None => Place::Root,
        Some((volume, rest)) => Place::In(volume.clone(), format!("/{}", rest.join("/"))),
    }
}

fn fs_error(e: FsError) -> Error {
    let kind = match e {
        FsError::NotFound => ErrorKind::PermanentFileNotAvailable,
        FsError::NotADirectory => ErrorKind::PermanentDirectoryNotAvailable,
        FsError::NotEmpty => ErrorKind::PermanentDirectoryNotEmpty,
        FsError::NoSpace => ErrorKind::InsufficientStorageSpaceError,
        FsError::InvalidPath
        | FsError::NameTooLong
        | FsError::PathTooLong { .. }
        | FsError::Exists
        | FsError::IsADirectory => ErrorKind::FileNameNotAllowedError,
        _ => ErrorKind::LocalError,
    };
    Error::new(kind, e)
}

impl BoardStorage {
    /// Storage onto `board`'s filesystem.
    pub fn new(board: Arc<Mutex<Board>>) -> Self {
        Self { board }
    }

    fn with_board<R>(&self, f: impl FnOnce(&mut Board) -> R) -> R {
        f(&mut self.board.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` on the volume `volume`; a name that is not mounted is not there.
    fn on_volume<R>(
        &self,
        volume: &str,
        f: impl FnOnce(&mut Volume<'_>) -> std::result::Result<R, FsError>,
    ) -> Result<R> {
        self.with_board(|b| match b.volume(volume) {
            Some(mut v) => f(&mut v).map_err(fs_error),
            None => Err(ErrorKind::PermanentFileNotAvailable.into()),
        })
    }

    /// A path to a file or directory inside a volume (not `/` or a volume itself).
    fn inside(path: &Path) -> Result<(String, String)> {
        match place(path) {
            Place::In(volume, inner) if inner != "/" => Ok((volume, inner)),
            _ => Err(ErrorKind::PermissionDenied.into()),
        }
    }

    /// What an upload starting at `start_pos` keeps of the file: nothing for a
    /// new file, its first `start_pos` bytes for `APPE` (at its end) or `REST`.
    fn kept_before(&self, volume: &str, inner: &str, start_pos: u64) -> Result<Vec<u8>> {
        if start_pos == 0 {
            return Ok(Vec::new());
        }
        let mut data = self.on_volume(volume, |v| v.read(inner))?;
        match usize::try_from(start_pos) {
            Ok(at) if at <= data.len() => {
                data.truncate(at);
                Ok(data)
            }
            _ => Err(ErrorKind::PermanentFileNotAvailable.into()),
        }
    }

    /// Feeds an upload into the OTA updater, as the firmware's FTP server does
    /// for `/flash/sys/appimg.bin`. An upload larger than an app slot is
    /// refused (552) before the updater starts, so nothing is written: the
    /// firmware would write on over what follows the slot.
    async fn update_firmware<R: tokio::io::AsyncRead + Unpin>(&self, input: R) -> Result<u64> {
        let slot = u64::from(self.with_board(|b| b.ota_slot_size()));
        let mut data = Vec::new();
        input.take(slot + 1).read_to_end(&mut data).await.map_err(|e| Error::new(ErrorKind::ConnectionClosed, e))?;
        if data.len() as u64 > slot {
            let why = format!("firmware upload to /flash{OTA_PATH} refused: larger than an app slot ({slot} bytes)");
            eprintln!("[pycom-emu] FTP: {why}");
            return Err(Error::new(ErrorKind::ExceededStorageAllocationError, why));
        }
        self.with_board(|b| b.ota_start()).map_err(|e| Error::new(ErrorKind::LocalError, e))?;
        for chunk in data.chunks(OTA_CHUNK) {
            let written = self.with_board(|b| b.ota_write(chunk)).map_err(|e| Error::new(ErrorKind::LocalError, e))?;
            if let pycom_board::OtaWrite::Aborted(reason) = written {
                return Err(Error::new(ErrorKind::LocalError, reason));
            }
        }
        self.with_board(|b| b.ota_finish()).map_err(|e| Error::new(ErrorKind::LocalError, e))?;
        Ok(data.len() as u64)
    }
}

#[async_trait]
impl StorageBackend<DefaultUser> for BoardStorage {
    type Metadata = Entry;

    async fn metadata<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<Entry> {
        match place(path.as_ref()) {
            Place::Root => Ok(Entry { is_dir: true, size: 0 }),
            Place::In(volume, inner) => {
                let meta = self.on_volume(&volume, |v| v.metadata(&inner))?;
                Ok(Entry { is_dir: meta.is_dir, size: meta.size })
            }
        }
    }

    async fn list<P: AsRef<Path> + Send + Debug>(
        &self,
        _user: &DefaultUser,
        path: P,
    ) -> Result<Vec<Fileinfo<std::path::PathBuf, Entry>>> {
        let entries: Vec<(String, Entry)> = match place(path.as_ref()) {
            Place::Root => {
                let sd = self.with_board(|b| b.sd_mount().map(|point| point.trim_start_matches('/').to_owned()));
                std::iter::once(FLASH.to_owned())
                    .chain(sd)
                    .map(|name| (name, Entry { is_dir: true, size: 0 }))
                    .collect()
            }
            Place::In(volume, inner) => self
                .on_volume(&volume, |v| v.list(&inner))?
                .into_iter()
                .map(|e| (e.name, Entry { is_dir: e.is_dir, size: e.size }))
                .collect(),
        };
        Ok(entries.into_iter().map(|(name, metadata)| Fileinfo { path: name.into(), metadata }).collect())
    }

    async fn get<P: AsRef<Path> + Send + Debug>(
        &self,
        _user: &DefaultUser,
        path: P,
        start_pos: u64,
    ) -> Result<Box<dyn tokio::io::AsyncRead + Send + Sync + Unpin>> {
        let (volume, inner) = Self::inside(path.as_ref())?;
        let data = self.on_volume(&volume, |v| v.read(&inner))?;
        let start = usize::try_from(start_pos).unwrap_or(usize::MAX).min(data.len());
        Ok(Box::new(std::io::Cursor::new(data[start..].to_vec())))
    }

    async fn put<P: AsRef<Path> + Send + Debug, R: tokio::io::AsyncRead + Send + Sync + Unpin + 'static>(
        &self,
        _user: &DefaultUser,
        input: R,
        path: P,
        start_pos: u64,
    ) -> Result<u64> {
        let (volume, inner) = Self::inside(path.as_ref())?;
        if volume == FLASH && inner == OTA_PATH {
            return self.update_firmware(input).await;
        }
        let mut data = self.kept_before(&volume, &inner, start_pos)?;
        let kept = data.len() as u64;
        // No file is larger than its filesystem: stop reading there.
        let limit = self.on_volume(&volume, |v| v.capacity())? + 1;
        let mut input = input.take(limit.saturating_sub(kept));
        input.read_to_end(&mut data).await.map_err(|e| Error::new(ErrorKind::ConnectionClosed, e))?;
        if data.len() as u64 >= limit {
            return Err(ErrorKind::ExceededStorageAllocationError.into());
        }
        self.on_volume(&volume, |v| v.write(&inner, &data))?;
        Ok(data.len() as u64 - kept)
    }

    async fn del<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<()> {
        let (volume, inner) = Self::inside(path.as_ref())?;
        self.on_volume(&volume, |v| v.remove_file(&inner))
    }

    async fn mkd<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<()> {
        let (volume, inner) = Self::inside(path.as_ref())?;
        self.on_volume(&volume, |v| v.create_dir(&inner))
    }

    async fn rename<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, from: P, to: P) -> Result<()> {
        let ((volume, from), (to_volume, to)) = (Self::inside(from.as_ref())?, Self::inside(to.as_ref())?);
        if volume != to_volume {
            return Err(ErrorKind::PermanentFileNotAvailable.into()); // as ftp.c: no rename across volumes
        }
        self.on_volume(&volume, |v| v.rename(&from, &to))
    }

    async fn rmd<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<()> {
        let (volume, inner) = Self::inside(path.as_ref())?;
        self.on_volume(&volume, |v| v.remove_dir(&inner))
    }

    async fn cwd<P: AsRef<Path> + Send + Debug>(&self, user: &DefaultUser, path: P) -> Result<()> {
        match self.metadata(user, path).await? {
            entry if entry.is_dir => Ok(()),
            _ => Err(ErrorKind::PermanentDirectoryNotAvailable.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let flash = |inner: &str| Place::In("flash".into(), inner.into());
        assert_eq!(place(Path::new("/")), Place::Root);
        assert_eq!(place(Path::new("/flash/../../..")), Place::Root);
        assert_eq!(place(Path::new("/flash/lib/../main.py")), flash("/main.py"));
        assert_eq!(place(Path::new("/flash/../flash/./sys")), flash("/sys"));
        assert_eq!(place(Path::new("/flash/../../etc/passwd")), Place::In("etc".into(), "/passwd".into()));
    }
}
