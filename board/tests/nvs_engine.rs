//! The NVS engine read as a specification: typed values, namespaces, the
//! ESP-IDF 3.3 typed-duplicate rules, a full partition, garbage collection and
//! multi-page blobs.

mod support;

use pycom_board::nvs::{Nvs, NvsError, Value};
use pycom_formats::nvs::{ENTRY_COUNT, ItemType, PAGE_SIZE};
use support::{SIZE, erased, mount, read};

#[test]
fn every_type_round_trips_and_survives_a_remount() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    let ns = nvs.open_namespace(&mut flash, "app", true).unwrap();
    let values = [
        ("u8", Value::U8(127)),
        ("i8", Value::I8(-128)),
        ("u16", Value::U16(32768)),
        ("i16", Value::I16(-2)),
        ("u32", Value::U32(4_294_967_295)),
        ("i32", Value::I32(-2_147_483_648)),
        ("u64", Value::U64(u64::MAX)),
        ("i64", Value::I64(i64::MIN)),
        ("str", Value::Str("abcdefghijklmnopqrstuvwxyz".into())),
        ("blob", Value::Blob((0..5200u32).map(|i| i as u8).collect())),
    ];
    for (key, value) in &values {
        nvs.set(&mut flash, ns, key.as_bytes(), value).unwrap();
    }
    let mut again = mount(&mut flash);
    assert_eq!(again.open_namespace(&mut flash, "app", false).unwrap(), ns);
    for (key, value) in &values {
        assert_eq!(read(&mut again, &mut flash, ns, key, value.item_type()).as_ref(), Some(value), "{key}");
    }
}

#[test]
fn namespaces_keep_equal_keys_apart() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    let a = nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
    let b = nvs.open_namespace(&mut flash, "nvs.net80211", true).unwrap();
    assert_eq!((a, b), (1, 2));
    nvs.set(&mut flash, a, b"k", &Value::U32(1)).unwrap();
    nvs.set(&mut flash, b, b"k", &Value::U32(2)).unwrap();
    nvs.erase_namespace(&mut flash, a).unwrap();
    assert_eq!(read(&mut nvs, &mut flash, a, "k", ItemType::U32), None);
    assert_eq!(read(&mut nvs, &mut flash, b, "k", ItemType::U32), Some(Value::U32(2)));
    assert_eq!(nvs.open_namespace(&mut flash, "missing", false).unwrap_err().code(), 0x1102);
}

#[test]
fn a_key_set_as_int_then_string_keeps_both_typed_entries() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    nvs.set(&mut flash, 1, b"dup", &Value::U32(1)).unwrap();
    nvs.set(&mut flash, 1, b"dup", &Value::Str("x".into())).unwrap();
    // A typed lookup stops at the first entry of the page with that key (IDF 3.3
    // hash lookup): the int is found, the string behind it is not.
    assert_eq!(read(&mut nvs, &mut flash, 1, "dup", ItemType::U32), Some(Value::U32(1)));
    assert_eq!(read(&mut nvs, &mut flash, 1, "dup", ItemType::Str), None);
    // Setting the int again erases the old int: now the string comes first and
    // the new int is the unreadable one.
    nvs.set(&mut flash, 1, b"dup", &Value::U32(2)).unwrap();
    assert_eq!(read(&mut nvs, &mut flash, 1, "dup", ItemType::U32), None);
    assert_eq!(read(&mut nvs, &mut flash, 1, "dup", ItemType::Str), Some(Value::Str("x".into())));
    // At the next mount the active page drops older items with the same key,
    // whatever their type: only the newest entry is left.
    let mut again = mount(&mut flash);
    assert_eq!(read(&mut again, &mut flash, 1, "dup", ItemType::Str), None);
    assert_eq!(read(&mut again, &mut flash, 1, "dup", ItemType::U32), Some(Value::U32(2)));
}

#[test]
fn keys_compare_on_their_first_15_bytes() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    nvs.set(&mut flash, 1, b"abcdefghijklmno", &Value::U32(7)).unwrap();
    assert_eq!(read(&mut nvs, &mut flash, 1, "abcdefghijklmnoXYZ", ItemType::U32), Some(Value::U32(7)));
    let err = nvs.set(&mut flash, 1, b"abcdefghijklmnop", &Value::U32(8)).unwrap_err();
    assert!(matches!(err, NvsError::KeyTooLong), "{err}");
}

#[test]
fn writing_the_same_value_again_touches_no_flash() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    nvs.set(&mut flash, 1, b"n", &Value::U32(5)).unwrap();
    nvs.set(&mut flash, 1, b"s", &Value::Str("same".into())).unwrap();
    nvs.set(&mut flash, 1, b"b", &Value::Blob(vec![7; 6000])).unwrap();
    let before = flash.stats();
    nvs.set(&mut flash, 1, b"n", &Value::U32(5)).unwrap();
    nvs.set(&mut flash, 1, b"s", &Value::Str("same".into())).unwrap();
    nvs.set(&mut flash, 1, b"b", &Value::Blob(vec![7; 6000])).unwrap();
    assert_eq!(flash.stats().bytes_written, before.bytes_written);
    assert_eq!(flash.stats().sectors_erased, before.sectors_erased);
}

