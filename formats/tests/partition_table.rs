//! Pycom's partition tables encode byte-exact and decode strictly.

use pycom_formats::partition_table::TABLE_MAX_LEN;
use pycom_formats::{FlashLayout, PartitionKind, PartitionTable, PartitionTableError};

fn in_sector(table: &PartitionTable) -> Vec<u8> {
    let mut sector = vec![0xFF; 0x1000];
    let bytes = table.encode().unwrap();
    sector[..bytes.len()].copy_from_slice(&bytes);
    sector
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_4mb_table_has_the_md5_published_for_it() {
    let bytes = PartitionTable::pycom(FlashLayout::Pycom4Mb).encode().unwrap();
    assert_eq!(bytes.len(), 8 * 32, "7 entries and the MD5 row");
    assert_eq!(
        &bytes[0xE0..0xF0],
        &[0xEB, 0xEB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    );
    assert_eq!(hex(&bytes[0xF0..0x100]), "229b9d0d41b6cfeaba95cfe3bea38f14");
}

#[test]
fn first_entry_bytes_follow_esp_partition_info_t() {
    let bytes = PartitionTable::pycom(FlashLayout::Pycom8Mb).encode().unwrap();
    let mut nvs = vec![0xAA, 0x50, 0x01, 0x02, 0x00, 0x90, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00];
    nvs.extend_from_slice(b"nvs\0\0\0\0\0\0\0\0\0\0\0\0\0");
    nvs.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(&bytes[..32], &nvs[..]);
    // factory is encrypted: flags word 1.
    assert_eq!(&bytes[32 + 28..64], &[1, 0, 0, 0]);
}

#[test]
fn layouts_round_trip() {
    for layout in [FlashLayout::Pycom4Mb, FlashLayout::Pycom8Mb] {
        let table = PartitionTable::pycom(layout);
        let decoded = PartitionTable::decode(&in_sector(&table)).unwrap();
        assert_eq!(decoded, table);
        let last = decoded.partitions.iter().map(|p| p.end()).max().unwrap();
        assert!(last <= layout.flash_size() as u64);
    }
}

#[test]
fn the_8mb_layout_places_otadata_and_config_as_gen_esp32part_does() {
    let t = PartitionTable::pycom(FlashLayout::Pycom8Mb);
    let otadata = t.find("otadata").unwrap();
    assert_eq!((otadata.offset, otadata.size), (0x1FF000, 0x2000));
    assert_eq!(t.find("ota_0").unwrap().offset, 0x210000);
    let config = t.find("config").unwrap();
    assert_eq!((config.kind, config.subtype, config.offset), (PartitionKind::Data, 6, 0x3FF000));
}

#[test]
fn an_erased_sector_has_no_table() {
    assert_eq!(PartitionTable::decode(&[0xFF; 0x1000]), Err(PartitionTableError::Missing));
}

#[test]
fn a_flipped_bit_fails_the_md5_check() {
    let mut sector = in_sector(&PartitionTable::pycom(FlashLayout::Pycom4Mb));
    sector[4] ^= 0x10;
    assert!(matches!(PartitionTable::decode(&sector), Err(PartitionTableError::Md5Mismatch { .. })));
}

#[test]
fn garbage_is_reported_with_its_entry_index() {
    let mut sector = in_sector(&PartitionTable::pycom(FlashLayout::Pycom8Mb));
    sector[64] = 0x12;
    assert_eq!(PartitionTable::decode(&sector), Err(PartitionTableError::BadMagic { index: 2, magic: [0x12, 0x50] }));
    assert_eq!(PartitionTable::decode(&sector[..10]), Err(PartitionTableError::TooShort(10)));
}

#[test]
fn a_table_without_end_marker_is_refused() {
    let mut area = vec![0u8; TABLE_MAX_LEN];
    for e in area.chunks_exact_mut(32) {
        e[0] = 0xAA;
        e[1] = 0x50;
    }
    assert_eq!(PartitionTable::decode(&area), Err(PartitionTableError::NoEndMarker));
}

/// The 4 MB table with entry `index` moved to `offset` and resized to `size`.
fn moved(index: usize, offset: u32, size: u32) -> PartitionTable {
    let mut table = PartitionTable::pycom(FlashLayout::Pycom4Mb);
    table.partitions[index].offset = offset;
    table.partitions[index].size = size;
    table
}

#[test]
fn the_pycom_layouts_fit_their_flash() {
    for layout in [FlashLayout::Pycom4Mb, FlashLayout::Pycom8Mb] {
        assert_eq!(PartitionTable::pycom(layout).check_layout(layout.flash_size() as u64), Ok(()));
    }
}

#[test]
fn entries_over_the_table_past_the_end_or_over_each_other_are_refused() {
    let size = 4 << 20;
    assert_eq!(
        moved(0, 0x8000, 0x8000).check_layout(size),
        Err(PartitionTableError::OverBootArea { label: "nvs".into(), offset: 0x8000 })
    );
    assert_eq!(
        moved(6, 0x3FF000, 0x2000).check_layout(size),
        Err(PartitionTableError::PastFlashEnd { label: "config".into(), end: 0x401000, flash_size: size })
    );
    assert_eq!(
        moved(2, 0x1BD000, 0x1000).check_layout(size),
        Err(PartitionTableError::Overlap { first: "factory".into(), second: "otadata".into() })
    );
    assert_eq!(moved(6, 0x3FF000, 0x1000).check_layout(size), Ok(()), "touching is not overlapping");
}
