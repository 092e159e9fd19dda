//! `_flashfs`: the native half of `open()` and of imports from `/flash` (and
//! the mounted SD card); the file objects themselves are Python (`files.py`).

pub(crate) use flashfs::module_def;

#[rustpython_vm::pymodule(name = "_flashfs")]
mod flashfs {
    use pycom_board::fs::FsError;
    use rustpython_vm::builtins::{PyBytesRef, PyCode};
    use rustpython_vm::{PyRef, PyResult, VirtualMachine};

    use crate::vfs::{self, EISDIR, Location, on_volume};

    /// What a path names: 0 nothing, 1 a file, 2 a directory. A path longer
    /// than littlefs2 can name raises `OSError(ENAMETOOLONG)` instead: it may
    /// exist on an image another tool made.
    #[pyfunction]
    fn kind(path: String, vm: &VirtualMachine) -> PyResult<u8> {
        match vfs::resolve(&path, vm) {
            Ok(Location::Root) => Ok(2),
            Ok(location) => {
                let found = on_volume!(vm, location, |fs, inner| match fs.metadata(&inner) {
                    Ok(meta) => Ok(Some(meta)),
                    Err(error @ FsError::PathTooLong { .. }) => Err(error),
                    Err(_) => Ok(None),
                })?;
                Ok(found.map_or(0, |m| if m.is_dir { 2 } else { 1 }))
            }
            Err(_) => Ok(0),
        }
    }

    /// The absolute, normalised form of a path.
    #[pyfunction]
    fn abspath(path: String) -> String {
        vfs::normalise(&path, &vfs::cwd())
    }

    fn file_location(path: &str, vm: &VirtualMachine) -> PyResult<Location> {
        match vfs::resolve(path, vm)? {
            Location::Root => Err(vfs::os_error(EISDIR, vm)),
            location => Ok(location),
        }
    }

    /// The whole contents of a file.
    #[pyfunction]
    fn read(path: String, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let location = file_location(&path, vm)?;
        on_volume!(vm, location, |fs, inner| fs.read(&inner))
    }

    /// `compile(source, path)` of a module's file, as MicroPython's lexer reads it.
    #[pyfunction]
    fn compile(source: PyBytesRef, path: String, vm: &VirtualMachine) -> PyResult<PyRef<PyCode>> {
        crate::source::compile(
            &String::from_utf8_lossy(source.as_bytes()),
            rustpython_vm::compiler::Mode::Exec,
            &path,
            vm,
        )
    }

    /// Replaces a file's contents (creating it).
    #[pyfunction]
    fn write(path: String, data: PyBytesRef, vm: &VirtualMachine) -> PyResult<()> {
        let location = file_location(&path, vm)?;
        on_volume!(vm, location, |fs, inner| fs.write(&inner, data.as_bytes()))
    }
}
