//! What the firmware's `sys` has beyond RustPython's: its facts (`version`,
//! `implementation`, `path`, ...), `print_exception`, and `stdin`, `stdout`
//! and `stderr` on the board's UART 0. `sys` is the interpreter's own module,
//! so these are set on it at boot rather than defined as a `#[pymodule]`.

use pycom_board::BoardModel;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyByteArray};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Representable;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine, pyclass};

use crate::args::{arity, get_int, method_arity, str_or_bytes};
use crate::uart::Received;

/// MicroPython version the Pycom v1.20 firmware is built on.
const MICROPYTHON_VERSION: (u8, u8, u8) = (1, 11, 0);
/// The Python language version MicroPython 1.11 claims.
const PYTHON_VERSION: (u8, u8, u8) = (3, 4, 0);
/// `EPERM`: reading stdout or writing stdin.
const EPERM: i32 = 1;
/// How long one wait for a UART byte lasts before timeouts and interrupts are
/// looked at again (wall time).
const STDIN_POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// RustPython's `sys` attributes that describe the host (the emulator's path,
/// its command line, the install prefix); MicroPython's `sys` on the board has
/// none of them.
const HOST_SYS_ATTRS: [&str; 9] = [
    "executable",
    "_base_executable",
    "orig_argv",
    "prefix",
    "exec_prefix",
    "base_prefix",
    "base_exec_prefix",
    "platlibdir",
    "_stdlib_dir",
];

/// `sys.stdin` (fd 0), `sys.stdout` (1) or `sys.stderr` (2): the firmware's
/// `FileIO` text streams on UART 0. Output goes to the console; input is read
/// from the UART's receive buffer (`\r` read as `\n`), and without a UART
/// input (`pycom-emu run` without `--uart`) the line is closed: reads return
/// what came, nothing. As in the firmware's build, there is no `.buffer`.
#[pyclass(module = "io", name = "FileIO")]
#[derive(Debug, PyPayload)]
pub struct Stdio {
    fd: u8,
}

impl Stdio {
    fn check(&self, readable: bool, vm: &VirtualMachine) -> PyResult<()> {
        if (self.fd == 0) == readable { Ok(()) } else { Err(crate::vfs::os_error(EPERM, vm)) }
    }
}

/// The next byte from UART 0 as it came, waiting for it; `None` once the
/// input is closed (or there is none).
pub(crate) fn uart_byte(vm: &VirtualMachine) -> PyResult<Option<u8>> {
    let Some(uart) = crate::state::with(|s| s.uart.clone()) else { return Ok(None) };
    loop {
        match uart.read(STDIN_POLL) {
            Received::Byte(byte) => return Ok(Some(byte)),
            Received::Closed => return Ok(None),
            Received::Nothing => vm.check_signals()?,
        }
    }
}

/// The next byte of `sys.stdin`: a byte of UART 0, `\r` read as `\n`.
fn stdin_byte(vm: &VirtualMachine) -> PyResult<Option<u8>> {
    Ok(uart_byte(vm)?.map(|byte| if byte == b'\r' { b'\n' } else { byte }))
}

/// One UTF-8 character's bytes from UART 0 (empty at the end of input).
fn stdin_char(vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    let Some(first) = stdin_byte(vm)? else { return Ok(Vec::new()) };
    let mut bytes = vec![first];
    let more = match first {
        0xC0..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0..=0xF7 => 3,
        _ => 0,
    };
    for _ in 0..more {
        match stdin_byte(vm)? {
            Some(byte) => bytes.push(byte),
            None => break,
        }
    }
    Ok(bytes)
}

