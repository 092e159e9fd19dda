//! Any bytes as UART input to the REPL. The body, and what it checks, is
//! `pycom_fuzz_bodies::repl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::repl(data));
