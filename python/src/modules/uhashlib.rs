//! `uhashlib` (weak link `hashlib`) as Pycom's own module (`esp32/mods/
//! moduhashlib.c`): `md5`, `sha1`, `sha224`, `sha256`, `sha384`, `sha512`, each
//! with `update(data)` and `digest()` only. The board's hardware hashing allows
//! one hash at a time: a second constructor before the first `digest()` raises
//! `OSError`. The first `digest()` finishes the hash; later calls return the same
//! bytes and `update()` after it is ignored.

pub(crate) use uhashlib::module_def;

use std::sync::atomic::{AtomicBool, Ordering};

use md5::Md5;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, PyTypeSlots, Representable};
use rustpython_vm::{AsObject, Py, PyPayload, PyResult, VirtualMachine, pyclass};
use sha1::Sha1;
use sha2::digest::Digest;
use sha2::{Sha224, Sha256, Sha384, Sha512};

use crate::args::{arity, method_arity};
use crate::buffer::read_bytes;

/// The firmware's `hash_busy`: a hash was made and not yet digested. Like the
/// firmware's static variable it outlives a soft reset.
static BUSY: AtomicBool = AtomicBool::new(false);

/// A running hash of one algorithm.
enum Running {
    Md5(Md5),
    Sha1(Sha1),
    Sha224(Sha224),
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Running {
    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Md5(h) => h.update(data),
            Self::Sha1(h) => h.update(data),
            Self::Sha224(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Self::Md5(h) => h.finalize().to_vec(),
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha224(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// A hash before and after its first `digest()`.
#[derive(Default)]
enum State {
    Running(Running),
    Digested(Vec<u8>),
    #[default]
    Taken,
}

/// The algorithm of a hash class, by its name.
fn start(name: &str) -> Option<Running> {
    Some(match name {
        "md5" => Running::Md5(Md5::new()),
        "sha1" => Running::Sha1(Sha1::new()),
        "sha224" => Running::Sha224(Sha224::new()),
        "sha256" => Running::Sha256(Sha256::new()),
        "sha384" => Running::Sha384(Sha384::new()),
        "sha512" => Running::Sha512(Sha512::new()),
        _ => return None,
    })
}

/// The payload of every hash class. As in the firmware, one constructor serves
/// them all and picks the algorithm by the class's name.
#[pyclass(module = "uhashlib", name = "hash")]
#[derive(PyPayload)]
pub(crate) struct Hash(PyMutex<State>);

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hash")
    }
}

impl Constructor for Hash {
    type Args = FuncArgs;

    /// `hash_make_new`: `([data])`, refused while another hash is running.
    fn py_new(cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        arity(&args, 0, 1, vm)?;
        let running = start(&cls.name()).ok_or_else(|| vm.new_type_error("cannot create 'hash' instances"))?;
        if BUSY.swap(true, Ordering::SeqCst) {
            return Err(vm.new_os_error("only one active hash operation is permitted at a time".to_owned()));
        }
        let hash = Self(PyMutex::new(State::Running(running)));
        if let Some(data) = args.args.first() {
            hash.feed(&read_bytes(data, vm)?);
        }
        Ok(hash)
    }
}

impl Hash {
    fn feed(&self, data: &[u8]) {
        if let State::Running(running) = &mut *self.0.lock() {
            running.update(data);
        }
    }
}

impl Representable for Hash {
    /// MicroPython's print of an object without its own: `<md5>`.
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(format!("<{}>", zelf.as_object().class().name()))
    }
}

#[pyclass(with(Constructor, Representable))]
impl Hash {
    /// `update(data)`: ignored once digested.
    #[pymethod]
    fn update(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        method_arity(&args, 1, 1, vm)?;
        self.feed(&read_bytes(&args.args[0], vm)?);
        Ok(())
    }

    /// `digest()`: the hash, the same bytes every time.
    #[pymethod]
    fn digest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        method_arity(&args, 0, 0, vm)?;
        let mut state = self.0.lock();
        let digest = match std::mem::take(&mut *state) {
            State::Running(running) => {
                BUSY.store(false, Ordering::SeqCst);
                running.finish()
            }
            State::Digested(digest) => digest,
            State::Taken => Vec::new(),
        };
        *state = State::Digested(digest.clone());
        Ok(digest)
    }
}

/// The class `name`, a subclass of [`Hash`].
fn class(name: &str, vm: &VirtualMachine) -> PyTypeRef {
    vm.ctx.new_class(Some("uhashlib"), name, Hash::make_static_type(), PyTypeSlots::heap_default())
}

#[rustpython_vm::pymodule]
mod uhashlib {
    use rustpython_vm::VirtualMachine;
    use rustpython_vm::builtins::PyTypeRef;

    use super::class;

    /// `md5([data])`.
    #[pyattr]
    fn md5(vm: &VirtualMachine) -> PyTypeRef {
        class("md5", vm)
    }

    /// `sha1([data])`.
    #[pyattr]
    fn sha1(vm: &VirtualMachine) -> PyTypeRef {
        class("sha1", vm)
    }

    /// `sha224([data])`.
    #[pyattr]
    fn sha224(vm: &VirtualMachine) -> PyTypeRef {
        class("sha224", vm)
    }

    /// `sha256([data])`.
    #[pyattr]
    fn sha256(vm: &VirtualMachine) -> PyTypeRef {
        class("sha256", vm)
    }

    /// `sha384([data])`.
    #[pyattr]
    fn sha384(vm: &VirtualMachine) -> PyTypeRef {
        class("sha384", vm)
    }

    /// `sha512([data])`.
    #[pyattr]
    fn sha512(vm: &VirtualMachine) -> PyTypeRef {
        class("sha512", vm)
    }
}
