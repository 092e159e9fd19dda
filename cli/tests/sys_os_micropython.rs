//! The firmware's `sys`, `os`, `micropython`, `uerrno` and `builtins` beyond
//! the basics, `machine.main()`, and what the frozen `_boot.py` leaves in the
//! globals, as firmware 1.20.2 (MicroPython 1.11) has them.

mod common;
use common::{Device, Served, UartClient, ok};

/// Runs `source` with `show` and `errno_of` defined: the latter prints the
/// errno an `OSError` carries (`e.args[0]`), or its message.
fn snippet(source: &str) -> Vec<String> {
    common::snippet(&format!("{ERRNO_OF}\n{source}"))
}

const ERRNO_OF: &str = "
def errno_of(f, *args):
    try:
        print(repr(f(*args)))
    except OSError as e:
        print('OSError', e.args[0])
";

#[test]
fn sys_describes_the_board_and_its_micropython() {
    let lines = snippet(
        "import sys\n\
         print(sys.version, sys.version_info, sys.implementation)\n\
         print(sys.implementation.name, sys.implementation.version)\n\
         print(sys.platform, sys.byteorder, sys.maxsize, sys.maxsize == 2**31 - 1)\n\
         print(sys.path, sys.argv, 'sys' in sys.modules)\n\
         print(sys.stdin, sys.stdout, sys.stderr)\n\
         for code in ((), (None,), (5,)):\n    try:\n        sys.exit(*code)\n    except SystemExit as e:\n        print(e.args)",
    );
    assert_eq!(
        lines,
        [
            "3.4.0 (3, 4, 0) (name='micropython', version=(1, 11, 0))",
            "micropython (1, 11, 0)",
            "LoPy4 little 2147483647 True",
            "['', '/flash', '/flash/lib'] [] True",
            "<io.FileIO 0> <io.FileIO 1> <io.FileIO 2>",
            "()",
            "(None,)",
            "(5,)",
        ]
    );
}

#[test]
fn the_standard_streams_write_text_and_bytes_to_the_uart_and_have_no_buffer() {
    // MICROPY_PY_SYS_STDIO_BUFFER is off in the firmware's build.
    let lines = snippet(
        "import sys\n\
         print(sys.stdout.write('text\\n'))\n\
         print(sys.stderr.write(b'bytes\\n'))\n\
         print(sys.stdout.write('\u{e9}\\n'))\n\
         errno_of(sys.stdout.read, 1)\n\
         errno_of(sys.stdin.write, 'x')\n\
         show(lambda: sys.stdout.buffer)\n\
         with sys.stdout as out:\n    out.write('in with\\n')\n\
         print(sys.stdin.read(5) == '')",
    );
    assert_eq!(
        lines,
        [
            "text",
            "5",
            "bytes",
            "6",
            "\u{e9}",
            "3",
            "OSError 1",
            "OSError 1",
            "AttributeError: 'FileIO' object has no attribute 'buffer'",
            "in with",
            // Without a UART input (`run` without `--uart`) the line is closed.
            "True",
        ]
    );
}

#[test]
fn print_exception_prints_the_traceback_and_takes_the_stream_positionally() {
    let run = Device::new().run(
        "import sys\n\
         sys.print_exception(ValueError('never raised'))\n\
         try:\n    raise OSError(5)\nexcept OSError as e:\n    sys.print_exception(e, sys.stderr)\n    caught = e\n\
         try:\n    sys.print_exception(caught, file=sys.stdout)\nexcept TypeError as t:\n    print('TypeError:', t)\n\
         sys.exit(7)",
    );
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert_eq!(
        run.lines(),
        [
            "ValueError: never raised",
            "Traceback (most recent call last):",
            "  File \"main.py\", line 4, in <module>",
            "OSError: [Errno 5] EIO",
            "TypeError: function doesn't take keyword arguments",
        ]
    );
}

