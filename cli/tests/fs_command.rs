//! `pycom-emu fs ...`: copying files to and from a device image's `/flash`, and
//! what the board sees of them (and the command line of what the board wrote).

mod common;
use std::process::Command;

use common::{Device, fails, ok};

/// `fs cat` of `path`, as raw bytes (`Device::cli` decodes stdout as text).
fn cat_bytes(device: &Device, extra: &[&str], path: &str) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_pycom-emu"))
        .args(["fs", "cat", path])
        .args(extra)
        .env("PYCOM_EMU_IMAGE", device.image())
        .env_remove("PYCOM_EMU_BOARD")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// Pseudo-random bytes (xorshift), the same on every run.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn ls(device: &Device, args: &[&str]) -> Vec<String> {
    ok(device.cli(&[&["fs", "ls"], args].concat())).lines().into_iter().map(str::to_owned).collect()
}

const DEFAULTS: [&str; 5] = ["boot.py", "cert/", "lib/", "main.py", "sys/"];

#[test]
fn put_then_ls_cat_get_round_trip_binary_and_large_files() {
    let d = Device::new();
    let all_bytes: Vec<u8> = (0..=255u8).cycle().take(256 * 3).collect();
    let big = noise(200 * 1024, 7);
    std::fs::write(d.path("all.bin"), &all_bytes).unwrap();
    std::fs::write(d.path("big.bin"), &big).unwrap();

    let put = ok(d.cli(&["fs", "put", d.path("all.bin").to_str().unwrap(), "/flash/all.bin"]));
    assert!(put.stderr.contains("created"), "put creates a missing image: {}", put.stderr);
    ok(d.cli(&["fs", "put", d.path("big.bin").to_str().unwrap(), "/flash/lib"]));

    assert_eq!(ls(&d, &[]), ["all.bin", "boot.py", "cert/", "lib/", "main.py", "sys/"]);
    assert_eq!(ls(&d, &["/flash/lib"]), ["big.bin"]);
    let long = ls(&d, &["-l", "/flash/lib"]);
    assert_eq!(long[0], format!("{:>10}  big.bin", 200 * 1024));
    assert!(long[1].starts_with("/flash: ") && long[1].contains("bytes free of 4194304"), "{long:?}");
    assert_eq!(ls(&d, &["/flash/lib/big.bin"]), ["big.bin"], "ls of a file shows the file");

    assert_eq!(cat_bytes(&d, &[], "/flash/all.bin"), all_bytes);
    assert_eq!(cat_bytes(&d, &[], "/flash/lib/big.bin"), big);

    let out = d.path("out");
    std::fs::create_dir(&out).unwrap();
    ok(d.cli(&["fs", "get", "/flash/lib/big.bin", out.to_str().unwrap()]));
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), big, "get into a directory keeps the name");
    ok(d.cli(&["fs", "get", "/flash/all.bin", out.join("copy").to_str().unwrap()]));
    assert_eq!(std::fs::read(out.join("copy")).unwrap(), all_bytes);

    // Replacing a file with other contents.
    ok(d.cli(&["fs", "put", out.join("copy").to_str().unwrap(), "/flash/lib/big.bin"]));
    assert_eq!(cat_bytes(&d, &[], "/flash/lib/big.bin"), all_bytes);
}

#[test]
fn ls_json_lists_names_types_and_sizes() {
    let d = Device::new();
    std::fs::write(d.path("a.txt"), "hello").unwrap();
    ok(d.cli(&["fs", "put", d.path("a.txt").to_str().unwrap()]));
    let json: serde_json::Value = serde_json::from_str(&ok(d.cli(&["fs", "ls", "--json"])).stdout).unwrap();
    let rows: Vec<(String, String, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().into(), e["type"].as_str().unwrap().into(), e["size"].as_u64().unwrap()))
        .collect();
    let row = |name: &str, kind: &str, size: u64| (name.to_owned(), kind.to_owned(), size);
    assert_eq!(
        rows,
        [
            row("a.txt", "file", 5),
            row("boot.py", "file", 29),
            row("cert", "dir", 0),
            row("lib", "dir", 0),
            row("main.py", "file", 34),
            row("sys", "dir", 0),
        ]
    );
}

