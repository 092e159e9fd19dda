//! OTA from Python (spec/firmware-behaviour.md section 7, cases 39-45): slot
//! choice, writing in 4096-byte blocks, `Status: Check`, verification, the
//! switch at the next boot and the rollback of a bad image.

mod common;
use common::{Device, SHOW, snippet};

/// The PyPI bsdiff4 the patches are checked against.
const BSDIFF4: &str = "bsdiff4==1.3.2";

/// A device with a valid app image of `version` at `/flash/app.bin`.
fn device_with_image(version: &str) -> Device {
    let device = Device::new();
    let app = device.path("app.bin");
    let build =
        device.cli(&["image", "build", "--version", version, "--project", "pycom", "-o", app.to_str().unwrap()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(device.cli(&["fs", "put", app.to_str().unwrap(), "/flash/app.bin"]).code, 0);
    device
}

const PUSH: &str = "import pycom\ndef push(path):\n    pycom.ota_start()\n    with open(path, 'rb') as f:\n        \
                    while True:\n            block = f.read(4096)\n            if not block:\n                break\n            \
                    pycom.ota_write(block)\n    pycom.ota_finish()\n";

#[test]
fn case_39_the_next_slot_of_a_fresh_board() {
    let device = Device::new();
    assert_eq!(device.run_with("import pycom\nprint(pycom.ota_slot())", &["--board", "wipy2"]).lines(), ["1835008"]);
    assert_eq!(snippet("import pycom\nprint(pycom.ota_slot())"), ["2162688"]);
}

#[test]
fn case_40_finish_and_verify_before_any_start() {
    assert_eq!(snippet("import pycom\nshow(pycom.ota_finish)\nshow(pycom.ota_verify)"), ["None", "False"]);
}

#[test]
fn case_41_ota_write_wants_a_buffer() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.ota_write, 123)"),
        ["TypeError: object with buffer protocol required"]
    );
}

#[test]
fn case_42_a_full_update_runs_after_the_reset() {
    let device = device_with_image("1.20.2.r7");
    let run =
        device.run(&format!("{SHOW}\n{PUSH}push('/flash/app.bin')\nshow(pycom.ota_verify)\nprint(pycom.bootmgr()[3])"));
    assert_eq!(
        run.lines(),
        ["Full Update Image detected. Restart the device to load the new firmware.", "True", "Status: Check"],
        "{}",
        run.stderr
    );
    let after = device.run("import os, pycom\nprint(pycom.bootmgr()[0], pycom.ota_slot(), os.uname().release)");
    assert_eq!(after.lines(), ["ota_0 65536 1.20.2.r7"], "{}", after.stderr);
}

#[test]
fn case_43_junk_is_written_unchecked_and_rolled_back_at_boot() {
    let device = Device::new();
    let run = device.run(&format!(
        "{SHOW}\nimport pycom\npycom.ota_start()\npycom.ota_write(b'junk' * 1024)\nshow(pycom.ota_finish)\nshow(pycom.ota_verify)"
    ));
    assert_eq!(
        run.lines(),
        ["Full Update Image detected. Restart the device to load the new firmware.", "None", "False"],
        "{}",
        run.stderr
    );
    let after = device.run("import pycom\nprint(pycom.bootmgr())");
    assert_eq!(
        after.lines(),
        [
            "Cannot load Firmware img in the active partition! .. Defaulting back to previous partition",
            "('Factory', 'LittleFS', 'SafeBoot: False', 'Status: Ready')"
        ]
    );
}

#[test]
fn case_44_an_empty_update_is_marked_then_rolled_back() {
    let device = Device::new();
    let run = device.run("import pycom\npycom.ota_start()\npycom.ota_finish()\nprint(pycom.bootmgr()[3])");
    assert_eq!(run.lines()[1], "Status: Check", "{}", run.stdout);
    let after = device.run("import pycom\nprint(pycom.bootmgr()[0])");
    assert_eq!(after.lines().last(), Some(&"Factory"));
}

#[test]
fn case_45_a_diff_image_without_diff_support() {
    assert_eq!(
        snippet(
            "import pycom\npycom.ota_start()\npycom.ota_write(b'BSDIFF40' + b'\\0' * 24)\nshow(pycom.ota_finish)\n\
             show(pycom.diff_update_enabled)\nprint(pycom.bootmgr()[3])"
        ),
        [
            "Differential Update Image detected. This feature is disabled in the build. Enable DIFF_UPDATE_ENABLED in the build to use it.",
            "OSError: the requested operation failed",
            "False",
            "Status: Ready",
        ]
    );
}

