//! Differential firmware updates: applying bsdiff 4.0 patches.
//!
//! Pycom firmware accepts an OTA image that starts with `BSDIFF40` as a delta
//! against the running image (status `PATCH` in the OTA data). The patch is a
//! standard bsdiff 4.0 file:
//!
//! ```text
//! "BSDIFF40"  ctrl_len:offtin  diff_len:offtin  new_size:offtin
//! bzip2(ctrl)  bzip2(diff)  bzip2(extra)
//! ```
//!
//! where an `offtin` is an 8-byte little-endian sign-magnitude integer (bit 63
//! is the sign). This is the format written by the classic `bsdiff` tool, by
//! PyPI `bsdiff4` and by the `qbsdiff` crate, which does the actual patching
//! here. A patch comes from an untrusted radio link, so every failure is an
//! error value, never a panic, and the new image is capped at
//! [`MAX_NEW_SIZE`] bytes.

use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use thiserror::Error;

/// The patch magic, the first 8 bytes of every bsdiff 4.0 patch.
pub const MAGIC: &[u8; 8] = b"BSDIFF40";

/// Length of the patch header: magic plus three `offtin` integers.
pub const HEADER_LEN: usize = 32;

/// The largest new image a patch may produce (16 MiB, the biggest Pycom flash).
pub const MAX_NEW_SIZE: u64 = 16 * 1024 * 1024;

/// Why a patch could not be applied.
#[derive(Debug, Error)]
pub enum DiffError {
    /// The data does not start with `BSDIFF40`.
    #[error("not a bsdiff 4.0 patch (no BSDIFF40 header)")]
    NotAPatch,
    /// The header announces a new image larger than [`MAX_NEW_SIZE`].
    #[error("patch claims a new image of {new_size} bytes, over the {MAX_NEW_SIZE}-byte limit")]
    TooLarge {
        /// The new image size the header claims.
        new_size: u64,
    },
    /// The patch is damaged, truncated or inconsistent with the old image.
    #[error("corrupt patch: {0}")]
    Corrupt(String),
}

/// The decoded 32-byte header of a bsdiff 4.0 patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    ctrl_len: u64,
    diff_len: u64,
    new_size: u64,
}

/// Whether `data` starts like a bsdiff 4.0 patch ("BSDIFF40").
pub fn is_patch(data: &[u8]) -> bool {
    data.starts_with(MAGIC)
}

/// Applies a BSDIFF40 patch to `old`, giving the new image.
///
/// Bytes after the end of the extra block are ignored, so `patch` may be a
/// whole flash slot's written area. The result is exactly the size the header
/// announces; a patch that produces fewer or more bytes is [`DiffError::Corrupt`].
pub fn apply_patch(old: &[u8], patch: &[u8]) -> Result<Vec<u8>, DiffError> {
    let header = parse_header(patch)?;
    // Bounded by MAX_NEW_SIZE, checked in parse_header.
    let new_size = header.new_size as usize;
    verify_blocks(patch, &header)?;
    let mut out = LimitedWriter { out: Vec::with_capacity(new_size), limit: new_size };

    let applied =
        catch_unwind(AssertUnwindSafe(|| -> io::Result<u64> { qbsdiff::Bspatch::new(patch)?.apply(old, &mut out) }));
    match applied {
        Ok(Ok(_)) => {}
        Ok(Err(error)) if out.overflowed(&error) => {
            return Err(DiffError::Corrupt(format!("patch writes more than the announced {new_size} bytes")));
        }
        Ok(Err(error)) => return Err(DiffError::Corrupt(error.to_string())),
        Err(_) => return Err(DiffError::Corrupt("patcher failed on malformed data".into())),
    }
    if out.out.len() != new_size {
        return Err(DiffError::Corrupt(format!("patch produced {} bytes, header announces {new_size}", out.out.len())));
    }
    Ok(out.out)
}

