//! `machine.deepsleep`, `machine.sleep` and their wake-up sources as firmware
//! 1.20.2 implements them (modmachine.c, mpsleep): deep sleep powers the
//! board down and boots it with `DEEPSLEEP_RESET`, the RTC and flash kept;
//! a wake-up pin cuts a sleep short.

mod common;
use common::{Device, ok};

/// Boots counted in NVS; each boot prints what it sees and sleeps 10 minutes,
/// six times.
const SLEEP_LOOP: &str = "import machine, pycom, time
try:
    boots = pycom.nvs_get('boots')
except Exception:
    boots = 0
pycom.nvs_set('boots', boots + 1)
print('boot', boots, machine.reset_cause(), machine.wake_reason(), time.time(), machine.remaining_sleep_time())
if boots < 6:
    machine.deepsleep(10 * 60 * 1000)
";

#[test]
fn six_ten_minute_deep_sleeps_end_in_six_deepsleep_resets_at_the_right_device_times() {
    let device = Device::new();
    let run = ok(device.run(SLEEP_LOOP));
    let expected: Vec<String> = (0..=6)
        .map(|n| match n {
            0 => "boot 0 0 (0, None) 0 0".to_owned(),
            n => format!("boot {n} 3 (2, None) {} 0", n * 600),
        })
        .collect();
    assert_eq!(run.lines(), expected, "PWRON first, then DEEPSLEEP_RESET with RTC_WAKE every 600 s");
}

#[test]
fn max_resets_ends_a_deep_sleep_loop() {
    let device = Device::new();
    let run = device.run_with(SLEEP_LOOP, &["--max-resets", "2"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.lines().len(), 3);
    assert!(run.stderr.contains("stopped after 2 resets (--max-resets)"), "{}", run.stderr);
}

#[test]
fn a_timeout_ends_a_deep_sleep_at_its_device_time() {
    let device = Device::new();
    let run = device.run_with(SLEEP_LOOP, &["--timeout", "25m"]);
    assert_eq!(run.code, 42, "{}", run.stderr);
    assert_eq!(run.lines().len(), 3, "boots at 0, 10 and 20 minutes: {}", run.stdout);
    assert!(run.stderr.contains("timeout after 1500000 ms of device time"), "{}", run.stderr);
}

#[test]
fn deep_sleep_keeps_the_rtc_time_and_memory_and_loses_ram() {
    let device = Device::new();
    let source = "import machine, time
rtc = machine.RTC()
if machine.reset_cause() == machine.DEEPSLEEP_RESET:
    print(rtc.now()[:6], rtc.memory(), 'ram' in globals())
else:
    rtc.init((2021, 3, 4, 5, 6, 7))
    rtc.memory(b'kept')
    ram = 1
    machine.deepsleep(90 * 1000)
";
    let run = ok(device.run_with(source, &["--max-resets", "1"]));
    assert_eq!(run.lines(), ["(2021, 3, 4, 5, 7, 37) b'kept' False"]);
}

#[test]
fn any_other_reset_starts_the_rtc_again_at_1970() {
    let device = Device::new();
    let source = "import machine, time
print(machine.reset_cause(), time.time() < 5)
if machine.reset_cause() == machine.PWRON_RESET:
    machine.RTC().init((2021, 3, 4))
    machine.reset()
";
    let run = ok(device.run(source));
    assert_eq!(run.lines(), ["0 True", "1 True"]);
}

const WAKE_BUTTON: &str =
    "[[device]]\nkind = \"button\"\npin = \"P13\"\npresses = [{ at_ms = 100000, hold_ms = 500 }]\nactive_level = 1\n";

fn with_wake_button(device: &Device, source: &str, extra: &[&str]) -> common::Run {
    device.run_with_board_file(WAKE_BUTTON, source, extra)
}

#[test]
fn a_button_press_on_a_wake_pin_cuts_a_deep_sleep_short_with_pin_wake() {
    let device = Device::new();
    let source = "import machine, time
if machine.reset_cause() == machine.DEEPSLEEP_RESET:
    reason, pins = machine.wake_reason()
    print(reason == machine.PIN_WAKE, [p.id() for p in pins], time.time(), machine.remaining_sleep_time() // 1000)
else:
    machine.pin_sleep_wakeup(['P13'], machine.WAKEUP_ANY_HIGH, True)
    machine.deepsleep(10 * 60 * 1000)
";
    let run = ok(with_wake_button(&device, source, &[]));
    assert_eq!(run.lines(), ["True ['P13'] 100 500"], "woken at the press, 100 s in, with 500 s of sleep left");
}

#[test]
fn deep_sleep_without_a_timer_sleeps_until_a_wake_pin_or_for_ever() {
    let device = Device::new();
    let until_pin = "import machine, time
if machine.reset_cause() == machine.DEEPSLEEP_RESET:
    print(machine.wake_reason()[0], time.time())
else:
    machine.pin_sleep_wakeup(['P13'], machine.WAKEUP_ANY_HIGH)
    machine.deepsleep()
";
    assert_eq!(ok(with_wake_button(&device, until_pin, &[])).lines(), ["1 100"]);
    let forever = "import machine\nprint('sleeping')\nmachine.deepsleep()\nprint('never')\n";
    let run = ok(device.run(forever));
    assert_eq!(run.lines(), ["sleeping"]);
    assert!(run.stderr.contains("no timer and no wake-up pin"), "{}", run.stderr);
    let run = device.run_with(forever, &["--timeout", "1h"]);
    assert_eq!(run.code, 42, "the timeout's status: {}", run.stderr);
}

#[test]
fn the_heartbeat_is_off_for_the_whole_deep_sleep() {
    let device = Device::new();
    let trace = device.path("led.csv");
    let source = "import machine\nif machine.reset_cause() != machine.DEEPSLEEP_RESET:\n    machine.deepsleep(60000)\n";
    ok(device.run_with(source, &["--trace-led", trace.to_str().unwrap(), "--max-resets", "1"]));
    let csv = std::fs::read_to_string(&trace).unwrap();
    let changes: Vec<(u64, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().parse().unwrap(), f.nth(1).unwrap().to_owned())
        })
        .collect();
    let asleep = changes.iter().rposition(|(t, _)| *t < 60_000_000).unwrap();
    assert_eq!(changes[asleep].1, "#000000", "dark when it went to sleep: {csv}");
    let woke = &changes[asleep + 1];
    assert!(woke.0 >= 60_000_000 && woke.1 != "#000000", "the heartbeat is back after the wake: {csv}");
}

