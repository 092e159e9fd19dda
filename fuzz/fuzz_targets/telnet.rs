//! Any bytes as a Telnet client's stream, through the option filter. The body, and what it checks, is
//! `pycom_fuzz_bodies::telnet`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::telnet(data));
