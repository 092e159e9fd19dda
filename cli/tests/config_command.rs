//! `pycom-emu config ...`: what `config show` reports for an image, which bytes
//! of the config block (flash 0x3FF000) every `config set` changes and which it
//! leaves alone, round trips with the `pycom.*` getters and setters on the board,
//! no-op writes, and bad input leaving the image untouched.

mod common;
use std::path::Path;

use common::{Device, Run};
use serde_json::{Value, json};

/// Flash offset of the config block.
const CONFIG: usize = 0x3FF000;
/// Size of the config block.
const CONFIG_LEN: usize = 1024;
/// The otadata partition of the 8 MB layout.
const OTADATA_8MB: usize = 0x1FF000;

fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run
}

fn fails(run: Run, message: &str) {
    assert_eq!(run.code, 2, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(message), "expected {message:?} in stderr:\n{}", run.stderr);
}

/// A device with a fresh image.
fn device() -> Device {
    let device = Device::new();
    ok(device.cli(&["image", "create"]));
    device
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn config_block(device: &Device) -> Vec<u8> {
    read(&device.image())[CONFIG..CONFIG + CONFIG_LEN].to_vec()
}

/// Replaces the config block of the image file with `block`.
fn write_config_block(device: &Device, block: &[u8]) {
    let mut image = read(&device.image());
    image[CONFIG..CONFIG + CONFIG_LEN].copy_from_slice(block);
    std::fs::write(device.image(), image).unwrap();
}

fn show_json(device: &Device) -> Value {
    serde_json::from_str(&ok(device.cli(&["config", "show", "--json"])).stdout).unwrap()
}

/// The value column of `config show`'s line for `name`.
fn show_text_value(device: &Device, name: &str) -> String {
    let run = ok(device.cli(&["config", "show"]));
    let line = run
        .stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} line in:\n{}", run.stdout));
    let rest = line[name.len()..].trim_start();
    rest.split("  [").next().unwrap().trim_end().to_owned()
}

/// A config block where every byte differs from its neighbours and from 0xFF,
/// so a setter that touches anything but its own bits shows up.
fn pattern() -> Vec<u8> {
    (0..CONFIG_LEN).map(|i| (i * 37 + 11) as u8).collect()
}

fn text_field(offset: usize, len: usize, text: &[u8]) -> Vec<(usize, u8)> {
    let mut bytes = text.to_vec();
    bytes.resize(len, 0);
    (offset..).zip(bytes).collect()
}

fn field(offset: usize, bytes: &[u8]) -> Vec<(usize, u8)> {
    (offset..).zip(bytes.iter().copied()).collect()
}

/// One `config set`/`unset` and the config bytes it must leave, computed from the
/// block it starts from.
type Case = (&'static [&'static str], fn(&[u8]) -> Vec<(usize, u8)>);

const SSID_32: &str = "abcdefghijklmnopqrstuvwxyz012345";
const PWD_64: &str = "0123456789012345678901234567890123456789012345678901234567890123";

