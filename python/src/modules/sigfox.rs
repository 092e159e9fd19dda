//! `network.Sigfox` (modsigfox_api.c): the SiPy's, LoPy4's and FiPy's Sigfox
//! radio, sending to the fleet's virtual Sigfox backend.

use pycom_formats::config_block::SigfoxField;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_int_truncated, parse_args};
use crate::state::{board, lock};

/// `Sigfox.SIGFOX`; `Sigfox.FSK` (1) is not modelled.
const MODE_SIGFOX: i64 = 0;
/// The class constants.
const CONSTANTS: &[(&str, i64)] =
    &[("SIGFOX", MODE_SIGFOX), ("FSK", 1), ("RCZ1", 0), ("RCZ2", 1), ("RCZ3", 2), ("RCZ4", 3)];
/// Uplink and downlink centre frequencies of each zone, Hz.
const FREQUENCIES: [(u32, u32); 4] =
    [(868_130_000, 869_525_000), (902_200_000, 905_200_000), (923_200_000, 922_200_000), (920_800_000, 922_300_000)];
/// `OSError` text of a radio the board does not have, or an id other than 0.
const NOT_AVAILABLE: &str = "resource not available";

/// The Sigfox radio (the firmware has one `Sigfox` object).
#[pyclass(module = "network", name = "Sigfox")]
#[derive(Debug, PyPayload)]
pub(crate) struct Sigfox {}

/// The `network.Sigfox` type.
pub(crate) fn class() -> PyTypeRef {
    Sigfox::make_static_type()
}

impl Constructor for Sigfox {
    type Args = FuncArgs;

    /// `Sigfox(id=0, mode=Sigfox.SIGFOX, rcz=Sigfox.RCZ1)`: sets the radio up
    /// when keywords are given or it is not set up since boot.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        if !lock(&board()).model().has(pycom_board::Radio::Sigfox) {
            return Err(vm.new_import_error("cannot import name 'Sigfox'".to_owned(), vm.ctx.new_str("network")));
        }
        let keywords = !args.kwargs.is_empty();
        let mut parsed = parse_args(args, &["id", "mode", "rcz"], &["frequency"], vm)?;
        if parsed.remove("id").map(|id| get_int_truncated(&id, vm)).transpose()?.unwrap_or(0) != 0 {
            return Err(vm.new_os_error(NOT_AVAILABLE.to_owned()));
        }
        if keywords || lock(&board()).sigfox().rcz().is_none() {
            init(parsed, vm)?;
        }
        Ok(Self {})
    }
}

fn init(mut args: std::collections::HashMap<String, PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
    let mode = args.remove("mode").map(|m| get_int_truncated(&m, vm)).transpose()?.unwrap_or(MODE_SIGFOX);
    if mode != MODE_SIGFOX {
        // FSK between two boards is not modelled yet.
        return Err(vm.new_os_error("the requested operation is not possible".to_owned()));
    }
    let rcz = args.remove("rcz").map(|r| get_int_truncated(&r, vm)).transpose()?.unwrap_or(0);
    let rcz =
        u8::try_from(rcz).ok().filter(|r| *r < 4).ok_or_else(|| vm.new_value_error("invalid argument(s) value"))?;
    lock(&board()).sigfox().init(rcz);
    Ok(())
}

fn config_bytes(field: SigfoxField, vm: &VirtualMachine) -> PyObjectRef {
    vm.ctx.new_bytes(lock(&board()).config().sigfox(field).to_vec()).into()
}

#[pyclass(with(Constructor))]
impl Sigfox {
    /// The class constants.
    #[extend_class]
    fn add_constants(ctx: &rustpython_vm::Context, class: &'static Py<PyType>) {
        crate::class_constants::add(ctx, class, CONSTANTS);
    }

    /// `init(mode, rcz)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let parsed = parse_args(args, &["mode", "rcz"], &["frequency"], vm)?;
        init(parsed, vm)
    }

    /// `id()`: the device id, 4 bytes from the config block.
    #[pymethod]
    fn id(&self, vm: &VirtualMachine) -> PyObjectRef {
        config_bytes(SigfoxField::Id, vm)
    }

    /// `pac()`: the PAC, 8 bytes from the config block.
    #[pymethod]
    fn pac(&self, vm: &VirtualMachine) -> PyObjectRef {
        config_bytes(SigfoxField::Pac, vm)
    }

    /// `public_key()`: 16 bytes from the config block.
    #[pymethod]
    fn public_key(&self, vm: &VirtualMachine) -> PyObjectRef {
        config_bytes(SigfoxField::PublicKey, vm)
    }

    /// `mac()`: the LPWAN MAC, 8 bytes.
    #[pymethod]
    fn mac(&self, vm: &VirtualMachine) -> PyObjectRef {
        vm.ctx.new_bytes(lock(&board()).lpwan_mac().to_vec()).into()
    }

    /// `frequencies()`: the zone's `(uplink, downlink)` frequencies in Hz.
    #[pymethod]
    fn frequencies(&self, vm: &VirtualMachine) -> PyResult {
        let rcz = lock(&board()).sigfox().rcz().unwrap_or(0);
        let (up, down) = FREQUENCIES[usize::from(rcz)];
        Ok(vm.new_tuple((up, down)).into())
    }
}
