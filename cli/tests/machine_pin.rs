//! `machine.Pin` as firmware 1.20.2 implements it (machpin.c): names, one
//! object per pin, modes and pulls on the electrical model, the cached output
//! value, `hold`, the argument errors, and `callback` handlers run at the
//! device time of their edge.

mod common;
use common::{Device, ok, snippet};

fn lines(snippet_source: &str) -> Vec<String> {
    snippet(&format!("from machine import Pin\n{snippet_source}"))
}

#[test]
fn pins_are_found_by_expansion_or_module_name_and_are_one_object() {
    assert_eq!(
        lines("p = Pin('G17')\nshow(lambda: p is Pin('P10'))\nshow(p.id)\nshow(Pin('G7').id)"),
        ["True", "'P10'", "'P20'"]
    );
}

#[test]
fn an_unknown_pin_is_the_firmwares_value_error() {
    assert_eq!(
        lines("show(Pin, 'P99')\nshow(Pin, 23)\nshow(Pin, 'GPIO13')\nshow(Pin)"),
        [
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "TypeError: function missing 1 required positional arguments",
        ]
    );
}

#[test]
fn the_class_constants_are_the_esp_idf_values() {
    assert_eq!(
        lines(
            "show(lambda: (Pin.IN, Pin.OUT, Pin.OPEN_DRAIN, Pin.PULL_UP, Pin.PULL_DOWN, \
             Pin.IRQ_RISING, Pin.IRQ_FALLING, Pin.IRQ_LOW_LEVEL, Pin.IRQ_HIGH_LEVEL))"
        ),
        ["(1, 2, 7, 1, 2, 1, 2, 4, 5)"]
    );
}

#[test]
fn bad_modes_pulls_and_arguments_are_refused() {
    assert_eq!(
        lines(
            "show(Pin, 'P10', mode=5)\nshow(Pin, 'P10', pull=0)\nshow(Pin, 'P10', mode='x')\n\
             show(Pin, 'P10', Pin.OUT, None, 1)\nshow(Pin, 'P10', speed=1)\nshow(Pin, 'P10', alt=256)\n\
             show(Pin, 'P10', Pin.OUT, mode=Pin.IN)"
        ),
        [
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "TypeError: can't convert str to int",
            "TypeError: extra positional arguments given",
            "TypeError: extra keyword arguments given",
            "ValueError: invalid argument(s) value",
            "TypeError: function got multiple values for argument 'mode'",
        ]
    );
}

#[test]
fn repr_shows_name_mode_pull_and_alt() {
    assert_eq!(
        lines(
            "print(repr(Pin('G17')))\nprint(Pin('P9', Pin.OUT, Pin.PULL_UP))\n\
             print(Pin('P8', mode=Pin.OPEN_DRAIN, pull=Pin.PULL_DOWN, alt=3))"
        ),
        [
            "Pin('P10', mode=Pin.IN, pull=None, alt=-1)",
            "Pin('P9', mode=Pin.OUT, pull=Pin.PULL_UP, alt=-1)",
            "Pin('P8', mode=Pin.OPEN_DRAIN, pull=Pin.PULL_DOWN, alt=3)",
        ]
    );
}

#[test]
fn an_output_reads_back_what_was_written_and_toggles_it() {
    assert_eq!(
        lines(
            "p = Pin('P9', mode=Pin.OUT)\nshow(p)\np(1)\nshow(p)\np.toggle()\nshow(p.value)\n\
             show(Pin('P9', mode=Pin.OUT, value=True))\nshow(p.value, 0)\nshow(p.value)"
        ),
        ["0", "1", "0", "1", "None", "0"]
    );
}

#[test]
fn inputs_and_open_drain_pins_read_the_line() {
    assert_eq!(
        lines(
            "show(Pin('P9', mode=Pin.IN))\nshow(Pin('P9', mode=Pin.IN, pull=Pin.PULL_UP))\n\
             p = Pin('P9', mode=Pin.OPEN_DRAIN, pull=Pin.PULL_UP)\np(1)\nshow(p)\np(0)\nshow(p)\n\
             p.pull(None)\np(1)\nshow(p)\nshow(p.pull)\np.pull(Pin.PULL_UP)\nshow(p.pull)\nshow(p.mode)"
        ),
        ["0", "1", "1", "0", "0", "None", "1", "7"]
    );
}

