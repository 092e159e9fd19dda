//! Boot settings (spec/firmware-behaviour.md sections 3, 5, 6, 8, 9; cases
//! 25-38, 46, 48, 50): config-block functions, bootmgr, safe boot and the
//! watchdog, run as Python snippets through the binary.

mod common;
use common::{Device, SHOW, snippet};

fn on(board: &str, source: &str) -> Vec<String> {
    let device = Device::new();
    let run = device.run_with(&format!("{SHOW}\n{source}"), &["--board", board]);
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn case_25_a_fresh_board_clears_wdt_on_boot_at_its_first_boot() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.wdt_on_boot_timeout)\nshow(pycom.wdt_on_boot)"),
        ["4294967295", "False"]
    );
}

#[test]
fn cases_26_27_the_watchdog_timeout_must_be_at_least_5_seconds() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.wdt_on_boot_timeout, 4999)\nshow(pycom.wdt_on_boot_timeout, 5000)\n\
             show(pycom.wdt_on_boot_timeout)\nshow(pycom.wdt_on_boot_timeout, -1)\nshow(pycom.wdt_on_boot_timeout)\n\
             show(pycom.wdt_on_boot_timeout, 2**31)"
        ),
        [
            "ValueError: WDT on boot timeout must be >= 5000 ms",
            "None",
            "5000",
            "None",
            "4294967295",
            "OverflowError: overflow converting long int to machine word",
        ]
    );
}

#[test]
fn case_28_wifi_mode_takes_the_wlan_constants_and_ignores_others() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.wifi_mode_on_boot, 2)\nshow(pycom.wifi_mode_on_boot)\n\
             show(pycom.wifi_mode_on_boot, 7)\nshow(pycom.wifi_mode_on_boot)\npycom.wifi_mode_on_boot(3)\n\
             show(pycom.wifi_mode_on_boot)"
        ),
        ["None", "2", "None", "2", "3"]
    );
}

#[test]
fn case_29_wifi_mode_none_becomes_ap_at_the_next_hard_boot() {
    let device = Device::new();
    let script = [
        "import pycom, machine",
        "if pycom.nvs_get('booted', 0) == 0:",
        "    pycom.nvs_set('booted', 1)",
        "    pycom.wifi_mode_on_boot(0)",
        "    print(pycom.wifi_mode_on_boot())",
        "    machine.reset()",
        "print(pycom.wifi_mode_on_boot())",
    ]
    .join("\n");
    let run = device.run(&script);
    assert_eq!(run.lines(), ["0", "2"], "{}", run.stderr);
}

#[test]
fn case_30_ssids_are_set_read_ignored_for_non_strings_and_erased_with_none() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.wifi_ssid_sta)\nshow(pycom.wifi_ssid_sta, 'net')\nshow(pycom.wifi_ssid_sta)\n\
             show(pycom.wifi_ssid_sta, 123)\nshow(pycom.wifi_ssid_sta)\nshow(pycom.wifi_ssid_sta, None)\n\
             show(pycom.wifi_ssid_sta)\npycom.wifi_pwd_ap('secret')\nshow(pycom.wifi_pwd_ap)"
        ),
        ["None", "None", "'net'", "None", "'net'", "None", "None", "'secret'"]
    );
}

#[test]
fn a_too_long_ssid_loses_its_terminator_as_on_the_board_and_the_emulator_says_so() {
    let device = Device::new();
    let run = device
        .run("import pycom\npycom.wifi_pwd_sta('pw')\npycom.wifi_ssid_sta('s' * 40)\nprint(pycom.wifi_ssid_sta())");
    assert_eq!(run.lines(), [format!("{}pw", "s".repeat(33))], "{}", run.stderr);
    assert!(run.stderr.contains("wifi_ssid_sta: 40 bytes do not fit the 33-byte field"), "{}", run.stderr);
}

#[test]
fn case_31_fresh_on_boot_settings_are_on() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.wifi_on_boot)\nshow(pycom.lte_modem_en_on_boot)\nshow(pycom.lte_modem_on_boot)\n\
             show(pycom.smart_config_on_boot)\nshow(pycom.pybytes_on_boot)\nshow(pycom.heartbeat_on_boot)"
        ),
        ["True"; 6]
    );
}

