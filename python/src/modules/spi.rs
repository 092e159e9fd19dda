//! `machine.SPI`: one object per bus, as the firmware's static bus objects.
//! WiPy and GPy boards have buses 0 and 1, the others bus 0 only; bus 0
//! takes P10 (CLK), P11 (MOSI) and P14 (MISO) unless told, bus 1 P19, P20 and
//! P21. Chip selects are the script's own pins.

use pycom_board::BoardModel;
use pycom_board::bus::SpiController;
use pycom_board::pins::PinMode;
use rustpython_vm::builtins::{PyInt, PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, Representable};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{method_arity, parse_args};
use crate::buffer::with_writable;
use crate::bus_args::{INVALID, NO_SUCH_BUS, bytes_to_send, fixed_items, gpio, int_or, new_len, required, take_time};
use crate::state::{self, board, lock};

/// `SPI.MASTER` (`SpiMode_Master`), the only mode.
const MASTER: i32 = 0;
/// `SPI.MSB` (`SpiBitOrder_MSBFirst`).
const MSB: i32 = 0;
/// `SPI.LSB` (`SpiBitOrder_LSBFirst`).
const LSB: i32 = 1;
/// SCK frequency unless told (1 MHz).
const DEFAULT_BAUDRATE: i32 = 1_000_000;
/// Default (CLK, MOSI, MISO) names of each bus.
const DEFAULT_PINS: [[&str; 3]; 2] = [["P10", "P11", "P14"], ["P19", "P20", "P21"]];
/// `mpexception_os_request_not_possible`: a transfer on a bus after `deinit`.
const NOT_POSSIBLE: &str = "the requested operation is not possible";

/// Arguments by name.
type Args = std::collections::HashMap<String, PyObjectRef>;

/// A bus's firmware RAM.
#[derive(Debug, Clone, Copy)]
struct Settings {
    /// 0 after `deinit`.
    baudrate: u32,
    /// Bytes per word: 1, 2 or 4.
    word: usize,
    polarity: u8,
    phase: u8,
    lsb_first: bool,
    /// CLK, MOSI, MISO GPIOs, where assigned.
    pins: [Option<u8>; 3],
}

/// An SPI bus object.
#[pyclass(module = "machine", name = "SPI")]
#[derive(Debug, PyPayload)]
pub(crate) struct Spi {
    bus: u8,
    settings: PyMutex<Settings>,
}

/// Buses a board of `model` has (`WIPY` and `GPY` firmware builds have two).
fn buses(model: BoardModel) -> u32 {
    match model {
        BoardModel::Wipy2 | BoardModel::Wipy3 | BoardModel::Gpy => 2,
        _ => 1,
    }
}

