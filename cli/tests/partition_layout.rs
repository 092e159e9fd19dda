//! An image whose partition table does not fit the chip (entries over the
//! table, over each other or past the end) is refused before anything runs,
//! so a crafted table cannot make the board overwrite the table itself.

mod common;

use common::{Device, fails, ok};
use pycom_formats::partition_table::TABLE_OFFSET;
use pycom_formats::{FlashLayout, PartitionTable};

/// `device`'s image with its table's entry `label` moved to `offset`.
fn with_entry_at(device: &Device, label: &str, offset: u32) -> Vec<u8> {
    let mut table = PartitionTable::pycom(FlashLayout::Pycom8Mb);
    table.partitions.iter_mut().find(|p| p.label == label).unwrap().offset = offset;
    let bytes = table.encode().unwrap();
    let mut image = std::fs::read(device.image()).unwrap();
    let at = TABLE_OFFSET as usize;
    image[at..at + 0x1000].fill(0xFF);
    image[at..at + bytes.len()].copy_from_slice(&bytes);
    std::fs::write(device.image(), &image).unwrap();
    image
}

#[test]
fn tables_whose_entries_overlap_the_table_each_other_or_the_end_are_refused() {
    let cases = [
        ("nvs", 0x8000, "partition \"nvs\" at 0x8000 overlaps the bootloader and partition table"),
        ("otadata", 0x1F0000, "partitions \"factory\" and \"otadata\" overlap"),
        ("config", 0x7FF800, "partition \"config\" ends at 0x800800, past the end of the 0x800000-byte flash"),
    ];
    for (label, offset, message) in cases {
        let device = Device::new();
        ok(device.cli(&["image", "create"]));
        let crafted = with_entry_at(&device, label, offset);
        fails(device.run("print('ran')"), 2, message);
        fails(device.cli(&["fs", "ls"]), 2, message);
        fails(device.cli(&["image", "info"]), 2, message);
        assert!(std::fs::read(device.image()).unwrap() == crafted, "{label}: the image is untouched");
    }
}
