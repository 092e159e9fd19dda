//! `machine.UART`: UART 0 (the console) and UARTs 1 and 2 (the board
//! model's ports, with what a board file wires to them), one object per
//! UART as the firmware's static objects. Reads wait on device time by the
//! firmware's rules: up to `timeout_chars` frame times for each byte.

use std::collections::HashMap;
use std::time::Duration;

use pycom_board::pins::{PinMode, Pull};
use pycom_board::uart::{Frame, Parity, StopBits, UartPins, UartPort};
use rustpython_vm::builtins::{PyBytes, PyList, PyTuple, PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine, pyclass};

use crate::args::{get_float, get_int, method_arity, parse_args};
use crate::modules::pin::INVALID;
use crate::modules::time::device_sleep;
use crate::state::{self, board, lock};
use crate::uart::Received;

/// `UART.EVEN` (`UART_PARITY_EVEN`).
const EVEN: i32 = 2;
/// `UART.ODD` (`UART_PARITY_ODD`).
const ODD: i32 = 3;
/// The transmit FIFO (`UART_FIFO_LEN`): receive buffers must be larger.
const FIFO_LEN: i32 = 128;
/// The firmware's receive buffer unless told (`MACHUART_RX_BUFFER_LEN`).
const RX_BUFFER_LEN: i32 = 4096;
/// Bytes a stream `read()` without a size asks for at a time.
const READ_CHUNK: usize = 256;
/// Wall time a read gives a host program on a bridged UART to answer.
const HOST_WAIT: Duration = Duration::from_millis(50);
/// Default TX and RX pins of UARTs 0, 1 and 2.
const DEFAULT_PINS: [[&str; 2]; 3] = [["P1", "P0"], ["P3", "P4"], ["P8", "P9"]];
/// Arguments of the constructor after `id`, and of `init`.
const POSITIONAL: [&str; 4] = ["baudrate", "bits", "parity", "stop"];
/// Keyword-only arguments.
const KEYWORDS: [&str; 3] = ["pins", "timeout_chars", "rx_buffer_size"];

/// What `init` set.
#[derive(Debug, Clone, Copy)]
struct Settings {
    frame: Frame,
    timeout_chars: u32,
}

/// A UART object.
#[pyclass(module = "machine", name = "UART")]
#[derive(Debug, PyPayload)]
pub(crate) struct Uart {
    id: u8,
    settings: PyMutex<Option<Settings>>,
}

fn os_error(text: &str, vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_os_error(text.to_owned())
}

/// The firmware's `MACHUART_RX_TIMEOUT_US`: 11 bit times per character.
fn rx_timeout_us(settings: &Settings) -> u64 {
    (11_000_000 / u64::from(settings.frame.baudrate.max(1))) * u64::from(settings.timeout_chars) + 1
}

fn parse_frame(args: &HashMap<String, PyObjectRef>, vm: &VirtualMachine) -> PyResult<Frame> {
    let baudrate = args.get("baudrate").map(|b| get_int(b, vm)).transpose()?.unwrap_or(9600);
    if baudrate <= 0 {
        return Err(vm.new_value_error(INVALID));
    }
    let bits = args.get("bits").map(|b| get_int(b, vm)).transpose()?.unwrap_or(8);
    if !(5..=8).contains(&bits) {
        return Err(vm.new_value_error(format!("invalid bits size {bits}")));
    }
    let parity = match args.get("parity").filter(|p| !vm.is_none(p)) {
        None => None,
        Some(p) => match get_int(p, vm)? {
            EVEN => Some(Parity::Even),
            ODD => Some(Parity::Odd),
            other => return Err(vm.new_value_error(format!("invalid parity {other}"))),
        },
    };
    let stop = args.get("stop").filter(|s| !vm.is_none(s)).map(|s| get_float(s, vm)).transpose()?.unwrap_or(1.0);
    let stop = match stop {
        s if (1.5..2.0).contains(&s) => StopBits::OneAndHalf,
        s if s.trunc() == 1.0 => StopBits::One,
        s if s.trunc() == 2.0 => StopBits::Two,
        s => return Err(vm.new_value_error(format!("invalid stop bits {s:.6}"))),
    };
    Ok(Frame { baudrate: baudrate as u32, bits: bits as u8, parity, stop })
}