/// Characters from UART 0 until `stop` says so or the input ends.
fn read_chars(mut stop: impl FnMut(usize, &[u8]) -> bool, vm: &VirtualMachine) -> PyResult<String> {
    let mut text = Vec::new();
    let mut count = 0;
    while !stop(count, &text) {
        let c = stdin_char(vm)?;
        if c.is_empty() {
            break;
        }
        text.extend(c);
        count += 1;
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

#[pyclass(with(Representable))]
impl Stdio {
    /// `write(data)`: str or bytes to the console; the number of bytes.
    #[pymethod]
    fn write(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        method_arity(&args, 1, 1, vm)?;
        self.check(false, vm)?;
        let data = str_or_bytes(&args.args[0], vm)?;
        crate::console::write(&String::from_utf8_lossy(&data), vm)?;
        Ok(data.len())
    }

    /// `read([n])`: `n` characters (all until the input ends without `n`).
    #[pymethod]
    fn read(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        method_arity(&args, 0, 1, vm)?;
        self.check(true, vm)?;
        let n = args.args.first().map(|n| get_int(n, vm)).transpose()?.and_then(|n| usize::try_from(n).ok());
        read_chars(|count, _| n.is_some_and(|n| count >= n), vm)
    }

    /// `readline([size])`: up to and including the next `\n`.
    #[pymethod]
    fn readline(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        method_arity(&args, 0, 1, vm)?;
        self.check(true, vm)?;
        let n = args.args.first().map(|n| get_int(n, vm)).transpose()?.and_then(|n| usize::try_from(n).ok());
        read_chars(|count, text| text.last() == Some(&b'\n') || n.is_some_and(|n| count >= n), vm)
    }

    /// `readinto(buf[, n])`: fills a bytearray with bytes from the UART.
    #[pymethod]
    fn readinto(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        method_arity(&args, 1, 2, vm)?;
        self.check(true, vm)?;
        let buf = args.args[0]
            .downcast_ref::<PyByteArray>()
            .ok_or_else(|| vm.new_type_error("object with buffer protocol required"))?;
        let limit = args.args.get(1).map(|n| get_int(n, vm)).transpose()?;
        let len = buf.borrow_buf().len();
        let len = limit.and_then(|n| usize::try_from(n).ok()).map_or(len, |n| n.min(len));
        for at in 0..len {
            let Some(byte) = stdin_byte(vm)? else { return Ok(at) };
            buf.borrow_buf_mut()[at] = byte;
        }
        Ok(len)
    }

    /// `close()`: the console stays open.
    #[pymethod]
    fn close(&self) {}

    #[pymethod]
    fn __enter__(zelf: PyRef<Self>) -> PyRef<Self> {
        zelf
    }

    #[pymethod]
    fn __exit__(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        method_arity(&args, 3, 3, vm)
    }
}

impl Representable for Stdio {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(format!("<io.FileIO {}>", zelf.fd))
    }
}

/// `print_exception(exc[, file])`: the traceback, to `file` or the console.
fn print_exception(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    arity(&args, 1, 2, vm)?;
    let exc: PyBaseExceptionRef = args.args[0]
        .clone()
        .downcast()
        .map_err(|_| vm.new_type_error("print_exception() argument must be an exception"))?;
    let text = crate::traceback::format(&exc, vm);
    match args.args.get(1) {
        Some(file) => vm.call_method(file, "write", (text,)).map(|_| ()),
        None => crate::console::write(&text, vm),
    }
}

/// `exit([code])`: raises `SystemExit`, with no arguments when no code is given.
fn exit(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    arity(&args, 0, 1, vm)?;
    Err(vm.invoke_exception(vm.ctx.exceptions.system_exit.to_owned(), args.args).unwrap_or_else(|err| err))
}

fn int_tuple((a, b, c): (u8, u8, u8), vm: &VirtualMachine) -> PyObjectRef {
    vm.ctx.new_tuple(vec![vm.ctx.new_int(a).into(), vm.ctx.new_int(b).into(), vm.ctx.new_int(c).into()]).into()
}

/// Sets the firmware's `sys` attributes and removes the host's.
pub fn install(vm: &VirtualMachine, model: BoardModel) -> PyResult<()> {
    let sys = vm.sys_module.clone();
    Stdio::make_static_type();
    let stream = |fd: u8| -> PyObjectRef { Stdio { fd }.into_ref(&vm.ctx).into() };
    let implementation = crate::prelude::attrtuple(
        vec![("name", vm.ctx.new_str("micropython").into()), ("version", int_tuple(MICROPYTHON_VERSION, vm))],
        vm,
    )?;
    let path = vm.ctx.new_list(["", "/flash", "/flash/lib"].map(|p| vm.ctx.new_str(p).into()).to_vec());
    let (major, minor, micro) = PYTHON_VERSION;
    let settings: [(&str, PyObjectRef); 13] = [
        ("stdin", stream(0)),
        ("stdout", stream(1)),
        ("stderr", stream(2)),
        ("platform", vm.ctx.new_str(model.platform()).into()),
        ("implementation", implementation),
        ("version", vm.ctx.new_str(format!("{major}.{minor}.{micro}")).into()),
        ("version_info", int_tuple(PYTHON_VERSION, vm)),
        ("byteorder", vm.ctx.new_str("little").into()),
        ("path", path.into()),
        ("argv", vm.ctx.new_list(vec![]).into()),
        ("maxsize", vm.ctx.new_int(i32::MAX).into()),
        ("print_exception", vm.new_function("print_exception", print_exception).into()),
        ("exit", vm.new_function("exit", exit).into()),
    ];
    for (name, value) in settings {
        sys.set_attr(name, value, vm)?;
    }
    vm.builtins.set_attr("input", vm.new_function("input", crate::readline::input), vm)?;
    for name in HOST_SYS_ATTRS {
        if sys.as_object().has_attr(name, vm)? {
            sys.as_object().del_attr(name, vm)?;
        }
    }
    Ok(())
}
