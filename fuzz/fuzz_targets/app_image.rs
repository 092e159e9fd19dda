//! Any bytes as an ESP32 app image: `verify` (header, segments, checksum,
//! SHA-256, app descriptor) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycom_formats::app_image;

fuzz_target!(|data: &[u8]| {
    let _ = app_image::verify(data);
});