/// The pins argument: absent for the defaults, `None` for none, else 1, 2 or
/// 4 pins (TXD, RXD, RTS, CTS; `None` for one not used). Returns the GPIOs
/// of TX and RX.
fn parse_pins(id: u8, pins: Option<&PyObjectRef>, vm: &VirtualMachine) -> PyResult<(Option<u8>, Option<u8>)> {
    let items: Vec<PyObjectRef> = match pins {
        None => DEFAULT_PINS[usize::from(id)].iter().map(|name| vm.ctx.new_str(*name).into()).collect(),
        Some(p) if vm.is_none(p) => return Ok((None, None)),
        Some(p) => {
            if let Some(t) = p.downcast_ref::<PyTuple>() {
                t.as_slice().to_vec()
            } else if let Some(l) = p.downcast_ref::<PyList>() {
                l.borrow_vec().to_vec()
            } else {
                return Err(vm.new_type_error(format!("object '{}' is not a tuple or list", p.class().name())));
            }
        }
    };
    let given = |i: usize| items.get(i).filter(|p| !vm.is_none(p));
    match items.len() {
        1 | 2 => {}
        4 if (given(2).is_some() && given(1).is_none()) || (given(3).is_some() && given(0).is_none()) => {
            return Err(vm.new_value_error(INVALID));
        }
        4 => {}
        _ => return Err(vm.new_value_error(INVALID)),
    }
    let gpio = |i: usize| given(i).map(|p| crate::modules::pin::find(p, vm).map(|pin| pin.gpio())).transpose();
    if items.len() == 1 {
        // One pin: RX, turned into TX while writing.
        let rx = gpio(0)?;
        return Ok((rx, rx));
    }
    for i in 2..items.len() {
        gpio(i)?;
    }
    Ok((gpio(0)?, gpio(1)?))
}

impl Uart {
    /// The settings of an initialised UART, else the firmware's `OSError`.
    fn settings(&self, vm: &VirtualMachine) -> PyResult<Settings> {
        (*self.settings.lock()).ok_or_else(|| os_error("UART not Initialized!", vm))
    }

    /// `mach_uart_init_helper`: checks everything, then (re)starts the UART.
    fn init_helper(&self, args: HashMap<String, PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
        let frame = parse_frame(&args, vm)?;
        let rx_buffer_size = args.get("rx_buffer_size").map(|r| get_int(r, vm)).transpose()?.unwrap_or(RX_BUFFER_LEN);
        if rx_buffer_size <= FIFO_LEN {
            return Err(vm.new_value_error("invalid RX buffer size, should be > 128 bytes"));
        }
        let (tx, rx) = parse_pins(self.id, args.get("pins"), vm)?;
        let timeout_chars = args.get("timeout_chars").map(|t| get_int(t, vm)).transpose()?.unwrap_or(2);
        // The firmware keeps it in a byte.
        let timeout_chars = u32::from(timeout_chars as u8);
        if self.id != 0 {
            let board = board();
            let mut board = lock(&board);
            if let Some(rx) = rx {
                board.pin_configure(rx, PinMode::Input, Some(Pull::Up));
            }
            if let Some(tx) = tx.filter(|&tx| Some(tx) != rx) {
                board.pin_route(tx, PinMode::Output, Some(Pull::Up), true);
            }
            drop(board);
            with_port(self.id, |port, now| port.open(frame, rx_buffer_size as usize, UartPins { tx, rx }, now));
        }
        *self.settings.lock() = Some(Settings { frame, timeout_chars });
        Ok(())
    }

    /// The next byte, waiting up to the read timeout for it on device time.
    fn wait_byte(&self, settings: &Settings, vm: &VirtualMachine) -> PyResult<Option<u8>> {
        let timeout = rx_timeout_us(settings);
        if self.id == 0 {
            return match state::with(|s| s.uart.clone()).map(|input| input.read(Duration::ZERO)) {
                Some(Received::Byte(byte)) => Ok(Some(byte)),
                _ => device_sleep(timeout, vm).map(|()| None),
            };
        }
        let board = board();
        let next_arrival = || {
            let mut b = lock(&board);
            let now = b.now_us();
            let port = b.uart(self.id).expect("UART 1 or 2");
            (now, port.next_arrival_us(now, now + timeout), port.peer().and_then(|p| p.host_wait()))
        };
        let (mut now, mut next, host) = next_arrival();
        if let (None, Some(host_wait)) = (next, host) {
            host_wait(HOST_WAIT.max(Duration::from_micros(timeout)));
            (now, next, _) = next_arrival();
        }
        match next.filter(|&at| at <= now + timeout) {
            Some(at) => {
                device_sleep(at.saturating_sub(now), vm)?;
                let mut b = lock(&board);
                let now = b.now_us();
                Ok(b.uart(self.id).and_then(|port| port.read_byte(now)))
            }
            None => device_sleep(timeout, vm).map(|()| None),
        }
    }

