//! Any bytes as FTP commands on the board's storage backend. The body, and what it checks, is
//! `pycom_fuzz_bodies::ftp`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::ftp(data));
