//! `uerrno` / `errno`: the firmware's error numbers (`MICROPY_PY_UERRNO_LIST` of
//! its `mpconfigport.h`), with the values of the ESP-IDF headers they come from
//! (newlib's `errno.h`, lwIP, `esp_err.h`, mbed TLS, lwIP's `netdb.h`), and the
//! `errorcode` dict from number to name.

pub(crate) use errno::module_def;

/// Name and value of every constant, in the firmware's order.
const CODES: &[(&str, i32)] = &[
    // newlib errno.h
    ("EPERM", 1),
    ("ENOENT", 2),
    ("EIO", 5),
    ("EBADF", 9),
    ("EAGAIN", 11),
    ("ENOMEM", 12),
    ("EACCES", 13),
    ("EEXIST", 17),
    ("ENODEV", 19),
    ("EISDIR", 21),
    ("EINVAL", 22),
    ("EMSGSIZE", 122),
    ("EOPNOTSUPP", 95),
    ("EADDRINUSE", 112),
    ("ENETDOWN", 115),
    ("ECONNABORTED", 113),
    ("ECONNRESET", 104),
    ("ENOBUFS", 105),
    ("ENOTCONN", 128),
    ("ETIMEDOUT", 116),
    ("ECONNREFUSED", 111),
    ("EHOSTUNREACH", 118),
    ("EALREADY", 120),
    ("EINPROGRESS", 119),
    // mbed TLS net_sockets.h
    ("MBEDTLS_ERR_NET_SOCKET_FAILED", -0x0042),
    ("MBEDTLS_ERR_NET_CONNECT_FAILED", -0x0044),
    ("MBEDTLS_ERR_NET_BIND_FAILED", -0x0046),
    ("MBEDTLS_ERR_NET_LISTEN_FAILED", -0x0048),
    ("MBEDTLS_ERR_NET_ACCEPT_FAILED", -0x004A),
    ("MBEDTLS_ERR_NET_RECV_FAILED", -0x004C),
    ("MBEDTLS_ERR_NET_SEND_FAILED", -0x004E),
    ("MBEDTLS_ERR_NET_CONN_RESET", -0x0050),
    ("MBEDTLS_ERR_NET_UNKNOWN_HOST", -0x0052),
    ("MBEDTLS_ERR_NET_BUFFER_TOO_SMALL", -0x0043),
    ("MBEDTLS_ERR_NET_INVALID_CONTEXT", -0x0045),
    ("MBEDTLS_ERR_NET_POLL_FAILED", -0x0047),
    ("MBEDTLS_ERR_NET_BAD_INPUT_DATA", -0x0049),
    // lwIP err.h
    ("ERR_MEM", -1),
    ("ERR_BUF", -2),
    ("ERR_TIMEOUT", -3),
    ("ERR_RTE", -4),
    ("ERR_INPROGRESS", -5),
    ("ERR_VAL", -6),
    ("ERR_WOULDBLOCK", -7),
    ("ERR_USE", -8),
    ("ERR_ALREADY", -9),
    ("ERR_ISCONN", -10),
    ("ERR_ABRT", -13),
    ("ERR_RST", -14),
    ("ERR_CLSD", -15),
    ("ERR_CONN", -11),
    ("ERR_ARG", -16),
    ("ERR_IF", -12),
    // esp_err.h
    ("ESP_ERR_NO_MEM", 0x101),
    ("ESP_ERR_INVALID_ARG", 0x102),
    ("ESP_ERR_INVALID_STATE", 0x103),
    ("ESP_ERR_INVALID_SIZE", 0x104),
    ("ESP_ERR_NOT_FOUND", 0x105),
    ("ESP_ERR_NOT_SUPPORTED", 0x106),
    ("ESP_ERR_TIMEOUT", 0x107),
    ("ESP_ERR_INVALID_RESPONSE", 0x108),
    ("ESP_ERR_INVALID_CRC", 0x109),
    ("ESP_ERR_INVALID_VERSION", 0x10A),
    ("ESP_ERR_INVALID_MAC", 0x10B),
    // lwIP netdb.h
    ("EAI_NONAME", 200),
    ("EAI_SERVICE", 201),
    ("EAI_FAIL", 202),
    ("EAI_MEMORY", 203),
    ("EAI_FAMILY", 204),
    ("HOST_NOT_FOUND", 210),
    ("NO_DATA", 211),
    ("NO_RECOVERY", 212),
    ("TRY_AGAIN", 213),
    // mbed TLS ssl.h
    ("MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE", -0x7080),
    ("MBEDTLS_ERR_SSL_BAD_INPUT_DATA", -0x7100),
    ("MBEDTLS_ERR_SSL_INVALID_MAC", -0x7180),
    ("MBEDTLS_ERR_SSL_INVALID_RECORD", -0x7200),
    ("MBEDTLS_ERR_SSL_CONN_EOF", -0x7280),
    ("MBEDTLS_ERR_SSL_UNKNOWN_CIPHER", -0x7300),
    ("MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN", -0x7380),
    ("MBEDTLS_ERR_SSL_NO_RNG", -0x7400),
    ("MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE", -0x7480),
    ("MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE", -0x7500),
    ("MBEDTLS_ERR_SSL_CERTIFICATE_REQUIRED", -0x7580),
    ("MBEDTLS_ERR_SSL_PRIVATE_KEY_REQUIRED", -0x7600),
    ("MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED", -0x7680),
    ("MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE", -0x7700),
    ("MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE", -0x7780),
    ("MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED", -0x7800),
    ("MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY", -0x7880),
    ("MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO", -0x7900),
    ("MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO", -0x7980),
    ("MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE", -0x7A00),
    ("MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_REQUEST", -0x7A80),
    ("MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE", -0x7B00),
    ("MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO_DONE", -0x7B80),
    ("MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE", -0x7C00),
    ("MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP", -0x7C80),
    ("MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS", -0x7D00),
    ("MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_VERIFY", -0x7D80),
    ("MBEDTLS_ERR_SSL_BAD_HS_CHANGE_CIPHER_SPEC", -0x7E00),
    ("MBEDTLS_ERR_SSL_BAD_HS_FINISHED", -0x7E80),
    ("MBEDTLS_ERR_SSL_ALLOC_FAILED", -0x7F00),
    ("MBEDTLS_ERR_SSL_HW_ACCEL_FAILED", -0x7F80),
    ("MBEDTLS_ERR_SSL_HW_ACCEL_FALLTHROUGH", -0x6F80),
    ("MBEDTLS_ERR_SSL_COMPRESSION_FAILED", -0x6F00),
    ("MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION", -0x6E80),
    ("MBEDTLS_ERR_SSL_BAD_HS_NEW_SESSION_TICKET", -0x6E00),
    ("MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED", -0x6D80),
    ("MBEDTLS_ERR_SSL_PK_TYPE_MISMATCH", -0x6D00),
    ("MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY", -0x6C80),
    ("MBEDTLS_ERR_SSL_INTERNAL_ERROR", -0x6C00),
    ("MBEDTLS_ERR_SSL_COUNTER_WRAPPING", -0x6B80),
    ("MBEDTLS_ERR_SSL_WAITING_SERVER_HELLO_RENEGO", -0x6B00),
    ("MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED", -0x6A80),
    ("MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL", -0x6A00),
    ("MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE", -0x6980),
    ("MBEDTLS_ERR_SSL_WANT_READ", -0x6900),
    ("MBEDTLS_ERR_SSL_WANT_WRITE", -0x6880),
    ("MBEDTLS_ERR_SSL_TIMEOUT", -0x6800),
    ("MBEDTLS_ERR_SSL_CLIENT_RECONNECT", -0x6780),
    ("MBEDTLS_ERR_SSL_UNEXPECTED_RECORD", -0x6700),
    ("MBEDTLS_ERR_SSL_NON_FATAL", -0x6680),
    ("MBEDTLS_ERR_SSL_INVALID_VERIFY_HASH", -0x6600),
    ("MBEDTLS_ERR_SSL_CONTINUE_PROCESSING", -0x6580),
    ("MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS", -0x6500),
    // mbed TLS pk.h
    ("MBEDTLS_ERR_PK_ALLOC_FAILED", -0x3F80),
    ("MBEDTLS_ERR_PK_TYPE_MISMATCH", -0x3F00),
    ("MBEDTLS_ERR_PK_BAD_INPUT_DATA", -0x3E80),
    ("MBEDTLS_ERR_PK_FILE_IO_ERROR", -0x3E00),
    ("MBEDTLS_ERR_PK_KEY_INVALID_VERSION", -0x3D80),
    ("MBEDTLS_ERR_PK_KEY_INVALID_FORMAT", -0x3D00),
    ("MBEDTLS_ERR_PK_UNKNOWN_PK_ALG", -0x3C80),
    ("MBEDTLS_ERR_PK_PASSWORD_REQUIRED", -0x3C00),
    ("MBEDTLS_ERR_PK_PASSWORD_MISMATCH", -0x3B80),
    ("MBEDTLS_ERR_PK_INVALID_PUBKEY", -0x3B00),
    ("MBEDTLS_ERR_PK_INVALID_ALG", -0x3A80),
    ("MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE", -0x3A00),
    ("MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE", -0x3980),
    ("MBEDTLS_ERR_PK_SIG_LEN_MISMATCH", -0x3900),
    ("MBEDTLS_ERR_PK_HW_ACCEL_FAILED", -0x3880),
];