#[test]
fn writing_without_start_aborts_and_the_board_resets() {
    let device = Device::new();
    let run = device.run_with(
        "import pycom, machine\nprint('boot', machine.reset_cause())\npycom.ota_write(b'x' * 16)\nprint('not reached')",
        &["--max-resets", "1"],
    );
    assert_eq!(run.lines(), ["boot 0", "boot 1"], "{}", run.stderr);
    assert!(run.stderr.contains("ota_write without ota_start"), "{}", run.stderr);
}

#[test]
fn an_update_of_the_running_ota_image_goes_back_to_the_factory_slot() {
    let device = device_with_image("2.0.0");
    let first = device.run(&format!("{PUSH}push('/flash/app.bin')"));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let second = device.run(&format!(
        "{PUSH}import os\nprint(os.uname().release, pycom.ota_slot())\npush('/flash/app.bin')\nprint(pycom.bootmgr())"
    ));
    assert_eq!(
        second.lines(),
        [
            "2.0.0 65536",
            "Full Update Image detected. Restart the device to load the new firmware.",
            "('ota_0', 'LittleFS', 'SafeBoot: False', 'Status: Check')"
        ],
        "{}",
        second.stderr
    );
    let third = device.run("import pycom, os\nprint(pycom.bootmgr()[0], os.uname().release)");
    assert_eq!(third.lines(), ["Factory 2.0.0"], "{}", third.stderr);
}

/// A bsdiff4 (PyPI) patch from the factory firmware to `version`, put at `/flash/patch.bin`.
fn device_with_patch(version: &str) -> Device {
    let device = Device::new();
    let (old, new, patch) = (device.path("v1.bin"), device.path("v2.bin"), device.path("patch.bin"));
    for (file, v) in [(&old, "1.20.2.r6"), (&new, version)] {
        let built = device.cli(&["image", "build", "--version", v, "--project", "pycom", "-o", file.to_str().unwrap()]);
        assert_eq!(built.code, 0, "{}", built.stderr);
    }
    let python = common::python_with(BSDIFF4);
    let made = std::process::Command::new(python)
        .args(["-c", "import sys, bsdiff4; bsdiff4.file_diff(sys.argv[1], sys.argv[2], sys.argv[3])"])
        .args([&old, &new, &patch])
        .status()
        .unwrap();
    assert!(made.success());
    assert_eq!(device.cli(&["fs", "put", patch.to_str().unwrap(), "/flash/patch.bin"]).code, 0);
    device
}

#[test]
fn a_bsdiff4_patch_updates_the_factory_firmware_at_the_next_boot() {
    let device = device_with_patch("2.0.0");
    let push = device
        .run_with(&format!("{PUSH}print(pycom.diff_update_enabled())\npush('/flash/patch.bin')"), &["--diff-update"]);
    assert_eq!(
        push.lines(),
        ["True", "Differential Update Image detected. Restart the device to apply the patch."],
        "{}",
        push.stderr
    );
    let after = device.run_with("import os, pycom\nprint(os.uname().release, pycom.bootmgr())", &["--diff-update"]);
    assert_eq!(
        after.lines(),
        ["Patching SUCCESSFUL.", "2.0.0 ('ota_0', 'LittleFS', 'SafeBoot: False', 'Status: Ready')"],
        "{}",
        after.stderr
    );
}

#[test]
fn a_corrupt_patch_keeps_the_current_firmware() {
    let device = device_with_patch("2.0.0");
    let push = device.run_with(
        &format!(
            "{PUSH}data = bytearray(open('/flash/patch.bin', 'rb').read())\ndata[60] ^= 0xFF\n\
             open('/flash/patch.bin', 'wb').write(data)\npush('/flash/patch.bin')"
        ),
        &["--diff-update"],
    );
    assert_eq!(push.code, 0, "{}", push.stderr);
    let after = device.run_with("import os, pycom\nprint(os.uname().release, pycom.bootmgr()[0])", &["--diff-update"]);
    assert_eq!(
        after.lines(),
        ["Patching FAILED. We will continue with the current firmware.", "1.20.2.r6 Factory"],
        "{}",
        after.stderr
    );
}

