//! `--timeout` is a hard limit: a script stuck in one long native operation
//! (which the device-time timeout cannot interrupt between bytecodes) is ended
//! by the process a grace period after the timeout fired.

mod common;

use std::time::{Duration, Instant};

use common::{Device, fails};

/// Device time before the timeout fires. The native operation never touches
/// the board, so once the watcher sees the virtual clock stand for its stall
/// time, host time counts as device time: the timeout finds the script inside
/// the operation about 1.3 s of wall time in.
const TIMEOUT: &str = "1s";

/// Wall time a run stuck in native code may take in all: the timeout, the 2 s
/// grace, plus start-up.
const HARD_LIMIT: Duration = Duration::from_secs(7);

const STUCK: &str = "x = 7**(10**8)\nprint('finished')\n";

#[test]
fn a_native_computation_past_the_timeout_ends_the_process_with_the_timeout_status() {
    let started = Instant::now();
    let run = Device::new().run_with(STUCK, &["--timeout", TIMEOUT]);
    assert!(started.elapsed() < HARD_LIMIT, "took {:?}", started.elapsed());
    assert!(!run.stdout.contains("finished"), "stdout:\n{}", run.stdout);
    fails(run, 42, "[pycom-emu] the script did not stop within 2 s of the timeout; ending the process");
}

#[test]
fn the_backstop_uses_the_timeout_exit_code() {
    let started = Instant::now();
    let run = Device::new().run_with(STUCK, &["--timeout", TIMEOUT, "--timeout-exit-code", "7"]);
    assert!(started.elapsed() < HARD_LIMIT, "took {:?}", started.elapsed());
    fails(run, 7, "did not stop within 2 s of the timeout");
}

#[test]
fn a_script_that_stops_in_time_is_not_reported_as_stuck() {
    let run = Device::new().run_with("while True:\n    pass\n", &["--timeout", "100ms"]);
    assert_eq!(run.code, 42, "stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("did not stop"), "stderr:\n{}", run.stderr);
}