fn cases() -> Vec<Case> {
    vec![
        (&["set", "heartbeat_on_boot", "false"], |b| vec![(152, b[152] & !0x01)]),
        (&["set", "heartbeat_on_boot", "on"], |b| vec![(152, b[152] | 0x01)]),
        (&["set", "wifi_on_boot", "0"], |b| vec![(53, b[53] & !0x01)]),
        (&["set", "wifi_on_boot", "TRUE"], |b| vec![(53, b[53] | 0x01)]),
        // WLAN constants 1 STA, 2 AP, 3 STA_AP, 0 none are stored as 0, 1, 2, 3 in bits 1-2.
        (&["set", "wifi_mode_on_boot", "sta"], |b| vec![(53, b[53] & !0b110)]),
        (&["set", "wifi_mode_on_boot", "1"], |b| vec![(53, b[53] & !0b110)]),
        (&["set", "wifi_mode_on_boot", "ap"], |b| vec![(53, (b[53] & !0b110) | 0b010)]),
        (&["set", "wifi_mode_on_boot", "2"], |b| vec![(53, (b[53] & !0b110) | 0b010)]),
        (&["set", "wifi_mode_on_boot", "apsta"], |b| vec![(53, (b[53] & !0b110) | 0b100)]),
        (&["set", "wifi_mode_on_boot", "3"], |b| vec![(53, (b[53] & !0b110) | 0b100)]),
        (&["set", "wifi_mode_on_boot", "none"], |b| vec![(53, b[53] | 0b110)]),
        (&["set", "wifi_mode_on_boot", "0"], |b| vec![(53, b[53] | 0b110)]),
        (&["unset", "wifi_mode_on_boot"], |b| vec![(53, b[53] | 0b110)]),
        (&["set", "smart_config_on_boot", "off"], |b| vec![(53, b[53] & !0x08)]),
        (&["set", "smart_config_on_boot", "1"], |b| vec![(53, b[53] | 0x08)]),
        (&["set", "wifi_ssid_sta", "net"], |_| text_field(54, 33, b"net")),
        (&["set", "wifi_ssid_sta", SSID_32], |_| text_field(54, 33, SSID_32.as_bytes())),
        (&["set", "wifi_ssid_sta", ""], |_| text_field(54, 33, b"")),
        (&["unset", "wifi_ssid_sta"], |_| field(54, &[0xFF; 33])),
        (&["set", "wifi_pwd_sta", "secret word"], |_| text_field(87, 65, b"secret word")),
        (&["set", "wifi_pwd_sta", PWD_64], |_| text_field(87, 65, PWD_64.as_bytes())),
        (&["unset", "wifi_pwd_sta"], |_| field(87, &[0xFF; 65])),
        (&["set", "wifi_ssid_ap", "my-ap"], |_| text_field(536, 33, b"my-ap")),
        (&["unset", "wifi_ssid_ap"], |_| field(536, &[0xFF; 33])),
        (&["set", "wifi_pwd_ap", "p\u{e4}ss"], |_| text_field(569, 65, "p\u{e4}ss".as_bytes())),
        (&["unset", "wifi_pwd_ap"], |_| field(569, &[0xFF; 65])),
        (&["set", "wdt_on_boot", "false"], |_| vec![(512, 0)]),
        (&["set", "wdt_on_boot", "true"], |_| vec![(512, 1)]),
        (&["set", "wdt_on_boot_timeout", "5000"], |_| field(516, &[0x88, 0x13, 0x00, 0x00])),
        (&["set", "wdt_on_boot_timeout", "4294967295"], |_| field(516, &[0xFF; 4])),
        (&["unset", "wdt_on_boot_timeout"], |_| field(516, &[0xFF; 4])),
        (&["set", "lte_modem_en_on_boot", "off"], |_| vec![(520, 0)]),
        (&["set", "lte_modem_on_boot", "on"], |_| vec![(520, 1)]),
        (&["set", "pybytes_on_boot", "false"], |_| vec![(498, 0)]),
        (&["set", "pybytes_on_boot", "true"], |_| vec![(498, 1)]),
        (&["set", "boot_fs_type", "fat"], |_| vec![(533, 0)]),
        (&["set", "boot_fs_type", "LittleFS"], |_| vec![(533, 1)]),
        (&["unset", "boot_fs_type"], |_| vec![(533, 0xFF)]),
        (&["set", "sigfox_id", "1A2B3c4d"], |_| field(8, &[0x1A, 0x2B, 0x3C, 0x4D])),
        (&["unset", "sigfox_id"], |_| field(8, &[0xFF; 4])),
        (&["set", "sigfox_pac", "0011223344556677"], |_| field(12, &[0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77])),
        (&["unset", "sigfox_pac"], |_| field(12, &[0xFF; 8])),
        (&["set", "sigfox_public_key", "000102030405060708090a0b0c0d0e0f"], |_| {
            field(36, &(0u8..16).collect::<Vec<_>>())
        }),
        (&["unset", "sigfox_public_key"], |_| field(36, &[0xFF; 16])),
        (&["set", "sigfox_private_key", "F0E1D2C3B4A5968778695A4B3C2D1E0F"], |_| {
            field(20, &[0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87, 0x78, 0x69, 0x5A, 0x4B, 0x3C, 0x2D, 0x1E, 0x0F])
        }),
        (&["unset", "sigfox_private_key"], |_| field(20, &[0xFF; 16])),
    ]
}

