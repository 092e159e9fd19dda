//! `usocket.socket`: a TCP or UDP socket of the board, with the stream
//! methods (`read`, `readinto`, `readline`, `write`) the firmware gives it
//! and `makefile` returning the socket itself, as `modusocket.c` does. A
//! socket `ussl.wrap_socket` made shares its host socket with the one it
//! wrapped and carries a TLS session its data goes through.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use pycom_board::net::error::{EAGAIN, EINPROGRESS};
use pycom_board::net::socket::{POLL_IN, POLL_OUT};
use pycom_board::net::tls::{Tls, TlsFailure};
use pycom_board::net::{BoardSocket, NetError, Protocol};
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, Representable};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use super::usocket::{format_address, net_error, network, parse_address, timed_out, wait_for};
use crate::args::{arity, get_float, get_int, method_arity};
use crate::buffer::{read_bytes, with_writable};

/// `SOCK_DGRAM`.
const SOCK_DGRAM: i32 = 2;
/// `IPPROTO_TCP`.
const IPPROTO_TCP: i32 = 6;
/// lwIP's `TCP_NODELAY`.
const TCP_NODELAY: i32 = 1;
/// Bytes a stream `read()` without a size asks for at a time.
const READ_CHUNK: usize = 2048;

/// How a socket waits: for ever, not at all, or up to a time.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Timeout {
    Blocking,
    NonBlocking,
    After(Duration),
}

impl Timeout {
    fn limit(self) -> Option<Duration> {
        match self {
            Timeout::Blocking => None,
            Timeout::NonBlocking => Some(Duration::ZERO),
            Timeout::After(t) => Some(t),
        }
    }
}

/// A socket object.
#[pyclass(module = "usocket", name = "socket")]
#[derive(Debug, PyPayload)]
pub(crate) struct Socket {
    inner: Arc<Mutex<BoardSocket>>,
    timeout: PyMutex<Timeout>,
    tls: PyMutex<Option<Tls>>,
}

/// The exception a TLS operation raises: the socket's `OSError`, or
/// `OSError(code)` with mbed TLS's code.
fn tls_error(e: TlsFailure, vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    match e {
        TlsFailure::Net(e) => net_error(&e, vm),
        TlsFailure::Tls(e) => crate::vfs::os_error(e.code, vm),
    }
}

impl Socket {
    fn new(inner: BoardSocket) -> Self {
        Self { inner: Arc::new(Mutex::new(inner)), timeout: PyMutex::new(Timeout::Blocking), tls: PyMutex::new(None) }
    }

    /// The host socket.
    fn sock(&self) -> MutexGuard<'_, BoardSocket> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A socket on the same host socket as `self`, with `tls` over it
    /// (`ussl.wrap_socket`); the handshake is made now if `self` is
    /// connected, else at `connect`.
    pub(crate) fn wrapped(&self, tls: Tls, vm: &VirtualMachine) -> PyResult<Self> {
        let wrapped =
            Self { inner: self.inner.clone(), timeout: PyMutex::new(self.timeout()), tls: PyMutex::new(Some(tls)) };
        if self.sock().is_connected() {
            wrapped.handshake(vm)?;
        }
        Ok(wrapped)
    }

    /// Runs `step` on the TLS session, moving records between it and the
    /// socket until `step` has its result: `Ok(None)` when a non-blocking
    /// socket would block, `TimeoutError` when a timeout ran out.
    fn tls_io<T>(
        &self,
        timeout: Timeout,
        vm: &VirtualMachine,
        mut step: impl FnMut(&mut Tls) -> Result<Option<T>, TlsFailure>,
    ) -> PyResult<Option<T>> {
        loop {
            let inner = self.sock();
            let mut session = self.tls.lock();
            let tls = session.as_mut().ok_or_else(|| net_error(&NetError::Closed, vm))?;
            if let Some(result) = step(tls).map_err(|e| tls_error(e, vm))? {
                return Ok(Some(result));
            }
            match tls.pump(&inner) {
                Ok(_) => continue,
                Err(TlsFailure::Net(e)) if e.would_block() => {}
                Err(e) => return Err(tls_error(e, vm)),
            }
            if timeout == Timeout::NonBlocking {
                return Ok(None);
            }
            let events = tls.wanted_events() | POLL_IN;
            drop(session);
            if !wait_for(&inner, events, timeout.limit(), vm)? {
                return Err(timed_out(vm));
            }
        }
    }

