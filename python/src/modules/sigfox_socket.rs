//! `usocket.socket(AF_SIGFOX, SOCK_RAW)`: messages through the Sigfox radio,
//! or FSK frames in FSK mode (modsigfox.c's socket functions).

use pycom_board::net::error::{EAGAIN, EMSGSIZE, ENETDOWN, EOPNOTSUPP};
use pycom_board::sigfox::SigfoxError;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::{PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_float, get_int, get_int_truncated};
use crate::buffer::read_bytes;
use crate::modules::lora_socket::wait;
use crate::state::{board, lock};
use crate::vfs::os_error;

/// `SOL_SIGFOX`.
const SOL_SIGFOX: i64 = 0xFFF06;
/// `SO_RX`: ask for a downlink with each message.
const SO_RX: i64 = 0xF0004;
/// `SO_TX_REPEAT`: repetitions, 0 to 2; no effect on the model.
const SO_TX_REPEAT: i64 = 0xF0005;
/// `SO_OOB`, `SO_BIT`: accepted, no effect on the model.
const SO_OTHER: [i64; 2] = [0xF0006, 0xF0007];

/// The socket's settings.
#[derive(Debug, Clone, Copy)]
struct Options {
    downlink_asked: bool,
    /// `None` blocks, `Some(0)` does not wait, `Some(ms)` waits that long.
    timeout_ms: Option<u64>,
}

/// A Sigfox socket.
#[pyclass(module = "usocket", name = "socket")]
#[derive(Debug, PyPayload)]
pub(crate) struct SigfoxSocket {
    options: PyMutex<Options>,
}

/// The type of Sigfox sockets.
pub(crate) fn class() -> rustpython_vm::builtins::PyTypeRef {
    use rustpython_vm::class::PyClassImpl;
    SigfoxSocket::make_static_type()
}

impl SigfoxSocket {
    /// A socket on the radio `Sigfox()` set up: `ENETDOWN` before that.
    pub(crate) fn open(vm: &VirtualMachine) -> PyResult<Self> {
        if lock(&board()).sigfox().mode().is_none() {
            return Err(os_error(ENETDOWN, vm));
        }
        Ok(Self { options: PyMutex::new(Options { downlink_asked: false, timeout_ms: None }) })
    }
}

#[pyclass]
impl SigfoxSocket {
    #[pymethod]
    fn close(&self) {}

    /// `send(bytes)`: up to 12 bytes (64 in FSK mode); unless the socket is
    /// non-blocking, returns once the message (and the downlink asked for)
    /// or the frame is through.
    #[pymethod]
    fn send(&self, data: PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
        let data = read_bytes(&data, vm)?;
        let options = *self.options.lock();
        let sent = lock(&board()).sigfox_send(&data, options.downlink_asked).map_err(|e| match e {
            SigfoxError::NotInitialised => os_error(ENETDOWN, vm),
            SigfoxError::TooLong => os_error(EMSGSIZE, vm),
            SigfoxError::Busy => os_error(EAGAIN, vm),
        })?;
        if options.timeout_ms != Some(0) {
            let now = lock(&board()).now_us();
            crate::modules::time::device_sleep(sent.done_us.saturating_sub(now), vm)?;
        }
        Ok(data.len())
    }

    /// `recv(bufsize)`: a downlink or FSK frame, or what a shorter `recv`
    /// left of one; blocks, returns `b''` without blocking, or raises
    /// `TimeoutError: timed out` when a timeout runs out.
    #[pymethod]
    fn recv(&self, bufsize: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let len = usize::try_from(get_int(&bufsize, vm)?).unwrap_or(0);
        let timeout_ms = self.options.lock().timeout_ms;
        let mut data = None;
        wait(timeout_ms, vm, &mut |b| {
            b.sync();
            data = b.sigfox().read(len);
            data.is_some()
        })?;
        match data {
            Some(data) => Ok(vm.ctx.new_bytes(data).into()),
            None if timeout_ms.is_some_and(|ms| ms > 0) => Err(crate::modules::usocket::timed_out(vm)),
            None => Ok(vm.ctx.new_bytes(Vec::new()).into()),
        }
    }

    /// `setsockopt(SOL_SIGFOX, SO_RX | SO_TX_REPEAT | SO_OOB | SO_BIT, value)`:
    /// the value's low byte, as the firmware reads it.
    #[pymethod]
    fn setsockopt(
        &self,
        level: PyObjectRef,
        option: PyObjectRef,
        value: PyObjectRef,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let (level, option) = (get_int_truncated(&level, vm)?, get_int_truncated(&option, vm)?);
        if level != SOL_SIGFOX {
            return Err(os_error(EOPNOTSUPP, vm));
        }
        let value = get_int_truncated(&value, vm)? as u8;
        match option {
            SO_RX => self.options.lock().downlink_asked = value != 0,
            SO_TX_REPEAT if value > 2 => return Err(os_error(EOPNOTSUPP, vm)),
            SO_TX_REPEAT => {}
            o if SO_OTHER.contains(&o) => {}
            _ => return Err(os_error(EOPNOTSUPP, vm)),
        }
        Ok(())
    }

    /// `setblocking(flag)`.
    #[pymethod]
    fn setblocking(&self, flag: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let blocking = flag.try_to_bool(vm)?;
        self.options.lock().timeout_ms = if blocking { None } else { Some(0) };
        Ok(())
    }

    /// `settimeout(seconds)`: `None` blocks.
    #[pymethod]
    fn settimeout(&self, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let timeout_ms =
            if vm.is_none(&timeout) { None } else { Some((get_float(&timeout, vm)? * 1000.0).max(0.0) as u64) };
        self.options.lock().timeout_ms = timeout_ms;
        Ok(())
    }
}
