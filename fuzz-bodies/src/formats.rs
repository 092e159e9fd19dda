//! The flash formats read from outside: partition table, app images, bsdiff
//! patches, the NVS partition.

use pycom_board::diff;
use pycom_board::nvs::{Nvs, Value};
use pycom_flash::Flash;
use pycom_formats::partition_table::TABLE_MAX_LEN;
use pycom_formats::{PartitionTable, app_image};

/// Any 0xC00 bytes at 0x8000: decoding and checking a partition table never
/// panics, and a table that decodes and checks encodes back to what it read.
pub fn partition_table(data: &[u8]) {
    let mut bytes = vec![0xFF; TABLE_MAX_LEN];
    let n = data.len().min(TABLE_MAX_LEN);
    bytes[..n].copy_from_slice(&data[..n]);
    if let Ok(table) = PartitionTable::decode(&bytes)
        && let Ok(mut encoded) = table.encode()
    {
        encoded.resize(TABLE_MAX_LEN, 0xFF);
        assert_eq!(PartitionTable::decode(&encoded).ok().as_ref(), Some(&table));
    }
}

/// Any bytes as an ESP32 app image: `verify` (header, segments, checksum,
/// SHA-256, app descriptor) never panics.
pub fn app_image(data: &[u8]) {
    let _ = app_image::verify(data);
}

/// Any bytes as a BSDIFF40 patch over a fixed old image: applying it never panics.
pub fn bsdiff_patch(data: &[u8]) {
    let old: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut patch = b"BSDIFF40".to_vec();
    patch.extend_from_slice(data);
    let _ = diff::apply_patch(&old, &patch);
}

/// Any bytes as the 7-page NVS partition: mounting (with its recovery),
/// listing, reading and writing a key never panic.
pub fn nvs_partition(data: &[u8]) {
    const SIZE: usize = 7 * 4096;
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
}
