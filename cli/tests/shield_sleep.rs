//! The shields' coprocessor as the module's power switch, driven by a
//! MicroPython driver written from Pycom's coprocessor protocol: the sleep
//! time (0x20, seconds), sleep (0x21) and nap (0x23; option 8 powers the
//! module off) cut the module's power until the time has passed, the
//! shield's button is pressed or an interrupt line the script enabled gives
//! its edge; the module then boots with `PWRON_RESET` and the PIC's memory
//! at 0x064C says why (1 accelerometer, 2 button, 4 timer, 8 INT pin) and
//! how many seconds were left. Calibration (0x22) is a wave on SCL that
//! `pycom.pulses_get` times.

mod common;

use common::{Device, ok};

/// The driver: the coprocessor's commands and its memory. At power-on its
/// wake reason reads 0; after a power cycle the script says why it woke.
const DRIVER: &str = "\
from machine import I2C, Pin
import machine, pycom, time
i2c = I2C(0, pins=('P22', 'P21'))

def pic(data, n=0):
    i2c.writeto(8, bytes(data))
    while i2c.readfrom(8, 1)[0] != 0xFF:
        pass
    return i2c.readfrom(8, n + 1)[1:]

def peek(address):
    return pic([0x00, address & 0xFF, address >> 8], 1)[0]

def set_bits(address, bits):
    pic([0x02, address & 0xFF, address >> 8, 0xFF, bits, 0x00], 1)

def setup_sleep(seconds):
    pic([0x20, seconds & 0xFF, seconds >> 8 & 0xFF, seconds >> 16])

reason = peek(0x064C)
if reason:
    left = peek(0x064D) | peek(0x064E) << 8 | peek(0x064F) << 16
    print('woke', reason, left, machine.reset_cause() == machine.PWRON_RESET,
          machine.wake_reason()[0] == machine.PWRON_WAKE, time.time())
    raise SystemExit
";

/// Boots, then sleeps `seconds` with `command` after `setup`.
fn sleeping(setup: &str, seconds: u32, command: &str) -> String {
    format!(
        "{DRIVER}print('power on', machine.reset_cause() == machine.PWRON_RESET)\n{setup}\nsetup_sleep({seconds})\n\
         i2c.writeto(8, bytes({command}))\nprint('still on')\n"
    )
}

fn pysense(extra: &str) -> String {
    format!("[[device]]\nkind = \"pysense\"\n{extra}")
}

/// The LED's changes in a `--trace-led` CSV: (device time in µs, colour).
fn led_changes(csv: &str) -> Vec<(u64, String)> {
    csv.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[0].parse().unwrap(), fields[2].to_owned())
        })
        .collect()
}

#[test]
fn sleep_powers_the_module_off_for_exactly_its_seconds_and_it_boots_with_pwron_reset() {
    let device = Device::new();
    let trace = device.path("led.csv");
    let script = sleeping("pycom.heartbeat(False)\npycom.rgbled(0x000800)", 10, "[0x21]");
    let run = ok(device.run_with_board_file(&pysense(""), &script, &["--trace-led", trace.to_str().unwrap()]));
    assert_eq!(run.lines(), ["power on True", "woke 4 0 True True 0"], "the timer woke it; the RTC started again");
    let changes = led_changes(&std::fs::read_to_string(&trace).unwrap());
    let off = changes.iter().rposition(|(_, colour)| colour == "#000800").unwrap() + 1;
    assert_eq!(changes[off].1, "#000000", "dark while the module is off: {changes:?}");
    assert_eq!(changes[off + 1].0 - changes[off].0, 10_000_000, "the heartbeat is back 10 s later: {changes:?}");
}

#[test]
fn the_shields_button_cuts_the_sleep_short_and_the_seconds_left_are_kept() {
    let board =
        pysense("button = [{ at_ms = 0, value = 0 }, { at_ms = 4500, value = 1 }, { at_ms = 4800, value = 0 }]\n");
    let run = ok(Device::new().run_with_board_file(&board, &sleeping("", 300, "[0x21]"), &[]));
    assert_eq!(run.lines(), ["power on True", "woke 2 296 True True 0"], "pressed 4.5 s into a 300 s sleep");
}

/// A board file with the accelerometer's interrupt (INT1, the module's P13)
/// going high at 3 s.
fn accelerometer_activity(version: u8) -> String {
    pysense(&format!(
        "version = {version}\n[[device]]\nkind = \"button\"\npin = \"P13\"\nactive_level = 1\n\
         presses = [{{ at_ms = 3000, hold_ms = 500 }}]\n"
    ))
}