    /// `mach_uart_read`: up to `max` bytes, as long as each comes within the
    /// timeout; `None` when the first does not.
    fn read_some(&self, max: usize, vm: &VirtualMachine) -> PyResult<Option<Vec<u8>>> {
        let settings = self.settings(vm)?;
        if max == 0 {
            return Ok(Some(Vec::new()));
        }
        let mut out = Vec::new();
        while out.len() < max {
            match self.wait_byte(&settings, vm)? {
                Some(byte) => out.push(byte),
                None => break,
            }
        }
        Ok((!out.is_empty()).then_some(out))
    }

    /// Everything until the line stays quiet for a timeout; `None` if nothing came.
    fn read_all(&self, vm: &VirtualMachine) -> PyResult<Option<Vec<u8>>> {
        let mut all: Option<Vec<u8>> = None;
        while let Some(chunk) = self.read_some(READ_CHUNK, vm)? {
            all.get_or_insert_with(Vec::new).extend(chunk);
        }
        Ok(all)
    }
}

/// Runs `f` on UART `id`'s port (1 or 2) at the board's time now.
fn with_port<R>(id: u8, f: impl FnOnce(&mut UartPort, u64) -> R) -> Option<R> {
    let board = board();
    let mut b = lock(&board);
    let now = b.now_us();
    b.uart(id).map(|port| f(port, now))
}

fn bytes_or_none(data: Option<Vec<u8>>, vm: &VirtualMachine) -> PyObjectRef {
    data.map_or_else(|| vm.ctx.none(), |d| PyBytes::from(d).into_ref(&vm.ctx).into())
}

/// The UART object of `id`, made on first use since boot.
fn object(id: u8, vm: &VirtualMachine) -> PyRef<Uart> {
    if let Some(uart) = state::with(|s| s.uarts.get(&id).cloned()) {
        return uart;
    }
    Uart::make_static_type();
    let uart = Uart { id, settings: PyMutex::new(None) }.into_ref(&vm.ctx);
    state::with(|s| s.uarts.insert(id, uart.clone()));
    uart
}

impl Constructor for Uart {
    type Args = FuncArgs;

    /// `UART(id=1, baudrate=9600, bits=8, parity=None, stop=1, *, pins,
    /// timeout_chars=2, rx_buffer_size=4096)`.
    fn slot_new(_cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let mut names = vec!["id"];
        names.extend(POSITIONAL);
        let mut args = parse_args(args, &names, &KEYWORDS, vm)?;
        let id = args.remove("id").map(|id| get_int(&id, vm)).transpose()?.unwrap_or(1);
        let uarts = if lock(&board()).model().has(pycom_board::Radio::Lte) { 2 } else { 3 };
        if !(0..uarts).contains(&id) {
            return Err(os_error("resource not available", vm));
        }
        let uart = object(id as u8, vm);
        uart.init_helper(args, vm)?;
        Ok(uart.into())
    }

    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        Err(vm.new_type_error("cannot create 'UART' instances"))
    }
}

impl Representable for Uart {
    fn repr_str(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<String> {
        let Settings { frame, .. } = zelf.settings(vm)?;
        let parity = match frame.parity {
            None => "None",
            Some(Parity::Even) => "UART.EVEN",
            Some(Parity::Odd) => "UART.ODD",
        };
        let stop = match frame.stop {
            StopBits::One => "1",
            StopBits::OneAndHalf => "1.5",
            StopBits::Two => "2",
        };
        Ok(format!("UART({}, baudrate={}, bits={}, parity={parity}, stop={stop})", zelf.id, frame.baudrate, frame.bits))
    }
}

#[pyclass(with(Constructor, Representable))]
impl Uart {
    #[pyattr(name = "EVEN")]
    fn even(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(EVEN).into()
    }

    #[pyattr(name = "ODD")]
    fn odd(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(ODD).into()
    }

    /// `init(baudrate=9600, bits=8, parity=None, stop=1, *, pins, timeout_chars, rx_buffer_size)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let args = parse_args(args, &POSITIONAL, &KEYWORDS, vm)?;
        self.init_helper(args, vm)
    }

    /// `deinit()`: stops the UART; it receives nothing until initialised again.
    #[pymethod]
    fn deinit(&self) {
        if self.settings.lock().take().is_some() {
            with_port(self.id, |port, now| port.close(now));
        }
    }

