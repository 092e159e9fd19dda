//! `pycom`: the heartbeat LED and boot settings (the rest of the module lands with
//! the NVS, boot-config and OTA work).

pub(crate) use pycom::module_def;

#[rustpython_vm::pymodule]
mod pycom {
    use pycom_board::Board;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use crate::args::{get_int, optional_arg, truthy};
    use crate::state::{board, lock};

    /// `pycom.FACTORY`: the factory app slot for `bootmgr`.
    #[pyattr]
    const FACTORY: u8 = 0;
    /// `pycom.OTA_0`: the OTA app slot for `bootmgr`.
    #[pyattr]
    const OTA_0: u8 = 1;
    /// `pycom.FAT`: FAT `/flash` for `bootmgr(fs_type=)`.
    #[pyattr]
    const FAT: u8 = 0;
    /// `pycom.LittleFS`: LittleFS `/flash` for `bootmgr(fs_type=)`.
    #[pyattr(name = "LittleFS")]
    const LITTLE_FS: u8 = 1;

    fn os_error(msg: &str, vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
        vm.new_os_error(msg.to_owned())
    }

    /// A `name([on])` function: with no argument returns the setting, with one sets
    /// it from the argument's truthiness and returns None.
    fn bool_setting(
        args: FuncArgs,
        vm: &VirtualMachine,
        get: impl FnOnce(&Board) -> bool,
        set: impl FnOnce(&mut Board, bool) -> PyResult<()>,
    ) -> PyResult {
        let board = board();
        match optional_arg(args, vm)? {
            None => Ok(vm.ctx.new_bool(get(&lock(&board))).into()),
            Some(on) => {
                let on = truthy(on, vm)?;
                set(&mut lock(&board), on)?;
                Ok(vm.ctx.none())
            }
        }
    }

    /// `heartbeat([on])`.
    #[pyfunction]
    fn heartbeat(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        bool_setting(args, vm, Board::heartbeat, |b, on| {
            b.set_heartbeat(on);
            Ok(())
        })
    }

    /// `rgbled([colour])`: refused while the heartbeat runs, even as a getter.
    #[pyfunction]
    fn rgbled(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let board = board();
        if lock(&board).heartbeat() {
            return Err(os_error("the requested operation is not possible", vm));
        }
        let arg: Option<PyObjectRef> = optional_arg(args, vm)?;
        let mut b = lock(&board);
        match arg {
            None => {
                let colour = b.rgbled().map_err(|e| os_error(&e.to_string(), vm))?;
                Ok(vm.ctx.new_int(colour).into())
            }
            Some(colour) => {
                let colour = get_int(&colour, vm)? as u32;
                b.set_rgbled(colour).map_err(|e| os_error(&e.to_string(), vm))?;
                Ok(vm.ctx.none())
            }
        }
    }

    /// `heartbeat_on_boot([on])`: stored in the config block, applied at the next
    /// boot or soft reset.
    #[pyfunction]
    fn heartbeat_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        bool_setting(args, vm, Board::heartbeat_on_boot, |b, on| {
            b.set_heartbeat_on_boot(on).map_err(|e| os_error(&format!("the requested operation failed ({e})"), vm))
        })
    }
}
