//! `machine.ADC` as firmware 1.20.2 implements it (pybadc.c): ADC 1's
//! channels on P13..P20 reading a board file's analog sources with the
//! ESP32's range per attenuation, and the firmware's errors.

mod common;
use common::{Device, SHOW};

const SOURCES: &str = "[[device]]\nkind = \"analog\"\npin = \"P13\"\nvolts = 0.55\n\n\
                       [[device]]\nkind = \"analog\"\npin = \"P14\"\n\
                       volts = [{ at_ms = 0, value = 0.5 }, { at_ms = 1000, value = 2.0 }]\n";

fn run_wired(board_file: &str, source: &str) -> Vec<String> {
    Device::new().run_wired(
        board_file,
        &format!("{SHOW}\nimport machine, time\nfrom machine import ADC\n{source}"),
        &[],
    )
}

#[test]
fn a_constant_source_reads_as_the_esp32_converts_it_at_0_db() {
    let lines = run_wired(
        SOURCES,
        "adc = ADC()\nc = adc.channel(pin='P13')\nprint(c, c.value(), c(), c.voltage(), c.value_to_voltage(4095))\n\
         adc.init(bits=9)\nprint(adc, c.value())",
    );
    // 0 dB spans 0..1.1 V: 0.55 V is half of 4095 (12 bits), of 511 (9 bits).
    assert_eq!(lines, ["ADCChannel(0, pin=P13, attn=0) 2048 2048 550 1100", "ADC(0, bits=9) 256"]);
}

#[test]
fn a_stepped_source_changes_reading_at_its_device_time_with_11_db() {
    let lines = run_wired(
        SOURCES,
        "c = ADC().channel(1, attn=ADC.ATTN_11DB)\nprint(c.value(), c.voltage())\ntime.sleep(1)\n\
         print(c.value(), c.voltage())",
    );
    // 11 dB spans 0..3.9 V.
    assert_eq!(lines, ["525 500", "2100 2000"]);
}

#[test]
fn an_unconnected_pin_reads_its_logic_level() {
    let lines = run_wired(
        SOURCES,
        "c = ADC().channel(pin='P16', attn=ADC.ATTN_11DB)\nprint(c.value())\n\
         machine.Pin('P16', machine.Pin.IN, machine.Pin.PULL_UP)\nprint(c.value())",
    );
    assert_eq!(lines, ["0", "3465"]);
}

#[test]
fn adc_errors_are_the_firmwares() {
    let lines = run_wired(
        SOURCES,
        "show(ADC, 1)\nshow(ADC, bits=13)\nadc = ADC()\nshow(adc.channel, 8)\nshow(adc.channel, pin='P10')\n\
         show(adc.channel, 0, pin='P14')\nshow(adc.channel, 0, attn=4)\nshow(adc.vref_to_pin, 'P10')\n\
         print(adc.vref(), adc.vref(1000), adc.vref())\nc = adc.channel(0)\nc.deinit()\nprint(c)\nshow(c.value)\n\
         adc.deinit()\nprint(adc)\nshow(adc.channel, 0)\nprint(ADC.ATTN_0DB, ADC.ATTN_2_5DB, ADC.ATTN_6DB, ADC.ATTN_11DB)",
    );
    assert_eq!(
        lines,
        [
            "OSError: resource not available",
            "ValueError: invalid argument(s) value",
            "ValueError: resource not available",
            "OSError: resource not available",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: only pins P6, P21 and P22 are able to output VREF",
            "1100 None 1000",
            "ADCChannel(0)",
            "OSError: the requested operation is not possible",
            "ADC(0)",
            "OSError: the requested operation is not possible",
            "0 1 2 3",
        ]
    );
}

#[test]
fn a_bad_analog_source_exits_2_naming_the_board_file() {
    for (text, message) in [
        ("[[device]]\nkind = \"analog\"\npin = \"P13\"\n", "one of volts or sine"),
        ("[[device]]\nkind = \"analog\"\npin = \"P99\"\nvolts = 1\n", "no such pin"),
        ("[[device]]\nkind = \"analog\"\npin = \"P13\"\nvolts = []\n", "at least one step"),
    ] {
        Device::new().refuses_board_file(text, message);
    }
}
