//! `/flash` as scripts see it (issue 5): the first boot's default files,
//! `boot.py` before `main.py`, `open()` and the `os` functions with MicroPython
//! errno values, and imports from `/flash` and `/flash/lib`.

mod common;
use common::{Device, SHOW, snippet};

fn script(lines: &[&str]) -> String {
    lines.join("\n")
}

#[test]
fn the_first_boot_creates_the_default_files() {
    assert_eq!(
        snippet(
            "import os\nprint(os.getcwd(), sorted(os.listdir()), os.listdir('/'))\nprint(repr(open('main.py').read()))"
        ),
        ["/flash ['boot.py', 'cert', 'lib', 'main.py', 'sys'] ['flash']", "'# main.py -- put your code here!\\r\\n'",]
    );
}

#[test]
fn boot_py_runs_before_main_in_the_same_namespace_and_errors_do_not_stop_main() {
    let device = Device::new();
    let setup = device.run("open('/flash/boot.py', 'w').write('print(\"boot\")\\nFROM_BOOT = 1\\n')");
    assert_eq!(setup.code, 0, "{}", setup.stderr);
    assert_eq!(device.run("print('main', FROM_BOOT)").lines(), ["boot", "main 1"]);
    device.run("open('/flash/boot.py', 'w').write('print(\"boot\")\\n1/0\\n')");
    let run = device.run("print('main still runs')");
    assert_eq!(run.lines()[0], "boot");
    assert!(run.stdout.contains("ZeroDivisionError"), "{}", run.stdout);
    assert_eq!(run.lines().last(), Some(&"main still runs"));
    assert_eq!(run.code, 1, "a failing boot.py is reported in the exit status");
}

#[test]
fn a_safe_boot_skips_boot_py_too() {
    let device = Device::new();
    device.run("open('/flash/boot.py', 'w').write('print(\"boot\")\\n')");
    let run = device.run_with("print('main')", &["--safe-boot"]);
    assert_eq!(run.lines(), Vec::<&str>::new(), "{}", run.stderr);
}

#[test]
fn files_round_trip_in_text_and_binary_modes() {
    let source = script(&[
        "with open('t.txt', 'w') as f:",
        "    print(f.write('line 1\\nline 2\\n'))",
        "with open('t.txt', 'a') as f:",
        "    f.write('line 3')",
        "with open('t.txt') as f:",
        "    print(f.readline().strip(), [l.strip() for l in f])",
        "with open('b.bin', 'wb') as f:",
        "    f.write(bytes(range(256)))",
        "f = open('b.bin', 'r+b')",
        "f.seek(250)",
        "print(f.read(3), f.tell())",
        "f.seek(-1, 2)",
        "f.write(b'!')",
        "f.close()",
        "print(open('b.bin', 'rb').read()[-2:], type(open('b.bin', 'rb')).__name__, type(open('t.txt')).__name__)",
    ]);
    assert_eq!(
        snippet(&source),
        ["14", "line 1 ['line 2', 'line 3']", "b'\\xfa\\xfb\\xfc' 253", "b'\\xfe!' FileIO TextIOWrapper"]
    );
}

#[test]
fn the_ota_example_reads_a_file_in_blocks_with_readinto_and_a_memoryview() {
    let source = script(&[
        "with open('/flash/appimg.bin', 'wb') as f:",
        "    f.write(bytes(i % 251 for i in range(10000)))",
        "buffer = bytearray(4096)",
        "mv = memoryview(buffer)",
        "total = 0",
        "checksum = 0",
        "with open('/flash/appimg.bin', 'rb') as f:",
        "    while True:",
        "        n = f.readinto(buffer)",
        "        if n == 0:",
        "            break",
        "        total += n",
        "        checksum = (checksum + sum(mv[:n])) % 65536",
        "print(total, checksum)",
    ]);
    let expected: u32 = (0..10000u32).map(|i| i % 251).sum::<u32>() % 65536;
    assert_eq!(snippet(&source), [format!("10000 {expected}")]);
}

#[test]
fn errors_are_os_errors_with_micropython_errno_values() {
    let source = script(&[
        "import os",
        "def errno(f, *args):",
        "    try:",
        "        f(*args)",
        "        return 'ok'",
        "    except OSError as e:",
        "        return e.args[0]",
        "print(errno(open, 'missing.txt'))",
        "print(errno(open, 'nodir/x.txt', 'w'))",
        "print(errno(open, 'lib'))",
        "print(errno(os.mkdir, 'lib'))",
        "print(errno(os.rmdir, '/flash/boot.py'))",
        "print(errno(os.remove, 'lib'))",
        "print(errno(os.rmdir, 'missing'))",
        "open('lib/x.py', 'w').close()",
        "print(errno(os.rmdir, 'lib'))",
        "print(errno(os.chdir, 'boot.py'))",
        "print(errno(os.listdir, '/sd'))",
        "f = open('boot.py')",
        "f.close()",
        "print(errno(f.read))",
    ]);
    assert_eq!(snippet(&source), ["2", "2", "21", "17", "20", "21", "2", "39", "20", "2", "22"]);
}

