//! Any bytes as `main.py`, compiled and run on a LoPy4. The body, and what it checks, is
//! `pycom_fuzz_bodies::script`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::script(data));
