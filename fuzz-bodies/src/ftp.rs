//! FTP commands through our storage backend (`ftp_storage.rs`): what
//! libunftp hands it for each command, a path joined to the working
//! directory as libunftp joins it, and the upload's bytes. libunftp's own
//! command parser and data connections are not ours and not fuzzed here.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use pycom_board::{BootKind, ResetCause};
use pycom_emu::ftp_storage::BoardStorage;
use tokio::io::AsyncReadExt;
use tokio::runtime::Runtime;
use unftp_core::auth::DefaultUser;
use unftp_core::storage::{Metadata, StorageBackend};

use crate::device::{board_on, booted_image};

/// Largest upload a `*N` data field asks for, in KiB: files of many blocks,
/// and a /flash filled by a few of them.
const FILL_MAX_KIB: usize = 1024;
/// The upload that is a firmware update, not a file (nothing to read back).
const OTA_NAME: &str = "appimg.bin";

/// Any bytes as a session's commands, one a line: `VERB PATH [DATA]`, with
/// VERB one of STOR, APPE, RETR, REST (PATH is the offset), DELE, MKD, RMD,
/// RNFR, RNTO, LIST, SIZE, CWD, CDUP, and DATA the upload (`*N` for N KiB).
/// Run on a booted LoPy4's /flash: never a panic, and what the storage
/// reports as done is done: a stored file reads back as sent (but the
/// firmware upload), an append adds to the end, a renamed file is found at
/// its new name, a deleted one is gone.
pub fn ftp(data: &[u8]) {
    let mut board = board_on(booted_image());
    if board.boot(BootKind::Hard(ResetCause::PowerOn)).is_err() {
        return;
    }
    let storage = BoardStorage::new(Arc::new(Mutex::new(board)));
    runtime().block_on(Session { storage, cwd: PathBuf::from("/"), rest: 0, rename_from: None }.run(data));
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().expect("a runtime"))
}

/// One client's state between commands, as libunftp keeps it.
struct Session {
    storage: BoardStorage,
    cwd: PathBuf,
    rest: u64,
    rename_from: Option<PathBuf>,
}

impl Session {
    async fn run(mut self, commands: &[u8]) {
        for line in commands.split(|&b| b == b'\n') {
            let mut words = line.splitn(3, |&b| b == b' ');
            let verb = words.next().unwrap_or_default();
            let arg = words.next().unwrap_or_default();
            let upload = upload(words.next().unwrap_or_default());
            self.command(verb, arg, upload).await;
        }
    }

    async fn command(&mut self, verb: &[u8], arg: &[u8], upload: Vec<u8>) {
        let user = &DefaultUser;
        let path = self.cwd.join(OsStr::from_bytes(arg));
        let storage = &self.storage;
        let firmware = path.file_name() == Some(OsStr::new(OTA_NAME));
        match verb {
            b"STOR" => {
                let start = std::mem::take(&mut self.rest);
                let before = read(storage, &path).await;
                if storage.put(user, std::io::Cursor::new(upload.clone()), &path, start).await.is_ok() && !firmware {
                    let mut expected = before.unwrap_or_default();
                    expected.truncate(start as usize);
                    expected.extend_from_slice(&upload);
                    assert_eq!(read(storage, &path).await.as_deref(), Some(&expected[..]), "STOR {path:?} at {start}");
                }
            }
            b"APPE" => {
                let before = read(storage, &path).await;
                let start = storage.metadata(user, &path).await.map_or(0, |m| m.len());
                if storage.put(user, std::io::Cursor::new(upload.clone()), &path, start).await.is_ok() && !firmware {
                    let mut expected = before.unwrap_or_default();
                    expected.extend_from_slice(&upload);
                    assert_eq!(read(storage, &path).await.as_deref(), Some(&expected[..]), "APPE {path:?}");
                }
            }
            b"RETR" => {
                let start = std::mem::take(&mut self.rest);
                if let (Some(whole), Ok(mut reader)) =
                    (read(storage, &path).await, storage.get(user, &path, start).await)
                {
                    let mut tail = Vec::new();
                    let _ = reader.read_to_end(&mut tail).await;
                    assert_eq!(tail, whole[(start as usize).min(whole.len())..], "RETR {path:?} from {start}");
                }
            }
            b"REST" => self.rest = String::from_utf8_lossy(arg).parse().unwrap_or(0),
            b"DELE" if storage.del(user, &path).await.is_ok() => {
                assert!(storage.metadata(user, &path).await.is_err(), "DELE {path:?} left it there");
            }
            b"MKD" if storage.mkd(user, &path).await.is_ok() => {
                assert!(storage.metadata(user, &path).await.is_ok_and(|m| m.is_dir()), "MKD {path:?}");
            }
            b"RMD" => {
                let _ = storage.rmd(user, &path).await;
            }
            b"RNFR" => self.rename_from = Some(path),
            b"RNTO" => {
                if let Some(from) = self.rename_from.take()
                    && storage.rename(user, &from, &path).await.is_ok()
                {
                    assert!(storage.metadata(user, &path).await.is_ok(), "RNFR {from:?} RNTO {path:?}");
                }
            }
            b"LIST" => {
                if let Ok(entries) = storage.list(user, &path).await {
                    for entry in entries {
                        let _ = storage.metadata(user, path.join(entry.path)).await;
                    }
                }
            }
            b"SIZE" => {
                let _ = storage.metadata(user, &path).await;
            }
            b"CWD" if storage.cwd(user, &path).await.is_ok() => self.cwd = path,
            b"CDUP" => {
                self.cwd.pop();
            }
            _ => {}
        }
    }
}

/// A file's contents, if the storage can read it.
async fn read(storage: &BoardStorage, path: &Path) -> Option<Vec<u8>> {
    let mut reader = storage.get(&DefaultUser, path, 0).await.ok()?;
    let mut data = Vec::new();
    reader.read_to_end(&mut data).await.ok()?;
    Some(data)
}

/// The bytes an upload sends: `*N` is N KiB, anything else itself.
fn upload(data: &[u8]) -> Vec<u8> {
    match data.strip_prefix(b"*").and_then(|n| std::str::from_utf8(n).ok()?.trim().parse::<usize>().ok()) {
        Some(kib) => (0..kib.min(FILL_MAX_KIB) << 10).map(|i| (i % 251) as u8).collect(),
        None => data.to_vec(),
    }
}