#[test]
fn a_closed_file_answers_einval_to_read_write_and_flush_but_still_seeks() {
    let source = script(&[
        "f = open('t.txt', 'w')",
        "f.close()",
        "for op in (f.read, lambda: f.write('x'), f.flush):",
        "    try:",
        "        op()",
        "    except OSError as e:",
        "        print(e)",
        "print(f.seek(3), f.tell())",
    ]);
    assert_eq!(snippet(&source), ["[Errno 22] EINVAL", "[Errno 22] EINVAL", "[Errno 22] EINVAL", "3 3"]);
}

#[test]
fn mode_letters_add_up_as_the_firmwares_flags_x_creates_and_rw_truncates() {
    let source = script(&[
        "print(open('new.txt', 'x').write('one'))",
        "try:",
        "    open('new.txt', 'x+')",
        "except OSError as e:",
        "    print(repr(e))",
        "f = open('new.txt', 'rw')",
        "print(repr(f.read()), f.write('two'), f.seek(0), f.read())",
        "f.close()",
    ]);
    assert_eq!(snippet(&source), ["3", "OSError(17,)", "'' 3 0 two"]);
}

#[test]
fn a_relative_path_cannot_climb_above_the_mount_point() {
    let source = script(&[
        "import os",
        "os.chdir('..')",
        "print(os.getcwd())",
        "os.mkdir('/flash/test')",
        "os.chdir('/flash/test')",
        "os.chdir('../../.././test/../test')",
        "print(os.getcwd(), open('../../boot.py').read(5))",
        "os.chdir('/')",
        "os.chdir('flash')",
        "print(os.getcwd())",
    ]);
    assert_eq!(snippet(&source), ["/flash", "/flash/test # boo", "/flash"]);
}

#[test]
fn os_functions_work_on_paths_relative_to_the_working_directory() {
    let source = script(&[
        "import os",
        "os.mkdir('data')",
        "os.chdir('data')",
        "print(os.getcwd())",
        "open('a.txt', 'w').write('abc')",
        "os.rename('a.txt', '../b.txt')",
        "os.chdir('..')",
        "print(os.listdir('data'), 'b.txt' in os.listdir(), os.stat('b.txt')[6], os.stat('data')[0] == 0x4000)",
        "print([e[:2] for e in os.ilistdir() if e[0] == 'b.txt'])",
        "st = os.statvfs('/flash')",
        "print(st[0], st[2] >= st[3] > 0)",
        "os.remove('b.txt')",
        "os.rmdir('data')",
        "print(sorted(os.listdir()))",
    ]);
    assert_eq!(
        snippet(&source),
        [
            "/flash/data",
            "[] True 3 True",
            "[('b.txt', 32768)]",
            "4096 True",
            "['boot.py', 'cert', 'lib', 'main.py', 'sys']",
        ]
    );
}

#[test]
fn modules_and_packages_import_from_flash_and_flash_lib() {
    let device = Device::new();
    let setup = device.run(&script(&[
        "import os",
        "open('/flash/top.py', 'w').write('NAME = \"top\"\\n')",
        "os.mkdir('/flash/lib/pkg')",
        "open('/flash/lib/pkg/__init__.py', 'w').write('from pkg.inner import VALUE\\n')",
        "open('/flash/lib/pkg/inner.py', 'w').write('VALUE = 42\\n')",
    ]));
    assert_eq!(setup.code, 0, "{}", setup.stderr);
    let run = device.run(&format!("{SHOW}\nimport top, pkg\nprint(top.NAME, pkg.VALUE)\nimport sys\nprint(sys.path)"));
    assert_eq!(run.lines(), ["top 42", "['', '/flash', '/flash/lib']"], "{}", run.stderr);
    let missing = device.run("import nosuchmodule");
    assert!(
        missing.stdout.contains("ImportError") || missing.stdout.contains("ModuleNotFoundError"),
        "{}",
        missing.stdout
    );
}

#[test]
fn files_survive_a_power_cycle_and_a_soft_reset() {
    let device = Device::new();
    let run = device.run(&script(&[
        "import os, machine",
        "if 'count.txt' not in os.listdir():",
        "    open('count.txt', 'w').write('1')",
        "    machine.soft_reset()",
        "print('count', open('count.txt').read())",
    ]));
    assert_eq!(run.lines(), ["PYB: soft reboot", "count 1"], "{}", run.stderr);
    assert_eq!(device.run("print(open('/flash/count.txt').read())").lines(), ["1"]);
}

