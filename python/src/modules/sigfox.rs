//! `network.Sigfox` (modsigfox_api.c, modsigfox.c): the SiPy's, LoPy4's and
//! FiPy's Sigfox radio, sending to the fleet's virtual Sigfox backend, and
//! the SiPy's FSK mode between boards.

use pycom_formats::config_block::SigfoxField;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use pycom_board::BoardModel;
use pycom_board::sigfox::{FSK_FREQUENCY_MAX_HZ, FSK_FREQUENCY_MIN_HZ, Mode};

use crate::args::{get_int, get_int_truncated, parse_args};
use crate::state::{board, lock};

/// `Sigfox.SIGFOX`.
const MODE_SIGFOX: u8 = 0;
/// `Sigfox.FSK` (the SiPy's firmware only).
const MODE_FSK: u8 = 1;
/// The class constants.
const CONSTANTS: &[(&str, i64)] =
    &[("SIGFOX", MODE_SIGFOX as i64), ("FSK", MODE_FSK as i64), ("RCZ1", 0), ("RCZ2", 1), ("RCZ3", 2), ("RCZ4", 3)];
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

    /// `Sigfox(id=0, mode=Sigfox.SIGFOX, rcz=Sigfox.RCZ1, *, frequency=None)`:
    /// sets the radio up when keywords are given or it is not set up since
    /// boot.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        if !lock(&board()).model().has(pycom_board::Radio::Sigfox) {
            return Err(vm.new_import_error("cannot import name 'Sigfox'".to_owned(), vm.ctx.new_str("network")));
        }
        let keywords = !args.kwargs.is_empty();
        let mut parsed = parse_args(args, &["id", "mode", "rcz"], keyword_args(), vm)?;
        if parsed.remove("id").map(|id| get_int_truncated(&id, vm)).transpose()?.unwrap_or(0) != 0 {
            return Err(vm.new_os_error(NOT_AVAILABLE.to_owned()));
        }
        if keywords || lock(&board()).sigfox().mode().is_none() {
            init(parsed, vm)?;
        }
        Ok(Self {})
    }
}

/// The keyword-only arguments: `frequency` on the SiPy, whose firmware has
/// the FSK mode; none on the LoPy4 and FiPy.
fn keyword_args() -> &'static [&'static str] {
    if lock(&board()).model() == BoardModel::Sipy { &["frequency"] } else { &[] }
}

/// `sigfox_init_helper`: the mode, zone and frequency checked as the
/// firmware checks them (both read as `uint8_t`, the frequency as
/// `uint32_t`).
fn init(mut args: std::collections::HashMap<String, PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
    let int = |name: &str, default: u8| -> PyResult<u8> {
        Ok(args.get(name).map(|v| get_int_truncated(v, vm)).transpose()?.map_or(default, |v| v as u8))
    };
    let (mode, rcz) = (int("mode", MODE_SIGFOX)?, int("rcz", 0)?);
    let frequency = args.remove("frequency").filter(|f| !vm.is_none(f));
    let fsk = lock(&board()).model() == BoardModel::Sipy;
    let mode = match mode {
        MODE_SIGFOX if rcz > 3 => return Err(vm.new_value_error("invalid RCZ")),
        MODE_SIGFOX if frequency.is_some() => return Err(vm.new_value_error("frequency is only valid in FSK mode")),
        MODE_SIGFOX => Mode::Sigfox { rcz },
        MODE_FSK if fsk => {
            let none = vm.ctx.none();
            let frequency_hz = get_int(frequency.as_ref().unwrap_or(&none), vm)? as u32;
            if !(FSK_FREQUENCY_MIN_HZ..=FSK_FREQUENCY_MAX_HZ).contains(&frequency_hz) {
                return Err(vm.new_value_error(format!("frequency {} out of range", frequency_hz as i32)));
            }
            Mode::Fsk { frequency_hz }
        }
        _ => return Err(vm.new_value_error("invalid mode")),
    };
    lock(&board()).sigfox_init(mode);
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

    /// `init(mode, rcz, *, frequency)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let parsed = parse_args(args, &["mode", "rcz"], keyword_args(), vm)?;
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

    /// `public_key()`: whether messages are signed with the public key;
    /// `public_key(flag)` sets it.
    #[pymethod]
    fn public_key(&self, flag: rustpython_vm::function::OptionalArg<PyObjectRef>, vm: &VirtualMachine) -> PyResult {
        let board = board();
        let mut b = lock(&board);
        match flag.into_option() {
            None => Ok(vm.ctx.new_bool(b.sigfox().public_key()).into()),
            Some(flag) => {
                b.sigfox().set_public_key(flag.try_to_bool(vm)?);
                Ok(vm.ctx.none())
            }
        }
    }

    /// `rssi()`: the RSSI of the last frame received, in dBm.
    #[pymethod]
    fn rssi(&self) -> i32 {
        lock(&board()).sigfox().rssi()
    }

    /// `mac()`: the LPWAN MAC, 8 bytes.
    #[pymethod]
    fn mac(&self, vm: &VirtualMachine) -> PyObjectRef {
        vm.ctx.new_bytes(lock(&board()).lpwan_mac().to_vec()).into()
    }

    /// `frequencies()`: the zone's `(uplink, downlink)` frequencies in Hz.
    #[pymethod]
    fn frequencies(&self, vm: &VirtualMachine) -> PyResult {
        let rcz = lock(&board()).sigfox().rcz();
        let (up, down) = FREQUENCIES[usize::from(rcz)];
        Ok(vm.new_tuple((up, down)).into())
    }
}
