//! `--trace-pins FILE.vcd` as an independent VCD reader (vcdvcd, from PyPI)
//! sees it: the header, device-driven edges at exact device times, a script's
//! pin writes, the LED colour and a DHT22 conversation.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{Device, ok, python_with};

const VCD_READER: &str = "vcdvcd==2.3.5";

/// Parses a VCD with vcdvcd and prints, as JSON, the timescale, every signal
/// name and, for the signals named on the command line, their width and every
/// `(time, value)` change in the file.
const READ_VCD: &str = r#"
import json, sys
from vcdvcd import VCDVCD
vcd = VCDVCD(sys.argv[1])
scale = vcd.timescale
out = {"timescale": "%s %s" % (scale["magnitude"], scale["unit"]), "names": vcd.signals, "signals": {}}
for name in sys.argv[2:]:
    signal = vcd["pycom." + name]
    out["signals"][name] = {"size": int(signal.size), "changes": [[t, v] for t, v in signal.tv]}
print(json.dumps(out))
"#;

/// One signal as the reader sees it.
#[derive(Debug)]
struct Signal {
    size: u64,
    /// `(time_us, value)`, including the initial values at time 0 (the file
    /// counts nanoseconds; the board's pins change at whole microseconds).
    changes: Vec<(u64, String)>,
}

impl Signal {
    /// Changes after power-on (time 0), in order.
    fn after_power_on(&self) -> Vec<(u64, &str)> {
        self.changes.iter().filter(|(t, _)| *t > 0).map(|(t, v)| (*t, v.as_str())).collect()
    }

    /// The value at time 0, once the initial dump is applied.
    fn at_power_on(&self) -> &str {
        &self.changes.iter().rfind(|(t, _)| *t == 0).expect("a value at time 0").1
    }

    /// The last value in the file.
    fn last(&self) -> &str {
        &self.changes.last().expect("at least the initial value").1
    }
}

/// What the reader says about a trace.
struct Trace {
    timescale: String,
    names: Vec<String>,
    signals: BTreeMap<String, Signal>,
}

impl Trace {
    fn signal(&self, name: &str) -> &Signal {
        &self.signals[name]
    }
}

/// Reads `path` with vcdvcd, returning the changes of `signals`.
fn read_vcd(path: &Path, signals: &[&str]) -> Trace {
    let python = python_with(VCD_READER);
    let out = Command::new(python).arg("-c").arg(READ_VCD).arg(path).args(signals).output().unwrap();
    assert!(out.status.success(), "vcdvcd failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let signals = json["signals"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, s)| {
            let changes = s["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let ns = c[0].as_u64().unwrap();
                    assert_eq!(ns % 1000, 0, "{name} changes at {ns} ns, inside a microsecond");
                    (ns / 1000, c[1].as_str().unwrap().to_owned())
                })
                .collect();
            (name.clone(), Signal { size: s["size"].as_u64().unwrap(), changes })
        })
        .collect();
    Trace {
        timescale: json["timescale"].as_str().unwrap().to_owned(),
        names: json["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect(),
        signals,
    }
}

