//! Power-cut sweep: a randomized workload of 2000 sets and erases, with power
//! cut at every flash program or erase call it makes. After each cut the
//! partition mounts again and every key holds its old or its new value, never
//! anything else, and no other key is lost or brought back.
//!
//! Each cut starts from the engine state and flash contents at the start of
//! the interrupted operation (cloned from the uncut run), which is the same as
//! replaying the workload from power-on: the engine is deterministic.

mod support;

use std::collections::BTreeMap;

use pycom_board::nvs::{Nvs, NvsError, Value};
use pycom_flash::{Flash, FlashError, PowerCut};
use pycom_formats::nvs::ItemType;
use support::{Rng, erased, mount, read, remount};

#[derive(Clone, Debug)]
enum Op {
    Open(&'static str),
    Set(u8, String, Value),
    Erase(u8, String),
}

type Model = BTreeMap<(u8, String), Value>;

const INT_KEYS: usize = 12;
const STR_KEYS: usize = 8;

fn string_of(rng: &mut Rng) -> String {
    let len = match rng.below(10) {
        0 => 1000 + rng.below(984),
        1 | 2 => 40 + rng.below(360),
        _ => rng.below(40),
    } as usize;
    let c = (b'a' + rng.below(26) as u8) as char;
    std::iter::repeat_n(c, len).collect()
}

/// Namespaces 1 (`PY_NVM`) and 2 (`other`): int keys `i*`, string keys `s*`.
fn workload(seed: u64, ops: usize) -> Vec<Op> {
    let mut rng = Rng(seed);
    let mut out = vec![Op::Open("PY_NVM"), Op::Open("other")];
    for _ in 0..ops {
        let ns = if rng.below(8) == 0 { 2 } else { 1 };
        let (key, value) = if rng.below(2) == 0 {
            (format!("i{}", rng.below(INT_KEYS as u64)), Value::U32(rng.next() as u32))
        } else {
            (format!("s{}", rng.below(STR_KEYS as u64)), Value::Str(string_of(&mut rng)))
        };
        out.push(if rng.below(5) == 0 { Op::Erase(ns, key) } else { Op::Set(ns, key, value) });
    }
    out
}

fn apply(nvs: &mut Nvs, flash: &mut Flash, op: &Op) -> Result<(), NvsError> {
    match op {
        Op::Open(name) => nvs.open_namespace(flash, name, true).map(drop),
        Op::Set(ns, key, value) => nvs.set(flash, *ns, key.as_bytes(), value),
        Op::Erase(ns, key) => nvs.erase_key(flash, *ns, key.as_bytes()),
    }
}

fn after(model: &Model, op: &Op, result: &Result<(), NvsError>) -> Model {
    let mut next = model.clone();
    match (op, result) {
        (Op::Set(ns, key, value), Ok(())) => {
            next.insert((*ns, key.clone()), value.clone());
        }
        (Op::Erase(ns, key), Ok(())) => {
            next.remove(&(*ns, key.clone()));
        }
        (_, Ok(())) | (_, Err(NvsError::NotEnoughSpace | NvsError::NotFound)) => {}
        (_, Err(e)) => panic!("{op:?} failed: {e}"),
    }
    next
}

fn type_of(key: &str) -> ItemType {
    if key.starts_with('i') { ItemType::U32 } else { ItemType::Str }
}

fn all_keys() -> impl Iterator<Item = (u8, String)> {
    [1u8, 2].into_iter().flat_map(|ns| {
        (0..INT_KEYS).map(move |i| (ns, format!("i{i}"))).chain((0..STR_KEYS).map(move |i| (ns, format!("s{i}"))))
    })
}

fn check(nvs: &mut Nvs, flash: &mut Flash, old: &Model, new: &Model, cut: u64) {
    for (ns, key) in all_keys() {
        let found = read(nvs, flash, ns, &key, type_of(&key));
        let id = (ns, key.clone());
        let allowed = [old.get(&id).cloned(), new.get(&id).cloned()];
        assert!(allowed.contains(&found), "cut {cut}: {ns}/{key} = {found:?}, expected one of {allowed:?}");
    }
}

#[test]
fn every_cut_point_leaves_each_key_with_its_old_or_new_value() {
    for seed in [0x5eed_2026, 7, 1984] {
        sweep(seed);
    }
}

fn sweep(seed: u64) {
    let ops = workload(seed, 2000);
    let mut flash = erased();
    let mut nvs = mount(&mut flash);
    let mut model = Model::new();
    let mut cuts = 0u64;
    let mut collections = 0u64;
    for op in &ops {
        let mut done_flash = Flash::from_bytes(flash.contents().to_vec());
        let mut done = nvs.clone();
        let result = apply(&mut done, &mut done_flash, op);
        let next = after(&model, op, &result);
        let calls = done_flash.stats().program_calls + done_flash.stats().sectors_erased;
        collections += done_flash.stats().sectors_erased;
        for k in 0..calls {
            let mut cut_flash = Flash::from_bytes(flash.contents().to_vec());
            cut_flash.set_power_cut(PowerCut::after_calls(k));
            let outcome = apply(&mut nvs.clone(), &mut cut_flash, op);
            assert!(matches!(outcome, Err(NvsError::Flash(FlashError::PowerLost))), "{op:?} cut {k}: {outcome:?}");
            let (mut back, mut remounted) = remount(&cut_flash);
            check(&mut remounted, &mut back, &model, &next, cuts);
            if let Op::Set(ns, key, _) | Op::Erase(ns, key) = op {
                no_stale_copy_left(&mut remounted, &mut back, *ns, key, cuts);
            }
            cuts += 1;
        }
        flash = done_flash;
        nvs = done;
        model = next;
    }
    let (mut back, mut remounted) = remount(&flash);
    check(&mut remounted, &mut back, &model, &model, cuts);
    println!(
        "power-cut sweep (seed {seed}): {} operations, {cuts} cut points tried, {collections} page erases",
        ops.len()
    );
    assert!(cuts > 5_000 && collections > 20, "{cuts} cuts, {collections} page erases");
}

/// Rewrites and then erases the key the cut interrupted: a stale older copy
/// left behind would show up once the newest one is erased.
fn no_stale_copy_left(nvs: &mut Nvs, flash: &mut Flash, ns: u8, key: &str, cut: u64) {
    let sentinel = if type_of(key) == ItemType::U32 { Value::U32(0xC0FFEE) } else { Value::Str("sentinel".into()) };
    match nvs.set(flash, ns, key.as_bytes(), &sentinel) {
        Ok(()) => {}
        Err(NvsError::NotEnoughSpace) => return,
        Err(e) => panic!("cut {cut}: writing after remount failed: {e}"),
    }
    assert_eq!(read(nvs, flash, ns, key, type_of(key)), Some(sentinel), "cut {cut}: {ns}/{key}");
    nvs.erase_key(flash, ns, key.as_bytes()).unwrap();
    assert_eq!(read(nvs, flash, ns, key, type_of(key)), None, "cut {cut}: {ns}/{key} came back after erase");
}

#[test]
fn init_succeeds_on_random_flash_contents() {
    for seed in 0..200 {
        let mut rng = Rng(seed);
        let bytes: Vec<u8> = (0..support::SIZE).map(|_| rng.next() as u8).collect();
        let mut flash = Flash::from_bytes(bytes);
        let mut nvs = mount(&mut flash);
        let ns = nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
        nvs.set(&mut flash, ns, b"k", &Value::U32(seed as u32)).unwrap();
        let (mut back, mut again) = remount(&flash);
        assert_eq!(read(&mut again, &mut back, ns, "k", ItemType::U32), Some(Value::U32(seed as u32)));
    }
}
