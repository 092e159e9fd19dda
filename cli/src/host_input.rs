//! Files the host hands the emulator (scripts, firmware, NVS values, CSV and
//! board files), read with a limit: what cannot fit where it goes is refused
//! by name without reading further, so `/dev/zero` or a huge file given by
//! mistake costs at most the limit.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest script `run` takes: the largest `/flash` (4 MiB on the 8 MB
/// boards), where a script on the board would have to live.
pub const SCRIPT_MAX_LEN: u64 = 4 << 20;

/// A host file that cannot be taken in.
#[derive(Debug, thiserror::Error)]
pub enum HostInputError {
    /// The file cannot be opened or read.
    #[error("cannot read {}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The file holds more than its destination can.
    #[error("{} is larger than {what} ({limit} bytes): refused", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The most it may hold.
        limit: u64,
        /// What the limit is ("an app slot").
        what: &'static str,
    },
}

/// Reads `path` whole if it holds at most `limit` bytes, the size of `what` it
/// goes to; reads no more than `limit + 1` bytes in any case.
pub fn read_at_most(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, HostInputError> {
    let io = |error| HostInputError::Io { path: path.to_owned(), error };
    let mut data = Vec::new();
    std::fs::File::open(path).map_err(io)?.take(limit.saturating_add(1)).read_to_end(&mut data).map_err(io)?;
    if data.len() as u64 > limit {
        return Err(HostInputError::TooLarge { path: path.to_owned(), limit, what });
    }
    Ok(data)
}

/// [`read_at_most`] for a text file: the bytes must also be UTF-8.
pub fn read_text_at_most(path: &Path, limit: u64, what: &'static str) -> anyhow::Result<String> {
    let bytes = read_at_most(path, limit, what)?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_at_the_limit() {
        let err = read_at_most(Path::new("/dev/zero"), 4096, "a test buffer").unwrap_err();
        assert_eq!(err.to_string(), "/dev/zero is larger than a test buffer (4096 bytes): refused");
    }

    #[test]
    fn a_file_of_exactly_the_limit_is_read() {
        let file = std::env::temp_dir().join(format!("pycom-emu-host-input-{}", std::process::id()));
        std::fs::write(&file, [7u8; 16]).unwrap();
        assert_eq!(read_at_most(&file, 16, "sixteen bytes").unwrap(), [7u8; 16]);
        assert!(matches!(read_at_most(&file, 15, "fifteen bytes"), Err(HostInputError::TooLarge { limit: 15, .. })));
        std::fs::remove_file(&file).unwrap();
    }
}
