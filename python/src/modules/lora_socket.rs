//! `usocket.socket(AF_LORA, SOCK_RAW)`: frames through the LoRa radio, raw
//! or as LoRaWAN uplinks on the socket's port and data rate (modlora.c's
//! socket functions).

use pycom_board::lora::{LoraError, StackMode};
use pycom_board::net::error::{EAGAIN, EMSGSIZE, ENETDOWN, EOPNOTSUPP};
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_float, get_int, get_int_truncated};
use crate::buffer::read_bytes;
use crate::state::{board, lock};
use crate::vfs::os_error;

/// `SOL_LORA`.
const SOL_LORA: i64 = 0xFFF05;
/// `SO_CONFIRMED`.
const SO_CONFIRMED: i64 = 0xF0002;
/// `SO_DR`.
const SO_DR: i64 = 0xF0003;
/// The port of a new socket.
const DEFAULT_PORT: u8 = 2;
/// Longest a blocking wait looks at the radio before it looks again (device
/// time; a frame that arrives wakes the board anyway).
const WAIT_STEP_US: u64 = 1_000_000_000;

/// The socket's settings.
#[derive(Debug, Clone, Copy)]
struct Options {
    /// `None` blocks, `Some(0)` does not wait, `Some(ms)` waits that long.
    timeout_ms: Option<u64>,
    port: u8,
    dr: u8,
    confirmed: bool,
    open: bool,
}

/// A LoRa socket.
#[pyclass(module = "usocket", name = "socket")]
#[derive(Debug, PyPayload)]
pub(crate) struct LoraSocket {
    options: PyMutex<Options>,
}

/// The type of LoRa sockets (named `socket`, as the firmware's are).
pub(crate) fn class() -> rustpython_vm::builtins::PyTypeRef {
    use rustpython_vm::class::PyClassImpl;
    LoraSocket::make_static_type()
}

impl LoraSocket {
    /// A socket on the radio as `LoRa()` set it up: `ENETDOWN` before that.
    pub(crate) fn open(vm: &VirtualMachine) -> PyResult<Self> {
        let region = {
            let board = board();
            let mut b = lock(&board);
            b.lora().settings().map(|s| s.region).ok_or_else(|| os_error(ENETDOWN, vm))?
        };
        let dr = region.default_dr();
        Ok(Self {
            options: PyMutex::new(Options { timeout_ms: None, port: DEFAULT_PORT, dr, confirmed: false, open: true }),
        })
    }

    fn options(&self, vm: &VirtualMachine) -> PyResult<Options> {
        let options = *self.options.lock();
        if options.open { Ok(options) } else { Err(os_error(pycom_board::net::error::EBADF, vm)) }
    }
}

fn lora_error(e: &LoraError, vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    let errno = match e {
        LoraError::Down | LoraError::NotJoined => ENETDOWN,
        LoraError::TooLong => EMSGSIZE,
        LoraError::Busy => EAGAIN,
        LoraError::DataRate | LoraError::NotPossible => EOPNOTSUPP,
    };
    os_error(errno, vm)
}

/// Waits up to `timeout_ms` (for ever with `None`) until `done` says so;
/// whether it did.
pub(crate) fn wait(
    timeout_ms: Option<u64>,
    vm: &VirtualMachine,
    done: &mut dyn FnMut(&mut pycom_board::Board) -> bool,
) -> PyResult<bool> {
    if done(&mut lock(&board())) {
        return Ok(true);
    }
    match timeout_ms {
        Some(0) => Ok(false),
        Some(ms) => crate::modules::time::device_wait(ms * 1000, vm, done),
        None => loop {
            if crate::modules::time::device_wait(WAIT_STEP_US, vm, done)? {
                return Ok(true);
            }
        },
    }
}

#[pyclass]
impl LoraSocket {
    #[pymethod]
    fn close(&self) {
        self.options.lock().open = false;
    }

    /// `send(bytes)`: a raw frame, or a LoRaWAN uplink; a blocking socket
    /// returns once it is sent (and acknowledged, if confirmed).
    #[pymethod]
    fn send(&self, data: PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
        let options = self.options(vm)?;
        let data = read_bytes(&data, vm)?;
        if data.is_empty() {
            return Ok(0);
        }
        let ticket = {
            let board = board();
            let mut b = lock(&board);
            let now = b.now_us();
            let lora = b.lora();
            let mode = lora.settings().map(|s| s.mode);
            match mode {
                Some(StackMode::Lora) => lora.send_raw(&data, now),
                Some(StackMode::Lorawan) if !lora.has_joined() => Err(LoraError::NotJoined),
                Some(StackMode::Lorawan) => lora.send_uplink(options.port, &data, options.confirmed, options.dr, now),
                None => Err(LoraError::Down),
            }
            .map_err(|e| lora_error(&e, vm))?
        };
        if options.timeout_ms == Some(0) {
            return Ok(data.len());
        }
        let mut result = None;
        wait(None, vm, &mut |b| {
            result = b.lora().finished(ticket);
            result.is_some()
        })?;
        match result {
            // modusocket.c: EAGAIN is a timeout on a socket with one.
            Some(false) if options.timeout_ms.is_some_and(|ms| ms > 0) => Err(crate::modules::usocket::timed_out(vm)),
            Some(false) => Err(os_error(EAGAIN, vm)),
            _ => Ok(data.len()),
        }
    }

