//! The command line is checked before the board powers on: arguments that are
//! not UTF-8 and exit statuses out of range are usage errors (status 2).

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::{Device, Run, fails};

/// An argument that is not UTF-8: a Latin-1 "é".
fn latin1(prefix: &str) -> std::ffi::OsString {
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(b"caf\xe9");
    OsStr::from_bytes(&bytes).to_owned()
}

fn run_os(device: &Device, args: &[&OsStr]) -> Run {
    let output = device.command(&[]).args(args).stderr(std::process::Stdio::piped()).output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

fn refused_as_not_utf8(run: Run) {
    assert!(!run.stderr.contains("panic"), "stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("internal error"), "stderr:\n{}", run.stderr);
    fails(run, 2, "UTF-8");
}

#[test]
fn a_script_path_that_is_not_utf8_is_refused_even_when_the_file_exists() {
    let device = Device::new();
    let script = device.dir.path().join(latin1("script-"));
    std::fs::write(&script, "print('ran')\n").unwrap();
    let run = run_os(&device, &[OsStr::new("run"), script.as_os_str()]);
    assert!(!run.stdout.contains("ran"), "stdout:\n{}", run.stdout);
    refused_as_not_utf8(run);
}

#[test]
fn an_expected_text_that_is_not_utf8_is_refused() {
    let device = Device::new();
    let script = device.path("script.py");
    std::fs::write(&script, "print('ran')\n").unwrap();
    let expect = latin1("");
    let run = run_os(&device, &[OsStr::new("run"), script.as_os_str(), OsStr::new("--expect-text"), &expect]);
    refused_as_not_utf8(run);
}

#[test]
fn a_timeout_exit_code_above_255_is_refused() {
    let run = Device::new().run_with("print('ran')\n", &["--timeout", "1s", "--timeout-exit-code", "256"]);
    assert!(!run.stdout.contains("ran"), "stdout:\n{}", run.stdout);
    fails(run, 2, "256");
}

#[test]
fn a_negative_timeout_exit_code_is_refused() {
    let run = Device::new().run_with("print('ran')\n", &["--timeout", "1s", "--timeout-exit-code=-1"]);
    fails(run, 2, "-1");
}

#[test]
fn a_timeout_exit_code_of_255_is_reported() {
    let run = Device::new().run_with("while True:\n    pass\n", &["--timeout", "50ms", "--timeout-exit-code", "255"]);
    assert_eq!(run.code, 255, "stderr:\n{}", run.stderr);
}
