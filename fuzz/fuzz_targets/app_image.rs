//! Any bytes as an ESP32 app image. The body, and what it checks, is
//! `pycom_fuzz_bodies::app_image`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pycom_fuzz_bodies::app_image(data));
