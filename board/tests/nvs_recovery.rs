//! Mounting damaged partitions: each corrupt-page case of ESP-IDF's recovery
//! rules leaves the rest of the data readable and the partition writable.

mod support;

use pycom_board::nvs::Value;
use pycom_flash::{Flash, PowerCut};
use pycom_formats::nvs::{BITMAP_OFFSET, CHUNK_ANY, EntryBitmap, EntryState, Item, ItemType, PAGE_SIZE, entry_offset};
use support::{erased, mount, read};

/// A partition with namespace 1 and ints `a`=1, `b`=2, `c`=3 in page 0.
fn three_ints() -> Flash {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
    for (key, value) in [("a", 1), ("b", 2), ("c", 3)] {
        nvs.set(&mut flash, 1, key.as_bytes(), &Value::U32(value)).unwrap();
    }
    flash
}

fn bitmap(flash: &Flash, page: usize) -> EntryBitmap {
    let at = page * PAGE_SIZE + BITMAP_OFFSET;
    EntryBitmap::decode(flash.contents()[at..at + 32].try_into().unwrap())
}

fn int(flash: &mut Flash, key: &str) -> Option<Value> {
    let mut nvs = mount(flash);
    read(&mut nvs, flash, 1, key, ItemType::U32)
}

#[test]
fn a_page_with_a_bad_header_crc_is_dropped_and_reused() {
    let mut flash = three_ints();
    let mut nvs = mount(&mut flash);
    // Fill page 0 so later keys land in page 1.
    for i in 0..130u32 {
        nvs.set(&mut flash, 1, format!("f{i}").as_bytes(), &Value::U32(i)).unwrap();
    }
    let mut bytes = flash.contents().to_vec();
    bytes[4] ^= 0x01; // sequence number of page 0, covered by the header CRC
    let mut flash = Flash::from_bytes(bytes);
    assert_eq!(int(&mut flash, "a"), None);
    assert_eq!(int(&mut flash, "f129"), Some(Value::U32(129)));
    let mut nvs = mount(&mut flash);
    for i in 0..600u32 {
        nvs.set(&mut flash, 1, b"again", &Value::U32(i)).unwrap();
    }
    assert_eq!(int(&mut flash, "again"), Some(Value::U32(599)));
}

#[test]
fn an_item_with_a_bad_crc_is_erased_and_its_neighbours_kept() {
    let mut flash = three_ints();
    let mut bytes = flash.contents().to_vec();
    bytes[entry_offset(2) + 8] ^= 0x20; // key of "b" (entry 0 is the namespace)
    flash = Flash::from_bytes(bytes);
    assert_eq!(int(&mut flash, "a"), Some(Value::U32(1)));
    assert_eq!(int(&mut flash, "b"), None);
    assert_eq!(int(&mut flash, "c"), Some(Value::U32(3)));
    assert_eq!(bitmap(&flash, 0).get(2), EntryState::Erased);
}

#[test]
fn a_half_written_string_is_erased_at_mount() {
    let mut flash = three_ints();
    let mut nvs = mount(&mut flash);
    // Power fails after the header entry and its bitmap bit, inside the data.
    flash.set_power_cut(PowerCut::after(32 + 4 + 40));
    nvs.set(&mut flash, 1, b"s", &Value::Str("x".repeat(200))).unwrap_err();
    let mut flash = Flash::from_bytes(flash.contents().to_vec());
    let mut nvs = mount(&mut flash);
    assert_eq!(read(&mut nvs, &mut flash, 1, "s", ItemType::Str), None);
    assert_eq!(read(&mut nvs, &mut flash, 1, "c", ItemType::U32), Some(Value::U32(3)));
    assert_eq!(bitmap(&flash, 0).get(4), EntryState::Erased);
    nvs.set(&mut flash, 1, b"s", &Value::Str("whole".into())).unwrap();
    assert_eq!(read(&mut nvs, &mut flash, 1, "s", ItemType::Str), Some(Value::Str("whole".into())));
}

#[test]
fn of_two_copies_of_a_key_the_newer_survives() {
    let mut flash = three_ints();
    // A second "a" written after "c" whose old copy was never erased.
    let item = {
        let mut item = Item::new(1, ItemType::U32, 1, b"a", CHUNK_ANY);
        item.data[..4].copy_from_slice(&9u32.to_le_bytes());
        item.seal()
    };
    flash.write(entry_offset(4) as u32, &item.encode()).unwrap();
    let mut map = bitmap(&flash, 0);
    map.set(4, EntryState::Written);
    flash.write(BITMAP_OFFSET as u32, &map.word_bytes(0)).unwrap();
    assert_eq!(int(&mut flash, "a"), Some(Value::U32(9)));
    assert_eq!(bitmap(&flash, 0).get(1), EntryState::Erased);
    assert_eq!(int(&mut flash, "b"), Some(Value::U32(2)));
}

#[test]
fn an_entry_written_without_its_bitmap_bit_is_skipped() {
    let mut flash = three_ints();
    let item = Item::new(1, ItemType::U32, 1, b"ghost", CHUNK_ANY).seal();
    flash.write(entry_offset(4) as u32, &item.encode()[..16]).unwrap();
    assert_eq!(int(&mut flash, "ghost"), None);
    assert_eq!(bitmap(&flash, 0).get(4), EntryState::Erased);
    let mut nvs = mount(&mut flash);
    nvs.set(&mut flash, 1, b"next", &Value::U32(5)).unwrap();
    assert_eq!(read(&mut nvs, &mut flash, 1, "next", ItemType::U32), Some(Value::U32(5)));
}