#[test]
fn the_board_sees_files_put_on_the_command_line() {
    let d = Device::new();
    std::fs::write(d.path("mymod.py"), "X = 42\n").unwrap();
    std::fs::write(d.path("boot.py"), "print('boot from fs put')\n").unwrap();
    ok(d.cli(&["fs", "put", d.path("mymod.py").to_str().unwrap(), "/flash/lib/"]));
    ok(d.cli(&["fs", "put", d.path("boot.py").to_str().unwrap(), "/flash/boot.py"]));
    let run = ok(d.run("import mymod\nprint(mymod.X)\nprint(open('/flash/lib/mymod.py').read())"));
    assert_eq!(run.lines(), ["boot from fs put", "42", "X = 42", ""]);
}

#[test]
fn files_the_board_writes_are_read_on_the_command_line() {
    let d = Device::new();
    ok(d.run("open('/flash/out.txt', 'w').write('x')\nimport os\nos.mkdir('/flash/data')\nopen('/flash/data/b', 'wb').write(bytes([0, 255]))"));
    assert_eq!(ok(d.cli(&["fs", "cat", "/flash/out.txt"])).stdout, "x");
    assert_eq!(cat_bytes(&d, &[], "/flash/data/b"), [0, 255]);
    assert_eq!(ls(&d, &["/flash/data", "-l"])[0], format!("{:>10}  b", 2));
    assert!(ls(&d, &[]).contains(&"data/".to_owned()));
}

#[test]
fn mkdir_and_rm() {
    let d = Device::new();
    ok(d.cli(&["image", "create"]));
    std::fs::write(d.path("f"), "f").unwrap();
    let local = d.path("f");
    let local = local.to_str().unwrap();

    ok(d.cli(&["fs", "mkdir", "/flash/d"]));
    fails(d.cli(&["fs", "mkdir", "/flash/d"]), 2, "cannot create directory /flash/d: file exists (EEXIST)");
    fails(d.cli(&["fs", "mkdir", "/flash/x/y"]), 1, "/flash/x/y: no such file or directory (ENOENT)");
    ok(d.cli(&["fs", "mkdir", "-p", "/flash/x/y"]));
    ok(d.cli(&["fs", "mkdir", "-p", "/flash/x/y"]));
    ok(d.cli(&["fs", "put", local, "/flash/d/"]));
    fails(d.cli(&["fs", "mkdir", "-p", "/flash/d/f/g"]), 2, "/flash/d/f: file exists (EEXIST)");

    fails(d.cli(&["fs", "rm", "/flash/d"]), 2, "cannot remove /flash/d: directory not empty (ENOTEMPTY); use -r");
    ok(d.cli(&["fs", "rm", "/flash/d/f"]));
    ok(d.cli(&["fs", "rm", "/flash/d"]));
    ok(d.cli(&["fs", "put", local, "/flash/x/y/f"]));
    ok(d.cli(&["fs", "rm", "-r", "/flash/x"]));
    assert_eq!(ls(&d, &[]), DEFAULTS);
    fails(d.cli(&["fs", "rm", "/flash"]), 2, "cannot remove /flash itself");

    // The board sees the result.
    let run = ok(d.run("import os\nprint(sorted(os.listdir('/flash')))"));
    assert_eq!(run.lines(), ["['boot.py', 'cert', 'lib', 'main.py', 'sys']"]);
}

