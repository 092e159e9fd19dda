//! `pycom-emu repl` on a terminal (a pseudo-terminal made by util-linux
//! `script`): what the emulator prints before the board boots ends its lines
//! as a terminal needs, before the terminal goes raw.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use common::Device;

/// Ctrl-]: leaves `pycom-emu repl`.
const LEAVE: &[u8] = b"\x1d";

/// Runs `pycom-emu repl` on a new image in a pseudo-terminal until the first
/// prompt, leaves it, and returns what the terminal showed.
fn screen_of_a_first_repl(device: &Device) -> String {
    let command = format!("{} repl --image {}", env!("CARGO_BIN_EXE_pycom-emu"), device.image().display());
    let mut child = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("util-linux script");
    let mut stdout = child.stdout.take().unwrap();
    let mut screen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&screen).contains(">>> ") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "the terminal closed before the prompt: {:?}", String::from_utf8_lossy(&screen));
        screen.extend_from_slice(&buf[..n]);
    }
    child.stdin.take().unwrap().write_all(LEAVE).unwrap();
    stdout.read_to_end(&mut screen).unwrap();
    assert!(child.wait().unwrap().success());
    String::from_utf8_lossy(&screen).into_owned()
}

#[test]
fn the_created_image_line_ends_before_the_banner_starts_at_the_left_margin() {
    let device = Device::new();
    let screen = screen_of_a_first_repl(&device);
    let created = format!("[pycom-emu] created {} for a lopy4 (8 MiB flash)", device.image().display());
    assert!(screen.contains(&format!("{created}\r\nPycom MicroPython ")), "{screen:?}");
}
