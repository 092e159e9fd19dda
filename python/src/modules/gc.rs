//! `gc`: MicroPython's heap numbers, modelled on the board's heap size.

pub(crate) use gc::module_def;

#[rustpython_vm::pymodule]
mod gc {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyResult, VirtualMachine};

    use crate::args::{arity, get_int, optional_arg};
    use crate::state;

    /// `MICROPY_BYTES_PER_GC_BLOCK` on the ESP32: four 32-bit words.
    const BYTES_PER_BLOCK: i32 = 16;

    /// `collect()`: objects are reference counted here, so there is little to do.
    #[pyfunction]
    fn collect(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        Ok(())
    }

    /// `mem_alloc()`: heap bytes in use by the script.
    #[pyfunction]
    fn mem_alloc(args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        arity(&args, 0, 0, vm)?;
        Ok(state::heap_usage().0)
    }

    /// `mem_free()`: heap bytes still available.
    #[pyfunction]
    fn mem_free(args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        arity(&args, 0, 0, vm)?;
        let (used, total) = state::heap_usage();
        Ok(total.saturating_sub(used))
    }

    /// `enable()`.
    #[pyfunction]
    fn enable(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        state::with(|s| s.gc_enabled = true);
        Ok(())
    }

    /// `disable()`.
    #[pyfunction]
    fn disable(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)?;
        state::with(|s| s.gc_enabled = false);
        Ok(())
    }

    /// `isenabled()`.
    #[pyfunction]
    fn isenabled(args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        arity(&args, 0, 0, vm)?;
        Ok(state::with(|s| s.gc_enabled))
    }

    /// `threshold([bytes])`: -1 when unset. The firmware keeps it in whole
    /// blocks of its heap, so it reads back rounded down to one.
    #[pyfunction]
    fn threshold(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        match optional_arg(args, vm)? {
            Some(v) => {
                let v = get_int(&v, vm)?;
                let v = if v < 0 { -1 } else { v / BYTES_PER_BLOCK * BYTES_PER_BLOCK };
                state::with(|s| s.gc_threshold = v);
                Ok(vm.ctx.none())
            }
            None => Ok(vm.ctx.new_int(state::with(|s| s.gc_threshold)).into()),
        }
    }
}