/// Starts from `base`, runs `config ARGS`, and checks the config block holds
/// `expect` and `base` everywhere else, and the rest of the image is untouched
/// (the rest of the config sector is erased, as after any sector rewrite).
fn check_case(device: &Device, base: &[u8], (args, expect): &Case) {
    write_config_block(device, base);
    let before = read(&device.image());
    let mut all = vec!["config"];
    all.extend_from_slice(args);
    ok(device.cli(&all));
    let after = read(&device.image());
    let mut want = base.to_vec();
    for (at, byte) in expect(base) {
        want[at] = byte;
    }
    let block = &after[CONFIG..CONFIG + CONFIG_LEN];
    for (i, (got, want)) in block.iter().zip(&want).enumerate() {
        assert_eq!(got, want, "config {args:?}: byte {i} is {got:#04x}, want {want:#04x}");
    }
    assert_eq!(after.len(), before.len());
    assert!(after[..CONFIG] == before[..CONFIG], "config {args:?} changed flash below the config block");
    assert!(
        after[CONFIG + CONFIG_LEN..].iter().all(|&b| b == 0xFF),
        "config {args:?}: the rest of the config sector and flash beyond it should be erased"
    );
}

#[test]
fn a_fresh_image_shows_the_erased_defaults() {
    let d = device();
    let shown = show_json(&d);
    let expected = json!({
        "heartbeat_on_boot": true,
        "wifi_on_boot": true,
        "wifi_mode_on_boot": 0,
        "wifi_mode_on_boot_name": "none",
        "wifi_ssid_sta": null,
        "wifi_pwd_sta": null,
        "wifi_ssid_ap": null,
        "wifi_pwd_ap": null,
        "smart_config_on_boot": true,
        "wdt_on_boot": true,
        "wdt_on_boot_timeout": 4294967295u32,
        "lte_modem_en_on_boot": true,
        "pybytes_on_boot": true,
        "pybytes_force_update": false,
        "boot_fs_type": "LittleFS",
        "sigfox_id": null,
        "sigfox_pac": null,
        "sigfox_public_key": null,
        "sigfox_private_key": null,
        "wifi_auth": 7,
        "wifi_antenna": "internal",
        "lpwan_mac": null,
        "lora_region": null,
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&shown[key], value, "{key} in {shown:#}");
    }
    assert_eq!(shown["boot_info"]["initialised"], false);
    assert_eq!(shown["boot_info"]["otadata_offset"], OTADATA_8MB);
    assert_eq!(shown["boot_info"]["note"], "not initialised (the bootloader writes it at the next boot)");
    assert_eq!(shown["raw"]["wdt_on_boot_timeout"], json!({ "at": "bytes 516..520", "bytes": "ffffffff" }));
    assert_eq!(shown["raw"]["wifi_mode_on_boot"], json!({ "at": "byte 53 bits 1-2", "bytes": "ff" }));

    // The text form: one `name  value  [where: raw]` line per field.
    assert_eq!(show_text_value(&d, "heartbeat_on_boot"), "true");
    assert_eq!(show_text_value(&d, "wifi_mode_on_boot"), "0 (none)");
    assert_eq!(show_text_value(&d, "wifi_ssid_sta"), "None (erased)");
    assert_eq!(show_text_value(&d, "boot_fs_type"), "LittleFS (erased)");
    assert_eq!(show_text_value(&d, "sigfox_id"), "not set");
    assert!(show_text_value(&d, "wdt_on_boot_timeout").starts_with("4294967295"));
    assert_eq!(show_text_value(&d, "boot_info"), "not initialised (the bootloader writes it at the next boot)");
    let text = ok(d.cli(&["config", "show"])).stdout;
    assert!(text.contains("[bytes 516..520: ffffffff]"), "{text}");
}

