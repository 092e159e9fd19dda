//! Nesting and recursion never abort the emulator. Source nested within the
//! limit compiles on the board's deep stack; source nested deeper raises
//! `RuntimeError: maximum recursion depth exceeded`, as the firmware's
//! compiler does when its stack runs out, whether it is a script, given to
//! `compile`/`exec`/`eval` at run time or typed at the REPL. Recursion in
//! Python code raises a `RuntimeError` too.

mod common;
use common::{Device, Served, UartClient};

/// Deeper than any limit a compiler could hold on a thread's stack.
const VERY_DEEP: usize = 1_000_000;
/// As deep, for source a script builds itself: fifty times the limit, with
/// each text (up to 12 bytes a level) still smaller than the board's heap,
/// which refuses a single block of its own size.
const DEEP_IN_A_SCRIPT: usize = 100_000;

#[test]
fn nesting_within_the_limit_compiles_and_runs() {
    let source = format!("x = {}1{}\nprint(x)\nprint({}1)\n", "(".repeat(1900), ")".repeat(1900), "- ".repeat(1900));
    let run = Device::new().run(&source);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.lines(), ["1", "1"]);
}

#[test]
fn a_script_nested_too_deeply_raises_runtime_error() {
    let source = format!("x = {}1{}\n", "(".repeat(VERY_DEEP), ")".repeat(VERY_DEEP));
    let run = Device::new().run(&source);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_eq!(run.lines().last(), Some(&"RuntimeError: maximum recursion depth exceeded"));
}

#[test]
fn source_nested_too_deeply_at_run_time_raises_runtime_error() {
    let source = format!(
        "n = {DEEP_IN_A_SCRIPT}\n\
         shapes = ['(' * n + '1' + ')' * n, '[' * n + ']' * n, \"{{'a': \" * n + '1' + '}}' * n,\n\
         \x20         '1' + ' + a' * n, 'not ' * n + '1', 'lambda: ' * n + '1', 'f' + '()' * n, 'a' + '.b' * n,\n\
         \x20         '1 if a else ' * n + '1', \"f'{{\" * 3000 + '1' + \"}}'\" * 3000, '1' + ' and a' * n]\n\
         for shape in shapes:\n\
         \x20   for run in (lambda s: compile(s, 'deep', 'eval'), eval, lambda s: exec('x = ' + s),\n\
         \x20               lambda s: compile(s.encode(), 'deep', 'exec')):\n\
         \x20       try:\n\
         \x20           run(shape)\n\
         \x20           print('ran', shape[:20])\n\
         \x20       except RuntimeError as e:\n\
         \x20           assert str(e) == 'maximum recursion depth exceeded', e\n\
         print('all refused')\n"
    );
    let run = Device::new().run(&source);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.stdout, "all refused\n");
}

#[test]
fn a_deeply_nested_module_on_flash_raises_runtime_error_when_imported() {
    let device = Device::new();
    let module = device.path("deep.py");
    std::fs::write(&module, format!("x = {}{}\n", "[".repeat(VERY_DEEP), "]".repeat(VERY_DEEP))).unwrap();
    common::ok(device.cli(&["fs", "put", module.to_str().unwrap()]));
    let run = device.run("try:\n    import deep\nexcept RuntimeError as e:\n    print(e)\n");
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.stdout, "maximum recursion depth exceeded\n");
}

#[test]
fn recursion_in_python_code_raises_runtime_error() {
    let run = Device::new().run(
        "def f():\n    f()\n\
         class R:\n    def __repr__(self):\n        return repr(self)\n    def __eq__(self, other):\n        return self == other\n\
         nested = []\nfor i in range(200000):\n    nested = [nested]\n\
         for case in (f, lambda: repr(R()), lambda: R() == R(), lambda: repr(nested), lambda: nested == [nested]):\n\
         \x20   try:\n        case()\n    except RuntimeError as e:\n        print('RuntimeError')\n",
    );
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.lines(), ["RuntimeError"; 5]);
}

#[test]
fn source_nested_too_deeply_at_the_repl_leaves_serve_running() {
    let device = Device::new();
    let served = Served::start(&device, "tcp:127.0.0.1:0", &[]);
    let mut uart = UartClient::connect(served.tcp_addr());
    let deep = format!("x = {}1{}", "(".repeat(VERY_DEEP), ")".repeat(VERY_DEEP));

    uart.send(b"\x03\x01");
    uart.read_until(b"raw REPL; CTRL-B to exit\r\n>");
    uart.send(format!("{deep}\x04").as_bytes());
    let reply = uart.read_until(b"\x04>");
    assert!(reply.contains("RuntimeError: maximum recursion depth exceeded"), "{reply:?}");
    uart.send(b"print(6 * 7)\x04");
    assert_eq!(uart.read_until(b"\x04>"), "OK42\r\n\x04\x04>");

    uart.send(b"\x02");
    uart.read_until(b">>> ");
    uart.send(format!("{deep}\r").as_bytes());
    let reply = uart.read_until(b">>> ");
    assert!(reply.contains("RuntimeError: maximum recursion depth exceeded"), "{}", &reply[reply.len() - 200..]);
    uart.send(b"print(6 * 7)\r");
    assert!(uart.read_until(b">>> ").contains("42\r\n"));
    served.stop();
}