#[test]
fn uerrno_has_the_firmware_list_with_the_esp_idf_values() {
    let lines = snippet(
        "import uerrno, errno\n\
         print(uerrno is errno, len(errno.errorcode))\n\
         print(errno.EPERM, errno.ENOENT, errno.EAGAIN, errno.EEXIST, errno.ENODEV, errno.EINVAL)\n\
         print(errno.EMSGSIZE, errno.EOPNOTSUPP, errno.EADDRINUSE, errno.ECONNRESET, errno.ENOTCONN, errno.ETIMEDOUT)\n\
         print(errno.EHOSTUNREACH, errno.EALREADY, errno.EINPROGRESS)\n\
         print(errno.ERR_MEM, errno.ERR_IF, errno.ESP_ERR_INVALID_MAC, errno.EAI_NONAME, errno.TRY_AGAIN)\n\
         print(errno.MBEDTLS_ERR_NET_SOCKET_FAILED, errno.MBEDTLS_ERR_SSL_WANT_READ, errno.MBEDTLS_ERR_PK_HW_ACCEL_FAILED)\n\
         print(errno.errorcode[errno.ETIMEDOUT], errno.errorcode[-0x6900])\n\
         print(hasattr(errno, 'ENOTDIR'), hasattr(errno, 'ENOSPC'))",
    );
    assert_eq!(
        lines,
        [
            "True 141",
            "1 2 11 17 19 22",
            "122 95 112 104 128 116",
            "118 120 119",
            "-1 -12 267 200 213",
            "-66 -26880 -14464",
            "ETIMEDOUT MBEDTLS_ERR_SSL_WANT_READ",
            "False False",
        ]
    );
}

#[test]
fn builtins_is_importable() {
    assert_eq!(snippet("import builtins\nprint(builtins.print is print, builtins.len([1, 2]))"), ["True 2"]);
}

#[test]
fn os_getfree_reports_free_kib_of_the_volume() {
    let lines = snippet(
        "import os\n\
         s = os.statvfs('/flash')\n\
         print(os.getfree('/flash') == s[0] * s[3] // 1024, os.getfree('lib') == os.getfree('/flash'))\n\
         before = os.getfree('/flash')\n\
         with open('big.bin', 'wb') as f:\n    f.write(bytes(64 * 1024))\n\
         print(60 <= before - os.getfree('/flash') <= 72)\n\
         errno_of(os.getfree, '/')\n\
         errno_of(os.getfree, '/sd')\n\
         show(os.getfree, 7)",
    );
    assert_eq!(
        lines,
        ["True True", "True", "OSError 19", "OSError 19", "TypeError: can't convert 'int' object to str implicitly",]
    );
}

#[test]
fn os_fsformat_empties_a_mounted_volume_named_exactly() {
    let lines = snippet(
        "import os\n\
         open('/flash/keep.txt', 'w').close()\n\
         errno_of(os.fsformat, 'flash')\n\
         errno_of(os.fsformat, '/')\n\
         errno_of(os.fsformat, '/flash/lib')\n\
         errno_of(os.fsformat, 5)\n\
         print('keep.txt' in os.listdir('/flash'))\n\
         show(os.fsformat, '/flash')\n\
         print(os.listdir('/flash'))",
    );
    assert_eq!(
        lines,
        [
            "OSError flash is not an absolute or invalid path",
            "OSError Cannot format root dir",
            "OSError 19",
            "OSError please specify correct fs mount path",
            "True",
            "None",
            "[]",
        ]
    );
}

#[test]
fn os_mkfat_wraps_an_sd_card_to_mount_format_and_measure() {
    let device = Device::new();
    let card = device.path("card.img");
    let source = format!(
        "{}\n{}",
        common::SHOW,
        "import os, machine\n\
         sd = machine.SD()\n\
         vfs = os.mkfat(sd)\n\
         print(type(vfs).__name__)\n\
         os.mount(vfs, '/sd')\n\
         with open('/sd/data.bin', 'wb') as f:\n    f.write(bytes(100 * 1024))\n\
         print(vfs.getfree() == os.getfree('/sd'), os.getfree('/sd') > 7000)\n\
         os.umount('/sd')\n\
         os.mkfat.mkfs(sd)\n\
         os.mount(sd, '/sd')\n\
         print(os.listdir('/sd'))\n\
         show(os.mkfat, 'sd')"
    );
    let run = ok(device.run_with(&source, &["--sd", card.to_str().unwrap(), "--sd-size", "8M"]));
    assert_eq!(
        run.lines(),
        ["VfsFat", "True True", "[]", "AttributeError: 'str' object has no attribute 'readblocks'"]
    );
}

#[test]
fn os_dupterm_keeps_a_stream_with_read_and_write() {
    let lines = snippet(
        "import os\n\
         class Stream:\n    def read(self, n): return b''\n    def write(self, b): return len(b)\n\
         s = Stream()\n\
         print(os.dupterm(), os.dupterm(s), os.dupterm() is s)\n\
         show(os.dupterm, 42)\n\
         print(os.dupterm() is s, os.dupterm(None), os.dupterm())\n\
         show(os.dupterm, s, 1)",
    );
    assert_eq!(
        lines,
        [
            "UART(0, baudrate=115200, bits=8, parity=None, stop=1) None True",
            "AttributeError: 'int' object has no attribute 'read'",
            "True None None",
            "TypeError: function expected at most 1 arguments, got 2",
        ]
    );
}

