//! An image made by another tool can hold LittleFS paths longer than the 255
//! bytes littlefs2 (and so the emulator) can name: a directory renamed after
//! its contents were made. Every command and script still lists what it can
//! and refuses the rest by its length, as a `fs` error or `OSError(36)`
//! (`ENAMETOOLONG`) or an FTP 5xx reply, never with a Rust panic.

mod common;
use std::process::Command;

use common::{Device, Served, fails, ok};

/// What 60 `d`s are called: one level of the crafted tree.
fn level() -> String {
    "d".repeat(60)
}

/// The 207-byte name `/top` gets: its grandchild ends at 329 bytes.
fn long_dir() -> String {
    format!("/{}", "t".repeat(206))
}

/// Renames argv[2] to argv[3] in the `/flash` filesystem (the upper 4 MiB,
/// LittleFS 2.0) of the 8 MB device image argv[1], as littlefs does it:
/// nothing checks the paths below the directory it moves.
const RENAME: &str = r##"
import sys, littlefs
image = bytearray(open(sys.argv[1], "rb").read())
start = 0x400000
fs = littlefs.LittleFS(block_size=4096, block_count=1024, mount=False, disk_version=0x20000)
fs.context.buffer = image[start:start + 0x400000]
fs.mount()
fs.rename(sys.argv[2], sys.argv[3])
fs.unmount()
image[start:start + 0x400000] = fs.context.buffer
open(sys.argv[1], "wb").write(image)
"##;

/// A LoPy4 whose `/flash` holds `<long>/<level>/<level>/leaf.txt` (338 bytes).
fn crafted_device() -> Device {
    let device = Device::new();
    let name = level();
    ok(device.run(&format!(
        "import os\nos.mkdir('/flash/top')\nos.mkdir('/flash/top/{name}')\nos.mkdir('/flash/top/{name}/{name}')\n\
         with open('/flash/top/{name}/{name}/leaf.txt', 'w') as f:\n    f.write('deep')\n"
    )));
    let python = common::python_with("littlefs-python==0.19.0");
    let image = device.image();
    let output =
        Command::new(python).arg("-c").arg(RENAME).arg(&image).args(["/top", long_dir().as_str()]).output().unwrap();
    assert!(output.status.success(), "littlefs-python failed:\n{}", String::from_utf8_lossy(&output.stderr));
    device
}

/// The message for `action` on the 268-byte directory below the long one.
fn refusal(action: &str) -> String {
    format!(
        "cannot {action} /flash{}/{}: path too long: 268 bytes, LittleFS takes 255 (ENAMETOOLONG)",
        long_dir(),
        level()
    )
}

fn no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked") && !stderr.contains("Rust panic"), "a panic was reported:\n{stderr}");
}

#[test]
fn fs_ls_lists_a_directory_whose_entries_pass_255_bytes_and_refuses_below_it() {
    let device = crafted_device();
    let top = format!("/flash{}", long_dir());
    let listed = ok(device.cli(&["fs", "ls", &top]));
    assert_eq!(listed.lines(), [format!("{}/", level())]);

    let deeper = device.cli(&["fs", "ls", &format!("{top}/{}", level())]);
    no_panic(&deeper.stderr);
    fails(deeper, 2, &refusal("read"));
}

#[test]
fn fs_get_r_stops_at_the_first_path_past_255_bytes_with_its_length() {
    let device = crafted_device();
    let local = device.path("copy");
    let run = device.cli(&["fs", "get", "-r", &format!("/flash{}", long_dir()), local.to_str().unwrap()]);
    no_panic(&run.stderr);
    fails(run, 2, &refusal("list"));
}

#[test]
fn fs_rm_r_refuses_a_tree_below_255_bytes_and_removes_nothing() {
    let device = crafted_device();
    let top = format!("/flash{}", long_dir());
    let run = device.cli(&["fs", "rm", "-r", &top]);
    no_panic(&run.stderr);
    fails(run, 2, &refusal("list"));
    assert_eq!(ok(device.cli(&["fs", "ls", &top])).lines(), [format!("{}/", level())], "nothing removed");
}

#[test]
fn a_script_lists_up_to_255_bytes_and_gets_enametoolong_past_them() {
    let device = crafted_device();
    let run = device.run(&format!(
        "import os\ntop = '/flash{long}'\nprint(os.listdir(top))\n\
         for path in (top + '/{name}', top + '/{name}/{name}/leaf.txt'):\n\
         \x20   for call in (os.listdir, os.stat, open):\n\
         \x20       try:\n\
         \x20           call(path)\n\
         \x20       except OSError as e:\n\
         \x20           print(call.__name__, e.args[0])\n\
         os.rename(top, '/flash/top')\nprint(open('/flash/top/{name}/{name}/leaf.txt').read())\n",
        long = long_dir(),
        name = level()
    ));
    no_panic(&run.stderr);
    let run = ok(run);
    let listed = format!("['{}']", level());
    assert_eq!(
        run.lines(),
        [listed.as_str(), "listdir 36", "stat 36", "open 36", "listdir 36", "stat 36", "open 36", "deep"]
    );
}

/// Lists `$TOP`, then tries to list and fetch below it over FTP at `$ADDR`,
/// and lists `/flash` again: one reply per line.
const FTP_CLIENT: &str = r##"
import ftplib, os
host, port = os.environ['ADDR'].rsplit(':', 1)
top, name = os.environ['TOP'], os.environ['NAME']
ftp = ftplib.FTP()
ftp.connect(host, int(port), timeout=20)
ftp.login('micro', 'python')
print(ftp.nlst(top) == [name])
for attempt in (lambda: ftp.nlst(top + '/' + name),
                lambda: ftp.retrbinary('RETR ' + top + '/' + name + '/' + name + '/leaf.txt', print)):
    try:
        attempt()
        print('served')
    except ftplib.error_perm as e:
        print(str(e)[:3])
print('top' not in ftp.nlst('/flash'), len(ftp.nlst('/flash')))
ftp.quit()
"##;

#[test]
fn ftp_lists_up_to_255_bytes_and_refuses_past_them() {
    let device = crafted_device();
    let served = Served::services(&device, &["--telnet-port", "0", "--ftp-port", "0"], 2);
    let output = Command::new("python3")
        .args(["-c", FTP_CLIENT])
        .env("ADDR", served.service("ftp"))
        .env("TOP", format!("/flash{}", long_dir()))
        .env("NAME", level())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.lines().collect::<Vec<_>>(), ["True", "550", "553", "True 6"], "and serve still answers");
    served.stop();
}