#[test]
fn the_boot_watchdog_does_not_run_during_deep_sleep() {
    let device = Device::new();
    let source = "import machine, pycom
if machine.reset_cause() == machine.PWRON_RESET:
    pycom.wdt_on_boot_timeout(5000)
    pycom.wdt_on_boot(True)
    machine.reset()
print(machine.reset_cause())
if machine.reset_cause() == machine.HARD_RESET:
    machine.deepsleep(60000)
";
    let run = ok(device.run_with(source, &["--max-resets", "2"]));
    assert_eq!(run.lines(), ["1", "3"], "the sleep outlasts the 5 s watchdog and wakes as DEEPSLEEP_RESET");
}

#[test]
fn light_sleep_keeps_ram_returns_after_its_time_and_reports_a_pin_wake() {
    let device = Device::new();
    let source = "import machine, time
ram = 'kept'
machine.sleep(30000)
print(ram, time.time(), machine.reset_cause())
machine.pin_sleep_wakeup(['P13'], machine.WAKEUP_ANY_HIGH)
machine.sleep(1000000, False)
print(time.time())
";
    let run = ok(with_wake_button(&device, source, &[]));
    assert_eq!(run.lines(), ["kept 30 0", "100"]);
}

#[test]
fn bad_wake_up_pins_and_modes_get_the_firmwares_errors() {
    let device = Device::new();
    let source = format!(
        "{}import machine\nshow(machine.pin_sleep_wakeup, ['P13'], 2)\n\
         show(machine.pin_sleep_wakeup, ['P12'], machine.WAKEUP_ALL_LOW)\n\
         show(machine.pin_sleep_wakeup, ['P13'])\nshow(machine.pin_sleep_wakeup, ['P99'], 1)\n\
         show(machine.pin_sleep_wakeup, ['P13', 'P14'], machine.WAKEUP_ALL_LOW)\nshow(machine.deepsleep, 1, 2)\n",
        common::SHOW
    );
    let run = ok(device.run(&source));
    assert_eq!(
        run.lines(),
        [
            "ValueError: invalid wakeup mode 2",
            "ValueError: deepsleep wake up is not supported on the selected pin(s)",
            "TypeError: 'mode' argument required",
            "ValueError: invalid argument(s) value",
            "None",
            "TypeError: function expected at most 1 arguments, got 2",
        ]
    );
}

/// A button to ground on P13 at 30 s, with no resistor of its own: the chip's
/// pull-up is what holds the line high.
const GROUNDING_BUTTON: &str =
    "[[device]]\nkind = \"button\"\npin = \"P13\"\npresses = [{ at_ms = 30000, hold_ms = 500 }]\n";

/// Sleeps for a minute with P13 pulled up and waking on low, `enable_pull`
/// as given; the boot after prints its wake reason and time.
fn all_low_wake(enable_pull: &str) -> String {
    format!(
        "import machine, time
from machine import Pin
if machine.reset_cause() == machine.DEEPSLEEP_RESET:
    print(machine.wake_reason()[0], time.time())
else:
    Pin('P13', mode=Pin.IN, pull=Pin.PULL_UP)
    machine.pin_sleep_wakeup(['P13'], machine.WAKEUP_ALL_LOW, {enable_pull})
    machine.deepsleep(60000)
"
    )
}

#[test]
fn enable_pull_keeps_a_wake_pins_pull_up_through_deep_sleep() {
    let device = Device::new();
    let run = ok(device.run_with_board_file(GROUNDING_BUTTON, &all_low_wake("True"), &[]));
    assert_eq!(run.lines(), ["1 30"], "PIN_WAKE at the press");
    let device = Device::new();
    let run = device.run_with_board_file(GROUNDING_BUTTON, &all_low_wake("enable_pull=True"), &["--timeout", "20s"]);
    assert_eq!((run.code, run.lines()), (42, Vec::<&str>::new()), "still asleep at the 20 s timeout");
}

#[test]
fn without_enable_pull_a_wake_pin_floats_in_deep_sleep_and_an_all_low_wake_comes_at_once() {
    for enable_pull in ["False", "enable_pull=False"] {
        let device = Device::new();
        let run = ok(device.run_with_board_file(GROUNDING_BUTTON, &all_low_wake(enable_pull), &[]));
        assert_eq!(run.lines(), ["1 0"], "the pad's pull-up is off with the RTC peripherals: it reads 0");
    }
}
