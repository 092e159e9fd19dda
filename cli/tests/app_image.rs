//! `pycom-emu image build` and `image verify` against esptool (PyPI), the tool
//! Espressif's own flows use to read app images: every image we build is one
//! esptool calls valid, with our app descriptor; every corruption esptool
//! notices, `image verify` refuses; an image esptool makes from an ELF, we accept.

mod common;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Device, fails, ok, python_with, require_debian_tool};
use pycom_formats::app_image;

const ESPTOOL: &str = "esptool==5.1.0";

/// esptool's `image-info` report of `file` (stdout and stderr; its exit status
/// is 0 even for an invalid image, so callers read the text).
fn esptool_image_info(file: &Path) -> String {
    let python = python_with(ESPTOOL);
    let run = |command: &str| {
        let out = Command::new(&python).args(["-m", "esptool", "--chip", "esp32", command]).arg(file).output().unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let report = run("image-info");
    if report.contains("invalid choice") { run("image_info") } else { report }
}

/// Whether esptool's report says both the checksum and the SHA-256 are valid.
fn esptool_says_valid(report: &str) -> bool {
    let line_valid = |prefix: &str| report.lines().any(|l| l.starts_with(prefix) && l.ends_with("(valid)"));
    line_valid("Checksum:") && line_valid("Validation hash:")
}

/// Builds an image with the CLI and returns its path.
fn build(device: &Device, name: &str, extra: &[&str]) -> PathBuf {
    let out = device.path(name);
    let mut args =
        vec!["image", "build", "--version", "1.20.2.r6", "--project", "pycom-test", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    ok(device.cli(&args));
    out
}

fn write_corrupted(device: &Device, from: &Path, name: &str, corrupt: impl Fn(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(from).unwrap();
    corrupt(&mut bytes);
    let path = device.path(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn esptool_finds_checksum_hash_and_app_descriptor_valid_in_every_built_image() {
    let device = Device::new();
    let cases: [(&str, &[&str]); 4] = [
        ("smallest.bin", &[]),
        ("idf4.bin", &["--idf", "v4.4.6"]),
        ("odd-size.bin", &["--size", "100001"]),
        ("slot-size.bin", &["--size", "1720K"]),
    ];
    for (name, extra) in cases {
        let image = build(&device, name, extra);
        let report = esptool_image_info(&image);
        assert!(esptool_says_valid(&report), "{name}:\n{report}");
        assert!(report.contains("Chip ID: 0 (ESP32)"), "{name}:\n{report}");
        assert!(report.contains("Project name: pycom-test"), "{name}:\n{report}");
        assert!(report.contains("App version: 1.20.2.r6"), "{name}:\n{report}");
        let idf = if name == "idf4.bin" { "v4.4.6" } else { "v3.3.1" };
        assert!(report.contains(&format!("ESP-IDF: {idf}")), "{name}:\n{report}");
    }
}

#[test]
fn a_requested_size_is_the_file_size() {
    let device = Device::new();
    for (size, bytes) in [("100001", 100_001u64), ("1720K", 1_720 * 1024)] {
        let image = build(&device, "sized.bin", &["--size", size]);
        assert_eq!(std::fs::metadata(&image).unwrap().len(), bytes);
    }
}

#[test]
fn verify_describes_a_built_image() {
    let device = Device::new();
    let image = build(&device, "app.bin", &[]);
    let run = ok(device.cli(&["image", "verify", image.to_str().unwrap()]));
    for expected in [
        "entry point 0x400d0020, 3 segments",
        "0x3f400020 DROM",
        "0x400d0020 IROM",
        "(valid)",
        "project pycom-test",
        "version 1.20.2.r6",
        "idf v3.3.1",
    ] {
        assert!(run.stdout.contains(expected), "missing {expected:?} in:\n{}", run.stdout);
    }
}

#[test]
fn verify_json_matches_what_esptool_reports() {
    let device = Device::new();
    let image = build(&device, "app.bin", &[]);
    let run = ok(device.cli(&["image", "verify", image.to_str().unwrap(), "--json"]));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["entry"], 0x400D_0020);
    assert_eq!(json["segments"].as_array().unwrap().len(), 3);
    assert_eq!(json["app_desc"]["project_name"], "pycom-test");
    assert_eq!(json["app_desc"]["version"], "1.20.2.r6");
    assert_eq!(json["app_desc"]["idf_version"], "v3.3.1");
    let report = esptool_image_info(&image);
    let sha = json["sha256"].as_str().unwrap();
    assert!(report.contains(&format!("Validation hash: {sha} (valid)")), "{report}");
    let checksum = format!("Checksum: 0x{:02x} (valid)", json["checksum"].as_u64().unwrap());
    assert!(report.contains(&checksum), "{report}");
}

/// Each corruption: a name, how to damage the image, what `image verify` says.
type Corruption = (&'static str, fn(&mut Vec<u8>), &'static str);

const CORRUPTIONS: [Corruption; 5] = [
    ("flipped byte in the middle", |b| b[0x8000] ^= 0x01, "bad checksum"),
    ("flipped byte in the digest", |b| *b.last_mut().unwrap() ^= 0x01, "bad SHA-256"),
    ("bad magic", |b| b[0] = 0xE8, "bad magic byte 0xe8"),
    ("truncated", |b| b.truncate(0x8000), "runs past the end"),
    ("segment length not a multiple of 4", |b| b[0x1C] += 1, "is not a multiple of 4"),
];

#[test]
fn every_corruption_esptool_reports_is_refused() {
    let device = Device::new();
    let good = build(&device, "good.bin", &[]);
    for (i, (what, corrupt, message)) in CORRUPTIONS.into_iter().enumerate() {
        let bad = write_corrupted(&device, &good, &format!("bad{i}.bin"), corrupt);
        let report = esptool_image_info(&bad);
        assert!(!esptool_says_valid(&report), "esptool accepted {what}:\n{report}");
        fails(device.cli(&["image", "verify", bad.to_str().unwrap()]), 1, message);
    }
}

#[test]
fn verify_json_reports_an_invalid_image_with_its_reason() {
    let device = Device::new();
    let good = build(&device, "good.bin", &[]);
    let bad = write_corrupted(&device, &good, "bad.bin", |b| b[0] = 0);
    let run = device.cli(&["image", "verify", bad.to_str().unwrap(), "--json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert!(json["error"].as_str().unwrap().contains("bad magic"));
}

#[test]
fn an_unreadable_file_is_an_error_not_an_invalid_image() {
    let device = Device::new();
    let missing = device.path("missing.bin");
    fails(device.cli(&["image", "verify", missing.to_str().unwrap()]), 2, "cannot read");
}

#[test]
fn an_empty_file_is_an_invalid_image() {
    let device = Device::new();
    let empty = device.path("empty.bin");
    std::fs::write(&empty, b"").unwrap();
    fails(device.cli(&["image", "verify", empty.to_str().unwrap()]), 1, "too short");
}

/// A linker script placing the app descriptor, read-only data, code in flash
/// and some IRAM code, as IDF's does.
const LINKER_SCRIPT: &str = "ENTRY(_start)
SECTIONS {
  .flash.appdesc 0x3F400020 : { KEEP(*(.flash.appdesc)) }
  .flash.rodata : { *(.rodata) }
  .dram0.data 0x3FFB0000 : { *(.data) }
  .iram0.text 0x40080000 : { *(.iram0.text) }
  .flash.text 0x400D0020 : { *(.text) }
}
";

/// Assembler source: an `esp_app_desc_t` plus a few bytes in each section.
fn assembly(desc: &[u8]) -> String {
    let bytes: Vec<String> = desc.iter().map(|b| b.to_string()).collect();
    format!(
        ".section .flash.appdesc, \"a\"\n.byte {}\n\
         .section .rodata\n.ascii \"read-only data..\"\n\
         .section .data\n.long 1, 2, 3, 4\n\
         .section .iram0.text, \"ax\"\n.long 5, 6, 7, 8\n\
         .text\n.globl _start\n_start:\n.long 9, 10, 11, 12\n",
        bytes.join(",")
    )
}

/// An ELF esptool takes for an ESP32 one: built with the host binutils as
/// 32-bit x86 (installed with apt-get when missing), then marked Xtensa (the
/// code bytes are never run).
fn xtensa_elf(dir: &Path, desc: &app_image::AppDesc) -> PathBuf {
    require_debian_tool("binutils", "as");
    require_debian_tool("binutils", "ld");
    std::fs::write(dir.join("app.S"), assembly(&app_image::encode_app_desc(desc))).unwrap();
    std::fs::write(dir.join("app.ld"), LINKER_SCRIPT).unwrap();
    let assembled = Command::new("as").current_dir(dir).args(["--32", "app.S", "-o", "app.o"]).status().unwrap();
    assert!(assembled.success(), "as failed");
    let linked =
        Command::new("ld").current_dir(dir).args(["-m", "elf_i386", "-T", "app.ld", "app.o", "-o", "app.elf"]).status();
    assert!(linked.unwrap().success(), "ld failed");
    let elf = dir.join("app.elf");
    let mut bytes = std::fs::read(&elf).unwrap();
    bytes[18..20].copy_from_slice(&0x5Eu16.to_le_bytes()); // e_machine = EM_XTENSA
    std::fs::write(&elf, bytes).unwrap();
    elf
}

#[test]
fn verify_accepts_what_esptool_elf2image_makes() {
    let device = Device::new();
    let desc = app_image::AppDesc {
        secure_version: 0,
        version: "1.20.2.r6".into(),
        project_name: "from-elf".into(),
        time: "12:34:56".into(),
        date: "Jun  1 2021".into(),
        idf_version: "v3.3.1".into(),
        elf_sha256: [0; 32],
    };
    let elf = xtensa_elf(device.dir.path(), &desc);
    let image = device.path("from-elf.bin");
    let python = python_with(ESPTOOL);
    let status = Command::new(&python)
        .args(["-m", "esptool", "--chip", "esp32", "elf2image", "--flash-mode", "dio", "--flash-freq", "40m"])
        .args(["--flash-size", "4MB", "--elf-sha256-offset", "0xb0", "-o"])
        .arg(&image)
        .arg(&elf)
        .status()
        .unwrap();
    assert!(status.success(), "elf2image failed");
    assert!(esptool_says_valid(&esptool_image_info(&image)));
    let run = ok(device.cli(&["image", "verify", image.to_str().unwrap(), "--json"]));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["app_desc"]["project_name"], "from-elf");
    assert_eq!(json["app_desc"]["date"], "Jun  1 2021");
    let elf_sha = json["app_desc"]["elf_sha256"].as_str().unwrap();
    assert_ne!(elf_sha, "0".repeat(64), "elf2image fills in the ELF's SHA-256");
    let regions: Vec<&str> =
        json["segments"].as_array().unwrap().iter().map(|s| s["region"].as_str().unwrap()).collect();
    for region in ["DROM", "DRAM", "IRAM", "IROM"] {
        assert!(regions.contains(&region), "{region} missing from {regions:?}");
    }
}

#[test]
fn a_size_beyond_the_largest_app_slot_is_refused() {
    let device = Device::new();
    let out = device.path("huge.bin");
    let run = device.cli(&[
        "image",
        "build",
        "--version",
        "1",
        "--project",
        "p",
        "--size",
        "1G",
        "-o",
        out.to_str().unwrap(),
    ]);
    fails(run, 2, "does not fit an app slot (at most 2027520 bytes");
    let build = |size: &str| {
        device.cli(&["image", "build", "--version", "1", "--project", "p", "--size", size, "-o", out.to_str().unwrap()])
    };
    fails(build("16M"), 2, "--size 16777216 does not fit an app slot");
    fails(build("1981K"), 2, "does not fit an app slot");
    assert!(!out.exists(), "nothing written");
    assert_eq!(build("1980K").code, 0, "the 8 MB boards' slot is 1980 KiB");
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 1980 << 10);
}