#[test]
fn switching_to_fat_reformats_flash_at_the_next_soft_reset() {
    let device = Device::new();
    let run = device.run(&script(&[
        "import os, pycom, machine",
        "if pycom.bootmgr()[1] == 'LittleFS':",
        "    open('/flash/keep.txt', 'w').write('lost on reformat')",
        "    pycom.bootmgr(fs_type=pycom.FAT)",
        "    machine.soft_reset()",
        "print(pycom.bootmgr()[1], sorted(os.listdir('/flash')))",
        "open('/flash/fat.txt', 'w').write('on FAT')",
    ]));
    assert_eq!(run.lines(), ["PYB: soft reboot", "FAT ['boot.py', 'cert', 'lib', 'main.py', 'sys']"], "{}", run.stderr);
    assert!(run.stderr.contains("could not be mounted"), "{}", run.stderr);
    // The next power-on mounts the FAT /flash, and so does the fs command.
    assert_eq!(device.run("print(open('/flash/fat.txt').read())").lines(), ["on FAT"]);
    let cat = device.cli(&["fs", "cat", "/flash/fat.txt"]);
    assert_eq!(cat.stdout, "on FAT", "{}", cat.stderr);
}

#[test]
fn an_sd_card_image_mounts_at_sd_and_the_ota_example_reads_from_it() {
    let device = Device::new();
    let card = device.path("card.img");
    let source = script(&[
        "import os, machine",
        "sd = machine.SD()",
        "os.mount(sd, '/sd')",
        "print(os.listdir('/'))",
        "with open('/sd/appimg.bin', 'wb') as f:",
        "    f.write(bytes(i % 256 for i in range(9000)))",
        "buffer = bytearray(4096)",
        "mv = memoryview(buffer)",
        "size = 0",
        "with open('/sd/appimg.bin', 'rb') as f:",
        "    while True:",
        "        chunk = f.readinto(buffer)",
        "        if chunk == 0:",
        "            break",
        "        size += chunk",
        "print(size, bytes(mv[:3]))",
        "os.umount('/sd')",
        "print(os.listdir('/'))",
    ]);
    let run = device.run_with(&source, &["--sd", card.to_str().unwrap(), "--sd-size", "8M"]);
    assert_eq!(run.lines(), ["['flash', 'sd']", "9000 b'\\x00\\x01\\x02'", "['flash']"], "{}", run.stderr);
    assert_eq!(std::fs::metadata(&card).unwrap().len(), 8 << 20);
    let again = device.run_with(
        "import os, machine\nos.mount(machine.SD(), '/sd')\nprint(os.stat('/sd/appimg.bin')[6])",
        &["--sd", card.to_str().unwrap()],
    );
    assert_eq!(again.lines(), ["9000"], "{}", again.stderr);
    let no_card = snippet("import machine\nshow(machine.SD)");
    assert_eq!(no_card, ["OSError: the requested operation failed"]);
}

/// The pycom documentation's OTA example, unchanged.
const OTA_EXAMPLE: &str = r#"from pycom import ota_start, ota_write, ota_finish
from os import mount
from machine import SD

BLOCKSIZE = const(4096)
APPIMG = "/sd/appimg.bin"

sd = SD()
mount(sd, '/sd')

with open(APPIMG, "rb") as f:
    buffer = bytearray(BLOCKSIZE)
    mv = memoryview(buffer)
    size=0
    ota_start()
    while True:
        chunk = f.readinto(buffer)
        if chunk > 0:
            ota_write(mv[:chunk])
            size += chunk
            print("\r%7d " % size, end="")
        else:
            break
    ota_finish()
"#;

#[test]
fn the_documented_ota_example_updates_from_the_sd_card() {
    let device = Device::new();
    let card = device.path("card.img");
    let card_arg = card.to_str().unwrap();
    let app = device.path("app.bin");
    let build =
        device.cli(&["image", "build", "--version", "1.20.2.r7", "--project", "pycom", "-o", app.to_str().unwrap()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(device.cli(&["fs", "put", app.to_str().unwrap(), "/flash/app.bin"]).code, 0);
    let copy = device.run_with(
        "import os, machine\nos.mount(machine.SD(), '/sd')\nopen('/sd/appimg.bin', 'wb').write(open('/flash/app.bin', 'rb').read())",
        &["--sd", card_arg],
    );
    assert_eq!(copy.code, 0, "{}", copy.stderr);
    let size = std::fs::metadata(&app).unwrap().len();
    let run = device.run_with(OTA_EXAMPLE, &["--sd", card_arg]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let expected_end = format!("\r{size:7} Full Update Image detected. Restart the device to load the new firmware.\n");
    assert!(run.stdout.ends_with(&expected_end), "{:?}", run.stdout);
    let after = device.run("import os, pycom\nprint(os.uname().release, pycom.bootmgr()[0], pycom.ota_slot())");
    assert_eq!(after.lines(), ["1.20.2.r7 ota_0 65536"], "{}", after.stderr);
}
