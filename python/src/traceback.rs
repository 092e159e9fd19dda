//! MicroPython-style tracebacks and exception texts.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt, PyStrRef};
use rustpython_vm::{AsObject, PyObjectRef, VirtualMachine};

/// Names of filesystem `errno` values outside the firmware's `uerrno` list
/// that the board's VFS raises.
const FS_ERRNO_NAMES: &[(i32, &str)] = &[(20, "ENOTDIR"), (28, "ENOSPC"), (30, "EROFS"), (39, "ENOTEMPTY")];

/// The MicroPython name of `errno`, if it has one: `mp_errno_to_str` looks
/// it up in `uerrno.errorcode` (the firmware's values, lwIP's and mbed TLS's
/// included).
pub fn errno_name(errno: i32) -> Option<&'static str> {
    crate::modules::errno::name(errno)
        .or_else(|| FS_ERRNO_NAMES.iter().find(|(n, _)| *n == errno).map(|(_, name)| *name))
}

fn str_of(obj: &PyObjectRef, vm: &VirtualMachine) -> String {
    obj.str(vm)
        .map(|s: PyStrRef| String::from_utf8_lossy(s.as_bytes()).into_owned())
        .unwrap_or_else(|_| "<unprintable>".into())
}

/// The text after `TypeName: ` as MicroPython prints it: the single argument as
/// `str`, several as a tuple, `[Errno N] NAME` for an `OSError` with a known errno.
pub fn message(exc: &PyBaseExceptionRef, vm: &VirtualMachine) -> String {
    let args = exc.args();
    match args.as_slice() {
        [] => String::new(),
        [only] => {
            let os_error = exc.class().fast_issubclass(vm.ctx.exceptions.os_error);
            let errno = only.downcast_ref::<PyInt>().and_then(|i| i32::try_from(i.as_bigint()).ok());
            match (os_error, errno.and_then(|e| errno_name(e).map(|n| (e, n)))) {
                (true, Some((e, name))) => format!("[Errno {e}] {name}"),
                _ if exc.class().fast_issubclass(vm.ctx.exceptions.type_error) => type_error_text(str_of(only, vm)),
                _ => str_of(only, vm),
            }
        }
        _ => str_of(&args.clone().into(), vm),
    }
}

/// The runtime's type-error texts that MicroPython words otherwise
/// (`py/objtype.c`): calling a non-callable is `'x' object isn't callable`.
/// Other texts are kept.
fn type_error_text(text: String) -> String {
    match text.strip_suffix(" object is not callable") {
        Some(object) => format!("{object} object isn't callable"),
        None => text,
    }
}

/// Makes `str()` of an `OSError` and a `TypeError` read as MicroPython's
/// (`[Errno 2] ENOENT`, `(2, 'x')` for two arguments, `'x' object isn't
/// callable`) by giving the types [`message`] as `__str__`; a `SyntaxError`
/// reads as its message alone, without the runtime's `(file, line N)`.
pub fn install_exception_str(vm: &VirtualMachine) {
    for class in [vm.ctx.exceptions.os_error, vm.ctx.exceptions.type_error] {
        let str_method =
            vm.new_method("__str__", class, |exc: PyBaseExceptionRef, vm: &VirtualMachine| message(&exc, vm));
        class.set_attr(vm.ctx.intern_str("__str__"), str_method.into());
    }
    let syntax_error = vm.ctx.exceptions.syntax_error;
    let str_method = vm.new_method("__str__", syntax_error, |exc: PyBaseExceptionRef, vm: &VirtualMachine| {
        exc.args().as_slice().first().map_or_else(String::new, |first| str_of(first, vm))
    });
    syntax_error.set_attr(vm.ctx.intern_str("__str__"), str_method.into());
}

/// The full MicroPython traceback of `exc`, ending with a newline. As
/// `mp_obj_print_exception` does, an exception with no frames (never raised,
/// or raised before any script code ran) prints without the header.
pub fn format(exc: &PyBaseExceptionRef, vm: &VirtualMachine) -> String {
    let mut out = String::new();
    let mut tb = exc.__traceback__();
    while let Some(entry) = tb {
        let code = &entry.frame.code;
        tb = entry.next.lock().clone();
        if crate::import_guard::is_emulator_code(code.source_path().as_str()) {
            continue;
        }
        out.push_str(&format!(
            "  File \"{}\", line {}, in {}\n",
            code.source_path().as_str(),
            entry.lineno.get(),
            code.obj_name.as_str()
        ));
    }
    if let Some((file, line)) = syntax_error_place(exc, vm) {
        // MicroPython's parser adds the place of the error with no function name.
        out.push_str(&format!("  File \"{file}\", line {line}\n"));
    }
    if !out.is_empty() {
        out.insert_str(0, "Traceback (most recent call last):\n");
    }
    let name = exc.class().name().to_string();
    let msg = message(exc, vm);
    if msg.is_empty() {
        out.push_str(&format!("{name}\n"));
    } else {
        out.push_str(&format!("{name}: {msg}\n"));
    }
    out
}

/// File and line a `SyntaxError` (or `IndentationError`) points at.
fn syntax_error_place(exc: &PyBaseExceptionRef, vm: &VirtualMachine) -> Option<(String, String)> {
    if !exc.fast_isinstance(vm.ctx.exceptions.syntax_error) {
        return None;
    }
    let attr = |name: &'static str| exc.as_object().get_attr(name, vm).ok().filter(|v| !vm.is_none(v));
    Some((str_of(&attr("filename")?, vm), str_of(&attr("lineno")?, vm)))
}
