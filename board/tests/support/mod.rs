//! Shared helpers of the board tests: a 7-page NVS partition at flash offset 0,
//! a small deterministic random generator and Python tools from PyPI.
#![allow(dead_code)]

use pycom_board::nvs::{Nvs, NvsError, Value};
use pycom_flash::Flash;
use pycom_formats::nvs::ItemType;

/// Size of the Pycom `nvs` partition.
pub const SIZE: u32 = 0x7000;

/// A freshly erased partition.
pub fn erased() -> Flash {
    Flash::erased(SIZE as usize)
}

/// Mounts the partition at offset 0.
pub fn mount(flash: &mut Flash) -> Nvs {
    Nvs::mount(flash, 0, SIZE).expect("mount")
}

/// Mounts a copy of `flash`'s contents (power back on after a cut).
pub fn remount(flash: &Flash) -> (Flash, Nvs) {
    let mut copy = Flash::from_bytes(flash.contents().to_vec());
    let nvs = Nvs::mount(&mut copy, 0, SIZE).expect("mount after power loss");
    (copy, nvs)
}

/// Reads `key` as `item_type`, `None` if missing.
pub fn read(nvs: &mut Nvs, flash: &mut Flash, ns: u8, key: &str, item_type: ItemType) -> Option<Value> {
    match nvs.get(flash, ns, key.as_bytes(), item_type) {
        Ok(v) => Some(v),
        Err(NvsError::NotFound | NvsError::TypeMismatch) => None,
        Err(e) => panic!("reading {key}: {e}"),
    }
}

/// A small deterministic generator (SplitMix64) for workloads.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A Python with `requirement` installed from PyPI, in a virtualenv made once
/// under the target directory (so a fresh machine needs only `python3`).
pub fn python_with(requirement: &str) -> std::path::PathBuf {
    use std::process::Command;
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let venv =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("venv-{}", requirement.replace("==", "-")));
    let python = venv.join("bin/python");
    let ready = venv.join("installed.ok");
    if !ready.exists() {
        let status = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().unwrap();
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(&python).args(["-m", "pip", "install", "--quiet", requirement]).status().unwrap();
        assert!(status.success(), "pip install {requirement} failed");
        std::fs::write(&ready, "").unwrap();
    }
    python
}
