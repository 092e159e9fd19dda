//! In `--realtime` on a terminal the LED is drawn as a coloured cell; the
//! terminal is a pseudo-terminal made by util-linux `script`.

mod common;
use std::process::Command;

use common::Device;

#[test]
fn realtime_on_a_terminal_draws_the_led_as_a_coloured_cell() {
    let device = Device::new();
    let script = device.path("rt.py");
    // The boot flash lasts 80 ms: sleep through it so the display surely draws it.
    std::fs::write(
        &script,
        "import pycom, time\ntime.sleep(0.1)\npycom.heartbeat(False)\npycom.rgbled(0x102030)\ntime.sleep(0.2)\n",
    )
    .unwrap();
    let command = format!(
        "{} run --realtime --image {} {}",
        env!("CARGO_BIN_EXE_pycom-emu"),
        device.image().display(),
        script.display()
    );
    let out = Command::new("script").args(["-qfec", &command, "/dev/null"]).output().expect("util-linux script");
    assert!(out.status.success());
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("\x1b[48;2;0;0;80m"), "heartbeat blue at boot: {screen:?}");
    assert!(screen.contains("\x1b[48;2;16;32;48m"), "the colour set by rgbled: {screen:?}");
}

#[test]
fn without_a_terminal_no_escape_codes_are_written() {
    let run = Device::new().run_with("import time\ntime.sleep(0.05)\nprint('x')", &["--realtime"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "x\n");
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
}
