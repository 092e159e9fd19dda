//! NVS engine speed and wear: `cargo bench -p pycom-board --bench nvs`.
//!
//! Criterion measures `set` and `get` of a `u32` through the engine API; the
//! wear figures (sector erases per 10,000 sets of rotating keys and their spread
//! over the seven pages) are printed before the timings.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pycom_board::nvs::{Nvs, Value};
use pycom_flash::Flash;
use pycom_formats::nvs::{ItemType, PAGE_SIZE};

const SIZE: u32 = 0x7000;

fn mounted() -> (Flash, Nvs, u8) {
    let mut flash = Flash::erased(SIZE as usize);
    let mut nvs = Nvs::mount(&mut flash, 0, SIZE).unwrap();
    let ns = nvs.open_namespace(&mut flash, "PY_NVM", true).unwrap();
    (flash, nvs, ns)
}

fn keys(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("key{i}").into_bytes()).collect()
}

fn wear_report() {
    for rotating in [1usize, 10, 100] {
        let (mut flash, mut nvs, ns) = mounted();
        let keys = keys(rotating);
        for i in 0..10_000u32 {
            nvs.set(&mut flash, ns, &keys[i as usize % rotating], &Value::U32(i)).unwrap();
        }
        let per_page: Vec<u32> = (0..SIZE).step_by(PAGE_SIZE).map(|a| flash.erase_count(a)).collect();
        println!(
            "wear: 10,000 sets over {rotating} rotating keys -> {} sector erases, per page {per_page:?}",
            flash.stats().sectors_erased
        );
    }
}

fn engine(c: &mut Criterion) {
    wear_report();
    let mut group = c.benchmark_group("nvs engine");
    group.throughput(Throughput::Elements(1));
    let (mut flash, mut nvs, ns) = mounted();
    let keys = keys(50);
    let mut n = 0u32;
    group.bench_function("set u32 (50 rotating keys)", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            nvs.set(&mut flash, ns, &keys[n as usize % keys.len()], &Value::U32(n)).unwrap();
        })
    });
    group.bench_function("get u32 (50 keys)", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            nvs.get(&mut flash, ns, &keys[n as usize % keys.len()], ItemType::U32).unwrap()
        })
    });
    group.bench_function("mount a partition with 50 keys", |b| b.iter(|| Nvs::mount(&mut flash, 0, SIZE).unwrap()));
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