#[test]
fn show_reports_set_values_as_the_getters_return_them() {
    let d = device();
    for args in [
        ["heartbeat_on_boot", "false"],
        ["wifi_mode_on_boot", "sta"],
        ["wifi_ssid_sta", "my net"],
        ["wifi_pwd_ap", ""],
        ["wdt_on_boot_timeout", "5000"],
        ["boot_fs_type", "fat"],
        ["sigfox_id", "1A2B3C4D"],
    ] {
        ok(d.cli(&[&["config", "set"], &args[..]].concat()));
    }
    let shown = show_json(&d);
    assert_eq!(shown["heartbeat_on_boot"], false);
    assert_eq!(shown["wifi_mode_on_boot"], 1);
    assert_eq!(shown["wifi_mode_on_boot_name"], "sta");
    assert_eq!(shown["wifi_ssid_sta"], "my net");
    assert_eq!(shown["wifi_pwd_ap"], "", "an empty text is not an erased one");
    assert_eq!(shown["wdt_on_boot_timeout"], 5000);
    assert_eq!(shown["boot_fs_type"], "FAT");
    assert_eq!(shown["sigfox_id"], "1a2b3c4d");
    assert_eq!(shown["raw"]["wifi_mode_on_boot"]["bytes"], "f9");
    assert_eq!(show_text_value(&d, "wifi_mode_on_boot"), "1 (WLAN.STA)");
    assert_eq!(show_text_value(&d, "wifi_ssid_sta"), "\"my net\"");
    assert_eq!(show_text_value(&d, "sigfox_id"), "1a2b3c4d");
    assert_eq!(show_text_value(&d, "boot_fs_type"), "FAT");
}

#[test]
fn every_setting_on_a_fresh_image_writes_exactly_its_bytes() {
    let d = device();
    let erased = vec![0xFF; CONFIG_LEN];
    for case in cases() {
        check_case(&d, &erased, &case);
    }
    // The examples of the firmware layout, spelled out.
    write_config_block(&d, &erased);
    ok(d.cli(&["config", "set", "wdt_on_boot_timeout", "5000"]));
    ok(d.cli(&["config", "set", "heartbeat_on_boot", "false"]));
    ok(d.cli(&["config", "set", "wifi_mode_on_boot", "ap"]));
    ok(d.cli(&["config", "set", "wifi_ssid_sta", "net"]));
    ok(d.cli(&["config", "set", "sigfox_id", "01020304"]));
    let block = config_block(&d);
    assert_eq!(block[516..520], [0x88, 0x13, 0, 0]);
    assert_eq!(block[152], 0xFE);
    assert_eq!((block[53] >> 1) & 0b11, 1, "stored AP is 1 in bits 1-2");
    assert_eq!(block[53] & !0b110, 0xF9, "the other bits of byte 53 stay erased");
    assert_eq!(block[54..58], *b"net\0");
    assert_eq!(block[8..12], [1, 2, 3, 4]);
    let touched = [516..520, 152..153, 53..54, 54..87, 8..12];
    for (i, b) in block.iter().enumerate() {
        if !touched.iter().any(|r| r.contains(&i)) {
            assert_eq!(*b, 0xFF, "byte {i}");
        }
    }
}

#[test]
fn every_setting_keeps_the_other_bits_and_bytes_of_a_full_block() {
    let d = device();
    let base = pattern();
    for case in cases() {
        check_case(&d, &base, &case);
    }
}

#[test]
fn the_board_sees_heartbeat_on_boot_set_on_the_command_line_and_back() {
    let d = device();
    ok(d.cli(&["config", "set", "heartbeat_on_boot", "false"]));
    let run = ok(d.run("import pycom\nprint(pycom.heartbeat_on_boot())\nprint(pycom.heartbeat())"));
    assert_eq!(run.lines(), ["False", "False"]);
    ok(d.run("import pycom\npycom.heartbeat_on_boot(True)"));
    assert_eq!(show_json(&d)["heartbeat_on_boot"], true);
}

// The getters below are being added to the board's `pycom` module; these tests
// cross-check the CLI's layout against them.