impl Spi {
    /// `pyb_spi_init_helper`: `(mode=MASTER, *, baudrate=1000000, bits=8,
    /// polarity=0, phase=0, firstbit=MSB, pins=(CLK, MOSI, MISO))`. Like the
    /// firmware, it stores each setting as it checks it.
    fn init_helper(&self, mut args: Args, vm: &VirtualMachine) -> PyResult<()> {
        let mode = int_or(&mut args, "mode", MASTER, vm)?;
        let baudrate = int_or(&mut args, "baudrate", DEFAULT_BAUDRATE, vm)?;
        let bits = int_or(&mut args, "bits", 8, vm)?;
        let polarity = int_or(&mut args, "polarity", 0, vm)?;
        let phase = int_or(&mut args, "phase", 0, vm)?;
        let firstbit = int_or(&mut args, "firstbit", MSB, vm)?;
        let invalid = || vm.new_value_error(INVALID);
        if mode != MASTER {
            return Err(invalid());
        }
        let mut s = self.settings.lock();
        s.word = match bits {
            8 | 16 | 32 => bits as usize / 8,
            _ => return Err(invalid()),
        };
        (s.polarity, s.phase) = (polarity as u8, phase as u8);
        if s.polarity > 1 || s.phase > 1 {
            return Err(invalid());
        }
        if firstbit != MSB && firstbit != LSB {
            return Err(invalid());
        }
        s.lsb_first = firstbit == LSB;
        s.baudrate = baudrate as u32;
        if s.baudrate == 0 {
            return Err(invalid());
        }
        s.pins = [None; 3];
        match args.remove("pins") {
            Some(pins) if vm.is_none(&pins) => {}
            Some(pins) => {
                for (slot, item) in s.pins.iter_mut().zip(fixed_items(&pins, 3, vm)?) {
                    if !vm.is_none(&item) {
                        *slot = Some(gpio(&item, vm)?);
                    }
                }
            }
            None => {
                for (slot, name) in s.pins.iter_mut().zip(DEFAULT_PINS[usize::from(self.bus)]) {
                    *slot = Some(gpio(&vm.ctx.new_str(name).into(), vm)?);
                }
            }
        }
        // `spi_assign_pins_af`: CLK and MOSI are outputs (CLK idles at the
        // polarity's level), MISO an input, none pulled.
        let [sck, mosi, miso] = s.pins;
        let board = board();
        let mut board = lock(&board);
        for (pin, mode, high) in
            [(sck, PinMode::Output, s.polarity == 1), (mosi, PinMode::Output, false), (miso, PinMode::Input, false)]
        {
            if let Some(pin) = pin {
                board.pin_route(pin, mode, None, high);
            }
        }
        Ok(())
    }

    /// `pybspi_transfer`: clocks whole words out (from `tx`, or the low bytes
    /// of `fill` repeated) and returns as many bytes as were asked for.
    fn transfer(&self, tx: Option<&[u8]>, fill: u32, len: usize, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let s = *self.settings.lock();
        if s.baudrate == 0 {
            return Err(vm.new_os_error(NOT_POSSIBLE.to_owned()));
        }
        let words = len.div_ceil(s.word);
        let mosi: Vec<u8> = match tx {
            Some(tx) => (0..words * s.word).map(|i| tx.get(i).copied().unwrap_or(0)).collect(),
            None => fill.to_le_bytes()[..s.word].repeat(words),
        };
        let [sck, mosi_pin, miso] = s.pins;
        let controller = SpiController {
            bus: self.bus,
            sck,
            mosi: mosi_pin,
            miso,
            baudrate: s.baudrate,
            lsb_first: s.lsb_first,
            polarity: s.polarity != 0,
            phase: s.phase != 0,
        };
        let outcome = lock(&board()).spi_transfer(&controller, &mosi);
        take_time(outcome.duration_us, vm)?;
        let mut miso = outcome.miso;
        miso.truncate(len);
        Ok(miso)
    }

    /// `read` and `readinto`: `nbytes` or the buffer to fill (`pyb_buf_get_for_recv`).
    fn receive(&self, args: FuncArgs, first: &str, vm: &VirtualMachine) -> PyResult<(Option<PyObjectRef>, Vec<u8>)> {
        let mut args = parse_args(args, &[first], &["write"], vm)?;
        let target = required(&mut args, first, vm)?;
        let fill = int_or(&mut args, "write", 0, vm)? as u32;
        if target.downcast_ref::<PyInt>().is_some() {
            let n = new_len(&target, vm)?;
            return Ok((None, self.transfer(None, fill, n, vm)?));
        }
        let n = with_writable(&target, vm, |b| b.len())?;
        let read = self.transfer(None, fill, n, vm)?;
        with_writable(&target, vm, |b| b.copy_from_slice(&read))?;
        Ok((Some(target), read))
    }
}

impl Constructor for Spi {
    type Args = FuncArgs;