    /// `recv(bufsize)`: a frame, or up to `bufsize` bytes of it, the rest
    /// left for the next `recv` (modlora.c's partial packet); `b''` from a
    /// non-blocking socket with none; `TimeoutError: timed out` when a
    /// timeout runs out.
    #[pymethod]
    fn recv(&self, bufsize: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        self.receive(bufsize, vm).map(|(data, _)| vm.ctx.new_bytes(data).into())
    }

    /// `recvfrom(bufsize)`: `(frame, port)`; the rest of a frame a shorter
    /// read left comes with the frame's port (the firmware's reads an
    /// uninitialised variable there).
    #[pymethod]
    fn recvfrom(&self, bufsize: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let (data, port) = self.receive(bufsize, vm)?;
        Ok(vm.new_tuple((vm.ctx.new_bytes(data), port)).into())
    }

    fn receive(&self, bufsize: PyObjectRef, vm: &VirtualMachine) -> PyResult<(Vec<u8>, u8)> {
        let options = self.options(vm)?;
        let len = usize::try_from(get_int(&bufsize, vm)?).unwrap_or(0);
        let mut frame = None;
        wait(options.timeout_ms, vm, &mut |b| {
            frame = b.lora().read(len);
            frame.is_some()
        })?;
        match frame {
            Some(frame) => Ok((frame.data, frame.port)),
            // modusocket.c: a timeout that runs out raises, a non-blocking socket reads b''.
            None if options.timeout_ms.is_some_and(|ms| ms > 0) => Err(crate::modules::usocket::timed_out(vm)),
            None => Ok((Vec::new(), 0)),
        }
    }

    /// `setblocking(flag)`.
    #[pymethod]
    fn setblocking(&self, flag: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let blocking = flag.try_to_bool(vm)?;
        self.options(vm)?;
        self.options.lock().timeout_ms = if blocking { None } else { Some(0) };
        Ok(())
    }

    /// `settimeout(seconds)`: `None` blocks.
    #[pymethod]
    fn settimeout(&self, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        self.options(vm)?;
        let timeout_ms =
            if vm.is_none(&timeout) { None } else { Some((get_float(&timeout, vm)? * 1000.0).max(0.0) as u64) };
        self.options.lock().timeout_ms = timeout_ms;
        Ok(())
    }

    /// `setsockopt(SOL_LORA, SO_CONFIRMED | SO_DR, value)`.
    #[pymethod]
    fn setsockopt(
        &self,
        level: PyObjectRef,
        option: PyObjectRef,
        value: PyObjectRef,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        self.options(vm)?;
        let (level, option) = (get_int_truncated(&level, vm)?, get_int_truncated(&option, vm)?);
        let value = get_int_truncated(&value, vm)?;
        if level != SOL_LORA {
            return Err(os_error(EOPNOTSUPP, vm));
        }
        match option {
            SO_CONFIRMED => self.options.lock().confirmed = value != 0,
            SO_DR => {
                let region = lock(&board()).lora().region();
                let top = if region == Some(pycom_lorawan::Region::Us915) { 4 } else { 6 };
                let dr = u8::try_from(value).ok().filter(|dr| *dr <= top).ok_or_else(|| os_error(EOPNOTSUPP, vm))?;
                self.options.lock().dr = dr;
            }
            _ => return Err(os_error(EOPNOTSUPP, vm)),
        }
        Ok(())
    }

    /// `bind(port)`: the LoRaWAN port uplinks go on.
    #[pymethod]
    fn bind(&self, port: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        self.options(vm)?;
        let port = get_int_truncated(&port, vm)?;
        let port = u8::try_from(port).ok().filter(|p| *p <= 224).ok_or_else(|| os_error(EOPNOTSUPP, vm))?;
        self.options.lock().port = port;
        Ok(())
    }

    /// `sendto(...)`: not for LoRa.
    #[pymethod]
    fn sendto(&self, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        Err(os_error(EOPNOTSUPP, vm))
    }
}