/// Runs `script` with `board_file` (the TOML text, if any), tracing the
/// pins, and reads the trace back.
fn traced_run(device: &Device, script: &str, board_file: Option<&str>, signals: &[&str]) -> Trace {
    let vcd = device.path("pins.vcd");
    let mut args = vec!["--trace-pins".to_owned(), vcd.to_str().unwrap().to_owned()];
    if let Some(toml) = board_file {
        let file = device.path("board.toml");
        std::fs::write(&file, toml).unwrap();
        args.extend(["--board-file".to_owned(), file.to_str().unwrap().to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(device.run_with(script, &args));
    read_vcd(&vcd, signals)
}

/// Device time the script's actions may be off by: the few µs its calls cost.
const SLACK_US: u64 = 20;

fn assert_about(actual: u64, expected: u64, what: &str) {
    assert!(actual.abs_diff(expected) <= SLACK_US, "{what}: {actual} µs, expected {expected} µs ± {SLACK_US}");
}

/// The waveform of the board files below: 500 µs high, 250 µs low, three times.
fn waveform(pin: &str, pull: Option<&str>) -> String {
    let pull = pull.map(|p| format!("pull = \"{p}\"\n")).unwrap_or_default();
    format!(
        "[[device]]\nkind = \"waveform\"\npin = \"{pin}\"\nstart_ms = 10\nlevels = [[1, 500], [0, 250]]\nrepeat = 3\n{pull}"
    )
}

/// The edges a 10 ms start, 3 × (1 for 500 µs, 0 for 250 µs) gives, release excluded.
const PLAYED: [(u64, &str); 6] =
    [(10_000, "1"), (10_500, "0"), (10_750, "1"), (11_250, "0"), (11_500, "1"), (12_000, "0")];

#[test]
fn the_trace_has_one_wire_per_module_pin_and_the_led_in_nanoseconds() {
    let device = Device::new();
    let trace = traced_run(&device, "pass\n", None, &["P0", "rgb_led", "led_on"]);
    assert_eq!(trace.timescale, "1 ns");
    let mut expected: Vec<String> = (0..24).map(|i| format!("pycom.P{i}")).collect();
    expected.extend(["pycom.rgb_led".into(), "pycom.led_on".into()]);
    assert_eq!(trace.names, expected);
    assert_eq!(trace.signal("P0").size, 1);
    assert_eq!(trace.signal("rgb_led").size, 24);
    assert_eq!(trace.signal("led_on").size, 1);
}

#[test]
fn boot_pulls_module_pins_down_but_leaves_the_uart_led_antenna_and_last_pin_floating() {
    let device = Device::new();
    let pins: Vec<String> = (0..24).map(|i| format!("P{i}")).collect();
    let names: Vec<&str> = pins.iter().map(String::as_str).collect();
    let trace = traced_run(&device, "pass\n", None, &names);
    for pin in names {
        let expected = if matches!(pin, "P1" | "P2" | "P12" | "P23") { "z" } else { "0" };
        assert_eq!(trace.signal(pin).at_power_on(), expected, "{pin} at power-on");
    }
}

#[test]
fn a_waveform_plays_at_exact_device_times_then_releases_the_line() {
    // P9 is pulled down from boot, so the release leaves it at 0; P23 is not,
    // so after the last level it floats.
    let device = Device::new();
    let board = format!("{}\n{}", waveform("P9", None), waveform("P23", None));
    let trace = traced_run(&device, "import time\ntime.sleep_ms(50)\n", Some(&board), &["P9", "P23"]);

    let p9 = trace.signal("P9");
    assert_eq!(p9.at_power_on(), "0");
    assert_eq!(p9.after_power_on(), PLAYED);
    assert_eq!(p9.last(), "0");

    let p23 = trace.signal("P23");
    assert_eq!(p23.at_power_on(), "z");
    let mut released = PLAYED.to_vec();
    released.push((12_250, "z"));
    assert_eq!(p23.after_power_on(), released);
}

#[test]
fn a_waveform_with_a_pull_down_ends_low() {
    let device = Device::new();
    let trace = traced_run(&device, "import time\ntime.sleep_ms(50)\n", Some(&waveform("P23", Some("down"))), &["P23"]);
    let p23 = trace.signal("P23");
    assert_eq!(p23.at_power_on(), "0", "the resistor holds the idle line low");
    assert_eq!(p23.after_power_on(), PLAYED, "the release at 12250 µs changes nothing");
    assert_eq!(p23.last(), "0");
}

#[test]
fn a_script_toggling_an_output_shows_its_values_spaced_by_its_sleeps() {
    let device = Device::new();
    let script = "\
import time
from machine import Pin
p = Pin('P9', mode=Pin.OUT)
p(1)
time.sleep_ms(50)
p.value(0)
time.sleep_ms(120)
p.toggle()
time.sleep_ms(30)
p(0)
";
    let trace = traced_run(&device, script, None, &["P9"]);
    let changes = trace.signal("P9").after_power_on();
    let values: Vec<&str> = changes.iter().map(|(_, v)| *v).collect();
    assert_eq!(values, ["1", "0", "1", "0"]);
    let times: Vec<u64> = changes.iter().map(|(t, _)| *t).collect();
    assert_about(times[1] - times[0], 50_000, "high for the first sleep");
    assert_about(times[2] - times[1], 120_000, "low for the second");
    assert_about(times[3] - times[2], 30_000, "high again for the third");
}

#[test]
fn an_rgbled_colour_shows_in_rgb_led_and_led_on() {
    let device = Device::new();
    let script = "\
import pycom, time
pycom.heartbeat(False)
time.sleep_ms(100)
pycom.rgbled(0x00ff00)
time.sleep_ms(250)
pycom.rgbled(0x000000)
";
    let trace = traced_run(&device, script, None, &["rgb_led", "led_on"]);
    let colours: Vec<(u64, u32)> =
        trace.signal("rgb_led").changes.iter().map(|(t, bits)| (*t, u32::from_str_radix(bits, 2).unwrap())).collect();
    let green = colours.iter().find(|(_, rgb)| *rgb == 0x00ff00).expect("the green is traced").0;
    assert!(green >= 100_000, "set after the 100 ms sleep: {green}");
    let after: Vec<(u64, u32)> = colours.iter().copied().filter(|(t, _)| *t >= green).collect();
    assert_eq!(after.len(), 2, "set, then cleared: {after:?}");
    assert_eq!(after[1].1, 0);
    assert_about(after[1].0 - green, 250_000, "green for the 250 ms sleep");

    let lit = trace.signal("led_on");
    let lit_after: Vec<(u64, &str)> = lit.after_power_on().into_iter().filter(|(t, _)| *t >= green).collect();
    assert_eq!(lit_after, [(green, "1"), (after[1].0, "0")], "led_on follows the colour");
    assert_eq!(lit.last(), "0");
}

#[test]
fn a_dht22_read_shows_the_start_pulse_and_the_sensors_84_edges() {
    // The pycom documentation's example; G7 is P20.
    let device = Device::new();
    let board = "[[device]]\nkind = \"dht22\"\npin = \"G7\"\ntemperature = 21.5\nhumidity = 48.0\n";
    let script = "\
from machine import Pin
from pycom import pulses_get
from time import sleep_ms
pin = Pin('G7', mode=Pin.OPEN_DRAIN)
pin(0)
sleep_ms(20)
pin(1)
data = pulses_get(pin, 100)
";
    let trace = traced_run(&device, script, Some(board), &["P20"]);
    let p20 = trace.signal("P20");
    assert_eq!(p20.at_power_on(), "1", "the breakout's pull-up");
    let changes = p20.after_power_on();
    let released = changes.iter().position(|(_, v)| *v == "1").expect("the host lets go");
    let (start, release) = (changes[released - 1], changes[released]);
    assert_eq!(start.1, "0");
    assert_about(release.0 - start.0, 20_000, "the start pulse lasts the 20 ms sleep");

    let answer: Vec<(u64, &str)> =
        changes[released + 1..].iter().copied().filter(|(t, _)| *t <= release.0 + 6_000).collect();
    assert_eq!(answer.len(), 84, "preamble (3), 40 bits (80) and the final release: {answer:?}");
    assert_eq!(answer[0], (release.0 + 30, "0"), "the sensor answers 30 µs after the release");
    assert_eq!(answer[83].1, "1", "and lets the line go high at the end");
    assert_eq!(changes.len(), released + 1 + 84, "nothing after the answer");
}