/// Checks the magic and header fields before anything is decompressed.
fn parse_header(patch: &[u8]) -> Result<Header, DiffError> {
    if !is_patch(patch) {
        return Err(DiffError::NotAPatch);
    }
    let Some(fields) = patch.get(MAGIC.len()..HEADER_LEN) else {
        return Err(DiffError::Corrupt(format!("header is {} bytes, needs {HEADER_LEN}", patch.len())));
    };
    let field = |index: usize, name: &str| -> Result<u64, DiffError> {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&fields[index * 8..index * 8 + 8]);
        offtin(bytes).ok_or_else(|| DiffError::Corrupt(format!("negative {name} in header")))
    };
    let header = Header {
        ctrl_len: field(0, "control block length")?,
        diff_len: field(1, "diff block length")?,
        new_size: field(2, "new image size")?,
    };
    if header.new_size > MAX_NEW_SIZE {
        return Err(DiffError::TooLarge { new_size: header.new_size });
    }
    let blocks_end = (HEADER_LEN as u64).checked_add(header.ctrl_len).and_then(|end| end.checked_add(header.diff_len));
    match blocks_end {
        Some(end) if end <= patch.len() as u64 => Ok(header),
        _ => Err(DiffError::Corrupt(format!(
            "header announces control and diff blocks of {} + {} bytes, patch has {} after the header",
            header.ctrl_len,
            header.diff_len,
            patch.len() - HEADER_LEN
        ))),
    }
}

/// Decompresses the three blocks once to check their bzip2 CRCs and sizes.
///
/// The patcher stops reading the diff and extra blocks as soon as it has the
/// bytes it needs, so without this pass a damaged last bzip2 block could go
/// unnoticed and give a wrong image. Output goes to a sink: memory stays
/// bounded whatever the blocks decompress to.
fn verify_blocks(patch: &[u8], header: &Header) -> Result<(), DiffError> {
    // parse_header checked that these offsets lie inside the patch.
    let ctrl_start = HEADER_LEN;
    let diff_start = ctrl_start + header.ctrl_len as usize;
    let extra_start = diff_start + header.diff_len as usize;
    // Every control adds or copies some bytes of the new image, bar a few
    // degenerate ones; the slack keeps odd but honest patches acceptable.
    let max_controls = header.new_size + 64;
    let ctrl = check_block("control", &patch[ctrl_start..diff_start], max_controls * CONTROL_LEN)?;
    if ctrl % CONTROL_LEN != 0 {
        return Err(DiffError::Corrupt(format!(
            "control block holds {ctrl} bytes, not a whole number of {CONTROL_LEN}-byte controls"
        )));
    }
    check_block("diff", &patch[diff_start..extra_start], header.new_size)?;
    check_block("extra", &patch[extra_start..], header.new_size)?;
    Ok(())
}

/// Length of one control triple (add, copy, seek) in the control block.
const CONTROL_LEN: u64 = 24;

/// Decompresses one bzip2 block to nowhere, giving its decompressed length.
fn check_block(name: &str, block: &[u8], limit: u64) -> Result<u64, DiffError> {
    let decoder = bzip2::read::BzDecoder::new(block);
    let checked = catch_unwind(AssertUnwindSafe(|| io::copy(&mut io::Read::take(decoder, limit + 1), &mut io::sink())));
    match checked {
        Ok(Ok(length)) if length > limit => {
            Err(DiffError::Corrupt(format!("{name} block decompresses to more than {limit} bytes")))
        }
        Ok(Ok(length)) => Ok(length),
        Ok(Err(error)) => Err(DiffError::Corrupt(format!("{name} block: {error}"))),
        Err(_) => Err(DiffError::Corrupt(format!("{name} block: decompressor failed on malformed data"))),
    }
}

/// Decodes a bsdiff `offtin` (sign-magnitude little-endian); `None` if negative.
fn offtin(bytes: [u8; 8]) -> Option<u64> {
    let raw = u64::from_le_bytes(bytes);
    let magnitude = raw & !(1 << 63);
    if raw >> 63 == 1 && magnitude != 0 { None } else { Some(magnitude) }
}

/// A `Vec` sink that refuses to grow past `limit` bytes.
struct LimitedWriter {
    out: Vec<u8>,
    limit: usize,
}

impl LimitedWriter {
    /// The error message used when the limit is hit.
    const OVERFLOW: &'static str = "output exceeds the announced new size";

    /// Whether `error` is this writer refusing to grow.
    fn overflowed(&self, error: &io::Error) -> bool {
        error.kind() == io::ErrorKind::WriteZero && error.to_string() == Self::OVERFLOW
    }
}

impl Write for LimitedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.limit - self.out.len() {
            return Err(io::Error::new(io::ErrorKind::WriteZero, Self::OVERFLOW));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offtin_is_sign_magnitude() {
        assert_eq!(offtin(5u64.to_le_bytes()), Some(5));
        assert_eq!(offtin((5u64 | 1 << 63).to_le_bytes()), None);
        assert_eq!(offtin((1u64 << 63).to_le_bytes()), Some(0), "negative zero is zero");
    }
}