#[test]
fn ota_push_streams_an_image_reboots_and_reports_the_running_version() {
    let device = Device::new();
    let app = device.path("v2.bin");
    let built = device.cli(&[
        "image",
        "build",
        "--version",
        "2.1.0",
        "--project",
        "pycom",
        "--size",
        "1900K",
        "-o",
        app.to_str().unwrap(),
    ]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let push = device.cli(&["ota", "push", app.to_str().unwrap()]);
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert_eq!(push.lines()[0], "Full Update Image detected. Restart the device to load the new firmware.");
    assert!(push.lines()[1].starts_with("running 2.1.0 (was 1.20.2.r6), 1945600 bytes pushed"), "{}", push.stdout);
    assert_eq!(device.run("import os\nprint(os.uname().release)").lines(), ["2.1.0"]);

    let junk = device.path("junk.bin");
    std::fs::write(&junk, vec![0xE9; 10_000]).unwrap();
    let bad = device.cli(&["ota", "push", junk.to_str().unwrap()]);
    assert_eq!(bad.code, 1, "{}", bad.stdout);
    assert!(bad.stdout.contains("Cannot load Firmware img in the active partition!"), "{}", bad.stdout);
    assert!(bad.stdout.contains("running 2.1.0 (was 2.1.0)"), "{}", bad.stdout);
}

#[test]
fn ota_push_of_a_patch_needs_diff_update_firmware() {
    let device = device_with_patch("3.0.0");
    let patch = device.path("patch.bin");
    let refused = device.cli(&["ota", "push", patch.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("use --diff-update"), "{}", refused.stderr);
    let applied = device.cli(&["ota", "push", "--diff-update", patch.to_str().unwrap()]);
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("Patching SUCCESSFUL.\nrunning 3.0.0 (was 1.20.2.r6)"), "{}", applied.stdout);
}

#[test]
fn ota_push_refuses_a_file_larger_than_an_app_slot_before_writing_anything() {
    let device = device_with_image("2.0.0");
    let whole_device = device.path("copy-of-the-device.bin");
    std::fs::copy(device.image(), &whole_device).unwrap();
    let before = std::fs::read(device.image()).unwrap();
    let push = device.cli(&["ota", "push", whole_device.to_str().unwrap()]);
    assert_eq!(push.code, 2, "{}", push.stdout);
    assert!(push.stderr.contains("is larger than an app slot (2027520 bytes): refused"), "{}", push.stderr);
    assert!(std::fs::read(device.image()).unwrap() == before, "the device image is untouched");
    assert_eq!(device.run("import os\nprint(os.uname().release)").lines(), ["1.20.2.r6"]);
}

/// `device` with an app image of `version` whose XOR checksum is right and
/// whose appended SHA-256 is wrong, at `wrong-digest.bin` and `/flash/app.bin`.
fn device_with_a_wrong_digest(version: &str) -> (Device, std::path::PathBuf) {
    let device = device_with_image(version);
    let mut image = std::fs::read(device.path("app.bin")).unwrap();
    let last = image.len() - 1;
    image[last] ^= 0x01; // the digest is the image's last 32 bytes
    let path = device.path("wrong-digest.bin");
    std::fs::write(&path, &image).unwrap();
    let verify = device.cli(&["image", "verify", path.to_str().unwrap()]);
    assert_eq!(verify.code, 1, "{}", verify.stdout);
    assert!(verify.stderr.contains("bad SHA-256"), "only the digest is wrong: {}", verify.stderr);
    assert_eq!(device.cli(&["fs", "put", path.to_str().unwrap(), "/flash/app.bin"]).code, 0);
    (device, path)
}

#[test]
fn a_wrong_sha_256_is_rolled_back_after_ota_push() {
    let (device, image) = device_with_a_wrong_digest("2.0.0");
    let push = device.cli(&["ota", "push", image.to_str().unwrap()]);
    assert_eq!(push.code, 1, "{}", push.stdout);
    assert!(push.stdout.contains("Cannot load Firmware img in the active partition!"), "{}", push.stdout);
    assert!(push.stdout.contains("running 1.20.2.r6 (was 1.20.2.r6)"), "{}", push.stdout);
}

#[test]
fn a_wrong_sha_256_fails_ota_verify_and_is_rolled_back_at_boot() {
    let (device, _) = device_with_a_wrong_digest("2.0.0");
    let run = device.run(&format!("{SHOW}\n{PUSH}push('/flash/app.bin')\nshow(pycom.ota_verify)"));
    assert_eq!(
        run.lines(),
        ["Full Update Image detected. Restart the device to load the new firmware.", "False"],
        "{}",
        run.stderr
    );
    let after = device.run("import os, pycom\nprint(pycom.bootmgr()[0], os.uname().release)");
    assert_eq!(
        after.lines(),
        [
            "Cannot load Firmware img in the active partition! .. Defaulting back to previous partition",
            "Factory 1.20.2.r6"
        ],
        "{}",
        after.stderr
    );
}
