//! Running the `pycom-emu` binary from tests.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Wall time after which a `pycom-emu` process started by a test is killed.
pub const HANG_LIMIT: Duration = Duration::from_secs(120);

/// A scratch device: a temporary directory holding the image and scripts.
pub struct Device {
    pub dir: tempfile::TempDir,
}

/// What a run printed and returned.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn from(output: Output) -> Self {
        Self {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }

    /// Stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

impl Device {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    pub fn image(&self) -> PathBuf {
        self.dir.path().join("device.bin")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `pycom-emu ARGS...` with this device's image in the environment and
    /// stdout piped. `PYCOM_EMU_TEST_BIN`, if set, names the binary to test
    /// instead of the one cargo built (a copy safe from other builds).
    pub fn command(&self, args: &[&str]) -> Command {
        let binary = std::env::var_os("PYCOM_EMU_TEST_BIN");
        let mut command = Command::new(binary.as_deref().unwrap_or(env!("CARGO_BIN_EXE_pycom-emu").as_ref()));
        command.args(args).env("PYCOM_EMU_IMAGE", self.image()).env_remove("PYCOM_EMU_BOARD").stdout(Stdio::piped());
        command
    }

    /// Runs `pycom-emu ARGS...` on this device. A run that hangs is killed
    /// after [`HANG_LIMIT`] so the test fails instead.
    pub fn cli(&self, args: &[&str]) -> Run {
        let child = self.command(args).stderr(Stdio::piped()).spawn().unwrap();
        let pid = child.id().to_string();
        let (finished, wait) = mpsc::channel::<()>();
        let guard = std::thread::spawn(move || {
            if wait.recv_timeout(HANG_LIMIT).is_err() {
                let _ = Command::new("kill").args(["-9", &pid]).status();
            }
        });
        let output = child.wait_with_output().unwrap();
        let _ = finished.send(());
        let _ = guard.join();
        Run::from(output)
    }

    /// Writes `source` to a script file and runs it with extra `args`.
    pub fn run_with(&self, source: &str, args: &[&str]) -> Run {
        let script = self.path("script.py");
        std::fs::write(&script, source).unwrap();
        let mut all = vec!["run", script.to_str().unwrap()];
        all.extend_from_slice(args);
        self.cli(&all)
    }

    /// Runs `source` on this device and returns what it printed.
    pub fn run(&self, source: &str) -> Run {
        self.run_with(source, &[])
    }