#[test]
fn os_urandom_and_sync() {
    let lines = snippet(
        "import os\n\
         a, b = os.urandom(16), os.urandom(16)\n\
         print(type(a).__name__, len(a), a != b, len(os.urandom(0)), os.sync())",
    );
    assert_eq!(lines, ["bytes 16 True 0 None"]);
}

#[test]
fn micropython_has_the_firmware_functions_and_no_scheduler() {
    // MICROPY_ENABLE_SCHEDULER is off in the ESP32 port: no `schedule`.
    let lines = snippet(
        "import micropython\n\
         print(micropython.opt_level(), micropython.opt_level(3), micropython.opt_level())\n\
         micropython.qstr_info()\n\
         print(type(micropython.stack_use()).__name__)\n\
         print(micropython.heap_lock(), micropython.heap_unlock())\n\
         print(micropython.alloc_emergency_exception_buf(100), micropython.kbd_intr(3), micropython.kbd_intr(-1, -1))\n\
         show(micropython.kbd_intr)\n\
         print(hasattr(micropython, 'schedule'))",
    );
    assert_eq!(
        lines,
        [
            "0 None 3",
            "qstr pool: n_pool=0, n_qstr=0, n_str_data_bytes=0, n_total_bytes=0",
            "int",
            "None None",
            "None None None",
            "TypeError: function missing 1 required positional arguments",
            "False",
        ]
    );
}

/// A served board and a client at its friendly prompt.
fn at_prompt(device: &Device) -> (Served, UartClient) {
    let served = Served::start(device, "tcp:127.0.0.1:0", &[]);
    let mut uart = UartClient::connect(served.tcp_addr());
    uart.send(b"'sy' + 'nc'\r");
    uart.read_until(b"'sync'\r\n>>> ");
    (served, uart)
}

#[test]
fn stdin_reads_the_uart_and_kbd_intr_lets_ctrl_c_through_until_the_next_entry() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"import sys, micropython\r");
    uart.read_until(b">>> ");
    uart.send(b"print(repr(sys.stdin.readline()))\r");
    uart.read_until(b"\r\n");
    uart.send(b"typed\r");
    assert_eq!(uart.read_until(b">>> "), "'typed\\n'\r\n>>> ");
    uart.send(b"micropython.kbd_intr(-1); print('ready'); print(ord(sys.stdin.read(1)))\r");
    uart.read_until(b"ready\r\n");
    uart.send(b"\x03");
    assert_eq!(uart.read_until(b">>> "), "3\r\n>>> ");
    // The next entry starts with Ctrl-C armed again, as pyexec arms it.
    uart.send(b"sys.stdin.read(1)\r");
    uart.read_until(b"\r\n");
    uart.send(b"\x03");
    assert!(uart.read_until(b">>> ").ends_with("KeyboardInterrupt\r\n>>> "));
    uart.send(b"'os' in globals()\r");
    assert_eq!(uart.read_until(b">>> "), "'os' in globals()\r\nTrue\r\n>>> ");
}

#[test]
fn input_echoes_what_is_typed_and_edits_it_as_the_firmwares_readline() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"r = input('name? ')\r");
    uart.read_until(b"\r\nname? ");
    // Typed characters are echoed; backspace erases one on the terminal too.
    uart.send(b"bx\x08ob\r");
    assert_eq!(uart.read_until(b">>> "), "bx\x08 \x08ob\r\n>>> ");
    uart.send(b"r\r");
    assert_eq!(uart.read_until(b">>> "), "r\r\n'bob'\r\n>>> ");
    // Ctrl-D on an empty line is EOFError; sys.stdin.readline() echoes nothing.
    uart.send(b"input()\r");
    uart.read_until(b"input()\r\n");
    uart.send(b"\x04");
    let out = uart.read_until(b">>> ");
    assert!(out.ends_with("\r\nEOFError\r\n>>> "), "{out:?}");
}

#[test]
fn input_without_a_uart_input_is_eof_error() {
    let lines = snippet("show(input, 'prompt> ')");
    assert_eq!(lines, ["prompt> EOFError: "]);
}