#[test]
fn on_boot_flags_survive_a_power_cycle() {
    let device = Device::new();
    let set = device.run(
        "import pycom\npycom.wifi_on_boot(False, True)\npycom.lte_modem_on_boot(False)\npycom.pybytes_on_boot(False)\n\
         pycom.smart_config_on_boot(False)\npycom.wdt_on_boot_timeout(60000)",
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    let get = device.run(
        "import pycom\nprint(pycom.wifi_on_boot(), pycom.lte_modem_en_on_boot(), pycom.pybytes_on_boot(), \
         pycom.smart_config_on_boot(), pycom.wdt_on_boot_timeout())",
    );
    assert_eq!(get.lines(), ["False False False False 60000"], "{}", get.stderr);
    let image = std::fs::read(device.image()).unwrap();
    let config = &image[0x3FF000..0x3FF400];
    assert_eq!(config[516..520], 60000u32.to_le_bytes());
    assert_eq!((config[498], config[520]), (0, 0));
}

#[test]
fn case_32_bootmgr_of_a_fresh_board() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.bootmgr)"),
        ["('Factory', 'LittleFS', 'SafeBoot: False', 'Status: Ready')"]
    );
}

#[test]
fn cases_33_to_36_bootmgr_refuses_bad_requests() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.bootmgr, boot_partition=pycom.FACTORY)\nshow(pycom.bootmgr, boot_partition=2)\n\
             show(pycom.bootmgr, safeboot=False)\nshow(pycom.bootmgr, fs_type=2)\nshow(pycom.bootmgr, 1)\n\
             show(pycom.bootmgr, colour=1)\nshow(pycom.bootmgr, fs_type=pycom.LittleFS)\nshow(pycom.bootmgr)"
        ),
        [
            "ValueError: Error invalid boot partition! or partition already active!",
            "ValueError: Error invalid boot partition! or partition already active!",
            "ValueError: Error safeboot must be True or False!",
            "ValueError: Error invalid filesystem type!",
            "TypeError: extra positional arguments given",
            "TypeError: extra keyword arguments given",
            "None",
            "('Factory', 'LittleFS', 'SafeBoot: False', 'Status: Ready')",
        ]
    );
}

#[test]
fn bootmgr_fs_type_is_config_byte_533() {
    let device = Device::new();
    let run =
        device.run(&format!("{SHOW}\nimport pycom\nshow(pycom.bootmgr, fs_type=pycom.FAT)\nprint(pycom.bootmgr()[1])"));
    assert_eq!(run.lines(), ["None", "FAT"], "{}", run.stderr);
    assert_eq!(std::fs::read(device.image()).unwrap()[0x3FF000 + 533], 0);
}

#[test]
fn case_37_safeboot_true_gives_exactly_one_safe_boot() {
    let device = Device::new();
    let first = device.run("import pycom\nprint('ran')\npycom.bootmgr(safeboot=True)\nprint(pycom.bootmgr()[2])");
    assert_eq!(first.lines(), ["ran", "SafeBoot: True"], "{}", first.stderr);
    let second = device.run("print('ran')");
    assert_eq!(second.lines(), Vec::<&str>::new(), "main.py is skipped");
    assert!(second.stderr.contains("safe boot: boot.py and main.py are skipped"), "{}", second.stderr);
    let third = device.run("import pycom\nprint('ran', pycom.bootmgr()[2])");
    assert_eq!(third.lines(), ["ran SafeBoot: False"], "{}", third.stderr);
}

#[test]
fn safeboot_with_reset_true_restarts_into_the_safe_boot_at_once() {
    let device = Device::new();
    let run = device.run("import pycom\nprint('ran')\npycom.bootmgr(safeboot=True, reset=True)\nprint('not reached')");
    assert_eq!(run.lines(), ["ran"], "{}", run.stderr);
    assert!(run.stderr.contains("safe boot: boot.py and main.py are skipped"), "{}", run.stderr);
    assert_eq!(device.run("print('ran')").lines(), ["ran"]);
}

