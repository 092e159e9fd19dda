//! CI's short pass of every fuzz target: each body runs over its seed corpus
//! (`fuzz/corpus/TARGET/`), the inputs of findings fixed since
//! (`fuzz/regressions/TARGET/`), and mutations of them made by a seeded
//! generator, for a bounded number of inputs and a bounded time. The long
//! runs are `scripts/fuzz` (libFuzzer, coverage-guided).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pycom_fuzz_bodies::TARGETS;

/// Mutations run for one target at most, and the time they may take.
const MUTATIONS: usize = 3000;
const MUTATION_TIME: Duration = Duration::from_secs(4);

#[path = "../../test-support/xorshift.rs"]
mod xorshift;
use xorshift::Rng;

/// Bytes that mean something to one parser or another, spliced in by mutations.
const TOKENS: &[&[u8]] = &[
    b"\xFF\xFA",
    b"\xFF\xF0",
    b"\xFF\xFF",
    b"\x01",
    b"\x02",
    b"\x03",
    b"\x04",
    b"\x05",
    b"\r",
    b"\n",
    b"/../",
    b"*64",
    b"[[device]]\n",
    b"namespace",
    b"(",
    b"try:\n",
    b"    ",
    b"\"",
    b"18446744073709551616",
];

/// `input` changed in one to four places: a byte flipped or replaced, bytes
/// removed, repeated or inserted, a token or a piece of another seed put in.
fn mutate(input: &[u8], seeds: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 if at < out.len() => out[at] = rng.next() as u8,
            2 => {
                let end = (at + 1 + rng.below(8)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                let piece = out[at.min(end)..end].to_vec();
                out.splice(at..at, piece);
            }
            4 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let piece = &other[from..(from + 1 + rng.below(32)).min(other.len())];
                out.splice(at..at, piece.iter().copied());
            }
        }
    }
    out
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `dir`, if it exists, in name order.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

/// Runs the body of `name` over its corpus and regressions, then mutations of them.
fn pass(name: &str) {
    let (_, body) = TARGETS.iter().find(|(n, _)| *n == name).expect("a fuzz target");
    let mut seeds = Vec::new();
    for folder in ["corpus", "regressions"] {
        for (path, input) in files(&fuzz_dir().join(folder).join(name)) {
            eprintln!("{name}: {}", path.display());
            body(&input);
            seeds.push(input);
        }
    }
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
    let started = Instant::now();
    let mut ran = 0;
    while ran < MUTATIONS && started.elapsed() < MUTATION_TIME {
        let input = mutate(&seeds[rng.below(seeds.len())], &seeds, &mut rng);
        if let Err(panic) = std::panic::catch_unwind(|| body(&input)) {
            panic!("{name} failed on {input:?}: {panic:?}");
        }
        ran += 1;
    }
    eprintln!("{name}: {} seeds, {ran} mutations in {:.1?}", seeds.len(), started.elapsed());
}

#[test]
fn every_target_has_a_test() {
    let tested = [
        "partition_table",
        "app_image",
        "bsdiff_patch",
        "nvs_partition",
        "device_image",
        "board_file",
        "nvs_csv",
        "telnet",
        "ftp",
        "script",
        "repl",
    ];
    let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, tested);
    let fuzz_targets = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for name in names {
        assert!(fuzz_targets.contains(&format!("name = \"{name}\"")), "fuzz/Cargo.toml has no target {name}");
    }
}

#[test]
fn partition_table() {
    pass("partition_table");
}

#[test]
fn app_image() {
    pass("app_image");
}

#[test]
fn bsdiff_patch() {
    pass("bsdiff_patch");
}

#[test]
fn nvs_partition() {
    pass("nvs_partition");
}

#[test]
fn device_image() {
    pass("device_image");
}

#[test]
fn board_file() {
    pass("board_file");
}

#[test]
fn nvs_csv() {
    pass("nvs_csv");
}

#[test]
fn telnet() {
    pass("telnet");
}

#[test]
fn ftp() {
    pass("ftp");
}

#[test]
fn script() {
    pass("script");
}

#[test]
fn repl() {
    pass("repl");
}
