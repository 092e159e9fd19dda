//! `pycom-emu run` as a CI job uses it: exit codes, stop conditions, resets,
//! the module set of a board, and clear errors for bad input.

mod common;
use common::{Device, snippet};

#[test]
fn a_script_error_prints_a_micropython_traceback_and_exits_1() {
    let run = Device::new().run("def f(x):\n    return x / 0\n\nprint('start')\nf(1)\n");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "start\nTraceback (most recent call last):\n  File \"main.py\", line 5, in <module>\n  File \"main.py\", line 2, in f\nZeroDivisionError: divide by zero\n"
    );
}

#[test]
fn a_syntax_error_is_reported_on_the_console() {
    let run = Device::new().run("print('a'\n");
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("SyntaxError"), "{}", run.stdout);
}

#[test]
fn sys_exit_sets_the_exit_status() {
    assert_eq!(Device::new().run("import sys\nsys.exit(3)").code, 3);
    assert_eq!(Device::new().run("import sys\nsys.exit()").code, 0);
}

#[test]
fn expect_text_ends_an_endless_script_with_status_0() {
    let run = Device::new().run_with(
        "import time\nn = 0\nwhile True:\n    n += 1\n    print('tick', n)\n    if n == 3:\n        print('READY')\n    time.sleep(1)\n",
        &["--expect-text", "READY"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines(), ["tick 1", "tick 2", "tick 3", "READY"]);
}

#[test]
fn expect_text_never_printed_fails_the_run() {
    let run = Device::new().run_with("print('hello')", &["--expect-text", "READY"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("without printing \"READY\""), "{}", run.stderr);
}

#[test]
fn fail_text_stops_with_status_1() {
    let run = Device::new().run_with(
        "import time\nprint('ok')\ntime.sleep(10)\nprint('ERROR: sensor missing')\nprint('not reached')\n",
        &["--fail-text", "ERROR", "--expect-text", "never"],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.lines(), ["ok", "ERROR: sensor missing"]);
}

#[test]
fn timeout_counts_device_time_and_exits_42() {
    let run = Device::new().run_with(
        "import time\nwhile True:\n    print(time.ticks_ms() // 1000)\n    time.sleep(10)\n",
        &["--timeout", "30s"],
    );
    assert_eq!(run.code, 42, "{}", run.stderr);
    assert_eq!(run.lines(), ["0", "10", "20"]);
    assert!(run.stderr.contains("timeout after 30000 ms of device time"), "{}", run.stderr);
}

#[test]
fn timeout_exit_code_is_configurable() {
    let run = Device::new().run_with("import time\ntime.sleep(100)", &["--timeout", "1s", "--timeout-exit-code", "0"]);
    assert_eq!(run.code, 0);
}

#[test]
fn timeout_also_stops_a_busy_loop() {
    let run = Device::new().run_with("n = 0\nwhile True:\n    n += 1\n", &["--timeout", "200ms"]);
    assert_eq!(run.code, 42, "{}", run.stderr);
}

#[test]
fn machine_reset_reboots_and_reruns_with_flash_kept() {
    let device = Device::new();
    let run = device.run_with(
        "import machine, pycom\n\
         print('cause', machine.reset_cause(), 'hb_on_boot', pycom.heartbeat_on_boot())\n\
         if machine.reset_cause() == machine.PWRON_RESET:\n    pycom.heartbeat_on_boot(False)\n    machine.reset()\n    print('not reached')\n",
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines(), ["cause 0 hb_on_boot True", "cause 1 hb_on_boot False"]);
}

#[test]
fn max_resets_stops_a_reset_loop() {
    let run = Device::new().run_with("import machine\nprint('boot')\nmachine.reset()\n", &["--max-resets", "2"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.lines(), ["boot", "boot", "boot"]);
    assert!(run.stderr.contains("after 2 resets"), "{}", run.stderr);
}

#[test]
fn a_reset_swallowed_by_a_bare_except_still_happens() {
    let run = Device::new().run_with(
        "import machine\nprint('boot', machine.reset_cause())\nif machine.reset_cause() == 0:\n    try:\n        machine.reset()\n    except:\n        pass\n",
        &[],
    );
    assert_eq!(run.lines(), ["boot 0", "boot 1"]);
}

#[test]
fn host_modules_are_not_reachable() {
    let lines = snippet(
        "for name in ('_socket', 'subprocess', 'posix', '_io_host', 'ctypes'):\n    try:\n        __import__(name)\n        print(name, 'importable')\n    except ImportError:\n        print(name, 'missing')\n\
         import os\nprint(hasattr(os, 'system'), hasattr(os, 'environ'))\nshow(open, '/etc/passwd')",
    );
    assert_eq!(
        lines,
        [
            "_socket missing",
            "subprocess missing",
            "posix missing",
            "_io_host missing",
            "ctypes missing",
            "False False",
            "OSError: [Errno 2] ENOENT",
        ]
    );
}

#[test]
fn board_modules_and_u_aliases() {
    let lines = snippet(
        "import utime, uos, umachine, uerrno, time, os, machine, gc, micropython, sys\n\
         print(utime is time, uos is os, umachine is machine, uerrno.ENOENT)\n\
         print(sys.platform, sys.implementation.name, sys.path)\n\
         X = const(7)\nprint(X, micropython.const(8))\n\
         print(gc.mem_free() + gc.mem_alloc(), gc.collect())\n\
         print(machine.freq(), len(machine.unique_id()))",
    );
    assert_eq!(
        lines,
        ["True True True 2", "LoPy4 micropython ['', '/flash', '/flash/lib']", "7 8", "2560000 None", "160000000 6",]
    );
}

#[test]
fn time_functions_follow_the_virtual_clock() {
    let lines = snippet(
        "import time\nt0 = time.ticks_ms()\ntime.sleep(2)\ntime.sleep_ms(500)\ntime.sleep_us(250000)\n\
         print(time.ticks_diff(time.ticks_ms(), t0) // 250)\n\
         print(time.ticks_add(2**30 - 1, 1), time.ticks_diff(0, 2**30 - 1))\n\
         print(time.time(), time.localtime(0), time.gmtime(951782400))\n\
         print(time.mktime((2000, 2, 29, 0, 0, 0, 1, 60)))\n\
         time.timezone(3600)\nprint(time.timezone(), time.localtime(0)[3])\n\
         show(time.mktime, (2000, 1, 1))",
    );
    assert_eq!(
        lines,
        [
            "11",
            "1073741824 -1073741823",
            "2 (1970, 1, 1, 0, 0, 0, 3, 1) (2000, 2, 29, 0, 0, 0, 1, 60)",
            "951782400",
            "3600 1",
            "TypeError: mktime needs a tuple of length 8 or 9 (3 given)",
        ]
    );
}

#[test]
fn uname_reflects_the_board_model() {
    let lopy4 = snippet("import os\nu = os.uname()\nprint(u.sysname, u.machine, u.release, u.lorawan, u.sigfox)");
    assert_eq!(lopy4, ["LoPy4 LoPy4 with ESP32 1.20.2.r6 1.0.2 1.0.1"]);
    let device = Device::new();
    let wipy = device
        .run_with("import os, sys\nu = os.uname()\nprint(u.sysname, len(u), sys.platform)", &["--board", "wipy2"]);
    assert_eq!(wipy.lines(), ["WiPy 5 WiPy"], "{}", wipy.stderr);
    assert_eq!(std::fs::metadata(device.image()).unwrap().len(), 4 << 20);
}

#[test]
fn an_image_of_another_flash_size_is_refused_without_touching_it() {
    let device = Device::new();
    assert_eq!(device.run_with("pass", &["--board", "sipy"]).code, 0);
    let before = std::fs::read(device.image()).unwrap();
    let run = device.run("print('x')");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("4 MiB flash image but a lopy4 has 8 MiB"), "{}", run.stderr);
    assert_eq!(std::fs::read(device.image()).unwrap(), before);
}

#[test]
fn a_missing_script_and_a_damaged_image_are_clear_errors() {
    let device = Device::new();
    let run = device.cli(&["run", "/no/such/script.py"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read script /no/such/script.py"), "{}", run.stderr);

    std::fs::write(device.image(), vec![0xFFu8; 8 << 20]).unwrap();
    let run = device.run("pass");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no partition table"), "{}", run.stderr);

    std::fs::write(device.image(), b"short").unwrap();
    let run = device.run("pass");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a multiple of 4096"), "{}", run.stderr);
}

#[test]
fn unknown_board_and_bad_timeout_are_usage_errors() {
    let device = Device::new();
    let run = device.run_with("pass", &["--board", "lopy9"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown board \"lopy9\""), "{}", run.stderr);
    let run = device.run_with("pass", &["--timeout", "soon"]);
    assert_eq!(run.code, 2);
}

#[test]
fn every_subcommand_has_help() {
    let device = Device::new();
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["image", "--help"],
        &["image", "info", "--help"],
        &["image", "create", "--help"],
    ] {
        let run = device.cli(args);
        assert_eq!(run.code, 0, "{args:?}");
        assert!(run.stdout.contains("Usage:"), "{args:?}: {}", run.stdout);
    }
    assert!(device.cli(&["run", "--help"]).stdout.contains("--trace-led"));
}
