//! Property test: long random sequences of sets, erases, namespace erases and
//! remounts behave like a plain map.

mod support;

use std::collections::BTreeMap;

use proptest::prelude::*;
use pycom_board::nvs::{NvsError, Value};
use pycom_formats::nvs::ItemType;
use support::{erased, mount, read};

#[derive(Clone, Debug)]
enum Op {
    Set(u8, usize, u32, usize),
    Erase(u8, usize),
    EraseAll(u8),
    Remount,
}

const KEYS: usize = 12;

/// Even keys hold ints, odd keys strings (a key keeps one type, so the IDF 3.3
/// typed-duplicate rules stay out of the model).
fn key_name(k: usize) -> String {
    format!("key{k}")
}

fn value_of(k: usize, n: u32, len: usize) -> Value {
    if k.is_multiple_of(2) {
        Value::U32(n)
    } else {
        Value::Str(format!("{n:x}").repeat(len).chars().take(len).collect())
    }
}

fn type_of(k: usize) -> ItemType {
    if k.is_multiple_of(2) { ItemType::U32 } else { ItemType::Str }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (1u8..=2, 0..KEYS, any::<u32>(), 0usize..600).prop_map(|(ns, k, n, len)| Op::Set(ns, k, n, len)),
        3 => (1u8..=2, 0..KEYS).prop_map(|(ns, k)| Op::Erase(ns, k)),
        1 => (1u8..=2).prop_map(Op::EraseAll),
        1 => Just(Op::Remount),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn nvs_behaves_like_a_map(ops in proptest::collection::vec(op(), 1..2000)) {
        let mut flash = erased();
        let mut nvs = mount(&mut flash);
        prop_assert_eq!(nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap(), 1);
        prop_assert_eq!(nvs.open_namespace(&mut flash, "other", true).unwrap(), 2);
        let mut model: BTreeMap<(u8, usize), Value> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Set(ns, k, n, len) => {
                    let value = value_of(k, n, len);
                    match nvs.set(&mut flash, ns, key_name(k).as_bytes(), &value) {
                        Ok(()) => { model.insert((ns, k), value); }
                        Err(NvsError::NotEnoughSpace) => {}
                        Err(e) => prop_assert!(false, "set failed: {e}"),
                    }
                }
                Op::Erase(ns, k) => match nvs.erase_key(&mut flash, ns, key_name(k).as_bytes()) {
                    Ok(()) => prop_assert!(model.remove(&(ns, k)).is_some()),
                    Err(NvsError::NotFound) => prop_assert!(!model.contains_key(&(ns, k))),
                    Err(e) => prop_assert!(false, "erase failed: {e}"),
                },
                Op::EraseAll(ns) => {
                    nvs.erase_namespace(&mut flash, ns).unwrap();
                    model.retain(|(n, _), _| *n != ns);
                }
                Op::Remount => nvs = mount(&mut flash),
            }
            for ns in 1..=2u8 {
                for k in 0..KEYS {
                    let found = read(&mut nvs, &mut flash, ns, &key_name(k), type_of(k));
                    prop_assert_eq!(found.as_ref(), model.get(&(ns, k)), "{}/{}", ns, k);
                }
            }
        }
    }
}
