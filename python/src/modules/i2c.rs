//! `machine.I2C`: one object per bus, as the firmware's static bus objects.
//! Buses 0 and 1 are the ESP32's controllers, bus 2 is bit-banged; all take
//! P9 (SDA) and P10 (SCL) unless told. A target that does not acknowledge
//! raises `OSError: I2C bus error`.

use pycom_board::bus::{I2cController, I2cOp, I2cOutcome};
use pycom_board::pins::{PinMode, Pull};
use rustpython_vm::builtins::{PyListRef, PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_int, method_arity, parse_args};
use crate::buffer::with_writable;
use crate::bus_args::{INVALID, NO_SUCH_BUS, bytes_to_send, fixed_items, gpio, int_or, new_len, required, take_time};
use crate::state::{self, board, lock};

/// Arguments by name.
type Args = std::collections::HashMap<String, PyObjectRef>;

/// `I2C.MASTER`, the only mode.
const MASTER: i32 = 0;
/// The bit-banged bus.
const SOFT_BUS: u8 = 2;
/// Buses there are.
const BUSES: u32 = 3;
/// SCL frequency unless told.
const DEFAULT_BAUDRATE: i32 = 100_000;
/// Default (SDA, SCL) names on every bus.
const DEFAULT_PINS: (&str, &str) = ("P9", "P10");
/// Addresses `scan` tries on a hardware bus; the bit-banged one stops before 0x78.
const SCAN: std::ops::RangeInclusive<u8> = 0x08..=0x78;

/// A bus's firmware RAM.
#[derive(Debug, Clone, Copy)]
struct Settings {
    /// 0 after `deinit`.
    baudrate: u32,
    /// The clock the bit-banged bus keeps after `deinit`.
    clock_hz: u32,
    sda: Option<u8>,
    scl: Option<u8>,
}

/// An I2C bus object.
#[pyclass(module = "machine", name = "I2C")]
#[derive(Debug, PyPayload)]
pub(crate) struct I2c {
    bus: u8,
    settings: PyMutex<Settings>,
}

/// `addrsize`: 8 or 16 bits of memory address.
fn memory_address(memaddr: i32, addrsize: i32, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    match addrsize {
        8 => Ok(vec![memaddr as u8]),
        16 => Ok((memaddr as u16).to_be_bytes().to_vec()),
        _ => Err(vm.new_value_error(format!("invalid memory address size {addrsize}"))),
    }
}

impl I2c {
    fn controller(&self) -> I2cController {
        let s = *self.settings.lock();
        let baudrate = if self.bus == SOFT_BUS { s.clock_hz } else { s.baudrate };
        I2cController { bus: self.bus, sda: s.sda, scl: s.scl, baudrate }
    }

    /// Runs a transaction and lets its time pass; a hardware bus after
    /// `deinit` has no driver and fails at once. A shield's coprocessor that
    /// cut the module's power with it ends the script there.
    fn transact(&self, address: i32, ops: &[I2cOp<'_>], stop: bool, vm: &VirtualMachine) -> PyResult<I2cOutcome> {
        let controller = self.controller();
        if controller.baudrate == 0 {
            return Err(vm.new_os_error("I2C bus error".to_owned()));
        }
        let (outcome, power_cut) = {
            let board = board();
            let mut b = lock(&board);
            let outcome = b.i2c_transaction(&controller, address as u8 & 0x7F, ops, stop);
            (outcome, b.module_power_cut())
        };
        take_time(outcome.duration_us, vm)?;
        if power_cut {
            return Err(crate::modules::machine::machine::shield_powered_off(vm));
        }
        if !outcome.acked {
            return Err(vm.new_os_error("I2C bus error".to_owned()));
        }
        Ok(outcome)
    }

    /// `machine_i2c_init_helper`: `(mode=MASTER, *, baudrate=100000, pins=(SDA, SCL))`.
    fn init_helper(&self, mut args: Args, vm: &VirtualMachine) -> PyResult<()> {
        let mode = int_or(&mut args, "mode", MASTER, vm)?;
        let baudrate = int_or(&mut args, "baudrate", DEFAULT_BAUDRATE, vm)?;
        if mode != MASTER {
            return Err(vm.new_value_error(INVALID));
        }
        let mut s = self.settings.lock();
        if self.bus != SOFT_BUS {
            (s.sda, s.scl) = (None, None);
        }
        match args.remove("pins") {
            Some(pins) if vm.is_none(&pins) => {}
            Some(pins) => {
                let items = fixed_items(&pins, 2, vm)?;
                (s.sda, s.scl) = (Some(gpio(&items[0], vm)?), Some(gpio(&items[1], vm)?));
            }
            None => {
                let (sda, scl) = DEFAULT_PINS;
                (s.sda, s.scl) =
                    (Some(gpio(&vm.ctx.new_str(sda).into(), vm)?), Some(gpio(&vm.ctx.new_str(scl).into(), vm)?));
            }
        }
        if baudrate <= 0 {
            return Err(vm.new_value_error(INVALID));
        }
        s.baudrate = baudrate as u32;
        s.clock_hz = baudrate as u32;
        // `i2c_init`: both lines open drain, pulled up, released (high).
        let board = board();
        let mut board = lock(&board);
        for pin in [s.scl, s.sda].into_iter().flatten() {
            board.pin_route(pin, PinMode::OpenDrain, Some(Pull::Up), true);
        }
        Ok(())
    }
}

impl Constructor for I2c {
    type Args = FuncArgs;

