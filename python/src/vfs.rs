//! The filesystem as scripts see it: `/flash` (the filesystem region of the
//! image) under a root that lists the mount points, a working directory, and
//! failures as `OSError(errno)`.

use pycom_board::fs::{Fs, FsError, clean_path};
use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::{PyResult, VirtualMachine};

use crate::state::{self, board, lock};

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
}

/// `path` made absolute against `cwd`, with `.`, `..` and repeated slashes resolved.
pub fn normalise(path: &str, cwd: &str) -> String {
    if path.starts_with('/') { clean_path(path) } else { clean_path(&format!("{cwd}/{path}")) }
}

/// The mount an absolute path falls in; `ENOENT` outside every mount.
pub fn locate(absolute: &str) -> Result<Location, i32> {
    if absolute == "/" {
        return Ok(Location::Root);
    }
    match absolute.strip_prefix(FLASH) {
        Some("") => Ok(Location::Flash("/".into())),
        Some(rest) if rest.starts_with('/') => Ok(Location::Flash(rest.into())),
        _ => Err(ENOENT),
    }
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
    locate(&normalise(path, &cwd())).map_err(|errno| os_error(errno, vm))
}

/// Resolves a path that must lie inside `/flash`; the root itself is `EPERM`.
pub fn flash_path(path: &str, vm: &VirtualMachine) -> PyResult<String> {
    match resolve(path, vm)? {
        Location::Flash(inner) => Ok(inner),
        Location::Root => Err(os_error(EPERM, vm)),
    }
}

/// Runs `f` on the board's `/flash` filesystem, turning its errors into `OSError`.
pub fn with_flash<R>(vm: &VirtualMachine, f: impl FnOnce(&mut Fs<'_>) -> Result<R, FsError>) -> PyResult<R> {
    let board = board();
    let mut board = lock(&board);
    let mut fs = board.fs();
    f(&mut fs).map_err(|e| fs_error(&e, vm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_against_the_working_directory() {
        assert_eq!(normalise("main.py", "/flash"), "/flash/main.py");
        assert_eq!(normalise("../lib/./x.py", "/flash/sys"), "/flash/lib/x.py");
        assert_eq!(normalise("/../..", "/flash"), "/");
        assert_eq!(normalise("//flash//lib/", "/"), "/flash/lib");
    }

    #[test]
    fn only_the_flash_mount_and_the_root_exist() {
        assert_eq!(locate("/"), Ok(Location::Root));
        assert_eq!(locate("/flash"), Ok(Location::Flash("/".into())));
        assert_eq!(locate("/flash/lib/x.py"), Ok(Location::Flash("/lib/x.py".into())));
        assert_eq!(locate("/flashy"), Err(ENOENT));
        assert_eq!(locate("/sd/x"), Err(ENOENT));
    }
}