#[test]
fn the_accelerometers_interrupt_wakes_the_module_only_when_enabled() {
    // As `setup_int_wake_up(True, False)`: interrupt-on-change on RA5's rising edge.
    let enabled = sleeping("set_bits(0x391, 1 << 5)", 60, "[0x21]");
    let run = ok(Device::new().run_with_board_file(&accelerometer_activity(1), &enabled, &[]));
    assert_eq!(run.lines(), ["power on True", "woke 1 58 True True 0"], "2.99 s into the sleep");
    let run = ok(Device::new().run_with_board_file(&accelerometer_activity(1), &sleeping("", 60, "[0x21]"), &[]));
    assert_eq!(run.lines(), ["power on True", "woke 4 0 True True 0"], "not enabled: the timer wakes it");
}

#[test]
fn the_int_pin_wakes_the_module_on_the_edge_option_reg_chooses() {
    // As `setup_int_pin_wake_up(False)`: INTE set, INTEDG clear: RC1 (P9) falling.
    let board = pysense(
        "[[device]]\nkind = \"button\"\npin = \"P9\"\npull = \"up\"\npresses = [{ at_ms = 2000, hold_ms = 1000 }]\n",
    );
    let falling = sleeping("set_bits(0x0B, 1 << 4)", 60, "[0x21]");
    let run = ok(Device::new().run_with_board_file(&board, &falling, &[]));
    assert_eq!(run.lines(), ["power on True", "woke 8 59 True True 0"]);
    let rising = sleeping("set_bits(0x0B, 1 << 4)\nset_bits(0x95, 1 << 6)", 60, "[0x21]");
    let run = ok(Device::new().run_with_board_file(&board, &rising, &[]));
    assert_eq!(run.lines(), ["power on True", "woke 8 58 True True 0"], "released at 3 s");
}

#[test]
fn a_nap_powers_the_module_off_only_with_fipy_off() {
    let run = ok(Device::new().run_with_board_file(&pysense(""), &sleeping("", 5, "[0x23, 0x08 | 0x03]"), &[]));
    assert_eq!(run.lines(), ["power on True", "woke 4 0 True True 0"]);
    let run = ok(Device::new().run_with_board_file(&pysense(""), &sleeping("", 5, "[0x23, 0x07]"), &[]));
    assert_eq!(run.lines(), ["power on True", "still on"], "sensors off, the module on");
}

#[test]
fn with_nothing_to_wake_it_the_run_ends_and_a_timeout_or_max_resets_bound_it() {
    let device = Device::new();
    let run = ok(device.run_with_board_file(&pysense(""), &sleeping("", 0, "[0x21]"), &[]));
    assert_eq!(run.lines(), ["power on True"]);
    assert!(run.stderr.contains("no timer and no wake-up pin"), "{}", run.stderr);
    let run = device.run_with_board_file(&pysense(""), &sleeping("", 3600, "[0x21]"), &["--timeout", "30m"]);
    assert_eq!(run.code, 42, "{}", run.stderr);
    assert!(run.stderr.contains("timeout after 1800000 ms of device time"), "{}", run.stderr);
    let forever = format!("{DRIVER}print('on')\nsetup_sleep(10)\ni2c.writeto(8, bytes([0x21]))\n")
        .replace("if reason:", "if False:");
    let run = device.run_with_board_file(&pysense(""), &forever, &["--max-resets", "2"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.lines(), ["on", "on", "on"]);
}

#[test]
fn calibration_is_a_wave_on_scl_of_the_nominal_period_and_the_bus_works_again() {
    let script = format!(
        "{DRIVER}i2c.writeto(8, bytes([0x22]))
i2c.deinit()
Pin('P21', mode=Pin.IN)
pulses = pycom.pulses_get('P21', 100)
i2c.init(pins=('P22', 'P21'))
print(pulses)
print(round(7000 / pulses[0][1] * 1000 / 1024, 3))
print(hex(pic([0x12], 2)[0]))
"
    );
    let run = ok(Device::new().run_with_board_file(&pysense(""), &script, &[]));
    assert_eq!(run.lines(), ["[(0, 6835), (1, 6835), (0, 6835), (1, 0)]", "1.0", "0x12"]);
}