#[test]
fn method_argument_counts_include_self_as_micropython_counts_them() {
    assert_eq!(
        lines("p = Pin('P9')\nshow(p.value, 1, 2)\nshow(p, 1, 2)\nshow(p.toggle, 1)\nshow(p.value, v=1)"),
        [
            "TypeError: function expected at most 2 arguments, got 3",
            "TypeError: function expected at most 1 arguments, got 2",
            "TypeError: function takes 1 positional arguments but 2 were given",
            "TypeError: function doesn't take keyword arguments",
        ]
    );
}

#[test]
fn hold_works_on_rtc_pins_and_stores_the_request_even_when_it_fails() {
    assert_eq!(
        lines(
            "p = Pin('P9', mode=Pin.OUT)\np(1)\nshow(p.hold, True)\nshow(p.hold)\np(0)\n\
             show(Pin('P9', mode=Pin.IN))\nq = Pin('P0')\nshow(q.hold, True)\nshow(q.hold)"
        ),
        [
            "None",
            "True",
            "1",
            "OSError: the hold functionality is only available for GPIO pins in the RTC domain",
            "True",
        ]
    );
}

#[test]
fn a_held_output_keeps_its_level_through_a_soft_reset() {
    let device = Device::new();
    let script = "from machine import Pin\nimport machine, sys\n\
                  if machine.reset_cause() == machine.SOFT_RESET:\n    \
                  print('after reset', Pin('P9', mode=Pin.IN)())\n    sys.exit(0)\n\
                  p = Pin('P9', mode=Pin.OUT)\np(1)\np.hold(True)\nmachine.soft_reset()\n";
    let run = ok(device.run(script));
    assert_eq!(run.lines(), ["PYB: soft reboot", "after reset 1"], "the pad still drives high");
}

const BUTTON: &str = "[[device]]\nkind = \"button\"\npin = \"P11\"\npresses = [1000, 1300, 1500, 1700]\nhold_ms = 50\n";

fn with_button(device: &Device, source: &str, extra: &[&str]) -> common::Run {
    device.run_with_board_file(BUTTON, source, extra)
}

const COUNT_PRESSES: &str = "from machine import Pin
import time
presses = []
def pressed(pin):
    presses.append((pin.id(), time.ticks_ms()))
btn = Pin('P11', mode=Pin.IN, pull=Pin.PULL_UP)
";

fn press_times(stdout: &str) -> Vec<i64> {
    let line = stdout.lines().find_map(|l| l.strip_prefix("times ")).expect("script printed its times");
    line.split_whitespace().map(|t| t.parse().unwrap()).collect()
}

fn assert_near(times: &[i64], expected: &[i64]) {
    assert_eq!(times.len(), expected.len(), "{times:?}");
    for (t, e) in times.iter().zip(expected) {
        assert!((e - 2..=e + 20).contains(t), "press seen at {t} ms, scheduled at {e} ms: {times:?}");
    }
}

#[test]
fn a_callback_counts_the_button_presses_of_the_board_file_at_their_time() {
    let device = Device::new();
    let source = format!(
        "{COUNT_PRESSES}btn.callback(Pin.IRQ_FALLING, pressed)\ntime.sleep(2)\n\
         print('count', len(presses), set(p for p, _ in presses))\nprint('times', ' '.join(str(t) for _, t in presses))\n"
    );
    let run = ok(with_button(&device, &source, &[]));
    assert!(run.stdout.contains("count 4 {'P11'}"), "{}", run.stdout);
    assert_near(&press_times(&run.stdout), &[1000, 1300, 1500, 1700]);
}

#[test]
fn both_edges_and_a_custom_argument_reach_the_handler() {
    let device = Device::new();
    let source = "from machine import Pin\nimport time\nseen = []\n\
                  btn = Pin('P11', mode=Pin.IN, pull=Pin.PULL_UP)\n\
                  btn.callback(trigger=Pin.IRQ_FALLING | Pin.IRQ_RISING, handler=seen.append, arg='edge')\n\
                  time.sleep_ms(1400 - time.ticks_ms())\nbtn.callback(0)\ntime.sleep(1)\nprint(seen)\n";
    let run = ok(with_button(&device, source, &[]));
    assert_eq!(run.lines(), ["['edge', 'edge', 'edge', 'edge']"], "two presses, two edges each, then none");
}