#[test]
fn the_board_sees_the_watchdog_settings() {
    let d = device();
    ok(d.cli(&["config", "set", "wdt_on_boot", "false"]));
    ok(d.cli(&["config", "set", "wdt_on_boot_timeout", "6000"]));
    let run = ok(d.run("import pycom\nprint(pycom.wdt_on_boot(), pycom.wdt_on_boot_timeout())"));
    assert_eq!(run.lines(), ["False 6000"]);
    ok(d.run("import pycom\npycom.wdt_on_boot_timeout(7000)"));
    assert_eq!(show_json(&d)["wdt_on_boot_timeout"], 7000);
}

#[test]
fn the_board_sees_the_wifi_settings() {
    let d = device();
    // wifi_on_boot off: the boot leaves the Wi-Fi settings as they are.
    for args in [
        ["wifi_on_boot", "false"],
        ["wifi_mode_on_boot", "sta"],
        ["wifi_ssid_sta", "my net"],
        ["wifi_pwd_sta", "secret"],
        ["wifi_ssid_ap", "ap"],
    ] {
        ok(d.cli(&[&["config", "set"], &args[..]].concat()));
    }
    let run = ok(d.run(
        "import pycom\nprint(pycom.wifi_on_boot(), pycom.wifi_mode_on_boot())\n\
         print(repr(pycom.wifi_ssid_sta()), repr(pycom.wifi_pwd_sta()), repr(pycom.wifi_ssid_ap()), repr(pycom.wifi_pwd_ap()))",
    ));
    assert_eq!(run.lines(), ["False 1", "'my net' 'secret' 'ap' None"]);
    ok(d.run("import pycom\npycom.wifi_mode_on_boot(3)\npycom.wifi_pwd_ap('open sesame')\npycom.wifi_ssid_sta(None)"));
    let shown = show_json(&d);
    assert_eq!((&shown["wifi_mode_on_boot"], &shown["wifi_mode_on_boot_name"]), (&json!(3), &json!("apsta")));
    assert_eq!((&shown["wifi_pwd_ap"], &shown["wifi_ssid_sta"]), (&json!("open sesame"), &Value::Null));
}

#[test]
fn the_board_sees_lte_modem_and_filesystem_settings() {
    let d = device();
    ok(d.cli(&["config", "set", "lte_modem_on_boot", "false"]));
    ok(d.cli(&["config", "set", "boot_fs_type", "fat"]));
    let run = ok(d.run("import pycom\nprint(pycom.lte_modem_en_on_boot(), pycom.bootmgr()[1])"));
    assert_eq!(run.lines(), ["False FAT"]);
}

#[test]
fn the_board_sees_sigfox_credentials() {
    let d = device();
    ok(d.cli(&["config", "set", "sigfox_id", "01020304"]));
    let partial = ok(d.run("import pycom\nprint(pycom.sigfox_info())"));
    assert_eq!(partial.lines(), ["False"], "sigfox_info() is True only when all four are set");
    ok(d.cli(&["config", "set", "sigfox_pac", "0011223344556677"]));
    ok(d.cli(&["config", "set", "sigfox_public_key", "000102030405060708090a0b0c0d0e0f"]));
    ok(d.cli(&["config", "set", "sigfox_private_key", "f0e1d2c3b4a5968778695a4b3c2d1e0f"]));
    let script = "import pycom\nprint(pycom.sigfox_info())\n\
                  try:\n    pycom.sigfox_info(id='0a0b0c0d')\nexcept ValueError as e:\n    print(e)";
    assert_eq!(ok(d.run(script)).lines(), ["True", "Use force option to overwrite existing id!"]);
}

#[test]
fn boot_info_is_shown_once_the_bootloader_has_written_it() {
    let d = device();
    ok(d.run("pass"));
    let info = &show_json(&d)["boot_info"];
    assert_eq!(info["initialised"], true, "{info:#}");
    assert_eq!(
        (&info["active_image"], &info["status_name"], &info["safeboot"]),
        (&json!("Factory"), &json!("Ready"), &json!(0))
    );
}

