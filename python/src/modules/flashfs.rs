//! `_flashfs`: the native half of `open()` and of imports from `/flash`; the
//! file objects themselves are Python (see `files.py`).

pub(crate) use flashfs::module_def;

#[rustpython_vm::pymodule(name = "_flashfs")]
mod flashfs {
    use rustpython_vm::builtins::PyBytesRef;
    use rustpython_vm::{PyResult, VirtualMachine};

    use crate::vfs::{self, EISDIR, Location};

    /// What a path names: 0 nothing, 1 a file, 2 a directory.
    #[pyfunction]
    fn kind(path: String, vm: &VirtualMachine) -> PyResult<u8> {
        match vfs::resolve(&path, vm) {
            Ok(Location::Root) => Ok(2),
            Ok(Location::Flash(inner)) => {
                Ok(vfs::with_flash(vm, |fs| fs.metadata(&inner)).map_or(0, |m| if m.is_dir { 2 } else { 1 }))
            }
            Err(_) => Ok(0),
        }
    }

    /// The absolute, normalised form of a path.
    #[pyfunction]
    fn abspath(path: String) -> String {
        vfs::normalise(&path, &vfs::cwd())
    }

    fn file_path(path: &str, vm: &VirtualMachine) -> PyResult<String> {
        match vfs::resolve(path, vm)? {
            Location::Flash(inner) => Ok(inner),
            Location::Root => Err(vfs::os_error(EISDIR, vm)),
        }
    }

    /// The whole contents of a file.
    #[pyfunction]
    fn read(path: String, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let inner = file_path(&path, vm)?;
        vfs::with_flash(vm, |fs| fs.read(&inner))
    }

    /// Replaces a file's contents (creating it).
    #[pyfunction]
    fn write(path: String, data: PyBytesRef, vm: &VirtualMachine) -> PyResult<()> {
        let inner = file_path(&path, vm)?;
        vfs::with_flash(vm, |fs| fs.write(&inner, data.as_bytes()))
    }
}