    /// `I2C(id=0, mode=MASTER, *, baudrate=100000, pins=(SDA, SCL))`: the
    /// bus's one object, initialised again.
    fn slot_new(_cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let mut args = parse_args(args, &["id", "mode"], &["baudrate", "pins"], vm)?;
        let bus = int_or(&mut args, "id", 0, vm)? as u32;
        if bus >= BUSES {
            return Err(vm.new_os_error(NO_SUCH_BUS.to_owned()));
        }
        let bus = bus as u8;
        let existing = state::with(|s| s.i2c.get(&bus).cloned());
        let i2c = existing.unwrap_or_else(|| {
            I2c::make_static_type();
            let settings = Settings { baudrate: 0, clock_hz: 0, sda: None, scl: None };
            let i2c = I2c { bus, settings: PyMutex::new(settings) }.into_ref(&vm.ctx);
            state::with(|s| s.i2c.insert(bus, i2c.clone()));
            i2c
        });
        i2c.init_helper(args, vm)?;
        Ok(i2c.into())
    }

    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        Err(vm.new_type_error("cannot create 'I2C' instances"))
    }
}

impl Representable for I2c {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(match zelf.settings.lock().baudrate {
            0 => format!("I2C({})", zelf.bus),
            baudrate => format!("I2C({}, I2C.MASTER, baudrate={baudrate})", zelf.bus),
        })
    }
}

#[pyclass(with(Constructor, Representable))]
impl I2c {
    #[pyattr(name = "MASTER")]
    fn master(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(MASTER).into()
    }

