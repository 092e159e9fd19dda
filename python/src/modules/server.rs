//! `network.Server` (modnetwork.c): the board's Telnet and FTP servers, which
//! `pycom-emu serve --telnet-port/--ftp-port` runs: their login, their session
//! timeout, and whether they take connections.

use pycom_board::net::servers::{DEFAULT_LOGIN, DEFAULT_TIMEOUT_S, LOGIN_MAX_LEN, MIN_TIMEOUT_S};
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_array_fixed, get_int, method_arity, parse_args, text_arg};
use crate::state::{board, lock};

const INVALID: &str = "invalid argument(s) value";

/// The servers (the firmware has one `Server` object).
#[pyclass(module = "network", name = "Server")]
#[derive(Debug, PyPayload)]
pub(crate) struct Server {}

/// A timeout in seconds, at least [`MIN_TIMEOUT_S`].
fn timeout_arg(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<u32> {
    u32::try_from(get_int(obj, vm)?).ok().filter(|t| *t >= MIN_TIMEOUT_S).ok_or_else(|| vm.new_value_error(INVALID))
}

/// `network_server_init_helper`: the login (the default one if not given) and
/// the timeout, then the servers start.
fn init(args: FuncArgs, positional: &[&str], vm: &VirtualMachine) -> PyResult<()> {
    let mut args = parse_args(args, positional, &["login", "timeout"], vm)?;
    if let Some(id) = args.remove("id")
        && get_int(&id, vm)? != 0
    {
        return Err(vm.new_os_error("resource not available".to_owned()));
    }
    let login = match args.remove("login") {
        None => (DEFAULT_LOGIN.0.to_owned(), DEFAULT_LOGIN.1.to_owned()),
        Some(login) => {
            let [user, password] = get_array_fixed::<2>(&login, vm)?;
            (text_arg(&user, vm)?, text_arg(&password, vm)?)
        }
    };
    if login.0.len() > LOGIN_MAX_LEN || login.1.len() > LOGIN_MAX_LEN {
        return Err(vm.new_value_error(INVALID));
    }
    let timeout = args.remove("timeout").map(|t| timeout_arg(&t, vm)).transpose()?.unwrap_or(DEFAULT_TIMEOUT_S);
    lock(&board()).servers_mut().init(login, timeout);
    Ok(())
}

impl Constructor for Server {
    type Args = FuncArgs;

    /// `Server(id=0, *, login=('micro', 'python'), timeout=300)`: configures and starts the servers.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        init(args, &["id"], vm)?;
        Ok(Self {})
    }
}

#[pyclass(with(Constructor))]
impl Server {
    /// `init(*, login=('micro', 'python'), timeout=300)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        init(args, &[], vm)
    }

    /// `deinit()`: the servers stop taking connections.
    #[pymethod]
    fn deinit(&self) {
        lock(&board()).servers_mut().stop();
    }

    /// `timeout([seconds])`: the session timeout.
    #[pymethod]
    fn timeout(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let Some(timeout) = args.args.first() else {
            return Ok(vm.ctx.new_int(lock(&board()).servers().timeout_s()).into());
        };
        let timeout = timeout_arg(timeout, vm)?;
        lock(&board()).servers_mut().set_timeout_s(timeout);
        Ok(vm.ctx.none())
    }

    /// `isrunning()`.
    #[pymethod]
    fn isrunning(&self) -> bool {
        lock(&board()).servers().running()
    }
}

/// The `network.Server` class.
pub(crate) fn class() -> PyTypeRef {
    Server::make_static_type()
}
