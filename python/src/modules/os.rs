//! `os` / `uos` as on the board (file operations land with the filesystem issue).

pub(crate) use os::module_def;

/// Version of the LoRaWAN stack the firmware reports in `os.uname()`.
pub const LORAWAN_VERSION: &str = "1.0.2";
/// Version of the Sigfox stack the firmware reports in `os.uname()`.
pub const SIGFOX_VERSION: &str = "1.0.1";
/// Firmware release the board reports until OTA images carry their own.
pub const FIRMWARE_RELEASE: &str = "1.20.2.r6";
/// MicroPython core the firmware is built on, as `os.uname().version` shows it.
pub const MICROPYTHON_VERSION: &str = "v1.11-pycom-emu on 2023-01-01";

#[rustpython_vm::pymodule]
mod os {
    use pycom_board::Radio;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyResult, VirtualMachine};

    use super::{FIRMWARE_RELEASE, LORAWAN_VERSION, MICROPYTHON_VERSION, SIGFOX_VERSION};
    use crate::args::{arity, get_int};
    use crate::state::{board, lock};

    /// `uname()`: the firmware's attribute tuple; LoRa boards add `lorawan`,
    /// Sigfox boards add `sigfox`.
    #[pyfunction]
    fn uname(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        let model = lock(&board()).model();
        let platform = model.platform().to_owned();
        let mut fields: Vec<(&str, String)> = vec![
            ("sysname", platform.clone()),
            ("nodename", platform),
            ("release", FIRMWARE_RELEASE.into()),
            ("version", MICROPYTHON_VERSION.into()),
            ("machine", model.machine()),
        ];
        if model.has(Radio::LoRa) {
            fields.push(("lorawan", LORAWAN_VERSION.into()));
        }
        if model.has(Radio::Sigfox) {
            fields.push(("sigfox", SIGFOX_VERSION.into()));
        }
        let fields = fields.into_iter().map(|(name, value)| (name, vm.ctx.new_str(value).into())).collect();
        crate::prelude::attrtuple(fields, vm)
    }

    /// `urandom(n)`: `n` random bytes from the hardware RNG.
    #[pyfunction]
    fn urandom(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, 1, vm)?;
        let n = usize::try_from(get_int(&args.args[0], vm)?).unwrap_or(0);
        Ok(crate::rng::random_bytes(n))
    }

    /// `getcwd()`: the board starts in `/flash`.
    #[pyfunction]
    fn getcwd(args: FuncArgs, vm: &VirtualMachine) -> PyResult<&'static str> {
        arity(&args, 0, 0, vm)?;
        Ok("/flash")
    }
}
