//! Every host file a command reads is read with the limit of where it goes:
//! `/dev/zero` given as a file to put on `/flash`, an image or an app image
//! ends at once with an error naming it, instead of filling the host's memory.

mod common;

use std::time::{Duration, Instant};

use common::{Device, Run};

/// Runs `args` on `device`, which must end within seconds, refused.
fn refused_quickly(device: &Device, args: &[&str], message: &str) {
    let started = Instant::now();
    let run: Run = device.cli(args);
    assert!(started.elapsed() < Duration::from_secs(5), "{args:?} took {:?}", started.elapsed());
    assert_eq!(run.code, 2, "{args:?} did not fail as a command error:\n{}", run.stdout);
    assert!(run.stderr.contains(message), "expected {message:?} in stderr of {args:?}:\n{}", run.stderr);
}

#[test]
fn an_endless_file_put_on_flash_is_refused_at_the_partition_size() {
    let device = Device::new();
    common::ok(device.cli(&["image", "create", "--board", "sipy"]));
    let before = std::fs::read(device.image()).unwrap();
    refused_quickly(
        &device,
        &["fs", "put", "/dev/zero", "/flash/zero", "--board", "sipy"],
        "/dev/zero is larger than the /flash partition (520192 bytes): refused",
    );
    assert!(std::fs::read(device.image()).unwrap() == before, "nothing written");
}

#[test]
fn an_endless_image_is_refused_at_the_largest_flash() {
    let device = Device::new();
    let script = device.path("main.py");
    std::fs::write(&script, "print(1)\n").unwrap();
    let too_large = "image /dev/zero is larger than 16777216 bytes, the largest flash an ESP32 addresses";
    refused_quickly(&device, &["image", "info", "--image", "/dev/zero"], too_large);
    refused_quickly(&device, &["run", "--image", "/dev/zero", script.to_str().unwrap()], too_large);
    refused_quickly(&device, &["fs", "ls", "--image", "/dev/zero"], too_large);
}

#[test]
fn an_endless_script_is_refused_at_the_largest_flash() {
    refused_quickly(
        &Device::new(),
        &["run", "/dev/zero"],
        "cannot read script /dev/zero: /dev/zero is larger than the largest /flash (4194304 bytes): refused",
    );
}

#[test]
fn an_endless_app_image_is_refused_at_the_largest_slot() {
    refused_quickly(
        &Device::new(),
        &["image", "verify", "/dev/zero"],
        "/dev/zero is larger than the largest app slot (2027520 bytes): refused",
    );
}
