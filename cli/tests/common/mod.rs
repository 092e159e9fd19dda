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

    /// `pycom-emu ARGS...` with this device's image in the environment. A run
    /// that hangs is killed after [`HANG_LIMIT`] so the test fails instead.
    pub fn cli(&self, args: &[&str]) -> Run {
        let child = Command::new(env!("CARGO_BIN_EXE_pycom-emu"))
            .args(args)
            .env("PYCOM_EMU_IMAGE", self.image())
            .env_remove("PYCOM_EMU_BOARD")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
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
}

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
