//! `_thread`: the firmware's threads (`py/modthread.c` of v1.20.2), run by
//! [`crate::threads`] one at a time on the board's device time.
//!
//! As in that version, `start_new_thread` returns `None` and `lock.acquire`
//! takes a timeout but ignores it (it waits until the lock is free).

pub(crate) use _thread::module_def;

use std::cell::Cell;
use std::rc::Rc;

use rustpython_vm::builtins::PyTypeRef;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{arity, get_int};

/// A lock (`_thread.LockType`, named `lock` as on the board).
#[pyclass(module = "_thread", name = "lock")]
#[derive(Debug, Default, PyPayload)]
pub(crate) struct Lock {
    locked: Rc<Cell<bool>>,
}

#[pyclass]
impl Lock {
    /// `acquire(waitflag=1, timeout=-1)`: takes the lock, waiting for it
    /// unless `waitflag` is 0; whether it was taken.
    #[pymethod]
    fn acquire(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        arity(&args, 0, 2, vm)?;
        let wait = match args.args.first() {
            Some(flag) => get_int(flag, vm)? != 0,
            None => true,
        };
        if self.locked.get() && !wait {
            return Ok(false);
        }
        crate::threads::acquire(&self.locked, vm)?;
        Ok(true)
    }

    /// `__enter__()`: `acquire()`.
    #[pymethod]
    fn __enter__(&self, vm: &VirtualMachine) -> PyResult<bool> {
        crate::threads::acquire(&self.locked, vm)?;
        Ok(true)
    }

    /// `release()`: `RuntimeError` when it is not locked.
    #[pymethod]
    fn release(&self, vm: &VirtualMachine) -> PyResult<()> {
        if !self.locked.get() {
            return Err(vm.new_exception_empty(vm.ctx.exceptions.runtime_error.to_owned()));
        }
        self.locked.set(false);
        Ok(())
    }

    /// `__exit__(type, value, traceback)`: `release()`.
    #[pymethod]
    fn __exit__(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 3, 3, vm)?;
        self.release(vm)
    }

    /// `locked()`.
    #[pymethod]
    fn locked(&self) -> bool {
        self.locked.get()
    }
}

#[rustpython_vm::pymodule]
mod _thread {
    use rustpython_vm::builtins::PyDict;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyRef, PyResult, VirtualMachine};

    use super::Lock;
    use crate::args::{arity, get_array, get_int_truncated};

    /// `LockType`.
    #[pyattr(name = "LockType")]
    fn lock_type(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        super::lock_class()
    }

    /// `start_new_thread(function, args[, kwargs])`: the thread starts at
    /// the next wait of the running one; `None`, as in v1.20.2.
    #[pyfunction]
    fn start_new_thread(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 2, 3, vm)?;
        let func = args.args[0].clone();
        let positional = get_array(&args.args[1], vm)?;
        let kwargs = match args.args.get(2) {
            None => None,
            Some(dict) => Some(
                dict.clone()
                    .downcast::<PyDict>()
                    .map_err(|_| vm.new_type_error("expecting a dict for keyword args"))?,
            ),
        };
        crate::threads::start(func, positional, kwargs, vm)
    }

    /// `exit()`: raises `SystemExit`, which ends the thread silently.
    #[pyfunction]
    fn exit(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        Err(vm.new_exception_empty(vm.ctx.exceptions.system_exit.to_owned()))
    }

    /// `allocate_lock()`: a new, unlocked lock.
    #[pyfunction]
    fn allocate_lock(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyRef<Lock>> {
        arity(&args, 0, 0, vm)?;
        Ok(PyRef::new_ref(Lock::default(), super::lock_class(), None))
    }

    /// `get_ident()`: the running thread's id (its state's address on the board).
    #[pyfunction]
    fn get_ident(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u64> {
        arity(&args, 0, 0, vm)?;
        Ok(crate::threads::ident())
    }

    /// `stack_size([size])`: the stack size of threads started from now on
    /// (0 for the firmware's default; no argument sets 0 back, as
    /// `modthread.c` does); returns the one before.
    #[pyfunction]
    fn stack_size(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
        arity(&args, 0, 1, vm)?;
        let size = args.args.first().map(|size| get_int_truncated(size, vm)).transpose()?.unwrap_or(0);
        Ok(crate::threads::swap_stack_size(size))
    }
}

/// `_thread.LockType`.
fn lock_class() -> PyTypeRef {
    Lock::make_static_type()
}