#[test]
fn case_38_switching_to_an_empty_ota_slot_resets_and_rolls_back() {
    let device = Device::new();
    let script = [
        "import pycom",
        "if pycom.nvs_get('switched', 0) == 0:",
        "    pycom.nvs_set('switched', 1)",
        "    pycom.bootmgr(boot_partition=pycom.OTA_0, reset=False)",
        "    print('not reached')",
        "print(pycom.bootmgr())",
    ]
    .join("\n");
    let run = device.run(&script);
    assert_eq!(
        run.lines(),
        [
            "Cannot load Firmware img in the active partition! .. Defaulting back to previous partition",
            "('Factory', 'LittleFS', 'SafeBoot: False', 'Status: Ready')"
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn the_safe_boot_pin_skips_main_for_one_boot_and_blinks_the_led() {
    let device = Device::new();
    let trace = device.path("led.csv");
    let run = device.run_with("print('ran')", &["--safe-boot=7s", "--trace-led", trace.to_str().unwrap()]);
    assert_eq!(run.lines(), Vec::<&str>::new(), "{}", run.stderr);
    let csv = std::fs::read_to_string(&trace).unwrap();
    let blinks: Vec<u64> = csv
        .lines()
        .skip(1)
        .filter(|l| l.ends_with("#2c1200"))
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(blinks.first().map(|t| t / 1000), Some(3000), "slow blinks start after 3 s: {csv}");
    assert!(blinks.windows(2).any(|w| w[1] - w[0] == 250_000), "{csv}");
    assert!(blinks.windows(2).any(|w| w[1] - w[0] == 100_000), "fast blink after release: {csv}");
    assert_eq!(device.run("print('ran')").lines(), ["ran"]);
}

#[test]
fn case_46_free_heap_has_psram_only_on_rev_1_boards() {
    assert_eq!(
        on("lopy4", "import pycom\nh = pycom.get_free_heap()\nprint(type(h[0]).__name__, type(h[1]).__name__)"),
        ["int int"]
    );
    assert_eq!(on("sipy", "import pycom\nprint(pycom.get_free_heap()[1])"), ["NO_EXT_RAM"]);
}

#[test]
fn case_48_uuid_from_hex_string() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.create_128bit_le_uuid_from_string, '1234')\n\
             show(pycom.create_128bit_le_uuid_from_string, 'x' * 33)\nshow(pycom.create_128bit_le_uuid_from_string, 'zz')"
        ),
        [
            "bytearray(b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x004\\x12')",
            "ValueError: Input string must not be longer than 32 characters!",
            "ValueError: UUID must only contain hexadecimal digits!",
        ]
    );
}

#[test]
fn case_50_sigfox_credentials() {
    assert_eq!(
        on(
            "lopy4",
            "import pycom\nshow(pycom.sigfox_info)\nshow(pycom.sigfox_info, id='123')\n\
             show(pycom.sigfox_info, id='1234567G')\nshow(pycom.sigfox_info, id='01020304')\n\
             show(pycom.sigfox_info, id='01020305')\nshow(pycom.sigfox_info, id='01020305', force=True)\n\
             show(pycom.sigfox_info, pac='0011223344556677', public_key='00'*16, private_key='11'*16)\n\
             show(pycom.sigfox_info, private_key='1')\nshow(pycom.sigfox_info)"
        ),
        [
            "False",
            "ValueError: ID must have length of 8!",
            "ValueError: ID must only contain hexadecimal digits!",
            "True",
            "ValueError: Use force option to overwrite existing id!",
            "True",
            "True",
            "ValueError: Private Key must have length of 32",
            "True",
        ]
    );
    assert_eq!(on("wipy3", "import pycom\nprint(hasattr(pycom, 'sigfox_info'))"), ["False"]);
}

#[test]
fn sigfox_id_is_stored_big_endian_at_config_offset_8() {
    let device = Device::new();
    device.run("import pycom\npycom.sigfox_info(id='1A2B3C4D')");
    assert_eq!(std::fs::read(device.image()).unwrap()[0x3FF008..0x3FF00C], [0x1A, 0x2B, 0x3C, 0x4D]);
}

#[test]
fn wdt_on_boot_resets_a_script_that_stops_feeding() {
    let device = Device::new();
    let set = device.run("import pycom\npycom.wdt_on_boot_timeout(5000)\npycom.wdt_on_boot(True)");
    assert_eq!(set.code, 0, "{}", set.stderr);
    let hang = device.run_with(
        "import machine, time\nprint('boot', machine.reset_cause())\nwhile True:\n    time.sleep(1)",
        &["--max-resets", "2"],
    );
    assert_eq!(hang.lines(), ["boot 0", "boot 2", "boot 2"], "{}", hang.stderr);
    assert_eq!(hang.code, 1);
    assert!(hang.stderr.contains("stopped after 2 resets"), "{}", hang.stderr);
    let feeder = device.run_with(
        "import machine, time\nwdt = machine.WDT(timeout=5000)\nprint('boot', machine.reset_cause())\n\
         while True:\n    time.sleep(4)\n    wdt.feed()",
        &["--timeout", "60s"],
    );
    assert_eq!(feeder.lines(), ["boot 0"], "{}", feeder.stderr);
    assert_eq!(feeder.code, 42, "runs on until the run's timeout");
}

#[test]
fn machine_wdt_resets_in_device_time_and_reset_cause_says_so() {
    let device = Device::new();
    let script = [
        "import machine, time",
        "if machine.reset_cause() == machine.WDT_RESET:",
        "    print('watchdog reset at', time.ticks_ms() < 1000)",
        "else:",
        "    wdt = machine.WDT(timeout=3000)",
        "    time.sleep(2)",
        "    wdt.feed()",
        "    time.sleep(2.5)",
        "    print('fed in time')",
        "    time.sleep(10)",
        "    print('not reached')",
    ]
    .join("\n");
    let run = device.run(&script);
    assert_eq!(run.lines(), ["fed in time", "watchdog reset at True"], "{}", run.stderr);
}
