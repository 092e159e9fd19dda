//! Directory listings read through littlefs's C API.
//!
//! littlefs2's `ReadDir` joins every name it reads to the directory's path and
//! panics when the result passes 255 bytes. An image made by another tool can
//! hold such entries (a directory renamed after its contents were made: the
//! emulator refuses that rename, littlefs itself does not), so listings mount
//! the region read-only here and take each name as littlefs reports it. The
//! paths below an entry are then checked by whoever joins them
//! ([`super::path::join`]).

use std::ffi::{CStr, CString, c_int, c_void};
use std::mem::MaybeUninit;

use littlefs2::driver::Storage;
use littlefs2::ll;

use super::storage::{CACHE_BYTES, LOOKAHEAD_BYTES};
use super::{DirEntry, FsError};

/// `LFS_ERR_IO`: what a write attempt gets from this read-only mount.
const ERR_IO: c_int = -5;

/// The entries of the directory `path` (normalised) on the filesystem in
/// `storage`, without `.` and `..`, in littlefs order.
pub fn list<S: Storage>(storage: &mut S, path: &str) -> Result<Vec<DirEntry>, FsError> {
    let path = CString::new(path).map_err(|_| FsError::InvalidPath)?;
    let mut read_buffer = vec![0u8; CACHE_BYTES];
    let mut prog_buffer = vec![0u8; CACHE_BYTES];
    let mut lookahead = vec![0u64; LOOKAHEAD_BYTES / 8];
    let config = ll::lfs_config {
        context: (storage as *mut S).cast::<c_void>(),
        read: Some(read::<S>),
        prog: Some(refuse_prog),
        erase: Some(refuse_erase),
        sync: Some(sync),
        read_size: S::READ_SIZE as u32,
        prog_size: S::WRITE_SIZE as u32,
        block_size: S::BLOCK_SIZE as u32,
        block_count: S::BLOCK_COUNT as u32,
        block_cycles: S::BLOCK_CYCLES as i32,
        cache_size: CACHE_BYTES as u32,
        lookahead_size: LOOKAHEAD_BYTES as u32,
        compact_thresh: 0,
        read_buffer: read_buffer.as_mut_ptr().cast(),
        prog_buffer: prog_buffer.as_mut_ptr().cast(),
        lookahead_buffer: lookahead.as_mut_ptr().cast(),
        name_max: littlefs2::consts::FILENAME_MAX_PLUS_ONE - 1,
        file_max: littlefs2::consts::FILEBYTES_MAX,
        attr_max: littlefs2::consts::ATTRBYTES_MAX,
        metadata_max: 0,
        inline_max: 0,
        disk_version: littlefs2::DISK_VERSION.into(),
    };
    // SAFETY: `lfs` and `dir` are plain C structs that littlefs initialises;
    // `config`, its buffers, `storage` and `path` outlive every call below, and
    // the directory is closed and the filesystem unmounted before they go.
    unsafe {
        let mut lfs = MaybeUninit::<ll::lfs_t>::zeroed().assume_init();
        if ll::lfs_mount(&mut lfs, &config) != 0 {
            return Err(FsError::Corrupt);
        }
        let listing = read_entries(&mut lfs, &path);
        ll::lfs_unmount(&mut lfs);
        listing
    }
}

/// Opens `path` on the mounted `lfs`, reads all its entries and closes it.
///
/// # Safety
/// `lfs` must be mounted, with its configuration still alive.
unsafe fn read_entries(lfs: &mut ll::lfs_t, path: &CStr) -> Result<Vec<DirEntry>, FsError> {
    // SAFETY: as the caller promises; `dir` stays in place until closed.
    unsafe {
        let mut dir = MaybeUninit::<ll::lfs_dir_t>::zeroed().assume_init();
        lfs_result(ll::lfs_dir_open(lfs, &mut dir, path.as_ptr()))?;
        let mut listing = Vec::new();
        let outcome = loop {
            let mut info = MaybeUninit::<ll::lfs_info>::zeroed().assume_init();
            match ll::lfs_dir_read(lfs, &mut dir, &mut info) {
                0 => break Ok(listing),
                code if code < 0 => break lfs_result(code).map(|()| Vec::new()),
                _ => {}
            }
            // A littlefs name is NUL-terminated within its 256 bytes. Read it
            // as bytes: a foreign image may hold non-ASCII names.
            let name = CStr::from_ptr(info.name.as_ptr());
            let name = String::from_utf8_lossy(name.to_bytes()).into_owned();
            if name == "." || name == ".." {
                continue;
            }
            let is_dir = u32::from(info.type_) == ll::lfs_type_LFS_TYPE_DIR;
            listing.push(DirEntry { name, is_dir, size: if is_dir { 0 } else { u64::from(info.size) } });
        };
        ll::lfs_dir_close(lfs, &mut dir);
        outcome
    }
}

fn lfs_result(code: c_int) -> Result<(), FsError> {
    match code {
        0.. => Ok(()),
        code => Err(FsError::from_lfs(littlefs2::io::Error::new(code).unwrap_or(littlefs2::io::Error::IO))),
    }
}

unsafe extern "C" fn read<S: Storage>(
    config: *const ll::lfs_config,
    block: ll::lfs_block_t,
    off: ll::lfs_off_t,
    buffer: *mut c_void,
    size: ll::lfs_size_t,
) -> c_int {
    // SAFETY: `context` is the `&mut S` that `list` set, alive and not
    // otherwise borrowed while littlefs runs; `buffer` holds `size` bytes.
    let (storage, buffer) = unsafe {
        (&mut *(*config).context.cast::<S>(), std::slice::from_raw_parts_mut(buffer.cast::<u8>(), size as usize))
    };
    let offset = block as usize * S::BLOCK_SIZE + off as usize;
    match storage.read(offset, buffer) {
        Ok(_) => 0,
        Err(error) => error.code(),
    }
}

unsafe extern "C" fn refuse_prog(
    _: *const ll::lfs_config,
    _: ll::lfs_block_t,
    _: ll::lfs_off_t,
    _: *const c_void,
    _: ll::lfs_size_t,
) -> c_int {
    ERR_IO
}

unsafe extern "C" fn refuse_erase(_: *const ll::lfs_config, _: ll::lfs_block_t) -> c_int {
    ERR_IO
}

unsafe extern "C" fn sync(_: *const ll::lfs_config) -> c_int {
    0
}
