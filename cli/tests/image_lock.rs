//! One process at a time has a device image: a second command on an image in
//! use is refused (exit 2, naming the holder) and the first loses nothing.

mod common;

use std::io::BufRead;
use std::process::Stdio;

use common::{Device, Served, fails, ok};

/// A script that writes `count` files named PREFIX0.txt.. and says so.
fn writer(prefix: &str, count: usize) -> String {
    format!(
        "import pycom\npycom.heartbeat(False)\n\
         for i in range({count}):\n    with open('/flash/{prefix}%d.txt' % i, 'w') as f:\n        f.write('{prefix}' * 100)\n\
         print('written')\n"
    )
}

#[test]
fn a_second_run_on_an_image_in_use_is_refused_and_the_first_keeps_its_files() {
    let device = Device::new();
    ok(device.cli(&["image", "create"]));
    let first_script = device.path("first.py");
    std::fs::write(&first_script, writer("a", 20) + "import time\ntime.sleep(3)\n").unwrap();
    let mut first =
        device.command(&["run", "--realtime", first_script.to_str().unwrap()]).stderr(Stdio::null()).spawn().unwrap();
    let mut out = std::io::BufReader::new(first.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("written") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the first run ended early");
    }

    let second = device.run(&writer("b", 20));
    fails(second, 2, &format!("is in use by process {} (pycom-emu run)", first.id()));

    assert!(first.wait().unwrap().success());
    let listing = ok(device.cli(&["fs", "ls"])).stdout;
    for i in 0..20 {
        assert!(listing.lines().any(|l| l == format!("a{i}.txt")), "a{i}.txt missing from {listing}");
    }
    assert!(!listing.contains("b0.txt"), "{listing}");
}

#[test]
fn commands_that_change_an_image_are_refused_while_serve_has_it() {
    let device = Device::new();
    let local = device.path("x.py");
    std::fs::write(&local, "x = 1\n").unwrap();
    let served = Served::start(&device, "tcp:127.0.0.1:0", &[]);
    let message = "is in use by process";
    fails(device.cli(&["fs", "put", local.to_str().unwrap()]), 2, message);
    fails(device.cli(&["fs", "put", local.to_str().unwrap()]), 2, "(pycom-emu serve)");
    fails(device.cli(&["nvs", "set", "k", "1"]), 2, message);
    fails(device.cli(&["config", "set", "heartbeat_on_boot", "false"]), 2, message);
    fails(device.cli(&["image", "create", "--force"]), 2, message);
    let info = ok(device.cli(&["image", "info"]));
    assert!(info.stdout.contains("partition table at 0x8000"), "image info reads without the lock");

    served.stop();
    ok(device.cli(&["fs", "put", local.to_str().unwrap()]));
    assert_eq!(ok(device.cli(&["fs", "cat", "/flash/x.py"])).stdout, "x = 1\n");
}
