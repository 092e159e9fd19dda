//! `usocket.socket(AF_SIGFOX, SOCK_RAW)`: messages through the Sigfox radio.

use pycom_board::net::error::{EAGAIN, EMSGSIZE, ENETDOWN, EOPNOTSUPP};
use pycom_board::sigfox::SigfoxError;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::{PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_float, get_int, get_int_truncated};
use crate::buffer::read_bytes;
use crate::state::{board, lock};
use crate::vfs::os_error;

/// `SOL_SIGFOX`.
const SOL_SIGFOX: i64 = 0xFFF06;
/// `SO_RX`: ask for a downlink with each message.
const SO_RX: i64 = 0xF0004;
/// `SO_TX_REPEAT`, `SO_OOB`, `SO_BIT`: accepted, no effect on the model.
const SO_OTHER: [i64; 3] = [0xF0005, 0xF0006, 0xF0007];

/// The socket's state.
#[derive(Debug, Default)]
struct State {
    downlink_asked: bool,
    blocking: bool,
    /// The downlink of the last message, until read.
    downlink: Option<[u8; 8]>,
}

/// A Sigfox socket.
#[pyclass(module = "usocket", name = "socket")]
#[derive(Debug, PyPayload)]
pub(crate) struct SigfoxSocket {
    state: PyMutex<State>,
}

/// The type of Sigfox sockets.
pub(crate) fn class() -> rustpython_vm::builtins::PyTypeRef {
    use rustpython_vm::class::PyClassImpl;
    SigfoxSocket::make_static_type()
}

impl SigfoxSocket {
    /// A socket on the radio `Sigfox()` set up: `ENETDOWN` before that.
    pub(crate) fn open(vm: &VirtualMachine) -> PyResult<Self> {
        if lock(&board()).sigfox().rcz().is_none() {
            return Err(os_error(ENETDOWN, vm));
        }
        Ok(Self { state: PyMutex::new(State { blocking: true, ..State::default() }) })
    }
}

#[pyclass]
impl SigfoxSocket {
    #[pymethod]
    fn close(&self) {}

    /// `send(bytes)`: up to 12 bytes; a blocking socket returns once the
    /// message (and the downlink asked for) is through.
    #[pymethod]
    fn send(&self, data: PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
        let data = read_bytes(&data, vm)?;
        let asked = self.state.lock().downlink_asked;
        let sent = lock(&board()).sigfox_send(&data, asked).map_err(|e| match e {
            SigfoxError::NotInitialised => os_error(ENETDOWN, vm),
            SigfoxError::TooLong => os_error(EMSGSIZE, vm),
        })?;
        self.state.lock().downlink = sent.downlink;
        let now = lock(&board()).now_us();
        crate::modules::time::device_sleep(sent.done_us.saturating_sub(now), vm)?;
        Ok(data.len())
    }

    /// `recv(bufsize)`: the downlink of the last message.
    #[pymethod]
    fn recv(&self, bufsize: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let len = usize::try_from(get_int(&bufsize, vm)?).unwrap_or(0);
        let downlink = self.state.lock().downlink.take().ok_or_else(|| os_error(EAGAIN, vm))?;
        Ok(vm.ctx.new_bytes(downlink[..len.min(8)].to_vec()).into())
    }

    /// `setsockopt(SOL_SIGFOX, SO_RX | SO_TX_REPEAT | SO_OOB | SO_BIT, value)`.
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
        let on = value.try_to_bool(vm)?;
        match option {
            SO_RX => self.state.lock().downlink_asked = on,
            o if SO_OTHER.contains(&o) => {}
            _ => return Err(os_error(EOPNOTSUPP, vm)),
        }
        Ok(())
    }

    /// `setblocking(flag)`.
    #[pymethod]
    fn setblocking(&self, flag: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        self.state.lock().blocking = flag.try_to_bool(vm)?;
        Ok(())
    }

    /// `settimeout(seconds)`.
    #[pymethod]
    fn settimeout(&self, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        if !vm.is_none(&timeout) {
            get_float(&timeout, vm)?;
        }
        Ok(())
    }
}