    /// Completes the TLS handshake (the socket is connected), then checks
    /// the verification as `CERT_OPTIONAL` asks.
    fn handshake(&self, vm: &VirtualMachine) -> PyResult<()> {
        let timeout = match self.timeout() {
            Timeout::NonBlocking => Timeout::Blocking,
            other => other,
        };
        self.tls_io(timeout, vm, |tls| Ok((!tls.is_handshaking()).then_some(())))?;
        let session = self.tls.lock();
        session.as_ref().map_or(Ok(()), Tls::verify_result).map_err(|e| tls_error(e.into(), vm))
    }

    /// Whether data goes through TLS.
    fn is_tls(&self) -> bool {
        self.tls.lock().is_some()
    }

    fn timeout(&self) -> Timeout {
        *self.timeout.lock()
    }

    /// Runs `op` once the socket is ready for `events`, as the socket's
    /// timeout says: `Ok(None)` when a non-blocking socket would block,
    /// `TimeoutError` when a timeout ran out.
    fn when_ready<T>(
        &self,
        events: u16,
        vm: &VirtualMachine,
        op: impl Fn(&BoardSocket) -> Result<T, NetError>,
    ) -> PyResult<Option<T>> {
        let timeout = self.timeout();
        loop {
            let inner = self.sock();
            match op(&inner) {
                Err(e) if e.would_block() => {}
                other => return other.map(Some).map_err(|e| net_error(&e, vm)),
            }
            if timeout == Timeout::NonBlocking {
                return Ok(None);
            }
            if !wait_for(&inner, events, timeout.limit(), vm)? {
                return Err(timed_out(vm));
            }
        }
    }

    /// Sends all of `data` (what it can when non-blocking).
    fn send_all(&self, data: &[u8], vm: &VirtualMachine) -> PyResult<usize> {
        if self.is_tls() {
            let mut sent = 0;
            while sent < data.len() {
                let queued = self.tls_io(self.timeout(), vm, |tls| tls.queue(&data[sent..]).map(Some))?;
                sent += queued.unwrap_or(0);
                let flushed = self.tls_io(self.timeout(), vm, |tls| Ok((!tls.wants_write()).then_some(())))?;
                if flushed.is_none() {
                    break;
                }
            }
            return Ok(sent);
        }
        let mut sent = 0;
        while sent < data.len() || data.is_empty() {
            match self.when_ready(POLL_OUT, vm, |s| s.send(&data[sent..]))? {
                Some(n) => sent += n,
                None if sent == 0 => return Err(crate::vfs::os_error(EAGAIN, vm)),
                None => break,
            }
            if data.is_empty() {
                break;
            }
        }
        Ok(sent)
    }

    /// Receives up to `len` bytes; `None` when a non-blocking socket has none.
    fn receive(&self, len: usize, vm: &VirtualMachine) -> PyResult<Option<Vec<u8>>> {
        if self.is_tls() {
            return self.tls_io(self.timeout(), vm, |tls| tls.take_plaintext(len));
        }
        self.when_ready(POLL_IN, vm, |s| s.recv(len))
    }

    /// `mp_stream_rw` reading: up to `len` bytes, fewer only at the end of
    /// the stream or when a non-blocking socket runs dry.
    fn read_up_to(&self, len: usize, vm: &VirtualMachine) -> PyResult<Option<Vec<u8>>> {
        let mut out = Vec::new();
        while out.len() < len {
            match self.receive(len - out.len(), vm)? {
                Some(chunk) if chunk.is_empty() => break,
                Some(chunk) => out.extend(chunk),
                None if out.is_empty() => return Ok(None),
                None => break,
            }
        }
        Ok(Some(out))
    }

