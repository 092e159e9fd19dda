//! `pycom.pulses_get` against virtual sensors and waveforms
//! (spec/firmware-behaviour.md section 4, case 47): the documentation's DHT
//! example decodes to the board file's readings, and the RMT receiver's
//! limits (128 tuples, 15-bit durations, 65.5 ms idle, timeouts) show as on
//! the board.

mod common;
use common::{Device, Run, ok, snippet};

/// The example of the `pycom` documentation, unchanged.
const DOC_EXAMPLE: &str = "# get the raw data from a DHT11/DHT22/AM2302 sensor
from machine import Pin
from pycom import pulses_get
from time import sleep_ms

pin = Pin(\"G7\", mode=Pin.OPEN_DRAIN)
pin(0)
sleep_ms(20)
pin(1)
data = pulses_get(pin, 100)
";

/// Decoders as the DHT datasheets describe the frame, in MicroPython.
const DECODERS: &str = "
def to_bytes(bits):
    if len(bits) != 40:
        raise ValueError('%d bits' % len(bits))
    b = [0] * 5
    for i, bit in enumerate(bits):
        b[i // 8] = (b[i // 8] << 1) | bit
    if (b[0] + b[1] + b[2] + b[3]) & 0xFF != b[4]:
        raise ValueError('checksum')
    return b

def by_length(pulses):
    # Every high of 26-28 us is a 0, of 70 us a 1.
    bits = []
    for level, us in pulses:
        if level == 1 and 18 <= us <= 28:
            bits.append(0)
        elif level == 1 and 65 <= us <= 75:
            bits.append(1)
    return to_bytes(bits)

def by_position(pulses):
    # Response 80 us low, 80 us high, then 40 x (50 us low, high), then 50 us low.
    assert pulses[0][0] == 0 and 75 <= pulses[0][1] <= 85, pulses[:2]
    assert pulses[1][0] == 1 and 75 <= pulses[1][1] <= 85, pulses[:2]
    bits = []
    for i in range(40):
        low, high = pulses[2 + 2 * i], pulses[3 + 2 * i]
        assert low[0] == 0 and 48 <= low[1] <= 55, low
        assert high[0] == 1, high
        bits.append(1 if high[1] > 50 else 0)
    assert pulses[82][0] == 0 and 48 <= pulses[82][1] <= 55, pulses[82:]
    return to_bytes(bits)

def dht22(b):
    t = ((b[2] & 0x7F) << 8 | b[3]) / 10
    return (-t if b[2] & 0x80 else t), (b[0] << 8 | b[1]) / 10

def dht11(b):
    return b[2], b[0]
";

fn board_file(device: &Device, toml: &str) -> String {
    let path = device.path("board.toml");
    std::fs::write(&path, toml).unwrap();
    path.to_str().unwrap().to_owned()
}

fn run_with_board(device: &Device, toml: &str, source: &str) -> Run {
    let board = board_file(device, toml);
    device.run_with(source, &["--board-file", &board])
}

fn dht(kind: &str, pin: &str, temperature: &str, humidity: &str) -> String {
    format!("[[device]]\nkind = \"{kind}\"\npin = \"{pin}\"\ntemperature = {temperature}\nhumidity = {humidity}\n")
}

#[test]
fn the_documented_dht_example_reads_a_dht22_at_21_5_c_and_48_percent() {
    let device = Device::new();
    let source = format!(
        "{DOC_EXAMPLE}{DECODERS}\nprint(len(data), data[-1])\nprint(dht22(by_length(data)))\nprint(dht22(by_position(data)))\n"
    );
    let run = ok(run_with_board(&device, &dht("dht22", "G7", "21.5", "48.0"), &source));
    assert_eq!(run.lines(), ["84 (1, 0)", "(21.5, 48.0)", "(21.5, 48.0)"]);
}

#[test]
fn the_documented_dht_example_reads_a_dht11() {
    let device = Device::new();
    let source = format!("{DOC_EXAMPLE}{DECODERS}\nprint(dht11(by_length(data)))\nprint(dht11(by_position(data)))\n");
    let run = ok(run_with_board(&device, &dht("dht11", "P20", "23", "40"), &source));
    assert_eq!(run.lines(), ["(23, 40)", "(23, 40)"]);
}

#[test]
fn negative_temperatures_and_schedules_decode() {
    let device = Device::new();
    let toml = dht("dht22", "P10", "[{ at_ms = 0, value = -10.1 }, { at_ms = 5000, value = 30.2 }]", "65.2");
    let source = format!(
        "from machine import Pin\nfrom pycom import pulses_get\nimport time\n{DECODERS}\n\
         def read():\n    pin = Pin('P10', mode=Pin.OPEN_DRAIN)\n    pin(0)\n    time.sleep_ms(2)\n    pin(1)\n    \
         return dht22(by_length(pulses_get(pin, 100)))\n\
         print(read())\ntime.sleep(6)\nprint(read())\n"
    );
    let run = ok(run_with_board(&device, &toml, &source));
    assert_eq!(run.lines(), ["(-10.1, 65.2)", "(30.2, 65.2)"]);
}

#[test]
fn a_hundred_reads_in_a_row_all_decode() {
    let device = Device::new();
    let source = format!(
        "from machine import Pin\nfrom pycom import pulses_get\nimport time\n{DECODERS}\nok = 0\n\
         for i in range(100):\n    pin = Pin('G7', mode=Pin.OPEN_DRAIN)\n    pin(0)\n    time.sleep_ms(20)\n    \
         pin(1)\n    if dht22(by_position(pulses_get(pin, 100))) == (21.5, 48.0):\n        ok += 1\n    \
         time.sleep(2)\nprint(ok)\n"
    );
    let run = ok(run_with_board(&device, &dht("dht22", "G7", "21.5", "48.0"), &source));
    assert_eq!(run.lines(), ["100"], "device time between statements does not depend on the host's load");
}

#[test]
fn pulses_get_lets_the_pin_go_until_it_is_configured_again() {
    // rmt_set_pin switches the pin to input: a second start pulse without
    // pin.init() never reaches the sensor.
    let device = Device::new();
    let source = "from machine import Pin\nfrom pycom import pulses_get\nfrom time import sleep_ms\n\
                  pin = Pin('G7', mode=Pin.OPEN_DRAIN)\n\
                  def start():\n    pin(0)\n    sleep_ms(20)\n    pin(1)\n    return len(pulses_get(pin, 100))\n\
                  print(start())\nsleep_ms(2000)\nprint(start(), pin.mode())\nsleep_ms(2000)\n\
                  pin.init(Pin.OPEN_DRAIN)\nprint(start())\n";
    let run = ok(run_with_board(&device, &dht("dht22", "G7", "21.5", "48.0"), source));
    assert_eq!(run.lines(), ["84", "0 7", "84"]);
}

#[test]
fn a_start_pulse_too_short_for_a_dht11_gets_no_answer() {
    let device = Device::new();
    let source = "from machine import Pin\nfrom pycom import pulses_get\nfrom time import sleep_ms\n\
                  pin = Pin('P10', mode=Pin.OPEN_DRAIN)\npin(0)\nsleep_ms(10)\npin(1)\nprint(pulses_get(pin, 100))\n";
    let run = ok(run_with_board(&device, &dht("dht11", "P10", "20", "50"), source));
    assert_eq!(run.lines(), ["[]"]);
}

#[test]
fn case_47_bad_pins_are_value_errors_and_an_idle_pin_gives_an_empty_list() {
    assert_eq!(
        snippet(
            "from machine import Pin\nfrom pycom import pulses_get\nshow(pulses_get, 'P99', 100)\n\
             show(pulses_get, 13, 100)\nshow(pulses_get, Pin('P10', mode=Pin.IN), 10)\nshow(pulses_get, 'P10')"
        ),
        [
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "[]",
            "TypeError: function takes 2 positional arguments but 1 were given",
        ]
    );
}

#[test]
fn a_timeout_without_edges_returns_an_empty_list_after_the_timeout() {
    assert_eq!(
        snippet(
            "import pycom, time\nt = time.ticks_ms()\nshow(pycom.pulses_get, 'P10', 250)\n\
             print(250 <= time.ticks_diff(time.ticks_ms(), t) < 300)\nshow(pycom.pulses_get, 'P10', 0)"
        ),
        ["[]", "True", "[]"]
    );
}

fn waveform(pin: &str, levels: &str, extra: &str) -> String {
    format!("[[device]]\nkind = \"waveform\"\npin = \"{pin}\"\nstart_ms = 300\nlevels = {levels}\n{extra}")
}

/// Moves to 250 ms after boot, before the waveform starts at 300 ms.
const AT_250_MS: &str = "import pycom, time\ntime.sleep_ms(250 - time.ticks_ms())\n";

/// Captures P10 from 250 ms on.
fn capture(then: &str) -> String {
    format!("{AT_250_MS}data = pycom.pulses_get('P10', 1000)\n{then}")
}

#[test]
fn a_pin_given_by_name_captures_a_waveform_from_its_first_edge() {
    let device = Device::new();
    let toml = waveform("P10", "[[1, 300], [0, 120], [1, 45], [0, 1000]]", "pull = \"up\"\n");
    let run = ok(run_with_board(&device, &toml, &capture("print(data)\n")));
    // The line rests high (pull-up), so the first edge is the fall at 300.3 ms:
    // the high before it is not recorded. Released after the last level, the
    // line goes back high: three pulses, then the idle marker.
    assert_eq!(run.lines(), ["[(0, 120), (1, 45), (0, 1000), (1, 0)]"]);
}

#[test]
fn more_than_128_levels_fill_the_receivers_memory_at_128_tuples() {
    let device = Device::new();
    let levels = format!("[{}]", vec!["[1, 20], [0, 20]"; 100].join(", "));
    let run = ok(run_with_board(&device, &waveform("P10", &levels, ""), &capture("print(len(data), data[-1])\n")));
    assert_eq!(run.lines(), ["128 (0, 20)"], "64 items, no end marker");
}

#[test]
fn a_pulse_longer_than_32767_us_wraps_its_15_bit_duration() {
    let device = Device::new();
    let toml = waveform("P10", "[[1, 40000], [0, 100], [1, 32767], [0, 10]]", "");
    let run = ok(run_with_board(&device, &toml, &capture("print(data)\n")));
    // P10 is pulled down since boot, so the last low runs into the idle level.
    assert_eq!(run.lines(), ["[(1, 7232), (0, 100), (1, 32767), (0, 0)]"], "40000 us reads as 40000 - 32768");
}

#[test]
fn a_frame_must_end_65_5_ms_after_its_last_edge_within_the_timeout() {
    // Edges every ms from 300 to 499 ms: the frame ends at 564.5 ms. Called at
    // about 250 ms, a 250 ms timeout passes first although pulses came; with
    // 400 ms the call returns when the frame ends, long before its timeout.
    let levels = format!("[{}]", vec!["[1, 1000], [0, 1000]"; 100].join(", "));
    let toml = waveform("P10", &levels, "");
    for (timeout, pulses, returns) in [(250, "0", 5000..=5600), (400, "128", 5645..=6000)] {
        let device = Device::new();
        let source = format!(
            "{AT_250_MS}data = pycom.pulses_get('P10', {timeout})\nt = time.ticks_us()\nprint(len(data))\nprint(t // 100)\n"
        );
        let run = ok(run_with_board(&device, &toml, &source));
        assert_eq!(run.lines()[0], pulses, "timeout {timeout} ms");
        let tenths: u32 = run.lines()[1].parse().unwrap();
        assert!(returns.contains(&tenths), "timeout {timeout} ms returned at {tenths} x 0.1 ms");
    }
}

#[test]
fn the_dht22_example_reads_its_board_files_schedule() {
    let device = Device::new();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let run = ok(device.cli(&[
        "run",
        examples.join("dht22.py").to_str().unwrap(),
        "--board-file",
        examples.join("dht22.toml").to_str().unwrap(),
    ]));
    assert_eq!(run.lines(), ["0 min: 21.5 C, 48.0 %RH", "1 min: 23.0 C, 48.0 %RH", "2 min: 23.0 C, 48.0 %RH"]);
}