    /// `any()`: bytes waiting in the receive buffer.
    #[pymethod]
    fn any(&self, vm: &VirtualMachine) -> PyResult<usize> {
        self.settings(vm)?;
        if self.id == 0 {
            return Ok(0);
        }
        Ok(with_port(self.id, |port, now| port.any(now)).unwrap_or(0))
    }

    /// `read([nbytes])`: up to `nbytes` (everything until the line is quiet
    /// without it); `None` when nothing comes within the timeout.
    #[pymethod]
    fn read(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let data = match args.args.first().filter(|n| !vm.is_none(n)) {
            Some(n) => {
                let n = get_int(n, vm)?;
                if n < 0 { self.read_all(vm)? } else { self.read_some(n as usize, vm)? }
            }
            None => self.read_all(vm)?,
        };
        Ok(bytes_or_none(data, vm))
    }

    /// `readall()`.
    #[pymethod]
    fn readall(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 0, vm)?;
        Ok(bytes_or_none(self.read_all(vm)?, vm))
    }

    /// `readline()`: bytes up to and including `\n`, or what came before the
    /// line went quiet; `None` if nothing came.
    #[pymethod]
    fn readline(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let limit = args.args.first().map(|n| get_int(n, vm)).transpose()?.filter(|&n| n >= 0);
        let mut line = Vec::new();
        while limit.is_none_or(|n| line.len() < n as usize) {
            match self.read_some(1, vm)? {
                Some(byte) => {
                    line.extend(&byte);
                    if byte == b"\n" {
                        break;
                    }
                }
                None if line.is_empty() => return Ok(vm.ctx.none()),
                None => break,
            }
        }
        Ok(bytes_or_none(Some(line), vm))
    }

    /// `readinto(buf[, nbytes])`: fills `buf` as far as bytes come; the count,
    /// or `None` if nothing came.
    #[pymethod]
    fn readinto(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 1, 2, vm)?;
        let buf = &args.args[0];
        let len = crate::buffer::with_writable(buf, vm, |b| b.len())?;
        let n = match args.args.get(1) {
            Some(n) => (get_int(n, vm)?.max(0) as usize).min(len),
            None => len,
        };
        let mut got = Vec::new();
        while got.len() < n {
            match self.read_some(n - got.len(), vm)? {
                Some(chunk) => got.extend(chunk),
                None => break,
            }
        }
        if got.is_empty() && n > 0 {
            return Ok(vm.ctx.none());
        }
        crate::buffer::with_writable(buf, vm, |b| b[..got.len()].copy_from_slice(&got))?;
        Ok(vm.ctx.new_int(got.len()).into())
    }

    /// `write(buf)`: sends the bytes; returns once the last is in the
    /// transmit FIFO, with the count.
    #[pymethod]
    fn write(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        method_arity(&args, 1, 1, vm)?;
        self.settings(vm)?;
        let data = crate::buffer::read_bytes(&args.args[0], vm)?;
        if self.id == 0 {
            crate::console::write(&String::from_utf8_lossy(&data), vm)?;
            return Ok(data.len());
        }
        let wait = with_port(self.id, |port, now| port.write(&data, now) - now).unwrap_or(0);
        device_sleep(wait, vm)?;
        Ok(data.len())
    }

    /// `wait_tx_done(timeout_ms)`: whether everything written was sent
    /// within the timeout.
    #[pymethod]
    fn wait_tx_done(&self, timeout_ms: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
        self.settings(vm)?;
        let timeout_us = u64::from(get_int(&timeout_ms, vm)?.max(0) as u32) * 1000;
        let (now, done) = with_port(self.id, |port, now| (now, port.tx_done_us())).unwrap_or((0, 0));
        let sent = done <= now + timeout_us;
        device_sleep(if sent { done.saturating_sub(now) } else { timeout_us }, vm)?;
        Ok(sent)
    }

    /// `sendbreak(bits=13)`: holds TX low for `bits + 1` bit times.
    #[pymethod]
    fn sendbreak(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let args = parse_args(args, &["bits"], &[], vm)?;
        let bits = args.get("bits").map(|b| get_int(b, vm)).transpose()?.unwrap_or(13);
        let settings = self.settings(vm)?;
        let delay = ((i64::from(bits) + 1) * 1_000_000 / i64::from(settings.frame.baudrate)) & 0x7FFF;
        device_sleep(delay.max(1) as u64, vm)
    }
}

/// `machine.UART`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    Uart::make_static_type()
}