#[test]
fn directories_copy_with_r() {
    let d = Device::new();
    let tree = d.path("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("a.py"), "A = 1\n").unwrap();
    std::fs::write(tree.join("sub/b.bin"), [1, 2, 3]).unwrap();
    fails(d.cli(&["fs", "put", tree.to_str().unwrap(), "/flash/lib"]), 2, "is a directory (use -r");
    ok(d.cli(&["fs", "put", "-r", tree.to_str().unwrap(), "/flash/lib"]));
    assert_eq!(ls(&d, &["/flash/lib/tree"]), ["a.py", "sub/"]);
    assert_eq!(cat_bytes(&d, &[], "/flash/lib/tree/sub/b.bin"), [1, 2, 3]);

    fails(d.cli(&["fs", "get", "/flash/lib", d.path("x").to_str().unwrap()]), 2, "is a directory (EISDIR); use -r");
    ok(d.cli(&["fs", "get", "-r", "/flash/lib", d.path("back").to_str().unwrap()]));
    assert_eq!(std::fs::read(d.path("back/tree/a.py")).unwrap(), b"A = 1\n");
    assert_eq!(std::fs::read(d.path("back/tree/sub/b.bin")).unwrap(), [1, 2, 3]);
}

#[test]
fn errors_name_the_path_and_errno() {
    let d = Device::new();
    fails(d.cli(&["fs", "ls"]), 2, "no device image");
    fails(d.cli(&["fs", "cat", "/flash/main.py"]), 2, "no device image");
    ok(d.cli(&["image", "create"]));

    fails(d.cli(&["fs", "cat", "/flash/nope.py"]), 1, "cannot read /flash/nope.py: no such file or directory (ENOENT)");
    fails(d.cli(&["fs", "ls", "/flash/nope"]), 1, "/flash/nope: no such file or directory (ENOENT)");
    fails(d.cli(&["fs", "get", "/flash/nope", d.path("x").to_str().unwrap()]), 1, "/flash/nope: no such file");
    fails(d.cli(&["fs", "rm", "/flash/nope"]), 1, "cannot remove /flash/nope: no such file or directory (ENOENT)");
    fails(d.cli(&["fs", "put", d.path("missing").to_str().unwrap()]), 1, "cannot read");
    std::fs::write(d.path("f"), "f").unwrap();
    fails(d.cli(&["fs", "put", d.path("f").to_str().unwrap(), "/flash/nodir/f"]), 1, "/flash/nodir/f: no such file");
    fails(d.cli(&["fs", "cat", "/flash/lib"]), 2, "cannot read /flash/lib: is a directory (EISDIR)");
    fails(d.cli(&["fs", "put", d.path("f").to_str().unwrap(), "/flash/main.py/"]), 2, "(ENOTDIR)");
    fails(d.cli(&["fs", "ls", "/flash/main.py/x"]), 2, "(ENOTDIR)");

    for outside in ["main.py", "/sd/main.py", "/", "/flash/../etc"] {
        fails(d.cli(&["fs", "cat", outside]), 2, "/flash");
    }
    fails(d.cli(&["fs", "put", d.path("f").to_str().unwrap(), "/sd"]), 2, "is not on /flash");
    fails(d.cli(&["fs", "mkdir", "lib2"]), 2, "is not a device path");
    assert_eq!(ls(&d, &[]), DEFAULTS, "failed commands change nothing");
}

#[test]
fn format_restores_the_first_boot_defaults() {
    let d = Device::new();
    std::fs::write(d.path("f"), "f").unwrap();
    ok(d.cli(&["fs", "put", d.path("f").to_str().unwrap(), "/flash/main.py"]));
    ok(d.cli(&["fs", "put", d.path("f").to_str().unwrap(), "/flash/lib/f"]));
    ok(d.cli(&["fs", "rm", "/flash/boot.py"]));
    ok(d.cli(&["fs", "rm", "/flash/sys"]));
    let format = ok(d.cli(&["fs", "format"]));
    assert!(format.stdout.contains("formatted /flash") && format.stdout.contains("first boot"), "{}", format.stdout);
    assert_eq!(ls(&d, &[]), DEFAULTS);
    assert_eq!(ls(&d, &["/flash/lib"]), Vec::<String>::new());
    assert_eq!(ok(d.cli(&["fs", "cat", "/flash/main.py"])).stdout, "# main.py -- put your code here!\r\n");
    assert_eq!(ok(d.cli(&["fs", "cat", "/flash/boot.py"])).stdout, "# boot.py -- run on boot-up\r\n");
}

#[test]
fn a_4mb_board_works_and_a_full_filesystem_changes_nothing() {
    let d = Device::new();
    let w = ["--board", "wipy2"];
    let big = noise(300 * 1024, 3);
    std::fs::write(d.path("big"), &big).unwrap();
    let put = |name: &str, to: &str| d.cli(&[&["fs", "put"], &w[..], &[d.path(name).to_str().unwrap(), to]].concat());
    ok(put("big", "/flash/big"));
    let long = ls(&d, &["-l", "--board", "wipy2"]);
    assert!(long.last().unwrap().contains("bytes free of 520192 (") && long.last().unwrap().contains("of 127 blocks"));
    assert_eq!(cat_bytes(&d, &w, "/flash/big"), big);
    fails(d.cli(&["fs", "ls"]), 2, "cannot open device image");

    // A second 300 KB file does not fit in 127 blocks: the image is left as it was.
    let before = std::fs::read(d.image()).unwrap();
    fails(put("big", "/flash/big2"), 2, "cannot write /flash/big2: no space left on device (ENOSPC)");
    assert!(std::fs::read(d.image()).unwrap() == before, "a failed put leaves the image untouched");
    // Replacing the file with one as big still works.
    std::fs::write(d.path("big"), noise(300 * 1024, 4)).unwrap();
    ok(put("big", "/flash/big"));

    let run = ok(d.run_with("import os\nprint(os.stat('/flash/big')[6])", &w));
    assert_eq!(run.lines(), ["307200"]);
}
