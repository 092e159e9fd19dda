//! `ussl` (weak link `ssl`): TLS on the board's sockets as `modussl.c`
//! sets it up, on rustls ([`pycom_board::net::tls`]): `ca_certs`,
//! `certfile` and `keyfile` are files on the board's filesystem, a
//! certificate that does not verify under `CERT_REQUIRED` fails the
//! handshake with mbed TLS's `MBEDTLS_ERR_X509_CERT_VERIFY_FAILED`.

pub(crate) use ussl::module_def;

#[rustpython_vm::pymodule]
mod ussl {
    use pycom_board::net::tls::{ClientSetup, Tls, Verify};
    use rustpython_vm::builtins::PyTypeRef;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyPayload, PyResult, VirtualMachine};

    use crate::args::{get_int, parse_args};
    use crate::modules::pin::INVALID;
    use crate::modules::socket_object::Socket;
    use crate::vfs::{on_volume, resolve};

    /// `CERT_NONE` (`MBEDTLS_SSL_VERIFY_NONE`).
    #[pyattr]
    const CERT_NONE: i32 = 0;
    /// `CERT_OPTIONAL` (`MBEDTLS_SSL_VERIFY_OPTIONAL`).
    #[pyattr]
    const CERT_OPTIONAL: i32 = 1;
    /// `CERT_REQUIRED` (`MBEDTLS_SSL_VERIFY_REQUIRED`).
    #[pyattr]
    const CERT_REQUIRED: i32 = 2;
    /// `SSL_TIMEOUT` (`MBEDTLS_ERR_SSL_TIMEOUT`).
    #[pyattr]
    const SSL_TIMEOUT: i32 = -0x6800;

    /// `ussl.SSLError`: `OSError`.
    #[pyattr(name = "SSLError")]
    fn ssl_error(vm: &VirtualMachine) -> PyTypeRef {
        vm.ctx.exceptions.os_error.to_owned()
    }

    /// A file of the board's filesystem; `OSError(text)` when it cannot be read.
    fn board_file(path: &PyObjectRef, missing: &str, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let path = path.str(vm)?;
        let read = resolve(path.to_str().unwrap_or_default(), vm)
            .and_then(|location| on_volume!(vm, location, |fs, inner| fs.read(&inner)));
        read.map_err(|_| vm.new_os_error(missing.to_owned()))
    }

    /// `wrap_socket(sock, *, keyfile=None, certfile=None, server_side=False,
    /// cert_reqs=CERT_NONE, ssl_version=0, ca_certs=None,
    /// server_hostname=None, saved_session=None, timeout=None)`.
    #[pyfunction]
    fn wrap_socket(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let keywords = [
            "keyfile",
            "certfile",
            "server_side",
            "cert_reqs",
            "ssl_version",
            "ca_certs",
            "server_hostname",
            "saved_session",
            "timeout",
        ];
        let args = parse_args(args, &["sock"], &keywords, vm)?;
        let given = |name: &str| args.get(name).filter(|v| !vm.is_none(v));
        let sock = args.get("sock").ok_or_else(|| vm.new_type_error("'sock' argument required"))?;
        let server_side = given("server_side").map(|v| v.clone().try_to_bool(vm)).transpose()?.unwrap_or(false);
        let verify = match given("cert_reqs").map(|v| get_int(v, vm)).transpose()?.unwrap_or(CERT_NONE) {
            CERT_NONE => Verify::None,
            CERT_OPTIONAL => Verify::Optional,
            _ => Verify::Required,
        };
        let invalid = || vm.new_value_error(INVALID);
        if (verify != Verify::None && given("ca_certs").is_none())
            || (server_side && (given("keyfile").is_none() || given("certfile").is_none()))
            || given("saved_session").is_some()
        {
            return Err(invalid());
        }
        let Some(socket) = sock.downcast_ref::<Socket>() else { return Err(invalid()) };
        let ca = match (verify, given("ca_certs")) {
            (Verify::None, _) | (_, None) => None,
            (_, Some(path)) => Some(board_file(path, "CA file not found", vm)?),
        };
        let identity = match (given("certfile"), given("keyfile")) {
            (Some(cert), Some(key)) => {
                Some((board_file(cert, "certificate file not found", vm)?, board_file(key, "key file not found", vm)?))
            }
            _ => None,
        };
        let host = given("server_hostname").map(|h| h.str(vm)).transpose()?;
        let tls = if server_side {
            let (cert, key) = identity.as_ref().ok_or_else(invalid)?;
            Tls::server(cert, key)
        } else {
            let setup = ClientSetup {
                ca: ca.as_deref(),
                server_name: host.as_ref().map(|h| h.to_str().unwrap_or_default()),
                identity: identity.as_ref().map(|(c, k)| (c.as_slice(), k.as_slice())),
            };
            Tls::client(&setup, verify)
        }
        .map_err(|e| crate::vfs::os_error(e.code, vm))?;
        Ok(socket.wrapped(tls, vm)?.into_pyobject(vm))
    }
}
