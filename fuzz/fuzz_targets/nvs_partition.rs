//! Any bytes as the 7-page NVS partition: mounting (with its recovery),
//! listing, reading and writing a key never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycom_board::nvs::{Nvs, Value};
use pycom_flash::Flash;

const SIZE: usize = 7 * 4096;

fuzz_target!(|data: &[u8]| {
    let mut bytes = vec![0xFF; SIZE];
    let n = data.len().min(SIZE);
    bytes[..n].copy_from_slice(&data[..n]);
    let mut flash = Flash::from_bytes(bytes);
    let Ok(mut nvs) = Nvs::mount(&mut flash, 0, SIZE as u32) else { return };
    let _ = nvs.entries(&mut flash, None);
    if let Ok(ns) = nvs.open_namespace(&mut flash, "PY_NVM", true) {
        let _ = nvs.set(&mut flash, ns, b"key", &Value::U32(7));
        let _ = nvs.entries(&mut flash, Some(ns));
    }
});