    /// Runs `source` with `toml` written to `name` as its board file (and
    /// `extra` arguments).
    fn run_with_named_board_file(&self, name: &str, toml: &str, source: &str, extra: &[&str]) -> Run {
        let file = self.path(name);
        std::fs::write(&file, toml).unwrap();
        let mut args = vec!["--board-file", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.run_with(source, &args)
    }

    /// Runs `source` with `toml` as its board file (and `extra` arguments).
    pub fn run_with_board_file(&self, toml: &str, source: &str, extra: &[&str]) -> Run {
        self.run_with_named_board_file("board.toml", toml, source, extra)
    }

    /// Runs `source` with `toml` as its board file (and `extra` arguments),
    /// checks that it succeeded and returns its stdout lines.
    pub fn run_wired(&self, toml: &str, source: &str, extra: &[&str]) -> Vec<String> {
        ok(self.run_with_board_file(toml, source, extra)).stdout.lines().map(str::to_owned).collect()
    }

    /// Checks that a run with the board file `text` exits 2 naming the file
    /// and saying `message`, before the image is touched.
    pub fn refuses_board_file(&self, text: &str, message: &str) {
        let run = self.run_with_named_board_file("bad.toml", text, "print(1)", &[]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(run.stderr.contains("bad.toml") && run.stderr.contains(message), "{text}: {}", run.stderr);
        assert!(!self.image().exists(), "the image was touched for {text}");
    }
}

/// The start of a MicroPython driver for a shield: the I2C bus on the
/// expansion board's pins, a scan, and `pic(command, n)` asking the
/// shield's coprocessor at address 8 for `n` bytes once it is ready.
pub const SHIELD_DRIVER: &str = "\
from machine import I2C
import struct
import time

i2c = I2C(0, pins=('P22', 'P21'))
print(i2c.scan())

def pic(data, n):
    i2c.writeto(8, bytes(data))
    while i2c.readfrom(8, 1)[0] != 0xFF:
        pass
    return i2c.readfrom(8, n + 1)[1:]
";

/// Python helper prepended to snippets: `show(f, *args)` prints the result of a
/// call, or the exception it raised as `Type: message`.
pub const SHOW: &str = r#"
def show(f, *args, **kwargs):
    try:
        print(repr(f(*args, **kwargs)))
    except Exception as e:
        print(type(e).__name__ + ": " + str(e))
"#;

/// Runs `snippet` (with `show` defined) on a fresh device and returns its stdout lines.
pub fn snippet(snippet: &str) -> Vec<String> {
    let device = Device::new();
    let run = device.run(&format!("{SHOW}\n{snippet}"));
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run.stdout.lines().map(str::to_owned).collect()
}

/// Checks that a command succeeded and hands its output on.
pub fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run
}

/// Checks that a command failed with `code` and said `message` on stderr.
pub fn fails(run: Run, code: i32, message: &str) {
    assert_eq!(run.code, code, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(message), "expected {message:?} in stderr:\n{}", run.stderr);
}

#[path = "../../../test-support/python_tools.rs"]
mod python_tools;
#[allow(unused_imports)] // each test file uses its own subset
pub use python_tools::python_with;

#[path = "../../../test-support/https_server.rs"]
mod https_server;
#[allow(unused_imports)] // each test file uses its own subset
pub use https_server::{HttpsServer, make_pki};

#[path = "../../../test-support/debian_tools.rs"]
mod debian_tools;
#[allow(unused_imports)] // each test file uses its own subset
pub use debian_tools::{require_debian_tool, require_debian_tool_answering};

/// A `pycom-emu serve` process, killed when dropped.
pub struct Served {
    child: std::process::Child,
    /// Where the UART is: a pseudo-terminal path or `tcp:HOST:PORT` (the
    /// first service printed).
    pub endpoint: String,
    /// The other services printed.
    pub others: Vec<String>,
}

impl Served {
    /// Starts `pycom-emu serve --uart UART ARGS...` on `device`'s image and
    /// waits for it to say where the UART is.
    pub fn start(device: &Device, uart: &str, args: &[&str]) -> Self {
        let mut all = vec!["--uart", uart];
        all.extend_from_slice(args);
        let (child, mut lines) = Self::spawn(device, &all, 1);
        Self { child, endpoint: lines.remove(0), others: lines }
    }

    /// Starts `pycom-emu serve ARGS...` and reads the `services` lines it
    /// prints (one per service: UART, `telnet:...`, `ftp:...`).
    pub fn services(device: &Device, args: &[&str], services: usize) -> Self {
        let (child, mut lines) = Self::spawn(device, args, services);
        Self { child, endpoint: lines.remove(0), others: lines }
    }

    fn spawn(device: &Device, args: &[&str], lines: usize) -> (std::process::Child, Vec<String>) {
        use std::io::BufRead;
        let mut child = device.command(&["serve"]).args(args).stderr(Stdio::null()).spawn().unwrap();
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut found = Vec::new();
        for _ in 0..lines {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            assert!(!line.is_empty(), "serve printed {found:?} and stopped");
            found.push(line.trim().to_owned());
        }
        (child, found)
    }

