//! Any bytes as a BSDIFF40 patch over a fixed old image. The body, and what it checks, is
//! `pycom_fuzz_bodies::bsdiff_patch`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::bsdiff_patch(data));