    fn bytes_or_none(data: Option<Vec<u8>>, vm: &VirtualMachine) -> PyObjectRef {
        data.map_or_else(|| vm.ctx.none(), |d| vm.ctx.new_bytes(d).into())
    }
}

/// The `usocket.socket` type.
pub(crate) fn class() -> rustpython_vm::builtins::PyTypeRef {
    use rustpython_vm::class::PyClassImpl;
    Socket::make_static_type()
}

/// `AF_LORA`.
const AF_LORA: i32 = 0xA0;
/// `AF_SIGFOX`.
const AF_SIGFOX: i32 = 0xA1;

impl Constructor for Socket {
    type Args = FuncArgs;

    /// A LoRa socket for `AF_LORA`, a Sigfox socket for `AF_SIGFOX`, else an IP socket.
    fn slot_new(cls: rustpython_vm::builtins::PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let family = args.args.first().map(|f| get_int(f, vm)).transpose()?;
        if matches!(family, Some(AF_LORA | AF_SIGFOX)) {
            arity(&args, 0, 4, vm)?;
        }
        match family {
            Some(AF_LORA) => {
                let socket = super::lora_socket::LoraSocket::open(vm)?;
                return socket.into_ref_with_type(vm, super::lora_socket::class()).map(Into::into);
            }
            Some(AF_SIGFOX) => {
                let socket = super::sigfox_socket::SigfoxSocket::open(vm)?;
                return socket.into_ref_with_type(vm, super::sigfox_socket::class()).map(Into::into);
            }
            _ => {}
        }
        let payload = Self::py_new(&cls, args, vm)?;
        payload.into_ref_with_type(vm, cls).map(Into::into)
    }

    /// `socket(family=AF_INET, type=SOCK_STREAM, proto=IPPROTO_TCP, fileno=None)`.
    fn py_new(_cls: &Py<rustpython_vm::builtins::PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        arity(&args, 0, 4, vm)?;
        let ints = args.args.iter().take(3).map(|a| get_int(a, vm)).collect::<PyResult<Vec<_>>>()?;
        let family = ints.first().copied().unwrap_or(2);
        if family != 2 {
            return Err(crate::vfs::os_error(pycom_board::net::error::EOPNOTSUPP, vm));
        }
        let protocol = if ints.get(1) == Some(&SOCK_DGRAM) { Protocol::Udp } else { Protocol::Tcp };
        let (net, _) = network();
        let inner = BoardSocket::new(net, protocol).map_err(|e| net_error(&e, vm))?;
        Ok(Socket::new(inner))
    }
}

impl Representable for Socket {
    fn repr_str(_zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok("<socket>".to_owned())
    }
}

#[pyclass(with(Constructor, Representable))]
impl Socket {
    #[pymethod]
    fn close(&self) {
        let inner = self.sock();
        if let Some(mut tls) = self.tls.lock().take() {
            tls.close();
            let _ = tls.pump(&inner);
        }
        drop(inner);
        self.sock().close();
    }

    #[pymethod]
    fn fileno(&self) -> i32 {
        self.sock().fileno()
    }

    #[pymethod]
    fn bind(&self, addr: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let addr = parse_address(&addr, vm)?;
        self.sock().bind(addr).map_err(|e| net_error(&e, vm))
    }

    #[pymethod]
    fn listen(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        method_arity(&args, 0, 1, vm)?;
        let backlog = args.args.first().map(|b| get_int(b, vm)).transpose()?.unwrap_or(0).max(0);
        self.sock().listen(backlog).map_err(|e| net_error(&e, vm))
    }