/// Fills five pages, erases every other key, then adds keys until a garbage
/// collection is cut after its victim was marked FREEING and its copy started.
fn cut_inside_garbage_collection() -> Flash {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
    for i in 0..600u32 {
        nvs.set(&mut flash, 1, format!("k{i}").as_bytes(), &Value::U32(i)).unwrap();
    }
    for i in (0..600u32).step_by(2) {
        nvs.erase_key(&mut flash, 1, format!("k{i}").as_bytes()).unwrap();
    }
    for round in 0u32..500 {
        let key = format!("n{round}");
        for calls in 0..300 {
            let mut cut = Flash::from_bytes(flash.contents().to_vec());
            cut.set_power_cut(PowerCut::after_calls(calls));
            if nvs.clone().set(&mut cut, 1, key.as_bytes(), &Value::U32(round)).is_ok() {
                break;
            }
            let state = |p: usize| cut.contents()[p * PAGE_SIZE];
            let freeing = (0..7).any(|p| state(p) == 0xF8);
            if freeing && (0..7).all(|p| state(p) != 0xFF) {
                return Flash::from_bytes(cut.contents().to_vec());
            }
        }
        nvs.set(&mut flash, 1, key.as_bytes(), &Value::U32(round)).unwrap();
    }
    panic!("no cut inside a garbage collection found")
}

#[test]
fn a_page_left_freeing_is_copied_again_and_erased() {
    let mut flash = cut_inside_garbage_collection();
    let mut nvs = mount(&mut flash);
    let states: Vec<[u8; 4]> =
        (0..7).map(|p| flash.contents()[p * PAGE_SIZE..p * PAGE_SIZE + 4].try_into().unwrap()).collect();
    assert!(!states.contains(&[0xF8, 0xFF, 0xFF, 0xFF]), "no page is left FREEING: {states:?}");
    for i in (1..600u32).step_by(2) {
        assert_eq!(read(&mut nvs, &mut flash, 1, &format!("k{i}"), ItemType::U32), Some(Value::U32(i)), "k{i}");
    }
}

#[test]
fn a_page_of_a_newer_format_makes_mount_fail_as_on_the_board() {
    let flash = three_ints();
    let mut header = pycom_formats::nvs::PageHeader::decode(flash.contents()[..32].try_into().unwrap());
    header.version = 0xFD;
    header.crc = header.expected_crc();
    let mut bytes = flash.contents().to_vec();
    bytes[..32].copy_from_slice(&header.encode());
    let mut flash = Flash::from_bytes(bytes);
    let err = pycom_board::nvs::Nvs::mount(&mut flash, 0, support::SIZE).unwrap_err();
    assert_eq!(err.code(), 0x1110);
}

/// A partition with namespace 1 holding, in page 0: string `s` (header at
/// entry 1, data at 2), int `c`, blob `b` of 100 bytes and int `d`.
fn string_int_blob_int() -> Flash {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
    nvs.set(&mut flash, 1, b"s", &Value::Str("hello world".into())).unwrap();
    nvs.set(&mut flash, 1, b"c", &Value::U32(3)).unwrap();
    nvs.set(&mut flash, 1, b"b", &Value::Blob((0..100u8).collect())).unwrap();
    nvs.set(&mut flash, 1, b"d", &Value::U32(4)).unwrap();
    flash
}

/// `flash` with one bit of entry `entry`'s bytes flipped.
fn flip_entry_bit(flash: &Flash, entry: usize) -> Flash {
    let mut bytes = flash.contents().to_vec();
    bytes[entry_offset(entry) + 3] ^= 0x10;
    Flash::from_bytes(bytes)
}

#[test]
fn a_complete_string_with_corrupt_data_is_erased_when_read() {
    let mut flash = flip_entry_bit(&string_int_blob_int(), 2);
    let mut nvs = mount(&mut flash);
    assert_eq!(read(&mut nvs, &mut flash, 1, "s", ItemType::Str), None, "the data CRC does not match: erased");
    assert_eq!(bitmap(&flash, 0).get(1), EntryState::Erased, "header entry erased");
    assert_eq!(bitmap(&flash, 0).get(2), EntryState::Erased, "data entry erased");
    assert_eq!(read(&mut nvs, &mut flash, 1, "c", ItemType::U32), Some(Value::U32(3)));
    assert_eq!(read(&mut nvs, &mut flash, 1, "d", ItemType::U32), Some(Value::U32(4)));
}

/// The entry of page 0 holding the header of blob `b`'s first chunk.
fn chunk_header(flash: &Flash) -> usize {
    (0..126)
        .find(|&i| {
            let item = Item::decode(flash.contents()[entry_offset(i)..entry_offset(i) + 32].try_into().unwrap());
            item.item_type() == Some(ItemType::BlobData) && item.key[0] == b'b'
        })
        .expect("a chunk of b in page 0")
}

#[test]
fn a_complete_blob_chunk_with_corrupt_data_is_erased_when_read() {
    let intact = string_int_blob_int();
    let header = chunk_header(&intact);
    let mut flash = flip_entry_bit(&intact, header + 2);
    let mut nvs = mount(&mut flash);
    assert_eq!(read(&mut nvs, &mut flash, 1, "b", ItemType::BlobIndex), None, "a chunk's data CRC does not match");
    assert_eq!(bitmap(&flash, 0).get(header), EntryState::Erased, "chunk header erased");
    assert_eq!(bitmap(&flash, 0).get(header + 2), EntryState::Erased, "chunk data erased");
    assert_eq!(read(&mut nvs, &mut flash, 1, "s", ItemType::Str), Some(Value::Str("hello world".into())));
    assert_eq!(read(&mut nvs, &mut flash, 1, "d", ItemType::U32), Some(Value::U32(4)));
}
