//! Script code that reaches a Rust panic inside the interpreter (a bug of the
//! compiler or runtime) gets a Python `SystemError`; the emulator goes on:
//! `run` reports it as an uncaught exception, the REPL prints it and stays.

mod common;
use common::{Device, Served, UartClient};

/// A code object whose bytecode refers to constants it does not have.
const BAD_CODE: &str = "exec(compile('x = 1', 'a', 'exec').replace(co_consts=()))";

fn assert_no_backtrace(stderr: &str) {
    assert!(!stderr.contains("stack backtrace") && !stderr.contains("panicked"), "stderr:\n{stderr}");
    assert!(stderr.contains("[pycom-emu] Rust panic at "), "stderr:\n{stderr}");
}

#[test]
fn a_hand_made_code_object_raises_system_error() {
    let run = Device::new().run(&format!("print('before')\n{BAD_CODE}\nprint('after')\n"));
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(run.lines()[0], "before");
    assert!(run.stdout.contains("SystemError: internal error: index out of bounds"), "stdout:\n{}", run.stdout);
    assert!(!run.stdout.contains("after"));
    assert_no_backtrace(&run.stderr);
}

#[test]
#[ignore = "scripts can no longer import itertools (not on the board); needs another native function that panics on a huge allocation"]
fn a_huge_allocation_in_a_native_function_raises_system_error() {
    let run = Device::new().run("import itertools\nitertools.tee(iter([]), 2**62)\n");
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("SystemError: internal error: capacity overflow"), "stdout:\n{}", run.stdout);
    assert_no_backtrace(&run.stderr);
}

#[test]
fn a_panic_in_boot_py_leaves_main_py_to_run() {
    let device = Device::new();
    let boot = device.path("boot.py");
    std::fs::write(&boot, BAD_CODE).unwrap();
    let put = device.cli(&["fs", "put", boot.to_str().unwrap(), "/flash/boot.py"]);
    assert_eq!(put.code, 0, "{}", put.stderr);
    let run = device.run("print('main ran')\n");
    assert!(run.stdout.contains("SystemError") && run.stdout.contains("main ran"), "stdout:\n{}", run.stdout);
}

#[test]
fn the_raw_repl_reports_the_panic_and_keeps_running() {
    let device = Device::new();
    let served = Served::start(&device, "tcp:127.0.0.1:0", &[]);
    let mut uart = UartClient::connect(served.tcp_addr());
    uart.send(b"\x01");
    uart.read_until(b"raw REPL; CTRL-B to exit\r\n>");
    uart.send(format!("{BAD_CODE}\x04").as_bytes());
    let reply = uart.read_until(b"\x04>");
    assert!(reply.contains("SystemError: internal error: index out of bounds"), "{reply:?}");
    uart.send(b"print(6 * 7)\x04");
    assert_eq!(uart.read_until(b"\x04>"), "OK42\r\n\x04\x04>");
}
