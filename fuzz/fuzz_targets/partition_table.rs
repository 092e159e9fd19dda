//! Any 0xC00 bytes at 0x8000: decoding and checking a partition table never
//! panics, and a table that decodes and checks encodes back to what it read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycom_formats::PartitionTable;
use pycom_formats::partition_table::TABLE_MAX_LEN;

fuzz_target!(|data: &[u8]| {
    let mut bytes = vec![0xFF; TABLE_MAX_LEN];
    let n = data.len().min(TABLE_MAX_LEN);
    bytes[..n].copy_from_slice(&data[..n]);
    if let Ok(table) = PartitionTable::decode(&bytes) {
        if let Ok(mut encoded) = table.encode() {
            encoded.resize(TABLE_MAX_LEN, 0xFF);
            assert_eq!(PartitionTable::decode(&encoded).ok().as_ref(), Some(&table));
        }
    }
});
