//! Any bytes as the 7-page NVS partition. The body, and what it checks, is
//! `pycom_fuzz_bodies::nvs_partition`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::nvs_partition(data));
