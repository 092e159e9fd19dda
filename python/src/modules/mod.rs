//! The board's built-in modules. Each file holds a `#[pymodule]` of the same name,
//! as RustPython's macros expect.
#![allow(clippy::module_inception)]

use rustpython_vm::Context;
use rustpython_vm::builtins::PyModuleDef;

use crate::frozen;

pub mod adc;
pub mod alarm;
pub mod board_modules;
pub mod chrono;
pub mod cmath;
pub mod dac;
pub mod errno;
pub mod flashfs;
pub mod framebuf_font;
pub mod gc;
pub mod i2c;
pub mod lora;
pub mod lora_socket;
pub mod machine;
pub mod math;
pub mod mem;
pub mod micropython;
pub mod network;
pub mod os;
pub mod pin;
pub mod pwm;
pub mod pycom;
pub mod rtc;
pub mod server;
pub mod sigfox;
pub mod sigfox_socket;
pub mod socket_object;
pub mod spi;
pub mod sys;
pub mod thread;
pub mod time;
pub mod timer;
pub mod touch;
pub mod uart;
pub mod ubinascii;
pub mod ucrypto;
pub mod uhashlib;
pub mod ujson;
pub mod ure;
pub mod usocket;
pub mod ussl;
pub mod ustruct;
pub mod uzlib;
pub mod wlan;

/// Module definitions to register with the interpreter. Names that clash with
/// RustPython's own (`time`, `gc`, `errno`, `_thread`) replace them.
pub fn defs(ctx: &Context) -> Vec<&'static PyModuleDef> {
    vec![
        pycom::module_def(ctx),
        machine::module_def(ctx),
        time::module_def(ctx),
        os::module_def(ctx),
        gc::module_def(ctx),
        micropython::module_def(ctx),
        flashfs::module_def(ctx),
        errno::module_def(ctx),
        thread::module_def(ctx),
        // Containers, streams and text (issue 14); the frozen ones are Python.
        ure::module_def(ctx),
        frozen::ucollections::module_def(ctx),
        frozen::uio::module_def(ctx),
        frozen::utimeq::module_def(ctx),
        frozen::uqueue::module_def(ctx),
        frozen::queue::module_def(ctx),
        frozen::array::module_def(ctx),
        frozen::uselect::module_def(ctx),
        frozen::select::module_def(ctx),
        frozen::framebuf::module_def(ctx),
        framebuf_font::module_def(ctx),
        frozen::uctypes::module_def(ctx),
        // Data modules (issue 14).
        math::module_def(ctx),
        cmath::module_def(ctx),
        ustruct::module_def(ctx),
        ubinascii::module_def(ctx),
        ujson::module_def(ctx),
        uhashlib::module_def(ctx),
        uzlib::module_def(ctx),
        ucrypto::module_def(ctx),
        // Networking (issue 16).
        network::module_def(ctx),
        usocket::module_def(ctx),
        ussl::module_def(ctx),
    ]
}

/// Second names of modules: MicroPython's `u`-prefixed names and the firmware's
/// weak links (`MICROPY_PORT_BUILTIN_MODULE_WEAK_LINKS`).
pub const ALIASES: &[(&str, &str)] = &[
    ("utime", "time"),
    ("uos", "os"),
    ("umachine", "machine"),
    ("uerrno", "errno"),
    ("usys", "sys"),
    ("ugc", "gc"),
    // Weak links of the containers, streams and text modules (issue 14).
    ("re", "ure"),
    // Data modules (issue 14): the firmware's weak links to its u-modules.
    ("struct", "ustruct"),
    ("binascii", "ubinascii"),
    ("json", "ujson"),
    ("hashlib", "uhashlib"),
    ("crypto", "ucrypto"),
    // Sockets (issue 16).
    ("socket", "usocket"),
    ("ssl", "ussl"),
];