#[test]
fn handlers_also_run_while_the_script_busy_loops() {
    let device = Device::new();
    let source = format!(
        "{COUNT_PRESSES}btn.callback(Pin.IRQ_FALLING, pressed)\nwhile len(presses) < 2:\n    pass\n\
         print('times', ' '.join(str(t) for _, t in presses))\n"
    );
    let run = ok(with_button(&device, &source, &[]));
    let times = press_times(&run.stdout);
    assert_eq!(times.len(), 2, "{}", run.stdout);
    assert!(times[0] >= 1000 && times[1] >= 1300, "{times:?}");
}

#[test]
fn irq_is_accepted_as_micropythons_name_for_callback_with_a_note() {
    let device = Device::new();
    let source = format!(
        "{COUNT_PRESSES}btn.irq(handler=pressed, trigger=Pin.IRQ_FALLING)\ntime.sleep(2)\n\
         print('times', ' '.join(str(t) for _, t in presses))\n"
    );
    let run = ok(with_button(&device, &source, &[]));
    assert_near(&press_times(&run.stdout), &[1000, 1300, 1500, 1700]);
    assert!(run.stderr.contains("only has Pin.callback()"), "{}", run.stderr);
}

#[test]
fn an_exception_in_a_handler_ends_the_interrupt_task_but_not_the_script() {
    let device = Device::new();
    let source = "from machine import Pin\nimport time\ncalls = []\n\
                  def h(pin):\n    calls.append(1)\n    raise ValueError('boom')\n\
                  Pin('P11', mode=Pin.IN, pull=Pin.PULL_UP).callback(Pin.IRQ_FALLING, h)\n\
                  time.sleep(2)\nprint('calls', len(calls))\n";
    let run = ok(with_button(&device, source, &[]));
    assert!(run.stdout.contains("Unhandled exception in callback handler"), "{}", run.stdout);
    assert!(run.stdout.contains("ValueError: boom"), "{}", run.stdout);
    assert!(run.stdout.trim_end().ends_with("calls 1"), "{}", run.stdout);
}

#[test]
fn a_level_trigger_fires_when_armed_at_that_level() {
    assert_eq!(
        lines(
            "seen = []\nPin('P9', mode=Pin.IN, pull=Pin.PULL_UP).callback(Pin.IRQ_HIGH_LEVEL, seen.append, 'high')\nprint(seen)"
        ),
        ["['high']"]
    );
}

const JUMPER: &str = "[[device]]\nkind = \"jumper\"\npins = [\"P9\", \"P23\"]\n";

#[test]
fn a_jumper_joins_two_pins_into_one_line() {
    // The rig of the firmware's tests/esp32/_pin.py and uart.py: P9 wired to P23.
    let source = "from machine import Pin
import time
p9 = Pin('P9', mode=Pin.IN)
edges = []
p9.callback(Pin.IRQ_RISING | Pin.IRQ_FALLING, lambda pin: edges.append(pin()))
p23 = Pin('P23', mode=Pin.OUT, value=1)
time.sleep_ms(1)
print(p9(), edges)
p23(0)
time.sleep_ms(1)
print(p9(), edges)
p23.mode(Pin.IN)
p9.mode(Pin.IN)
p9.pull(Pin.PULL_UP)
print(p23())
";
    let device = Device::new();
    assert_eq!(device.run_wired(JUMPER, source, &[]), ["1 [1]", "0 [1, 0]", "1"]);
}

#[test]
fn a_jumper_needs_two_different_known_pins() {
    for (pins, message) in [
        ("[\"P9\", \"P9\"]", "a jumper joins two different pins"),
        ("[\"P9\", \"P99\"]", "P99"),
        ("[\"P9\"]", "expected an array of length 2"),
    ] {
        Device::new().refuses_board_file(&format!("[[device]]\nkind = \"jumper\"\npins = {pins}\n"), message);
    }
}
