//! Any 0xC00 bytes at 0x8000 as a partition table. The body, and what it checks, is
//! `pycom_fuzz_bodies::partition_table`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::partition_table(data));
