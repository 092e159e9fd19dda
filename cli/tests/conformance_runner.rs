//! `scripts/mpy-conformance` runs a MicroPython-style test folder through
//! `pycom-emu run` and scores it: on the fixture folder `conformance/basics`
//! (a test matching its .exp file, one importing a helper from its own folder
//! and reading a data file from the working directory, one the board prints
//! differently from the reference, one the board skips, one whose .exp file
//! the reference does not match, one named for the viper emitter), with
//! CPython as the reference interpreter.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the conformance script on the fixture tree with `args`; returns its
/// stdout after checking that it succeeded.
fn conformance(args: &[&str]) -> String {
    let output = conformance_output(args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

fn conformance_output(args: &[&str]) -> std::process::Output {
    Command::new(workspace().join("scripts/mpy-conformance"))
        .arg(workspace().join("cli/tests/conformance"))
        .args(["--emulator", env!("CARGO_BIN_EXE_pycom-emu"), "-j", "2"])
        .args(args)
        .output()
        .expect("scripts/mpy-conformance runs (python3 on PATH)")
}

/// The words of the line starting with `first`.
fn row<'a>(stdout: &'a str, first: &str) -> Vec<&'a str> {
    let line = stdout.lines().find(|l| l.split_whitespace().next() == Some(first));
    line.unwrap_or_else(|| panic!("no {first} row in:\n{stdout}")).split_whitespace().collect()
}

#[test]
fn with_a_reference_each_counted_test_passes_fails_or_is_skipped() {
    let stdout = conformance(&["--folders", "basics", "--reference", "python3", "--list-failures"]);
    // tests, excluded, counted, pass, fail, skip, pass%
    assert_eq!(row(&stdout, "basics"), ["basics", "6", "1", "4", "2", "1", "1", "50.0%"], "{stdout}");
    assert!(stdout.contains("passed 2 of 4 counted tests: 50.0% (66.7% not counting the 1 skipped)"), "{stdout}");
    assert!(stdout.contains("excluded 1: viper emitter (the board has none)"), "{stdout}");
}

#[test]
fn the_failure_list_names_the_first_differing_line() {
    let stdout = conformance(&["--folders", "basics", "--reference", "python3", "--list-failures"]);
    assert!(stdout.contains("basics/implementation.py: line 1: expected 'cpython', got 'micropython'"), "{stdout}");
    assert!(stdout.contains("basics/board_skips.py: printed SKIP"), "{stdout}");
    assert!(!stdout.contains("folder_semantics.py:"), "the helper import and data file work:\n{stdout}");
    assert!(!stdout.contains("viper_excluded"), "{stdout}");
}

#[test]
fn without_a_reference_the_tests_with_an_exp_file_count() {
    let stdout = conformance(&["--folders", "basics"]);
    assert_eq!(row(&stdout, "basics"), ["basics", "6", "1", "2", "2", "0", "0", "100.0%"], "{stdout}");
}

#[test]
fn a_missing_folder_is_an_error() {
    let output = conformance_output(&["--folders", "nosuchfolder"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no folder nosuchfolder in"), "{stderr}");
}
