//! The firmware faithfulness cases of the LED and heartbeat
//! (spec/firmware-behaviour.md section 11, cases 1-9, 49, 51), run as real
//! Python snippets through the binary on a fresh device.

mod common;
use common::{Device, SHOW, snippet};

#[test]
fn case_01_heartbeat_is_on_after_boot() {
    assert_eq!(snippet("import pycom\nshow(pycom.heartbeat)"), ["True"]);
}

#[test]
fn case_02_rgbled_set_and_get_are_refused_while_the_heartbeat_runs() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.rgbled, 0xFF0000)\nshow(pycom.rgbled)"),
        ["OSError: the requested operation is not possible", "OSError: the requested operation is not possible"]
    );
}

#[test]
fn case_03_rgbled_works_after_heartbeat_off() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.heartbeat, False)\nshow(pycom.rgbled, 0x123456)\nshow(pycom.rgbled)"),
        ["None", "None", "1193046"]
    );
}

#[test]
fn case_04_colours_are_masked_to_24_bits() {
    assert_eq!(
        snippet(
            "import pycom\npycom.heartbeat(False)\npycom.rgbled(-1)\nshow(pycom.rgbled)\n\
             pycom.rgbled(0x1FF0000)\nshow(pycom.rgbled)"
        ),
        ["16777215", "16711680"]
    );
}

#[test]
fn case_05_colour_beyond_the_machine_word_overflows() {
    assert_eq!(
        snippet("import pycom\npycom.heartbeat(False)\nshow(pycom.rgbled, 0xFFFFFFFF)"),
        ["OverflowError: overflow converting long int to machine word"]
    );
}

#[test]
fn case_06_float_colour_is_a_type_error() {
    assert_eq!(
        snippet("import pycom\npycom.heartbeat(False)\nshow(pycom.rgbled, 1.5)\nshow(pycom.rgbled, 'red')"),
        ["TypeError: can't convert float to int", "TypeError: can't convert str to int"]
    );
}

#[test]
fn case_07_heartbeat_off_always_blanks_the_led() {
    assert_eq!(
        snippet(
            "import pycom\npycom.heartbeat(False)\npycom.rgbled(0x00FF00)\npycom.heartbeat(False)\nshow(pycom.rgbled)"
        ),
        ["0"]
    );
}

#[test]
fn case_08_heartbeat_back_on_takes_the_led_again() {
    assert_eq!(
        snippet(
            "import pycom\npycom.heartbeat(False)\nshow(pycom.heartbeat, True)\nshow(pycom.heartbeat)\n\
             show(pycom.rgbled)\nshow(pycom.heartbeat, 1)\nshow(pycom.heartbeat, [])\nshow(pycom.heartbeat)"
        ),
        ["None", "True", "OSError: the requested operation is not possible", "None", "None", "False"]
    );
}

#[test]
fn case_09_heartbeat_on_boot_applies_at_the_next_boot_only() {
    let device = Device::new();
    let first = device.run(&format!(
        "{SHOW}\nimport pycom\nshow(pycom.heartbeat_on_boot, False)\nshow(pycom.heartbeat_on_boot)\nshow(pycom.heartbeat)"
    ));
    assert_eq!(first.lines(), ["None", "False", "True"], "{}", first.stderr);
    // Power cycle: a new process on the same image.
    let second = device.run("import pycom\nprint(pycom.heartbeat_on_boot(), pycom.heartbeat())");
    assert_eq!(second.lines(), ["False False"]);
    let restored = device.run("import pycom\npycom.heartbeat_on_boot(True)\nprint(pycom.heartbeat())");
    assert_eq!(restored.lines(), ["False"]);
    assert_eq!(device.run("import pycom\nprint(pycom.heartbeat())").lines(), ["True"]);
}

#[test]
fn case_09_heartbeat_on_boot_is_reapplied_at_soft_reset() {
    let device = Device::new();
    let run = device.run(
        "import pycom, machine\n\
         if machine.reset_cause() == machine.SOFT_RESET:\n    print('after', pycom.heartbeat())\n\
         else:\n    pycom.heartbeat(False)\n    print('before', pycom.heartbeat())\n    machine.soft_reset()\n",
    );
    assert_eq!(run.lines(), ["before False", "PYB: soft reboot", "after True"], "{}", run.stderr);
}

#[test]
fn case_09_heartbeat_on_boot_is_bit_0_of_config_byte_152() {
    let device = Device::new();
    device.run("import pycom\npycom.heartbeat_on_boot(False)");
    let image = std::fs::read(device.image()).unwrap();
    let config = &image[0x3FF000..0x3FF000 + 1024];
    assert_eq!(config[152], 0xFE);
    // The first boot also stored wdt_on_boot=False (512) and Wi-Fi mode AP with
    // WPA2 (0xBB at 53), as the firmware does.
    assert_eq!((config[53], config[512]), (0xBB, 0x00));
    assert!(config.iter().enumerate().all(|(i, b)| [53, 152, 512].contains(&i) || *b == 0xFF));
}

#[test]
fn case_49_bootmgr_constants() {
    assert_eq!(
        snippet("import pycom\nprint((pycom.FACTORY, pycom.OTA_0, pycom.FAT, pycom.LittleFS))"),
        ["(0, 1, 0, 1)"]
    );
}

#[test]
fn case_51_argument_errors_use_micropython_texts() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.heartbeat, 1, 2)\nshow(pycom.heartbeat, enable=True)\n\
             show(pycom.heartbeat_on_boot, 1, 2)\nimport time\nshow(time.sleep_ms)"
        ),
        [
            "TypeError: function expected at most 1 arguments, got 2",
            "TypeError: function doesn't take keyword arguments",
            "TypeError: function expected at most 1 arguments, got 2",
            "TypeError: function takes 1 positional arguments but 0 were given",
        ]
    );
}