    #[pymethod]
    fn accept(&self, vm: &VirtualMachine) -> PyResult {
        let Some((conn, peer)) = self.when_ready(POLL_IN, vm, |s| s.accept()).or_else(|e| {
            // lwIP's accept reports a timeout as EAGAIN.
            if e.class().fast_issubclass(vm.ctx.exceptions.timeout_error) { Ok(None) } else { Err(e) }
        })?
        else {
            return Err(crate::vfs::os_error(EAGAIN, vm));
        };
        let conn = Socket::new(conn);
        *conn.timeout.lock() = self.timeout();
        Ok(vm.new_tuple((conn.into_pyobject(vm), format_address(peer, vm))).into())
    }

    #[pymethod]
    fn connect(&self, addr: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let addr = parse_address(&addr, vm)?;
        let (_, up) = network();
        let timeout = self.timeout();
        let failed = |e: NetError| {
            if matches!(timeout, Timeout::After(_)) {
                self.sock().close();
            }
            net_error(&e, vm)
        };
        let inner = self.sock();
        if inner.start_connect(addr, up).map_err(&failed)? {
            drop(inner);
            return self.connected(vm);
        }
        if timeout == Timeout::NonBlocking {
            return Err(crate::vfs::os_error(EINPROGRESS, vm));
        }
        loop {
            if !wait_for(&inner, POLL_OUT, timeout.limit(), vm)? {
                drop(inner);
                self.sock().close();
                return Err(timed_out(vm));
            }
            if inner.finish_connect().map_err(&failed)? {
                drop(inner);
                return self.connected(vm);
            }
        }
    }

    /// The connection is made: a TLS socket makes its handshake.
    fn connected(&self, vm: &VirtualMachine) -> PyResult<()> {
        if self.is_tls() { self.handshake(vm) } else { Ok(()) }
    }

    #[pymethod]
    fn do_handshake(&self, vm: &VirtualMachine) -> PyResult<()> {
        self.handshake(vm)
    }

    #[pymethod]
    fn send(&self, data: PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
        self.send_all(&read_bytes(&data, vm)?, vm)
    }

    #[pymethod]
    fn sendall(&self, data: PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
        self.send(data, vm)
    }

    #[pymethod]
    fn recv(&self, len: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let len = get_int(&len, vm)?.max(0) as usize;
        // A non-blocking socket with nothing to read returns b''.
        Ok(vm.ctx.new_bytes(self.receive(len, vm)?.unwrap_or_default()).into())
    }

    #[pymethod]
    fn sendto(&self, data: PyObjectRef, addr: PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
        let data = read_bytes(&data, vm)?;
        let addr = parse_address(&addr, vm)?;
        let (_, up) = network();
        self.when_ready(POLL_OUT, vm, |s| s.send_to(&data, addr, up))?.ok_or_else(|| crate::vfs::os_error(EAGAIN, vm))
    }

    #[pymethod]
    fn recvfrom(&self, len: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        let len = get_int(&len, vm)?.max(0) as usize;
        let (data, from) =
            self.when_ready(POLL_IN, vm, |s| s.recv_from(len))?.ok_or_else(|| crate::vfs::os_error(EAGAIN, vm))?;
        Ok(vm.new_tuple((vm.ctx.new_bytes(data), format_address(from, vm))).into())
    }

    #[pymethod]
    fn setsockopt(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        method_arity(&args, 3, 3, vm)?;
        let level = get_int(&args.args[0], vm)?;
        let option = get_int(&args.args[1], vm)?;
        let value = &args.args[2];
        if value.downcast_ref::<rustpython_vm::builtins::PyInt>().is_none() {
            read_bytes(value, vm)?;
        }
        if (level, option) == (IPPROTO_TCP, TCP_NODELAY) {
            let on = value.clone().try_to_bool(vm)?;
            self.sock().set_nodelay(on).map_err(|e| net_error(&e, vm))?;
        }
        // Other options (SO_REUSEADDR, which lwIP sockets already have,
        // multicast membership) have no effect on the host socket.
        Ok(())
    }

