//! `machine.PWM`, `machine.DAC` and `machine.Touch` as firmware 1.20.2
//! implements them (machpwm.c, pybdac.c, machtouch.c): PWM as a square wave on
//! its pin and a DAC as a voltage, both seen in the `--trace-pins` VCD, and
//! the firmware's errors.

mod common;
use std::collections::HashMap;

use common::{Device, SHOW, ok};
use vcd::{Command, IdCode, Parser};

/// Every change of the VCD variable `name`, as (time in µs, value text); the
/// file counts nanoseconds.
fn changes(vcd_text: &str, name: &str) -> Vec<(u64, String)> {
    let mut ids: HashMap<IdCode, String> = HashMap::new();
    let (mut now, mut out) = (0, Vec::new());
    for command in Parser::new(vcd_text.as_bytes()) {
        match command.unwrap() {
            Command::VarDef(_, _, id, reference, _) => drop(ids.insert(id, reference)),
            Command::Timestamp(t) => now = t / 1000,
            Command::ChangeScalar(id, value) if ids.get(&id).is_some_and(|r| r == name) => {
                out.push((now, value.to_string()))
            }
            Command::ChangeReal(id, value) if ids.get(&id).is_some_and(|r| r == name) => {
                out.push((now, format!("{value:.3}")))
            }
            _ => {}
        }
    }
    out
}

/// Runs `source` with a pin trace; returns the output lines and the VCD.
fn traced(source: &str) -> (Vec<String>, String) {
    let device = Device::new();
    let vcd = device.path("trace.vcd");
    let run = ok(device.run_with(&format!("{SHOW}\n{source}"), &["--trace-pins", vcd.to_str().unwrap()]));
    (run.stdout.lines().map(str::to_owned).collect(), std::fs::read_to_string(vcd).unwrap())
}

#[test]
fn a_pwm_channel_is_a_square_wave_of_its_frequency_and_duty_in_the_trace() {
    let (_, vcd) = traced(
        "from machine import PWM\nimport time\npwm = PWM(0, frequency=1000)\n\
         c = pwm.channel(0, pin='P12', duty_cycle=0.25)\ntime.sleep_ms(5)\nc.duty_cycle(1.0)\ntime.sleep_ms(5)",
    );
    let p12 = changes(&vcd, "P12");
    let edges: Vec<&(u64, String)> = p12.iter().skip_while(|(_, v)| v != "1").collect();
    assert!(edges.len() >= 10, "{p12:?}");
    let start = edges[0].0;
    let relative: Vec<(u64, &str)> = edges[..10].iter().map(|(t, v)| (t - start, v.as_str())).collect();
    // 1 kHz, 25 % of 2**13 - 1 steps high: 250 us high, 750 us low.
    assert_eq!(
        relative,
        [
            (0, "1"),
            (250, "0"),
            (1000, "1"),
            (1250, "0"),
            (2000, "1"),
            (2250, "0"),
            (3000, "1"),
            (3250, "0"),
            (4000, "1"),
            (4250, "0")
        ]
    );
    assert_eq!(p12.last().unwrap().1, "1", "a full duty cycle holds the pin high");
}

#[test]
fn a_dac_write_is_a_voltage_in_the_trace() {
    let (_, vcd) = traced(
        "from machine import DAC\nimport time\nd = DAC('P22')\nd.write(0.5)\ntime.sleep_ms(1)\nd.write(2)\n\
         time.sleep_ms(1)\nd.deinit()",
    );
    let volts: Vec<String> = changes(&vcd, "P22_volts").into_iter().map(|(_, v)| v).collect();
    // 8-bit steps of the 3.3 V supply: 0.5 is 127/255; values above 1 clamp.
    assert_eq!(volts, ["0.000", "1.644", "3.300", "0.000"]);
}

#[test]
fn pwm_dac_and_touch_errors_are_the_firmwares() {
    let (lines, _) = traced(
        "from machine import PWM, DAC, Touch\nshow(PWM, 4, frequency=5000)\nshow(PWM, 0, frequency=78001)\n\
         pwm = PWM(0, 5000)\nprint(pwm, pwm.channel(7, pin='P12'))\nshow(pwm.channel, 8, pin='P12')\n\
         show(DAC)\nshow(DAC, 'P10')\nd = DAC('P21')\nprint(d)\nshow(d.tone, 124, 0)\nshow(d.tone, 125, 4)\n\
         show(d.tone, 1)\nshow(Touch, 'P11')
print(Touch('P10'))\nt = Touch('P2')\nprint(t.read(), t.init_value(), t.init_value(900), t.init_value())",
    );
    assert_eq!(
        lines,
        [
            "OSError: resource not available",
            "ValueError: invalid frequency 78001",
            "<PWM> <channel>",
            "OSError: resource not available",
            "OSError: resource not available",
            "OSError: resource not available",
            "DAC()",
            "ValueError: tone frequency out of range",
            "ValueError: tone scale out of range",
            "TypeError: 'scale' argument required",
            "ValueError: invalid pin for touchpad",
            "<TouchPad>",
            "1000 1000 None 900",
        ]
    );
}
