//! Any bytes as a BSDIFF40 patch over a fixed old image: applying it never
//! panics and never produces more than the header announces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycom_board::diff;

fuzz_target!(|data: &[u8]| {
    let old: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut patch = b"BSDIFF40".to_vec();
    patch.extend_from_slice(data);
    let _ = diff::apply_patch(&old, &patch);
});