    /// The `HOST:PORT` of the service printed as `NAME:HOST:PORT`.
    pub fn service(&self, name: &str) -> String {
        std::iter::once(&self.endpoint)
            .chain(&self.others)
            .find_map(|line| line.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no {name} service"))
            .to_owned()
    }

    /// `HOST:PORT` of a TCP endpoint.
    pub fn tcp_addr(&self) -> &str {
        self.endpoint.strip_prefix("tcp:").expect("a tcp endpoint")
    }

    /// The process id of `serve`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the board (as unplugging it would).
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP client on a served UART.
pub struct UartClient {
    stream: std::net::TcpStream,
}

impl UartClient {
    /// Connects to `addr`.
    pub fn connect(addr: &str) -> Self {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        Self { stream }
    }

    /// Sends bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.stream.write_all(bytes).unwrap();
    }

    /// Sends up to `total` bytes of `a` for at most `within`, without reading;
    /// returns how many the other end took.
    pub fn flood(&mut self, total: usize, within: Duration) -> usize {
        use std::io::Write;
        self.stream.set_write_timeout(Some(Duration::from_millis(100))).unwrap();
        let (block, deadline) = (vec![b'a'; 1 << 16], std::time::Instant::now() + within);
        let mut sent = 0;
        while sent < total && std::time::Instant::now() < deadline {
            match self.stream.write(&block) {
                Ok(n) => sent += n,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("UART write failed: {e}"),
            }
        }
        sent
    }

    /// Reads until the received bytes end with `end`, for at most 20 s.
    pub fn read_until(&mut self, end: &[u8]) -> String {
        use std::io::Read;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(end) {
            assert!(
                std::time::Instant::now() < deadline,
                "no {:?} in {:?}",
                String::from_utf8_lossy(end),
                String::from_utf8_lossy(&got)
            );
            match self.stream.read(&mut byte) {
                Ok(0) => panic!("UART closed after {:?}", String::from_utf8_lossy(&got)),
                Ok(_) => got.push(byte[0]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("UART read failed: {e}"),
            }
        }
        String::from_utf8_lossy(&got).into_owned()
    }
}

/// The lines of a network server's JSON-lines log whose event is `event`.
pub fn events(log: &str, event: &str) -> Vec<serde_json::Value> {
    log.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .filter(|v| v["event"] == event)
        .collect()
}

/// A fleet in a temporary folder: its fleet file and scripts.
pub struct FleetDir {
    pub device: Device,
}

impl FleetDir {
    /// Writes `files` (name, text) into a fresh folder; `fleet.toml` among them.
    pub fn new(files: &[(&str, &str)]) -> Self {
        let device = Device::new();
        for (name, text) in files {
            std::fs::write(device.path(name), text).unwrap();
        }
        Self { device }
    }

    /// Path of `name` in the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.device.path(name)
    }

    /// The text of `name` in the folder.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// `pycom-emu fleet fleet.toml ARGS...`.
    pub fn command(&self, args: &[&str]) -> Command {
        let fleet = self.path("fleet.toml");
        let mut command = self.device.command(&["fleet", fleet.to_str().unwrap()]);
        command.args(args);
        command
    }

    /// Runs `pycom-emu fleet fleet.toml ARGS...` to its end.
    pub fn run(&self, args: &[&str]) -> Run {
        let fleet = self.path("fleet.toml");
        let mut all = vec!["fleet", fleet.to_str().unwrap()];
        all.extend_from_slice(args);
        self.device.cli(&all)
    }
}

/// Four processes that burn CPU until dropped.
pub struct Burners(Vec<std::process::Child>);

impl Burners {
    /// Starts them.
    pub fn start() -> Self {
        Self(
            (0..4)
                .map(|_| Command::new("sh").args(["-c", "while :; do :; done"]).stdout(Stdio::null()).spawn().unwrap())
                .collect(),
        )
    }
}

impl Drop for Burners {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits for `child` to end, reading its peak resident memory (KiB, the
/// kernel's `VmHWM`) meanwhile; panics if it runs longer than `limit`.
pub fn peak_rss_kib_until_exit(child: &mut std::process::Child, limit: Duration) -> u64 {
    let start = std::time::Instant::now();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        let high_water = std::fs::read_to_string(&status).ok().and_then(|text| {
            text.lines().find_map(|line| line.strip_prefix("VmHWM:")?.trim().strip_suffix(" kB")?.parse().ok())
        });
        peak = peak.max(high_water.unwrap_or(0));
        assert!(start.elapsed() < limit, "still running after {limit:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    peak
}
