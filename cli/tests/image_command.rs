//! Device images: what a new one holds, `image info` / `image create`, and the
//! partition table checked by an independent parser (esp-idf-defs from PyPI).

mod common;
use std::process::Command;

use common::Device;

#[test]
fn a_new_image_holds_the_table_the_factory_firmware_and_after_boot_the_nvs_namespace() {
    let device = Device::new();
    assert_eq!(device.run("pass").code, 0);
    let image = std::fs::read(device.image()).unwrap();
    assert_eq!(image.len(), 8 << 20);
    assert_eq!(&image[..8], b"EFUSEMAC", "the chip's base MAC record, the stand-in for its eFuses");
    assert!(image[14..0x8000].iter().all(|b| *b == 0xFF));
    assert_eq!(&image[0x8000..0x8002], &[0xAA, 0x50]);
    // 5 entries + MD5 row, then erased to the end of the sector.
    assert_eq!(&image[0x8000 + 5 * 32..0x8000 + 5 * 32 + 2], &[0xEB, 0xEB]);
    assert!(image[0x8000 + 6 * 32..0x9000].iter().all(|b| *b == 0xFF));
    // The first boot opens the PY_NVM namespace (one active NVS page), the
    // bootloader initialises boot_info in otadata, and the config block is written.
    assert_eq!(&image[0x9000..0x9004], &[0xFE, 0xFF, 0xFF, 0xFF]);
    assert_eq!(&image[0x1FF000..0x1FF008], &[0, 0, 0, 0, 1, 0, 0, 0], "boot_info: factory, ready");
    let factory = 0x10000..0x10000 + pycom_formats::app_image::MIN_BUILD_LEN;
    let verdict = pycom_formats::app_image::verify(&image[factory.clone()]).unwrap();
    assert_eq!(verdict.app_desc.unwrap().version, "1.20.2.r6", "the factory slot holds the firmware");
    let written = |i: usize| {
        (0x9000..0xA000).contains(&i) || factory.contains(&i) || (0x1FF000..0x1FF028).contains(&i) || i >= 0x3FF000
    };
    assert!(image[0x9000..].iter().enumerate().all(|(i, b)| *b == 0xFF || written(i + 0x9000)));
}

#[test]
fn image_info_prints_the_table_as_text_and_json() {
    let device = Device::new();
    assert_eq!(device.cli(&["image", "create", "--board", "wipy2"]).code, 0);
    let text = device.cli(&["image", "info"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("(4 MiB flash)"), "{}", text.stdout);
    assert!(
        text.stdout.contains("fs         data  5 (pycom fs)         0x380000    0x7f000  encrypted"),
        "{}",
        text.stdout
    );

    let json = device.cli(&["image", "info", "--json"]);
    let info: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(info["flash_size"], 4 << 20);
    assert_eq!(info["partition_table_md5"], true);
    let labels: Vec<&str> =
        info["partitions"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["nvs", "factory", "otadata", "ota_0", "dummy", "fs", "config"]);
    assert_eq!(info["partitions"][3]["offset"], 0x1C0000);
    assert_eq!(info["partitions"][3]["subtype_name"], "ota_0");
}

#[test]
fn image_create_refuses_to_overwrite_without_force() {
    let device = Device::new();
    assert_eq!(device.cli(&["image", "create"]).code, 0);
    let again = device.cli(&["image", "create"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(device.cli(&["image", "create", "--force", "--board", "gpy"]).code, 0);
}

#[test]
fn image_info_on_a_damaged_table_is_a_clear_error() {
    let device = Device::new();
    device.cli(&["image", "create"]);
    let mut image = std::fs::read(device.image()).unwrap();
    image[0x8000 + 40] ^= 0x01;
    std::fs::write(device.image(), image).unwrap();
    let run = device.cli(&["image", "info"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("MD5 mismatch"), "{}", run.stderr);
    let missing = Device::new().cli(&["image", "info"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("cannot read image"), "{}", missing.stderr);
}

const DECODE: &str = r#"
import sys
from esp_idf_defs import PartitionTable
data = open(sys.argv[1], 'rb').read()[0x8000:0x9000]
for p in PartitionTable.from_binary(data):
    print(p.name, p.type, p.subtype, hex(p.offset), hex(p.size), int(p.encrypted))
"#;

#[test]
fn esp_idf_defs_decodes_our_tables_to_the_pycom_layouts() {
    let python = common::python_with("esp-idf-defs==0.1.7");
    let cases: [(&str, &[&str]); 2] = [
        (
            "lopy4",
            &[
                "nvs 1 2 0x9000 0x7000 0",
                "factory 0 0 0x10000 0x1ef000 1",
                "otadata 1 0 0x1ff000 0x2000 1",
                "ota_0 0 16 0x210000 0x1ef000 1",
                "config 1 6 0x3ff000 0x1000 0",
            ],
        ),
        (
            "wipy2",
            &[
                "nvs 1 2 0x9000 0x7000 0",
                "factory 0 0 0x10000 0x1ae000 1",
                "otadata 1 0 0x1be000 0x1000 1",
                "ota_0 0 16 0x1c0000 0x1ae000 1",
                "dummy 1 7 0x36e000 0x10000 0",
                "fs 1 5 0x380000 0x7f000 1",
                "config 1 6 0x3ff000 0x1000 0",
            ],
        ),
    ];
    for (board, expected) in cases {
        let device = Device::new();
        assert_eq!(device.cli(&["image", "create", "--board", board]).code, 0);
        let out = Command::new(&python).args(["-c", DECODE]).arg(device.image()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect();
        assert_eq!(lines, expected, "{board}");
    }
}

#[test]
fn image_info_reports_the_firmware_in_each_app_slot_and_which_one_boots() {
    let device = Device::new();
    assert_eq!(device.cli(&["image", "create"]).code, 0);
    let text = device.cli(&["image", "info"]);
    assert!(text.stdout.contains("app factory  pycom 1.20.2.r6 (boots)"), "{}", text.stdout);
    assert!(text.stdout.contains("app ota_0    no valid app image"), "{}", text.stdout);
    let app = device.path("app.bin");
    device.cli(&["image", "build", "--version", "9.9.9", "--project", "next", "-o", app.to_str().unwrap()]);
    device.cli(&["fs", "put", app.to_str().unwrap(), "/flash/app.bin"]);
    let update = device.run(
        &[
            "import pycom",
            "pycom.ota_start()",
            "f = open('/flash/app.bin', 'rb')",
            "while True:",
            "    b = f.read(4096)",
            "    if not b:",
            "        break",
            "    pycom.ota_write(b)",
            "pycom.ota_finish()",
        ]
        .join("\n"),
    );
    assert_eq!(update.code, 0, "{}", update.stderr);
    assert_eq!(device.run("pass").code, 0, "the next power-on boots the new image");
    let json = device.cli(&["image", "info", "--json"]);
    let info: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let apps = info["apps"].as_array().unwrap();
    assert_eq!(apps[1]["slot"], "ota_0");
    assert_eq!(apps[1]["version"], "9.9.9");
    assert_eq!(apps[1]["active"], true);
    assert_eq!(apps[0]["active"], false);
}