#[test]
fn boot_py_picks_the_main_script_with_machine_main_for_this_boot_only() {
    let device = Device::new();
    let script = "\
import machine
print('main script', machine.reset_cause() == machine.SOFT_RESET)
with open('/flash/boot.py', 'w') as f:
    f.write('import machine\\nmachine.main(\"app.py\")\\n')
with open('/flash/app.py', 'w') as f:
    f.write('print(\"app.py\", __name__, os.getcwd())\\nopen(\"/flash/boot.py\", \"w\").close()\\nmachine.main(\"ignored.py\")\\nmachine.soft_reset()\\n')
machine.reset()
";
    let run = device.run_with(script, &["--max-resets", "2"]);
    assert_eq!(
        run.lines(),
        ["main script False", "app.py __main__ /flash", "PYB: soft reboot", "main script True"],
        "{}",
        run.stderr
    );
}

#[test]
fn a_main_script_that_is_missing_raises_oserror_without_a_traceback() {
    let device = Device::new();
    let script = "\
import machine
if machine.reset_cause() != machine.SOFT_RESET:
    open('/flash/boot.py', 'w').write('import machine\\nmachine.main(\"missing.py\")\\nprint(\"boot.py\")\\n')
    machine.soft_reset()
";
    let run = device.run_with(script, &["--max-resets", "1"]);
    assert_eq!(run.lines(), ["PYB: soft reboot", "boot.py", "OSError: [Errno 2] ENOENT"], "{}", run.stderr);
    assert_eq!(run.code, 1);
}

#[test]
fn machine_main_takes_a_string() {
    assert_eq!(
        snippet("import machine\nshow(machine.main, 1)\nshow(machine.main, 'x.py')"),
        ["TypeError: expecting a string file name", "None"]
    );
}

#[test]
fn the_frozen_boot_leaves_os_in_the_globals_of_boot_py_and_main_py() {
    let device = Device::new();
    let script = "\
print('main', os.uname().sysname)
import machine
if machine.reset_cause() != machine.SOFT_RESET:
    open('/flash/boot.py', 'w').write('print(\"boot\", os.getcwd())\\n')
    machine.soft_reset()
";
    let run = ok(device.run_with(script, &["--max-resets", "1"]));
    assert_eq!(run.lines(), ["main LoPy4", "PYB: soft reboot", "boot /flash", "main LoPy4"]);
}

/// Puts `source` on the device as `/flash/main.py` and serves it.
fn serving_main_py(device: &Device, source: &str) -> (Served, UartClient) {
    let local = device.path("main.py");
    std::fs::write(&local, source).unwrap();
    ok(device.cli(&["fs", "put", local.to_str().unwrap()]));
    let served = Served::start(device, "tcp:127.0.0.1:0", &[]);
    let uart = UartClient::connect(served.tcp_addr());
    (served, uart)
}

#[test]
fn ctrl_c_interrupts_a_running_main_py_and_the_repl_follows() {
    let device = Device::new();
    // main.py waits for a byte first, so the client is connected when it loops.
    let (_served, mut uart) =
        serving_main_py(&device, "import sys\nsys.stdin.read(1)\nprint('looping')\nwhile True:\n    pass\n");
    uart.send(b"g");
    uart.read_until(b"looping\r\n");
    uart.send(b"\x03");
    let out = uart.read_until(b">>> ");
    // The line is wherever the loop was: `print` returning, `while` or `pass`.
    let (traceback, repl) = out.split_once("KeyboardInterrupt\r\n").expect(&out);
    assert!(traceback.starts_with("Traceback (most recent call last):\r\n  File \"main.py\", line "), "{out:?}");
    assert!(repl.starts_with("Pycom MicroPython ") && repl.ends_with(">>> "), "{out:?}");
}

#[test]
fn main_py_with_kbd_intr_off_reads_ctrl_c_from_stdin() {
    let device = Device::new();
    let source = "import micropython, sys\nsys.stdin.read(1)\nmicropython.kbd_intr(-1)\nprint('ready')\n\
                  print('read', ord(sys.stdin.read(1)))\n";
    let (_served, mut uart) = serving_main_py(&device, source);
    uart.send(b"g");
    uart.read_until(b"ready\r\n");
    uart.send(b"\x03");
    assert!(uart.read_until(b">>> ").starts_with("read 3\r\n"));
}

#[test]
fn machine_main_naming_main_py_runs_the_runs_script() {
    // Pycom's example boot.py files end with `machine.main('main.py')`.
    let device = Device::new();
    let boot = device.path("boot.py");
    std::fs::write(&boot, "import machine\nmachine.main('main.py')\n").unwrap();
    ok(device.cli(&["fs", "put", boot.to_str().unwrap(), "/flash/boot.py"]));
    let run = device.run("print('the run script')\n");
    assert_eq!(run.lines(), ["the run script"], "{}", run.stderr);
}
