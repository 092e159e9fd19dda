//! A booted LoPy4 image with fuzzed bytes over what the boot reads. The body, and what it checks, is
//! `pycom_fuzz_bodies::device_image`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::device_image(data));