    /// `SPI(id=0, mode=MASTER, *, baudrate, bits, polarity, phase, firstbit,
    /// pins)`: the bus's one object, initialised again.
    fn slot_new(_cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let mut args =
            parse_args(args, &["id", "mode"], &["baudrate", "bits", "polarity", "phase", "firstbit", "pins"], vm)?;
        let bus = int_or(&mut args, "id", 0, vm)? as u32;
        if bus >= buses(lock(&board()).model()) {
            return Err(vm.new_os_error(NO_SUCH_BUS.to_owned()));
        }
        let bus = bus as u8;
        let existing = state::with(|s| s.spi.get(&bus).cloned());
        let spi = existing.unwrap_or_else(|| {
            Spi::make_static_type();
            let settings = Settings { baudrate: 0, word: 1, polarity: 0, phase: 0, lsb_first: false, pins: [None; 3] };
            let spi = Spi { bus, settings: PyMutex::new(settings) }.into_ref(&vm.ctx);
            state::with(|s| s.spi.insert(bus, spi.clone()));
            spi
        });
        spi.init_helper(args, vm)?;
        Ok(spi.into())
    }

    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        Err(vm.new_type_error("cannot create 'SPI' instances"))
    }
}

impl Representable for Spi {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        let s = *zelf.settings.lock();
        if s.baudrate == 0 {
            return Ok("SPI(0)".to_owned());
        }
        Ok(format!(
            "SPI({}, SPI.MASTER, baudrate={}, bits={}, polarity={}, phase={}, firstbit=SPI.MSB)",
            zelf.bus,
            s.baudrate,
            s.word * 8,
            s.polarity,
            s.phase
        ))
    }
}

#[pyclass(with(Constructor, Representable))]
impl Spi {
    #[pyattr(name = "MASTER")]
    fn master(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(MASTER).into()
    }

    #[pyattr(name = "MSB")]
    fn msb(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(MSB).into()
    }

    #[pyattr(name = "LSB")]
    fn lsb(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(LSB).into()
    }

    /// `init(mode=MASTER, *, baudrate=1000000, bits=8, polarity=0, phase=0,
    /// firstbit=MSB, pins=(CLK, MOSI, MISO))`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let args = parse_args(args, &["mode"], &["baudrate", "bits", "polarity", "phase", "firstbit", "pins"], vm)?;
        self.init_helper(args, vm)
    }

    /// `deinit()`: the bus stops and lets its pins go.
    #[pymethod]
    fn deinit(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        method_arity(&args, 0, 0, vm)?;
        let mut s = self.settings.lock();
        if s.baudrate > 0 {
            s.baudrate = 0;
            s.pins = [None; 3];
        }
        Ok(())
    }

    /// `write(buf)`: returns the bytes written.
    #[pymethod]
    fn write(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        method_arity(&args, 1, 1, vm)?;
        let data = bytes_to_send(&args.args[0], vm)?;
        self.transfer(Some(&data), 0, data.len(), vm)?;
        Ok(data.len())
    }

    /// `read(nbytes, *, write=0x00)`: the bytes read while `write` went out.
    #[pymethod]
    fn read(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        Ok(self.receive(args, "nbytes", vm)?.1)
    }

    /// `readinto(buf, *, write=0x00)`: returns the bytes read.
    #[pymethod]
    fn readinto(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        Ok(self.receive(args, "buf", vm)?.1.len())
    }

    /// `write_readinto(write_buf, read_buf)`: both the same length (or the
    /// same buffer); returns the bytes transferred.
    #[pymethod]
    fn write_readinto(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        method_arity(&args, 2, 2, vm)?;
        let (write_buf, read_buf) = (&args.args[0], &args.args[1]);
        let data = if write_buf.is(read_buf) {
            with_writable(write_buf, vm, |b| b.to_vec())?
        } else {
            let data = bytes_to_send(write_buf, vm)?;
            if with_writable(read_buf, vm, |b| b.len())? != data.len() {
                return Err(vm.new_value_error(INVALID));
            }
            data
        };
        let read = self.transfer(Some(&data), 0, data.len(), vm)?;
        with_writable(read_buf, vm, |b| b.copy_from_slice(&read))?;
        Ok(data.len())
    }
}

/// `machine.SPI`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    Spi::make_static_type()
}
