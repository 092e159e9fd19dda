//! A command killed at any point never costs the device its data: an `fs`
//! command leaves /flash mountable with everything committed before it, the
//! first run leaves no image or a whole one, and /flash that does not mount is
//! only formatted when the user says so.
//!
//! Kills are deterministic: `PYCOM_EMU_ABORT_AFTER_IMAGE_WRITES=N` makes the
//! process abort (as `kill -9` would end it) instead of its (N+1)th write to an
//! image file, and the sweeps try every N up to the command's last write.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use common::{Device, fails, ok};
use pycom_flash::ABORT_AFTER_WRITES_ENV;

/// A 4 MB board: half the image of an 8 MB one, so sweeps take half the time.
const BOARD: [&str; 2] = ["--board", "sipy"];
/// Where /flash starts on a 4 MB board (the `fs` partition).
const FS_OFFSET: usize = 0x380000;

/// `pycom-emu ARGS... --board sipy` on `device`.
fn cli(device: &Device, args: &[&str]) -> common::Run {
    device.cli(&[args, &BOARD[..]].concat())
}

/// A host folder `name` with `count` files of `size` bytes, each different.
fn project(device: &Device, name: &str, count: usize, size: usize) -> PathBuf {
    let dir = device.path(name);
    std::fs::create_dir(&dir).unwrap();
    for i in 0..count {
        let line = format!("{name} file {i} ");
        std::fs::write(dir.join(format!("f{i}.txt")), &line.repeat(size / line.len() + 1).as_bytes()[..size]).unwrap();
    }
    dir
}

/// Runs `args` aborting before image write `n`; whether it ran to the end.
fn run_killed_at(device: &Device, args: &[&str], n: usize) -> bool {
    let status = device
        .command(&[args, &BOARD[..]].concat())
        .env(ABORT_AFTER_WRITES_ENV, n.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success() || status.code().is_none(), "write {n}: ended with {status} instead of the abort");
    status.success()
}

/// The files of `dir` on the host, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().into_string().unwrap(), std::fs::read(e.path()).unwrap()))
        .collect();
    all.sort();
    all
}

#[test]
fn an_fs_put_killed_at_any_write_leaves_flash_mountable_with_its_old_files() {
    let device = Device::new();
    let old = project(&device, "old", 3, 3000);
    ok(cli(&device, &["fs", "put", "-r", old.to_str().unwrap(), "/flash/old"]));
    let before = std::fs::read(device.image()).unwrap();
    let new = project(&device, "new", 8, 12_000);
    let put = ["fs", "put", "-r", new.to_str().unwrap(), "/flash/new"];

    let (started, mut kills) = (Instant::now(), 0);
    // Every write where a command that writes little would stop, then every
    // fourth of the whole-image write.
    for n in (0..128).chain((128..).step_by(4)) {
        std::fs::write(device.image(), &before).unwrap();
        if run_killed_at(&device, &put, n) {
            break;
        }
        kills += 1;
        let copy = device.path("copy");
        let _ = std::fs::remove_dir_all(&copy);
        let got = cli(&device, &["fs", "get", "-r", "/flash/old", copy.to_str().unwrap()]);
        assert_eq!(got.code, 0, "killed before write {n}: /flash does not mount:\n{}", got.stderr);
        assert_eq!(files(&copy), files(&old), "killed before write {n}: the old files changed");
    }
    eprintln!("{kills} kill points in {:.1?}", started.elapsed());
    assert!(kills >= 200, "only {kills} kill points: the command ran to its end");
    let copy = device.path("copy");
    let _ = std::fs::remove_dir_all(&copy);
    ok(cli(&device, &["fs", "get", "-r", "/flash/new", copy.to_str().unwrap()]));
    assert_eq!(files(&copy), files(&new));
}

#[test]
fn a_first_run_killed_while_creating_the_image_leaves_none_or_a_whole_one() {
    let device = Device::new();
    let script = device.path("main.py");
    std::fs::write(&script, "print('ran')\n").unwrap();
    let run = ["run", script.to_str().unwrap()];
    let mut kills = 0;
    for n in (0..).step_by(8) {
        let _ = std::fs::remove_file(device.image());
        if run_killed_at(&device, &run, n) {
            break;
        }
        kills += 1;
        let image = std::fs::metadata(device.image()).map(|m| m.len());
        assert!(matches!(image, Err(_) | Ok(0x400000)), "killed before write {n}: image {image:?}");
        let next = cli(&device, &run);
        assert_eq!((next.code, next.stdout.as_str()), (0, "ran\n"), "killed before write {n}:\n{}", next.stderr);
    }
    assert!(kills >= 100, "only {kills} kill points");
}

#[test]
fn an_unmountable_flash_is_refused_unless_forced() {
    let device = Device::new();
    let local = device.path("x.py");
    std::fs::write(&local, "x = 1\n").unwrap();
    ok(cli(&device, &["fs", "put", local.to_str().unwrap()]));
    let mut image = std::fs::read(device.image()).unwrap();
    image[FS_OFFSET..FS_OFFSET + 0x2000].fill(0x00);
    std::fs::write(device.image(), &image).unwrap();

    let refused = "does not mount; pass --force to format it (its files are lost)";
    fails(cli(&device, &["fs", "ls"]), 2, refused);
    fails(cli(&device, &["fs", "put", local.to_str().unwrap()]), 2, refused);
    assert!(std::fs::read(device.image()).unwrap() == image, "a refused command leaves the image alone");

    let forced = ok(cli(&device, &["fs", "ls", "--force"]));
    assert!(forced.stderr.contains("formatted it: its files are gone"), "{}", forced.stderr);
    assert!(forced.stdout.lines().any(|l| l == "boot.py"), "{}", forced.stdout);
    ok(cli(&device, &["fs", "ls"]));
}

#[test]
fn nvs_and_config_changes_killed_at_any_write_leave_the_old_image_or_the_new_one() {
    let device = Device::new();
    ok(cli(&device, &["nvs", "set", "old", "7"]));
    ok(cli(&device, &["config", "set", "wifi_ssid_sta", "home"]));
    let before = std::fs::read(device.image()).unwrap();
    let changes: [&[&str]; 5] = [
        &["nvs", "set", "new", "9"],
        &["nvs", "set", "old", "8"],
        &["nvs", "erase", "old"],
        &["config", "set", "wifi_ssid_sta", "office"],
        &["config", "set", "heartbeat_on_boot", "false"],
    ];
    for change in changes {
        std::fs::write(device.image(), &before).unwrap();
        ok(cli(&device, change));
        let after = std::fs::read(device.image()).unwrap();
        let mut kills = 0;
        for n in (0..).step_by(8) {
            std::fs::write(device.image(), &before).unwrap();
            if run_killed_at(&device, change, n) {
                break;
            }
            kills += 1;
            let image = std::fs::read(device.image()).unwrap();
            assert!(image == before || image == after, "{change:?} killed before write {n}: a half-changed image");
            assert_eq!(ok(cli(&device, &["nvs", "get", "old"])).stdout.len(), 2, "{change:?} killed before write {n}");
        }
        assert!(kills >= 10, "{change:?}: only {kills} kill points");
    }
}
