//! A timeout or watchdog that falls due while the board is still starting
//! its interpreter is handled as one that falls due later.

mod common;
use common::Device;

#[test]
fn a_timeout_during_start_up_ends_the_run_with_the_timeout_status() {
    let run = Device::new().run_with("while True:\n    pass\n", &["--timeout", "1ms"]);
    assert_eq!(run.code, 42, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("timeout after 1 ms of device time"), "stderr:\n{}", run.stderr);
}

#[test]
fn a_watchdog_that_survives_a_soft_reset_resets_the_next_boot() {
    let script = "\
import machine
cause = machine.reset_cause()
if cause == machine.WDT_RESET:
    print('watchdog reset')
elif cause == machine.SOFT_RESET:
    while True:
        pass
else:
    machine.WDT(timeout=1)
    machine.soft_reset()
";
    let run = Device::new().run_with(script, &["--max-resets", "5"]);
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("watchdog reset"), "stdout:\n{}", run.stdout);
}
