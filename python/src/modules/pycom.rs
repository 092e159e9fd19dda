//! `pycom`: the heartbeat LED, NVS and boot settings (the rest of the module lands
//! with the boot-config and OTA work).

pub(crate) use pycom::module_def;

#[rustpython_vm::pymodule]
mod pycom {
    use pycom_board::Board;
    use pycom_board::nvs::{NvsError, PycomValue};
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use crate::args::{arity, get_int, optional_arg, truthy};
    use crate::nvs_args::{self, NvsInput};
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

    /// `nvs_set(key, value)`: an int is stored as `u32`, a str or bytes as a string.
    #[pyfunction]
    fn nvs_set(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 2, 2, vm)?;
        let key = nvs_args::key_bytes(&args.args[0], vm)?;
        let value = nvs_args::value(&args.args[1], vm)?;
        let board = board();
        let result = lock(&board).with_nvs(|nvs, flash| match &value {
            NvsInput::U32(v) => nvs.set_u32(flash, &key, *v),
            NvsInput::Str(s) => nvs.set_str(flash, &key, s),
        });
        result.map_err(|e| nvs_args::set_error(e, vm))?;
        Ok(vm.ctx.none())
    }

    /// `nvs_get(key[, default])`: the int (signed 32-bit) or string stored under
    /// `key`; without a default a missing key raises `ValueError`.
    #[pyfunction]
    fn nvs_get(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 2, vm)?;
        let key = nvs_args::key_bytes(&args.args[0], vm)?;
        let board = board();
        let found = lock(&board).with_nvs(|nvs, flash| nvs.get(flash, &key));
        match found {
            Ok(PycomValue::Int(v)) => Ok(vm.ctx.new_int(v).into()),
            Ok(PycomValue::Str(s)) => Ok(vm.ctx.new_str(s).into()),
            Err(NvsError::NotFound) => match args.args.get(1) {
                Some(default) => Ok(default.clone()),
                None => Err(vm.new_value_error("No matching object for the provided key")),
            },
            Err(e) => Err(nvs_args::get_error(&e, vm)),
        }
    }

    /// `nvs_erase(key)`: `KeyError` if there is no such key; other errors are ignored.
    #[pyfunction]
    fn nvs_erase(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 1, vm)?;
        let key = nvs_args::key_bytes(&args.args[0], vm)?;
        let board = board();
        let result = lock(&board).with_nvs(|nvs, flash| nvs.erase(flash, &key));
        match result {
            Err(NvsError::NotFound) => Err(vm.new_key_error(vm.ctx.new_str("key not found").into())),
            _ => Ok(vm.ctx.none()),
        }
    }

    /// `nvs_erase_all()`: erases every key of the `PY_NVM` namespace.
    #[pyfunction]
    fn nvs_erase_all(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        let board = board();
        let result = lock(&board).with_nvs(|nvs, flash| nvs.erase_all(flash));
        result.map_err(|_| os_error("the requested operation failed", vm))?;
        Ok(vm.ctx.none())
    }
}
