//! The filesystem as scripts see it: `/flash` (the filesystem region of the
//! image) and, once `os.mount`ed, the SD card, under a root that lists the
//! mount points; a working directory; failures as `OSError(errno)`.

use pycom_board::fs::{FsError, clean_path};
use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::{PyResult, VirtualMachine};

use crate::state;

/// `ENOENT`.
pub const ENOENT: i32 = 2;
/// `EPERM`.
pub const EPERM: i32 = 1;
/// `ENOTDIR`.
pub const ENOTDIR: i32 = 20;
/// `EISDIR`.
pub const EISDIR: i32 = 21;
/// Where the internal flash is mounted.
pub const FLASH: &str = "/flash";

/// What an absolute path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// `/`: lists the mount points.
    Root,
    /// A path inside `/flash`, absolute within the filesystem (`/` is `/flash`).
    Flash(String),
    /// A path on the mounted SD card, absolute within its filesystem.
    Sd(String),
}

/// `path` made absolute against `cwd`, with `.`, `..` and repeated slashes
/// resolved. A relative path stays on the volume `cwd` is on, as the firmware
/// hands it to that filesystem (`mp_vfs_lookup_path`): `..` stops at the
/// mount point.
pub fn normalise(path: &str, cwd: &str) -> String {
    if path.starts_with('/') {
        return clean_path(path);
    }
    let cwd = clean_path(cwd);
    let mount_end = cwd[1..].find('/').map_or(cwd.len(), |i| i + 1);
    let (mount, inner) = cwd.split_at(mount_end);
    if mount == "/" {
        return clean_path(&format!("/{path}"));
    }
    match clean_path(&format!("{inner}/{path}")).as_str() {
        "/" => mount.to_owned(),
        inner => format!("{mount}{inner}"),
    }
}

/// The path below `mount` of `absolute`, if it lies there.
fn below(absolute: &str, mount: &str) -> Option<String> {
    match absolute.strip_prefix(mount) {
        Some("") => Some("/".into()),
        Some(rest) if rest.starts_with('/') => Some(rest.into()),
        _ => None,
    }
}

/// The mount an absolute path falls in (the SD card is mounted at `sd`, if
/// anywhere); `ENOENT` outside every mount.
pub fn locate(absolute: &str, sd: Option<&str>) -> Result<Location, i32> {
    if absolute == "/" {
        return Ok(Location::Root);
    }
    if let Some(inner) = below(absolute, FLASH) {
        return Ok(Location::Flash(inner));
    }
    match sd.and_then(|mount| below(absolute, mount)) {
        Some(inner) => Ok(Location::Sd(inner)),
        None => Err(ENOENT),
    }
}

/// Where the SD card is mounted, if it is.
pub fn sd_mount() -> Option<String> {
    state::lock(&state::board()).sd_mount().map(str::to_owned)
}

/// `OSError(errno)`, with `e.args[0] == errno` as MicroPython raises it.
pub fn os_error(errno: i32, vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.invoke_exception(vm.ctx.exceptions.os_error.to_owned(), vec![vm.ctx.new_int(errno).into()])
        .unwrap_or_else(|err| err)
}

/// The exception a filesystem error raises.
pub fn fs_error(error: &FsError, vm: &VirtualMachine) -> PyBaseExceptionRef {
    os_error(error.errno(), vm)
}

/// The working directory (`os.getcwd()`).
pub fn cwd() -> String {
    state::with(|s| s.cwd.clone())
}

/// Resolves a script's path to its mount.
pub fn resolve(path: &str, vm: &VirtualMachine) -> PyResult<Location> {
    if path.contains('\0') {
        return Err(os_error(ENOENT, vm));
    }
    locate(&normalise(path, &cwd()), sd_mount().as_deref()).map_err(|errno| os_error(errno, vm))
}

/// Runs `$body` with `$fs` bound to the filesystem a [`Location`] lies on
/// (`/flash` or the SD card) and `$inner` to the path on it; errors become
/// `OSError`. The root is `EPERM`.
macro_rules! on_volume {
    ($vm:expr, $location:expr, |$fs:ident, $inner:ident| $body:expr) => {{
        let board = $crate::state::board();
        let mut board = $crate::state::lock(&board);
        let result: Result<_, pycom_board::fs::FsError> = match $location {
            $crate::vfs::Location::Flash($inner) => {
                let mut $fs = board.fs();
                $body
            }
            $crate::vfs::Location::Sd($inner) => match board.sd_card() {
                Some($fs) => $body,
                None => Err(pycom_board::fs::FsError::NotFound),
            },
            $crate::vfs::Location::Root => return Err($crate::vfs::os_error($crate::vfs::EPERM, $vm)),
        };
        result.map_err(|e| $crate::vfs::fs_error(&e, $vm))
    }};
}
pub(crate) use on_volume;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_against_the_working_directory() {
        assert_eq!(normalise("main.py", "/flash"), "/flash/main.py");
        assert_eq!(normalise("../lib/./x.py", "/flash/sys"), "/flash/lib/x.py");
        assert_eq!(normalise("/../..", "/flash"), "/");
        assert_eq!(normalise("//flash//lib/", "/"), "/flash/lib");
        assert_eq!(normalise("flash/lib", "/"), "/flash/lib");
    }

    #[test]
    fn a_relative_path_does_not_leave_the_volume_of_the_working_directory() {
        assert_eq!(normalise("..", "/flash"), "/flash");
        assert_eq!(normalise("../../sd", "/flash/lib"), "/flash/sd");
        assert_eq!(normalise("../.././test/../test", "/sd/test/myfolder"), "/sd/test");
    }

    #[test]
    fn only_the_root_flash_and_a_mounted_card_exist() {
        assert_eq!(locate("/", None), Ok(Location::Root));
        assert_eq!(locate("/flash", None), Ok(Location::Flash("/".into())));
        assert_eq!(locate("/flash/lib/x.py", None), Ok(Location::Flash("/lib/x.py".into())));
        assert_eq!(locate("/flashy", None), Err(ENOENT));
        assert_eq!(locate("/sd/x", None), Err(ENOENT));
        assert_eq!(locate("/sd/x", Some("/sd")), Ok(Location::Sd("/x".into())));
    }
}