#[test]
fn a_full_partition_refuses_new_keys_and_updates_until_one_is_erased() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    let ns = nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
    let mut stored = 0u32;
    let err = loop {
        match nvs.set(&mut flash, ns, format!("k{stored}").as_bytes(), &Value::U32(stored)) {
            Ok(()) => stored += 1,
            Err(e) => break e,
        }
    };
    assert!(matches!(err, NvsError::NotEnoughSpace), "{err}");
    // Six pages of 126 entries, one page kept free, minus the namespace entry.
    assert_eq!(stored as usize, 6 * ENTRY_COUNT - 1);
    let update = nvs.set(&mut flash, ns, b"k0", &Value::U32(99)).unwrap_err();
    assert!(matches!(update, NvsError::NotEnoughSpace));
    assert_eq!(read(&mut nvs, &mut flash, ns, "k0", ItemType::U32), Some(Value::U32(0)));
    nvs.erase_key(&mut flash, ns, b"k1").unwrap();
    nvs.set(&mut flash, ns, b"k0", &Value::U32(99)).unwrap();
    assert_eq!(read(&mut nvs, &mut flash, ns, "k0", ItemType::U32), Some(Value::U32(99)));
}

#[test]
fn rewriting_one_key_cycles_every_page_through_garbage_collection() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    for i in 0..10_000u32 {
        nvs.set(&mut flash, 1, b"counter", &Value::U32(i)).unwrap();
    }
    assert_eq!(read(&mut nvs, &mut flash, 1, "counter", ItemType::U32), Some(Value::U32(9_999)));
    let erases: Vec<u32> = (0..SIZE).step_by(PAGE_SIZE).map(|a| flash.erase_count(a)).collect();
    let (min, max) = (erases.iter().min().unwrap(), erases.iter().max().unwrap());
    assert!(*min > 0 && max - min <= 1, "erases per page: {erases:?}");
}

#[test]
fn blobs_span_pages_and_updates_toggle_their_version() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    let first: Vec<u8> = (0..9000u32).map(|i| (i * 7) as u8).collect();
    let second: Vec<u8> = (0..3000u32).map(|i| (i * 3) as u8).collect();
    nvs.set(&mut flash, 1, b"fw", &Value::Blob(first.clone())).unwrap();
    assert_eq!(read(&mut nvs, &mut flash, 1, "fw", ItemType::BlobIndex), Some(Value::Blob(first)));
    nvs.set(&mut flash, 1, b"fw", &Value::Blob(second.clone())).unwrap();
    let mut again = mount(&mut flash);
    assert_eq!(read(&mut again, &mut flash, 1, "fw", ItemType::BlobIndex), Some(Value::Blob(second)));
    let too_big = Value::Blob(vec![0; 6 * 4000 + 1]);
    assert!(matches!(again.set(&mut flash, 1, b"big", &too_big), Err(NvsError::ValueTooLong)));
    again.erase_key(&mut flash, 1, b"fw").unwrap();
    assert_eq!(read(&mut again, &mut flash, 1, "fw", ItemType::BlobIndex), None);
}

#[test]
fn listing_shows_every_namespace_but_not_the_namespace_table() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    let a = nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
    let b = nvs.open_namespace(&mut flash, "other", true).unwrap();
    nvs.set(&mut flash, a, b"n", &Value::U32(3)).unwrap();
    nvs.set(&mut flash, b, b"s", &Value::Str("v".into())).unwrap();
    let entries = nvs.entries(&mut flash, None).unwrap();
    let shown: Vec<(String, String)> = entries.iter().map(|e| (e.namespace.clone(), e.key.clone())).collect();
    assert_eq!(shown, [("PY_NVM".into(), "n".into()), ("other".into(), "s".into())]);
    assert_eq!(nvs.entries(&mut flash, Some(b)).unwrap().len(), 1);
    let stats = nvs.stats();
    assert_eq!(stats.used_entries, 4 + 1);
    assert_eq!(stats.namespaces, 2);
}

#[test]
fn a_partition_with_no_free_page_does_not_mount() {
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    let _ = nvs.open_namespace(&mut flash, "x", true);
    // Fill every page header as used: write an active header into each erased page.
    for page in 1..(SIZE as usize / PAGE_SIZE) as u32 {
        let header = pycom_formats::nvs::PageHeader::active(page).encode();
        flash.write(page * PAGE_SIZE as u32, &header).unwrap();
    }
    assert!(matches!(Nvs::mount(&mut flash, 0, SIZE), Err(NvsError::NoFreePages)));
}
