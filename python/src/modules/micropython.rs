//! `micropython`: `const`, the memory reports, the optimisation level and
//! the interrupt character, as the firmware's build has them (it has no
//! `schedule`: `MICROPY_ENABLE_SCHEDULER` is off in the ESP32 port).

pub(crate) use micropython::module_def;

#[rustpython_vm::pymodule]
mod micropython {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::heap_hook;
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

    /// `qstr_info([verbose])`: prints the interned-string pools made since
    /// boot. The emulator interns no MicroPython strings: all counts are 0.
    #[pyfunction]
    fn qstr_info(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        optional_arg(args, vm)?;
        console::write("qstr pool: n_pool=0, n_qstr=0, n_str_data_bytes=0, n_total_bytes=0\n", vm)
    }

    /// `opt_level([level])`: the level stored until the next boot (0 after
    /// boot). The compiler does not use it.
    #[pyfunction]
    fn opt_level(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        match optional_arg(args, vm)? {
            Some(level) => {
                let level = get_int(&level, vm)?;
                state::with(|s| s.opt_level = level);
                Ok(vm.ctx.none())
            }
            None => Ok(vm.ctx.new_int(state::with(|s| s.opt_level)).into()),
        }
    }

    /// `alloc_emergency_exception_buf(size)`.
    #[pyfunction]
    fn alloc_emergency_exception_buf(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 1, vm)?;
        get_int(&args.args[0], vm).map(|_| ())
    }

    /// `heap_lock()`: one level deeper of the firmware's `gc_lock_depth` (a
    /// 16-bit count); while it is not 0, making an object that MicroPython
    /// keeps on its heap raises `MemoryError`.
    #[pyfunction]
    fn heap_lock(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        heap_hook::set_lock_depth(heap_hook::lock_depth().wrapping_add(1));
        Ok(())
    }

    /// `heap_unlock()`: one level less (wrapping, as the firmware's count
    /// does); returns `None`, as in the firmware.
    #[pyfunction]
    fn heap_unlock(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        heap_hook::set_lock_depth(heap_hook::lock_depth().wrapping_sub(1));
        Ok(())
    }

    /// `kbd_intr(char[, reset_char])`: the character received on the UART
    /// that raises `KeyboardInterrupt` in the code now running (-1: none, the
    /// character then reaches `sys.stdin`). Every script and REPL entry
    /// starts with Ctrl-C again, as `pyexec` arms it. The reset character
    /// (Ctrl-F while code runs) is not emulated; it is only checked.
    #[pyfunction]
    fn kbd_intr(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 2, vm)?;
        let c = get_int(&args.args[0], vm)?;
        if let Some(reset) = args.args.get(1) {
            get_int(reset, vm)?;
        }
        if let Some(uart) = state::with(|s| s.uart.clone()) {
            uart.set_interrupt_char(u8::try_from(c).ok());
        }
        Ok(())
    }
}
