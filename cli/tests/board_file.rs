//! `--board-file`: what a board file may say (P- and G-names, schedules,
//! presses as numbers or tables) and how a bad one is refused before the
//! board boots.

mod common;

use std::path::PathBuf;

use common::{Device, fails, ok};

/// Writes `toml` as the device's board file and returns its path.
fn board_file(device: &Device, name: &str, toml: &str) -> PathBuf {
    let path = device.path(name);
    std::fs::write(&path, toml).unwrap();
    path
}

/// Runs `script` with the board file `toml` and returns its stdout lines.
fn run_wired(device: &Device, toml: &str, script: &str, extra: &[&str]) -> Vec<String> {
    device.run_wired(toml, script, extra)
}

/// `read_dht(name)`: starts a conversation as the pycom documentation does,
/// decodes the pulses (a high of 18-28 µs is a 0, 65-75 µs a 1, MSB first)
/// and prints `temperature humidity checksum-verdict`.
const READ_DHT: &str = "\
import time
from machine import Pin
from pycom import pulses_get

def read_dht(name):
    pin = Pin(name, mode=Pin.OPEN_DRAIN)
    pin(0)
    time.sleep_ms(20)
    pin(1)
    pulses = pulses_get(pin, 100)
    bits = [1 if d >= 65 else 0 for level, d in pulses if level == 1 and (18 <= d <= 28 or 65 <= d <= 75)]
    if len(bits) != 40:
        print('bits:', len(bits), pulses)
        return
    b = [0] * 5
    for i, bit in enumerate(bits):
        b[i // 8] = b[i // 8] << 1 | bit
    checksum = 'ok' if (b[0] + b[1] + b[2] + b[3]) & 0xff == b[4] else 'bad-checksum'
    humidity = (b[0] << 8 | b[1]) / 10
    temperature = ((b[2] & 0x7f) << 8 | b[3]) / 10
    if b[2] & 0x80:
        temperature = -temperature
    print(temperature, humidity, checksum)
";

const DHT22_ON_P10: &str = "[[device]]\nkind = \"dht22\"\npin = \"P10\"\ntemperature = 21.5\nhumidity = 48.0\n";

#[test]
fn a_bad_board_file_fails_naming_the_file_and_leaves_the_image_untouched() {
    let device = Device::new();
    ok(device.run("print('booted')\n"));
    let image_before = std::fs::read(device.image()).unwrap();

    let dht =
        |extra: &str| format!("[[device]]\nkind = \"dht22\"\npin = \"P10\"\ntemperature = 20\nhumidity = 50\n{extra}");
    let cases: [(&str, Option<String>, &str); 14] = [
        ("missing", None, "No such file"),
        ("invalid TOML", Some("[[device]\nkind = \"dht22\"\n".into()), "TOML parse error"),
        (
            "unknown kind",
            Some("[[device]]\nkind = \"lm35\"\npin = \"P10\"\n".into()),
            "unknown variant `lm35`, expected one of `dht11`, `dht22`, `button`, `ds18b20`, `waveform`, `i2c`, `spi_loopback`, `pysense`, `pytrack`, `pyscan`, `uart`, `analog`",
        ),
        ("unknown DHT field", Some(dht("colour = \"red\"\n")), "unknown field `colour`"),
        (
            "unknown button field",
            Some("[[device]]\nkind = \"button\"\npin = \"P11\"\npresses = [100]\ndebounce_ms = 5\n".into()),
            "unknown field `debounce_ms`",
        ),
        (
            "unknown waveform field",
            Some("[[device]]\nkind = \"waveform\"\npin = \"P9\"\nlevels = [[1, 5]]\nspeed = 2\n".into()),
            "unknown field `speed`",
        ),
        ("unknown top-level key", Some(format!("wires = 3\n{}", dht(""))), "unknown field `wires`"),
        ("no P99 on a LoPy4", Some(dht("").replace("P10", "P99")), "device on \"P99\": this board has no such pin"),
        ("P98 only on a GPy", Some(dht("").replace("P10", "P98")), "device on \"P98\": this board has no such pin"),
        (
            "unknown press field",
            Some("[[device]]\nkind = \"button\"\npin = \"P11\"\npresses = [{ at_ms = 400, hold = 30 }]\n".into()),
            "a press: ms since power-on, or { at_ms = ..., hold_ms = ... }",
        ),
        (
            "a schedule of nothing",
            Some("[[device]]\nkind = \"dht22\"\npin = \"P10\"\ntemperature = []\nhumidity = 50\n".into()),
            "device on \"P10\": a schedule needs at least one step",
        ),
        (
            "a schedule step without a value",
            Some(dht("").replace("temperature = 20", "temperature = [{ at_ms = 0 }]")),
            "a number, or steps [{ at_ms = ..., value = ... }, ...]",
        ),
        (
            "a waveform of no length played again and again",
            Some("[[device]]\nkind = \"waveform\"\npin = \"P9\"\nlevels = [[1, 0]]\nrepeat = 4000000000\n".into()),
            "device on \"P9\": a repeated waveform must last some time",
        ),
        (
            "a level of 2",
            Some("[[device]]\nkind = \"waveform\"\npin = \"P9\"\nlevels = [[1, 500], [2, 500]]\n".into()),
            "device on \"P9\": waveform levels must be 0 or 1, not 2",
        ),
    ];
    for (case, toml, message) in cases {
        let file = match toml {
            Some(toml) => board_file(&device, "bad.toml", &toml),
            None => device.path("missing.toml"),
        };
        let run = device.run_with("print('booted')\n", &["--board-file", file.to_str().unwrap()]);
        assert!(!run.stdout.contains("booted"), "{case}: the script must not run:\n{}", run.stdout);
        let named = format!("board file {}", file.display());
        assert!(run.stderr.contains(&named), "{case}: expected {named:?} in stderr:\n{}", run.stderr);
        fails(run, 2, message);
        assert!(std::fs::read(device.image()).unwrap() == image_before, "{case}: the image changed");
    }
}

#[test]
fn a_bad_board_file_creates_no_image() {
    let device = Device::new();
    let file =
        board_file(&device, "bad.toml", "[[device]]\nkind = \"dht22\"\npin = \"P99\"\ntemperature = 1\nhumidity = 1\n");
    fails(device.run_with("print('booted')\n", &["--board-file", file.to_str().unwrap()]), 2, "no such pin");
    assert!(!device.image().exists(), "the image is only created once the board file is good");
}

#[test]
fn a_gpy_has_a_p98_for_a_device() {
    let device = Device::new();
    let lines = run_wired(&device, &DHT22_ON_P10.replace("P10", "P98"), "print('wired')\n", &["--board", "gpy"]);
    assert_eq!(lines, ["wired"]);
}

#[test]
fn a_g_name_and_a_p_name_wire_the_same_pin() {
    for (wired_to, read_as) in [("G17", "P10"), ("P10", "G17")] {
        let device = Device::new();
        let lines = run_wired(
            &device,
            &DHT22_ON_P10.replace("P10", wired_to),
            &format!("{READ_DHT}read_dht('{read_as}')\n"),
            &[],
        );
        assert_eq!(lines, ["21.5 48.0 ok"], "wired to {wired_to}, read as {read_as}");
    }
}

#[test]
fn a_temperature_schedule_changes_the_reading_at_its_step() {
    let device = Device::new();
    let toml = "\
[[device]]
kind = \"dht22\"
pin = \"P10\"
temperature = [{ at_ms = 0, value = 21.5 }, { at_ms = 5000, value = -7.5 }]
humidity = 48.0
";
    let script = format!("{READ_DHT}read_dht('P10')\ntime.sleep_ms(6000 - time.ticks_ms())\nread_dht('P10')\n");
    let lines = run_wired(&device, toml, &script, &[]);
    assert_eq!(lines, ["21.5 48.0 ok", "-7.5 48.0 ok"], "before and after the step at 5 s");
}

#[test]
fn button_presses_as_numbers_and_tables_pull_the_pin_low_while_held() {
    // Held 300-380 ms, 450.5-530.5 ms (the default hold of 80 ms) and 700-730 ms.
    let device = Device::new();
    let toml = "\
[[device]]
kind = \"button\"
pin = \"P11\"
presses = [300, 450.5, { at_ms = 700, hold_ms = 30 }]
hold_ms = 80
";
    let script = "\
import time
from machine import Pin
button = Pin('P11', mode=Pin.IN, pull=Pin.PULL_UP)
for at in (250, 340, 420, 490, 600, 715, 755):
    time.sleep_ms(at - time.ticks_ms())
    print(at, button.value())
";
    let lines = run_wired(&device, toml, script, &[]);
    assert_eq!(lines, ["250 1", "340 0", "420 1", "490 0", "600 1", "715 0", "755 1"]);
}