#[test]
fn a_valid_boot_info_is_decoded() {
    let d = device();
    let info = pycom_formats::BootInfo {
        active: 1,
        status: 0,
        previous: 0,
        size: 123_456,
        safeboot: 2,
        signature: [0xFF; 16],
        crc: 0,
    }
    .sealed();
    let mut image = read(&d.image());
    image[OTADATA_8MB..OTADATA_8MB + 40].copy_from_slice(&info.encode());
    std::fs::write(d.image(), image).unwrap();
    let shown = &show_json(&d)["boot_info"];
    assert_eq!(
        shown,
        &json!({
            "initialised": true,
            "otadata_offset": OTADATA_8MB,
            "active": 1,
            "active_image": "ota_0",
            "status": 0,
            "status_name": "Check",
            "previous": 0,
            "previous_image": "Factory",
            "safeboot": 2,
            "size": 123456,
        })
    );
    assert_eq!(show_text_value(&d, "boot_info.active_image"), "ota_0 (1)");
    assert_eq!(show_text_value(&d, "boot_info.status"), "Check (0)");
    assert!(show_text_value(&d, "boot_info.safeboot").starts_with("2 (software"));
}

#[test]
fn a_4mb_board_has_its_config_block_at_the_same_place_and_otadata_elsewhere() {
    let d = Device::new();
    ok(d.cli(&["image", "create", "--board", "sipy"]));
    ok(d.cli(&["config", "set", "--board", "sipy", "wdt_on_boot_timeout", "5000"]));
    assert_eq!(config_block(&d)[516..520], [0x88, 0x13, 0, 0]);
    let shown: Value =
        serde_json::from_str(&ok(d.cli(&["config", "show", "--board", "sipy", "--json"])).stdout).unwrap();
    assert_eq!(shown["wdt_on_boot_timeout"], 5000);
    assert_eq!(shown["boot_info"]["otadata_offset"], 0x1BE000);
}

#[test]
fn setting_the_same_value_again_does_not_touch_flash() {
    let d = device();
    for (args, shown) in [
        (["heartbeat_on_boot", "false"], "false"),
        (["wifi_mode_on_boot", "ap"], "2 (WLAN.AP)"),
        (["wifi_ssid_ap", "net"], "\"net\""),
        (["wdt_on_boot_timeout", "5000"], "5000"),
        (["sigfox_pac", "0011223344556677"], "0011223344556677"),
    ] {
        let set = [&["config", "set"], &args[..]].concat();
        let first = ok(d.cli(&set));
        assert!(!first.stdout.contains("unchanged"), "{}", first.stdout);
        let before = read(&d.image());
        let modified = std::fs::metadata(d.image()).unwrap().modified().unwrap();
        let again = ok(d.cli(&set));
        assert_eq!(again.stdout, format!("{}: {shown} (unchanged)\n", args[0]));
        assert!(read(&d.image()) == before, "config set {args:?} twice rewrote the image");
        assert_eq!(std::fs::metadata(d.image()).unwrap().modified().unwrap(), modified, "{args:?}");
    }
    // The erased value of a bit field is "on": setting it on an erased block is a no-op.
    let d = device();
    let before = read(&d.image());
    let run = ok(d.cli(&["config", "set", "heartbeat_on_boot", "true"]));
    assert_eq!(run.stdout, "heartbeat_on_boot: true (unchanged)\n");
    assert!(read(&d.image()) == before);
}

#[test]
fn set_reports_old_and_new_values_and_says_when_it_replaces_sigfox_credentials() {
    let d = device();
    let run = ok(d.cli(&["config", "set", "wifi_mode_on_boot", "2"]));
    assert_eq!(run.stdout, "wifi_mode_on_boot: 0 (none) -> 2 (WLAN.AP)\n");
    let run = ok(d.cli(&["config", "set", "sigfox_id", "01020304"]));
    assert_eq!(run.stdout, "sigfox_id: not set -> 01020304\n");
    let run = ok(d.cli(&["config", "set", "sigfox_id", "0A0B0C0D"]));
    assert!(run.stdout.starts_with("sigfox_id: 01020304 -> 0a0b0c0d\n"), "{}", run.stdout);
    assert!(run.stdout.contains("replaced the stored sigfox_id"), "{}", run.stdout);
    assert_eq!(config_block(&d)[8..12], [0x0A, 0x0B, 0x0C, 0x0D]);
    let run = ok(d.cli(&["config", "unset", "sigfox_id"]));
    assert_eq!(run.stdout, "sigfox_id: 0a0b0c0d -> not set\n");
}

