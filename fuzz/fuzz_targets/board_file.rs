//! Any text as a board file. The body, and what it checks, is
//! `pycom_fuzz_bodies::board_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::board_file(data));