    #[pymethod]
    fn settimeout(&self, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let timeout = if vm.is_none(&timeout) {
            Timeout::Blocking
        } else {
            // The firmware's floats are single precision: 0.3 s is 300 ms.
            match (1000.0 * get_float(&timeout, vm)? as f32) as i64 {
                ms if ms < 0 => Timeout::Blocking,
                0 => Timeout::NonBlocking,
                ms => Timeout::After(Duration::from_millis(ms as u64)),
            }
        };
        *self.timeout.lock() = timeout;
        Ok(())
    }

    #[pymethod]
    fn setblocking(&self, flag: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let timeout = if flag.try_to_bool(vm)? { Timeout::Blocking } else { Timeout::NonBlocking };
        *self.timeout.lock() = timeout;
        Ok(())
    }

    #[pymethod]
    fn makefile(zelf: rustpython_vm::PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 5, vm)?;
        if let Some(mode) = args.args.first() {
            let mode = mode.str(vm)?;
            if !matches!(mode.to_str().unwrap_or_default(), "rb" | "wb") {
                return Err(vm.new_value_error(crate::modules::pin::INVALID));
            }
        }
        Ok(zelf.into())
    }

    #[pymethod]
    fn read(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let len = args.args.first().filter(|a| !vm.is_none(a)).map(|a| get_int(a, vm)).transpose()?;
        match len {
            Some(len) if len >= 0 => Ok(Self::bytes_or_none(self.read_up_to(len as usize, vm)?, vm)),
            _ => {
                let mut all = Vec::new();
                loop {
                    match self.receive(READ_CHUNK, vm)? {
                        Some(chunk) if chunk.is_empty() => break,
                        Some(chunk) => all.extend(chunk),
                        None if all.is_empty() => return Ok(vm.ctx.none()),
                        None => break,
                    }
                }
                Ok(vm.ctx.new_bytes(all).into())
            }
        }
    }

    #[pymethod]
    fn readinto(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 1, 2, vm)?;
        let buf = &args.args[0];
        let room = with_writable(buf, vm, |b| b.len())?;
        let len = args.args.get(1).map(|n| get_int(n, vm)).transpose()?.map_or(room, |n| (n.max(0) as usize).min(room));
        let Some(data) = self.read_up_to(len, vm)? else { return Ok(vm.ctx.none()) };
        with_writable(buf, vm, |b| b[..data.len()].copy_from_slice(&data))?;
        Ok(vm.ctx.new_int(data.len()).into())
    }

    #[pymethod]
    fn readline(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let limit = args.args.first().map(|n| get_int(n, vm)).transpose()?.filter(|&n| n >= 0);
        let mut line = Vec::new();
        while limit.is_none_or(|l| line.len() < l as usize) {
            match self.receive(1, vm)? {
                Some(byte) if byte.is_empty() => break,
                Some(byte) => {
                    line.extend_from_slice(&byte);
                    if byte == b"\n" {
                        break;
                    }
                }
                None if line.is_empty() => return Ok(vm.ctx.none()),
                None => break,
            }
        }
        Ok(vm.ctx.new_bytes(line).into())
    }

    #[pymethod]
    fn write(&self, data: PyObjectRef, vm: &VirtualMachine) -> PyResult<usize> {
        self.send(data, vm)
    }

    /// The events of `events` ready now (`uselect`'s polling request).
    #[pymethod]
    fn _stream_poll(&self, events: PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
        let events = get_int(&events, vm)? as u16;
        let ready = self.sock().poll(events, Duration::ZERO).map_err(|e| net_error(&e, vm))?;
        Ok(i32::from(ready))
    }

    /// Waits up to `ms` milliseconds of host time for the socket to become
    /// ready for `events` (`uselect` waiting on sockets).
    #[pymethod]
    fn _host_wait(&self, events: PyObjectRef, ms: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
        let events = get_int(&events, vm)? as u16;
        let ms = get_int(&ms, vm)?.max(0) as u64;
        wait_for(&self.sock(), events, Some(Duration::from_millis(ms)), vm)
    }
}
