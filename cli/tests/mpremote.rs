//! MicroPython's own host tool, `mpremote` (from PyPI, in a venv the test
//! makes), works unchanged against `pycom-emu serve`: on the pseudo-terminal
//! path and on `socket://`, with the results checked on the device image.

mod common;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{Device, Served, ok, python_with};

const MPREMOTE: &str = "mpremote==1.29.0";

/// The venv's `mpremote` script.
fn mpremote_bin() -> PathBuf {
    python_with(MPREMOTE).with_file_name("mpremote")
}

/// `mpremote connect DEVICE ARGS...`, killed if it hangs (on a pseudo-terminal
/// mpremote has no timeouts of its own).
fn mpremote(device: &str, args: &[&str]) -> Output {
    let child = Command::new(mpremote_bin())
        .args(["connect", device])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let guard = std::thread::spawn(move || {
        if wait.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = Command::new("kill").args(["-9", &pid]).status();
        }
    });
    let output = child.wait_with_output().unwrap();
    let _ = done.send(());
    let _ = guard.join();
    output
}

fn stdout_of(device: &str, args: &[&str]) -> String {
    let out = mpremote(device, args);
    assert!(
        out.status.success(),
        "mpremote {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

/// Every mpremote operation of the issue, against `endpoint`; returns after
/// checking what mpremote printed. Files land in /flash/work.
fn exercise(endpoint: &str, scratch: &Path) {
    assert_eq!(stdout_of(endpoint, &["exec", "print('hello', 6 * 7)"]), "hello 42\n");
    assert_eq!(stdout_of(endpoint, &["eval", "2 ** 10"]), "1024\n");
    let script = scratch.join("script.py");
    std::fs::write(&script, "import os\nprint(os.getcwd(), 'ran')\n").unwrap();
    assert_eq!(stdout_of(endpoint, &["run", script.to_str().unwrap()]), "/flash ran\n");

    stdout_of(endpoint, &["fs", "mkdir", ":work"]);
    let upload = scratch.join("upload.bin");
    let content: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&upload, &content).unwrap();
    stdout_of(endpoint, &["fs", "cp", upload.to_str().unwrap(), ":work/data.bin"]);
    let text = scratch.join("notes.txt");
    std::fs::write(&text, "line one\nline two\n").unwrap();
    stdout_of(endpoint, &["fs", "cp", text.to_str().unwrap(), ":work/notes.txt"]);
    stdout_of(endpoint, &["fs", "cp", text.to_str().unwrap(), ":work/gone.txt"]);

    let listing = stdout_of(endpoint, &["fs", "ls", ":work"]);
    assert!(listing.contains("3000 data.bin") && listing.contains("18 notes.txt"), "{listing}");
    assert!(stdout_of(endpoint, &["fs", "ls"]).contains("work/"));
    assert!(stdout_of(endpoint, &["fs", "cat", ":work/notes.txt"]).ends_with("line one\nline two\n"));

    let download = scratch.join("download.bin");
    stdout_of(endpoint, &["fs", "cp", ":work/data.bin", download.to_str().unwrap()]);
    assert_eq!(std::fs::read(&download).unwrap(), content, "a round trip keeps every byte");

    stdout_of(endpoint, &["fs", "rm", ":work/gone.txt"]);
    assert!(!stdout_of(endpoint, &["fs", "ls", ":work"]).contains("gone.txt"));
    let missing = mpremote(endpoint, &["fs", "cat", ":work/gone.txt"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("No such file or directory"));

    stdout_of(endpoint, &["exec", "marker = 'set'"]);
    stdout_of(endpoint, &["soft-reset"]);
    assert_eq!(stdout_of(endpoint, &["resume", "exec", "print('marker' in globals())"]), "False\n");
}

/// The files `exercise` left, read from the image after the board stopped.
fn check_image(device: &Device, scratch: &Path) {
    let run = ok(device.cli(&["fs", "ls", "/flash/work"]));
    assert_eq!(run.lines(), ["data.bin", "notes.txt"]);
    let out = scratch.join("from-image.bin");
    ok(device.cli(&["fs", "get", "/flash/work/data.bin", out.to_str().unwrap()]));
    assert_eq!(std::fs::read(out).unwrap(), std::fs::read(scratch.join("upload.bin")).unwrap());
}

#[test]
fn mpremote_works_on_the_pseudo_terminal() {
    let device = Device::new();
    let served = Served::start(&device, "pty", &[]);
    assert!(served.endpoint.starts_with("/dev/"), "{}", served.endpoint);
    exercise(&served.endpoint, device.dir.path());
    served.stop();
    check_image(&device, device.dir.path());
}

#[test]
fn mpremote_works_on_a_tcp_socket() {
    let device = Device::new();
    let served = Served::start(&device, "tcp:127.0.0.1:0", &[]);
    exercise(&format!("socket://{}", served.tcp_addr()), device.dir.path());
    served.stop();
    check_image(&device, device.dir.path());
}

/// Drives `mpremote repl` on a terminal of its own (mpremote 1.29 cannot run
/// its repl over `socket://`: pyserial's socket has no file descriptor).
const REPL_DRIVER: &str = r#"
import os, pty, sys, time
mpremote, device = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(mpremote, [mpremote, 'connect', device, 'repl'])
def read_until(marker, limit=30):
    got, end = b'', time.time() + limit
    while marker not in got:
        if time.time() > end:
            raise SystemExit('no %r in %r' % (marker, got))
        try:
            got += os.read(fd, 1024)
        except OSError:
            break
    return got
read_until(b'Use Ctrl-] or Ctrl-x to exit this shell')
os.write(fd, b'\r')
read_until(b'>>> ')
os.write(fd, b'6 * 7\r')
read_until(b'42')
os.write(fd, b'\x1d')
_, status = os.waitpid(pid, 0)
print('left with', os.waitstatus_to_exitcode(status))
"#;

#[test]
fn mpremote_repl_talks_to_the_friendly_repl_and_leaves_with_ctrl_right_bracket() {
    let device = Device::new();
    let served = Served::start(&device, "pty", &[]);
    let python = python_with(MPREMOTE);
    let out = Command::new(python)
        .args(["-c", REPL_DRIVER, mpremote_bin().to_str().unwrap(), &served.endpoint])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "left with 0");
}
