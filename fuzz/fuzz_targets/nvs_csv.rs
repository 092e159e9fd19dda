//! Any bytes as an NVS CSV for `nvs import`. The body, and what it checks, is
//! `pycom_fuzz_bodies::nvs_csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::nvs_csv(data));
