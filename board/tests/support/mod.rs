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

#[path = "../../../test-support/python_tools.rs"]
mod python_tools;
#[allow(unused_imports)] // each test file uses its own subset
pub use python_tools::python_with;

#[path = "../../../test-support/debian_tools.rs"]
mod debian_tools;
#[allow(unused_imports)] // each test file uses its own subset
pub use debian_tools::require_debian_tool;