    /// `init(mode=MASTER, *, baudrate=100000, pins=(SDA, SCL))`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        self.init_helper(parse_args(args, &["mode"], &["baudrate", "pins"], vm)?, vm)
    }

    /// `deinit()`: a hardware bus lets its pins go.
    #[pymethod]
    fn deinit(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        method_arity(&args, 0, 0, vm)?;
        let mut s = self.settings.lock();
        if s.baudrate > 0 && self.bus != SOFT_BUS {
            (s.sda, s.scl) = (None, None);
        }
        s.baudrate = 0;
        Ok(())
    }

    /// `scan()`: the addresses from 0x08 that acknowledge, a write (read on
    /// the bit-banged bus) with nothing after the address.
    #[pymethod]
    fn scan(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyListRef> {
        method_arity(&args, 0, 0, vm)?;
        let controller = self.controller();
        let (op, last) = if self.bus == SOFT_BUS { (I2cOp::Read(0), 0x77) } else { (I2cOp::Write(&[]), 0x78) };
        let mut found = Vec::new();
        for address in *SCAN.start()..=last {
            if controller.baudrate == 0 {
                break;
            }
            let outcome = lock(&board()).i2c_transaction(&controller, address, &[op], true);
            take_time(outcome.duration_us, vm)?;
            if outcome.acked {
                found.push(vm.ctx.new_int(address).into());
            }
        }
        Ok(vm.ctx.new_list(found))
    }

    /// `readfrom(addr, nbytes)`.
    #[pymethod]
    fn readfrom(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let mut args = parse_args(args, &["addr", "nbytes"], &[], vm)?;
        let addr = get_int(&required(&mut args, "addr", vm)?, vm)?;
        let n = new_len(&required(&mut args, "nbytes", vm)?, vm)?;
        Ok(self.transact(addr, &[I2cOp::Read(n)], true, vm)?.read)
    }

    /// `readfrom_into(addr, buf)`: returns the bytes read.
    #[pymethod]
    fn readfrom_into(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        let mut args = parse_args(args, &["addr", "buf"], &[], vm)?;
        let addr = get_int(&required(&mut args, "addr", vm)?, vm)?;
        let buf = required(&mut args, "buf", vm)?;
        let n = with_writable(&buf, vm, |b| b.len())?;
        let read = self.transact(addr, &[I2cOp::Read(n)], true, vm)?.read;
        with_writable(&buf, vm, |b| b.copy_from_slice(&read))?;
        Ok(n)
    }

    /// `writeto(addr, buf, *, stop=True)`: returns the bytes written.
    #[pymethod]
    fn writeto(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        let mut args = parse_args(args, &["addr", "buf"], &["stop"], vm)?;
        let addr = get_int(&required(&mut args, "addr", vm)?, vm)?;
        let data = bytes_to_send(&required(&mut args, "buf", vm)?, vm)?;
        let stop = args.remove("stop").map_or(Ok(true), |s| s.try_to_bool(vm))?;
        self.transact(addr, &[I2cOp::Write(&data)], stop, vm)?;
        Ok(data.len())
    }

    /// `readfrom_mem(addr, memaddr, nbytes, *, addrsize=8)`.
    #[pymethod]
    fn readfrom_mem(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let mut args = parse_args(args, &["addr", "memaddr", "nbytes"], &["addrsize"], vm)?;
        let addr = get_int(&required(&mut args, "addr", vm)?, vm)?;
        let memaddr = get_int(&required(&mut args, "memaddr", vm)?, vm)?;
        let n = get_int(&required(&mut args, "nbytes", vm)?, vm)?;
        let memaddr = memory_address(memaddr, int_or(&mut args, "addrsize", 8, vm)?, vm)?;
        if n <= 0 {
            return Ok(Vec::new());
        }
        let n = new_len(&vm.ctx.new_int(n).into(), vm)?;
        Ok(self.transact(addr, &[I2cOp::Write(&memaddr), I2cOp::Read(n)], true, vm)?.read)
    }

    /// `readfrom_mem_into(addr, memaddr, buf, *, addrsize=8)`: returns the bytes read.
    #[pymethod]
    fn readfrom_mem_into(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        let mut args = parse_args(args, &["addr", "memaddr", "buf"], &["addrsize"], vm)?;
        let addr = get_int(&required(&mut args, "addr", vm)?, vm)?;
        let memaddr = get_int(&required(&mut args, "memaddr", vm)?, vm)?;
        let buf = required(&mut args, "buf", vm)?;
        let memaddr = memory_address(memaddr, int_or(&mut args, "addrsize", 8, vm)?, vm)?;
        let n = with_writable(&buf, vm, |b| b.len())?;
        if n > 0 {
            let read = self.transact(addr, &[I2cOp::Write(&memaddr), I2cOp::Read(n)], true, vm)?.read;
            with_writable(&buf, vm, |b| b.copy_from_slice(&read))?;
        }
        Ok(n)
    }

    /// `writeto_mem(addr, memaddr, buf, *, addrsize=8)`: returns the bytes written.
    #[pymethod]
    fn writeto_mem(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        let mut args = parse_args(args, &["addr", "memaddr", "buf"], &["addrsize"], vm)?;
        let addr = get_int(&required(&mut args, "addr", vm)?, vm)?;
        let memaddr = get_int(&required(&mut args, "memaddr", vm)?, vm)?;
        let buf = required(&mut args, "buf", vm)?;
        let mut bytes = memory_address(memaddr, int_or(&mut args, "addrsize", 8, vm)?, vm)?;
        let data = bytes_to_send(&buf, vm)?;
        bytes.extend_from_slice(&data);
        self.transact(addr, &[I2cOp::Write(&bytes)], true, vm)?;
        Ok(data.len())
    }
}

/// `machine.I2C`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    I2c::make_static_type()
}