/// The name of error number `code` in `errorcode`.
pub(crate) fn name(code: i32) -> Option<&'static str> {
    CODES.iter().find(|(_, c)| *c == code).map(|(name, _)| *name)
}

#[rustpython_vm::pymodule]
mod errno {
    use rustpython_vm::builtins::PyModule;
    use rustpython_vm::{Py, PyObjectRef, PyResult, VirtualMachine};

    /// Sets the constants and `errorcode`.
    pub(crate) fn module_exec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
        __module_exec(vm, module);
        let errorcode = vm.ctx.new_dict();
        for (name, code) in super::CODES {
            let code: PyObjectRef = vm.ctx.new_int(*code).into();
            errorcode.set_item(&*code, vm.ctx.new_str(*name).into(), vm)?;
            module.set_attr(vm.ctx.intern_str(*name), code, vm)?;
        }
        module.set_attr("errorcode", errorcode, vm)?;
        // RustPython keeps freed ints for reuse, and making these constants
        // took every one it had: a script's first int would then grow the
        // counted heap, and `gc.mem_free() + gc.mem_alloc()` would no longer
        // add up to the heap size. Give back as many as were taken.
        let spare: Vec<PyObjectRef> = (0..super::CODES.len()).map(|i| vm.ctx.new_int(i + (1 << 20)).into()).collect();
        drop(spare);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_number_is_unique() {
        let mut names: Vec<_> = CODES.iter().map(|(name, _)| *name).collect();
        let mut codes: Vec<_> = CODES.iter().map(|(_, code)| *code).collect();
        names.sort_unstable();
        names.dedup();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!((names.len(), codes.len()), (CODES.len(), CODES.len()));
    }
}
