//! `micropython`: `const` and the memory report.

pub(crate) use micropython::module_def;

#[rustpython_vm::pymodule]
mod micropython {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use crate::args::{arity, get_int, optional_arg};
    use crate::{console, state};

    /// MicroPython task stack size on the ESP32 port.
    const STACK_SIZE: usize = 11_264;
    const STACK_USED: usize = 736;

    /// `const(x)`: `x` itself.
    #[pyfunction(name = "const")]
    fn const_(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        arity(&args, 1, 1, vm)?;
        Ok(args.args[0].clone())
    }

    /// `mem_info([verbose])`: prints stack and heap use.
    #[pyfunction]
    fn mem_info(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        optional_arg(args, vm)?;
        let (used, total) = state::heap_usage();
        let free = total.saturating_sub(used);
        console::write(
            &format!(
                "stack: {STACK_USED} out of {STACK_SIZE}\nGC: total: {total}, used: {used}, free: {free}\n \
                 No. of 1-blocks: {}, 2-blocks: {}, max blk sz: {}, max free sz: {}\n",
                used / 64,
                used / 256,
                64,
                free / 16
            ),
            vm,
        )
    }

    /// `stack_use()`.
    #[pyfunction]
    fn stack_use(args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        arity(&args, 0, 0, vm)?;
        Ok(STACK_USED)
    }

    /// `opt_level([level])`.
    #[pyfunction]
    fn opt_level(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        match optional_arg(args, vm)? {
            Some(level) => {
                get_int(&level, vm)?;
                Ok(vm.ctx.none())
            }
            None => Ok(vm.ctx.new_int(0).into()),
        }
    }

    /// `alloc_emergency_exception_buf(size)`.
    #[pyfunction]
    fn alloc_emergency_exception_buf(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 1, vm)?;
        get_int(&args.args[0], vm).map(|_| ())
    }

    /// `heap_lock()`.
    #[pyfunction]
    fn heap_lock(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)
    }

    /// `heap_unlock()`.
    #[pyfunction]
    fn heap_unlock(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)
    }

    /// `kbd_intr(char)`: which character raises KeyboardInterrupt (-1 disables).
    #[pyfunction]
    fn kbd_intr(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 1, vm)?;
        get_int(&args.args[0], vm).map(|_| ())
    }
}
