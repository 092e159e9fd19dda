//! The board's filesystem as libunftp storage, as the firmware's FTP server
//! shows it: a root holding `flash`, paths resolved inside that root only
//! (`..` stops at `/`, host paths do not exist), and an upload to
//! `/flash/sys/appimg.bin` streamed into the OTA updater instead of a file.

use std::fmt::Debug;
use std::path::{Component, Path};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use async_trait::async_trait;
use pycom_board::Board;
use pycom_board::fs::FsError;
use tokio::io::AsyncReadExt;
use unftp_core::auth::DefaultUser;
use unftp_core::storage::{Error, ErrorKind, Fileinfo, Metadata, Result, StorageBackend};

/// Where an upload becomes a firmware update (`ftp.c`'s OTA path).
pub const OTA_PATH: &str = "/flash/sys/appimg.bin";
/// The one volume served.
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
    /// A path inside `/flash`, as the filesystem names it (`/main.py`).
    Flash(String),
}

/// Resolves `path` lexically inside the server's root: `.` is dropped, `..`
/// climbs no higher than `/`. Anything not under `/flash` is not there.
fn place(path: &Path) -> Result<Place> {
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
        None => Ok(Place::Root),
        Some((volume, rest)) if volume == FLASH => Ok(Place::Flash(format!("/{}", rest.join("/")))),
        Some(_) => Err(ErrorKind::PermanentFileNotAvailable.into()),
    }
}

fn fs_error(e: FsError) -> Error {
    let kind = match e {
        FsError::NotFound => ErrorKind::PermanentFileNotAvailable,
        FsError::NotADirectory => ErrorKind::PermanentDirectoryNotAvailable,
        FsError::NotEmpty => ErrorKind::PermanentDirectoryNotEmpty,
        FsError::NoSpace => ErrorKind::InsufficientStorageSpaceError,
        FsError::InvalidPath | FsError::NameTooLong | FsError::Exists | FsError::IsADirectory => {
            ErrorKind::FileNameNotAllowedError
        }
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

    fn flash_path(path: &Path) -> Result<String> {
        match place(path)? {
            Place::Flash(inner) if inner != "/" => Ok(inner),
            _ => Err(ErrorKind::PermissionDenied.into()),
        }
    }

    /// Streams an upload into the OTA updater, as the firmware's FTP server
    /// does for `/flash/sys/appimg.bin`.
    async fn update_firmware<R: tokio::io::AsyncRead + Unpin>(&self, mut input: R) -> Result<u64> {
        self.with_board(|b| b.ota_start()).map_err(|e| Error::new(ErrorKind::LocalError, e))?;
        let mut total = 0u64;
        let mut chunk = vec![0u8; OTA_CHUNK];
        loop {
            let n = input.read(&mut chunk).await.map_err(|e| Error::new(ErrorKind::ConnectionClosed, e))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            let written =
                self.with_board(|b| b.ota_write(&chunk[..n])).map_err(|e| Error::new(ErrorKind::LocalError, e))?;
            if let pycom_board::OtaWrite::Aborted(reason) = written {
                return Err(Error::new(ErrorKind::LocalError, reason));
            }
        }
        self.with_board(|b| b.ota_finish()).map_err(|e| Error::new(ErrorKind::LocalError, e))?;
        Ok(total)
    }
}

#[async_trait]
impl StorageBackend<DefaultUser> for BoardStorage {
    type Metadata = Entry;

    async fn metadata<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<Entry> {
        match place(path.as_ref())? {
            Place::Root => Ok(Entry { is_dir: true, size: 0 }),
            Place::Flash(inner) => {
                let meta = self.with_board(|b| b.fs().metadata(&inner)).map_err(fs_error)?;
                Ok(Entry { is_dir: meta.is_dir, size: meta.size })
            }
        }
    }

    async fn list<P: AsRef<Path> + Send + Debug>(
        &self,
        _user: &DefaultUser,
        path: P,
    ) -> Result<Vec<Fileinfo<std::path::PathBuf, Entry>>> {
        let entries = match place(path.as_ref())? {
            Place::Root => vec![(FLASH.to_owned(), Entry { is_dir: true, size: 0 })],
            Place::Flash(inner) => self
                .with_board(|b| b.fs().list(&inner))
                .map_err(fs_error)?
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
        let inner = Self::flash_path(path.as_ref())?;
        let data = self.with_board(|b| b.fs().read(&inner)).map_err(fs_error)?;
        let start = usize::try_from(start_pos).unwrap_or(usize::MAX).min(data.len());
        Ok(Box::new(std::io::Cursor::new(data[start..].to_vec())))
    }

    async fn put<P: AsRef<Path> + Send + Debug, R: tokio::io::AsyncRead + Send + Sync + Unpin + 'static>(
        &self,
        _user: &DefaultUser,
        input: R,
        path: P,
        _start_pos: u64,
    ) -> Result<u64> {
        let inner = Self::flash_path(path.as_ref())?;
        if format!("/{FLASH}{inner}") == OTA_PATH {
            return self.update_firmware(input).await;
        }
        // No file on the board is larger than its filesystem: stop reading there.
        let limit = self.with_board(|b| b.fs().region().size) as u64 + 1;
        let mut data = Vec::new();
        input.take(limit).read_to_end(&mut data).await.map_err(|e| Error::new(ErrorKind::ConnectionClosed, e))?;
        if data.len() as u64 >= limit {
            return Err(ErrorKind::ExceededStorageAllocationError.into());
        }
        self.with_board(|b| b.fs().write(&inner, &data)).map_err(fs_error)?;
        Ok(data.len() as u64)
    }

    async fn del<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<()> {
        let inner = Self::flash_path(path.as_ref())?;
        self.with_board(|b| b.fs().remove_file(&inner)).map_err(fs_error)
    }

    async fn mkd<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<()> {
        let inner = Self::flash_path(path.as_ref())?;
        self.with_board(|b| b.fs().create_dir(&inner)).map_err(fs_error)
    }

    async fn rename<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, from: P, to: P) -> Result<()> {
        let (from, to) = (Self::flash_path(from.as_ref())?, Self::flash_path(to.as_ref())?);
        self.with_board(|b| b.fs().rename(&from, &to)).map_err(fs_error)
    }

    async fn rmd<P: AsRef<Path> + Send + Debug>(&self, _user: &DefaultUser, path: P) -> Result<()> {
        let inner = Self::flash_path(path.as_ref())?;
        self.with_board(|b| b.fs().remove_dir(&inner)).map_err(fs_error)
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
        assert_eq!(place(Path::new("/")).unwrap(), Place::Root);
        assert_eq!(place(Path::new("/flash/../../..")).unwrap(), Place::Root);
        assert_eq!(place(Path::new("/flash/lib/../main.py")).unwrap(), Place::Flash("/main.py".into()));
        assert_eq!(place(Path::new("/flash/../flash/./sys")).unwrap(), Place::Flash("/sys".into()));
        assert!(place(Path::new("/etc/passwd")).is_err());
        assert!(place(Path::new("/flash/../../etc/passwd")).is_err());
    }
}