#[test]
fn bad_input_exits_2_and_leaves_the_image_byte_identical() {
    let d = device();
    ok(d.cli(&["config", "set", "wifi_ssid_sta", "keep"]));
    ok(d.cli(&["config", "set", "sigfox_id", "01020304"]));
    let before = read(&d.image());
    let ssid_33 = "x".repeat(33);
    let pwd_65 = "y".repeat(65);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["set", "heartbeat", "false"], "possible values: heartbeat_on_boot, wifi_on_boot"),
        (vec!["set", "sigfox_info", "1"], "wdt_on_boot_timeout"),
        (vec!["set", "heartbeat_on_boot"], "required"),
        (vec!["set", "heartbeat_on_boot", "maybe"], "expected true/false, 1/0 or on/off"),
        (vec!["set", "wdt_on_boot", "2"], "expected true/false"),
        (vec!["set", "wdt_on_boot_timeout", "4999"], "WDT on boot timeout must be >= 5000 ms"),
        (vec!["set", "wdt_on_boot_timeout", "-1"], "WDT on boot timeout must be >= 5000 ms"),
        (vec!["set", "wdt_on_boot_timeout", "4294967296"], "must be <= 4294967295 ms"),
        (vec!["set", "wdt_on_boot_timeout", "5s"], "whole number of milliseconds"),
        (vec!["set", "wifi_mode_on_boot", "4"], "expected none, sta, ap or apsta"),
        (vec!["set", "wifi_mode_on_boot", "station"], "expected none, sta, ap or apsta"),
        (vec!["set", "wifi_ssid_sta", &ssid_33], "wifi_ssid_sta holds at most 32 bytes"),
        (vec!["set", "wifi_ssid_ap", &ssid_33], "wifi_ssid_ap holds at most 32 bytes"),
        (vec!["set", "wifi_pwd_sta", &pwd_65], "wifi_pwd_sta holds at most 64 bytes"),
        (vec!["set", "wifi_pwd_ap", &pwd_65], "wifi_pwd_ap holds at most 64 bytes"),
        (vec!["set", "boot_fs_type", "ext4"], "expected fat or littlefs"),
        (vec!["set", "boot_fs_type", "2"], "expected fat or littlefs"),
        (vec!["set", "sigfox_id", "123"], "sigfox_id must be 8 hex digits (4 bytes)"),
        (vec!["set", "sigfox_id", "1234567G"], "sigfox_id must only contain hexadecimal digits"),
        (vec!["set", "sigfox_pac", "00112233445566"], "sigfox_pac must be 16 hex digits (8 bytes)"),
        (vec!["set", "sigfox_public_key", "00"], "sigfox_public_key must be 32 hex digits (16 bytes)"),
        (vec!["set", "sigfox_private_key", &pwd_65[..32]], "sigfox_private_key must only contain hexadecimal"),
        (vec!["unset", "heartbeat_on_boot"], "heartbeat_on_boot is a boolean and cannot be unset"),
        (vec!["unset", "lte_modem_en_on_boot"], "cannot be unset"),
        (vec!["set", "--board", "sipy", "heartbeat_on_boot", "false"], "8 MiB flash image but a sipy has 4 MiB"),
    ];
    for (args, message) in cases {
        fails(d.cli(&[&["config"], &args[..]].concat()), message);
        assert!(read(&d.image()) == before, "config {args:?} changed the image");
    }
}

#[test]
fn a_missing_image_is_an_error_and_is_not_created() {
    let d = Device::new();
    fails(d.cli(&["config", "show"]), "no device image");
    fails(d.cli(&["config", "show", "--json"]), "create one with `pycom-emu image create`");
    fails(d.cli(&["config", "set", "heartbeat_on_boot", "false"]), "no device image");
    fails(d.cli(&["config", "unset", "wifi_ssid_sta"]), "no device image");
    assert!(!d.image().exists());
}
