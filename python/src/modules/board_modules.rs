//! The modules a script can import on the board: the firmware v1.20.2's
//! built-in modules, their weak links and its frozen modules. Everything else
//! the Python runtime has (`itertools`, `functools`, `_sre`, `marshal`, ...)
//! raises `ImportError: no module named 'x'` for scripts, as on the board;
//! see [`crate::import_guard`] for who counts as a script.
//!
//! Source: pycom/pycom-micropython-sigfox, tag v1.20.2.r6:
//! - `py/objmodule.c` `mp_builtin_module_table`, with the switches of
//!   `esp32/mpconfigport.h` (`MICROPY_PY_UHEAPQ`, `_URANDOM`, `_UCRYPTOLIB`,
//!   `_UWEBSOCKET`, `_BTREE` and `_LWIP` are not set there and default to 0 in
//!   `py/mpconfig.h`, so `uheapq`, `urandom`, `ucryptolib`, `uwebsocket`,
//!   `btree` and `lwip` are absent), plus `array` (`MP_REGISTER_MODULE` in
//!   `py/modarray.c`);
//! - `MICROPY_PORT_BUILTIN_MODULES` and `MICROPY_PORT_BUILTIN_MODULE_WEAK_LINKS`
//!   of `esp32/mpconfigport.h` (there is no weak link for `io`, `collections`,
//!   `heapq`, `zlib`, `sys` or `gc`: `import collections` fails on the board);
//! - `py/mkrules.mk` freezes `esp32/frozen/Base` (`_boot`, `_main`), and
//!   `esp32/frozen/LTE` on the GPy and FiPy only (`Common` and `Custom` hold no
//!   Python).

/// `mp_builtin_module_table` of a v1.20.2 build, port modules included.
pub const BUILTIN: &[&str] = &[
    "__main__",
    "builtins",
    "micropython",
    "uio",
    "ucollections",
    "ustruct",
    "math",
    "cmath",
    "sys",
    "gc",
    "_thread",
    "uerrno",
    "uctypes",
    "uzlib",
    "ujson",
    "ure",
    "utimeq",
    "ubinascii",
    "uselect",
    "ussl",
    "framebuf",
    "array",
    "umachine",
    "uos",
    "network",
    "usocket",
    "utime",
    "pycom",
    "uhashlib",
    "ucrypto",
    "uqueue",
];

/// `MICROPY_PORT_BUILTIN_MODULE_WEAK_LINKS`: names found when no file of that
/// name is on the filesystem.
pub const WEAK_LINKS: &[&str] = &[
    "machine", "os", "socket", "select", "binascii", "struct", "re", "json", "time", "hashlib", "crypto", "ssl",
    "errno", "queue",
];

/// Frozen into every build (`esp32/frozen/Base`).
pub const FROZEN: &[&str] = &["_boot", "_main"];

/// Frozen into the LTE builds, GPy and FiPy (`esp32/frozen/LTE`).
pub const FROZEN_LTE: &[&str] = &["sqnsbrz", "sqnscodec", "sqnscrc", "sqnstp", "sqnsupgrade"];

/// Whether the board (with LTE or not) has a module of this top-level name
/// without any file on its filesystem.
pub fn on_board(name: &str, lte: bool) -> bool {
    let lists: [&[&str]; 3] = [BUILTIN, WEAK_LINKS, FROZEN];
    lists.iter().any(|list| list.contains(&name)) || (lte && FROZEN_LTE.contains(&name))
}
