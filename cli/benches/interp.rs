//! Interpreter speed against MicroPython's unix port, for issue notes:
//! `cargo bench -p pycom-emu --bench interp [-- --reference PATH]`.
//!
//! Runs the project's own MicroPython-style benchmark scripts
//! (`benches/interp/*.py`: pystone-like, raytrace-like, fannkuch, n-queens,
//! string, dict, list and sort workloads, and two board-only loops, a pin toggle
//! and NVS) through `pycom-emu run` on an existing image, and, with
//! `--reference PATH` (a MicroPython unix binary), through it too with a
//! 64 MB heap. Prints each benchmark's median whole-process wall time of 5
//! runs, the ratio emulator/reference and their geometric mean. A script
//! whose printed result differs between the two is marked.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Scripts both interpreters run, in print order.
const SHARED: [&str; 8] = ["pystone", "raytrace", "fannkuch", "nqueens", "strings", "dicts", "lists", "sort"];
/// Scripts only the board has the modules for.
const BOARD_ONLY: [&str; 2] = ["pin_toggle", "nvs_loop"];
const RUNS: usize = 5;

/// The median wall time of `RUNS` runs of `command`, and its last output.
fn measure(mut command: impl FnMut() -> Command) -> (Duration, String) {
    let mut times = Vec::new();
    let mut output = String::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = command().output().expect("run the benchmark");
        times.push(start.elapsed());
        output = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    }
    times.sort();
    (times[RUNS / 2], output)
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/interp").join(format!("{name}.py"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reference = args.iter().position(|a| a == "--reference").and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let image = dir.path().join("bench.bin");
    let emulator = |name: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pycom-emu"));
        command.arg("run").arg(script(name)).arg("--image").arg(&image);
        command
    };
    // The first run creates the image; the figures are of running.
    emulator("nqueens").output().expect("create the image");
    println!("benchmark     pycom-emu   reference   ratio");
    let mut logs = Vec::new();
    for name in SHARED {
        let (ours, our_output) = measure(|| emulator(name));
        let Some(reference) = &reference else {
            println!("{name:<12} {:>8.1} ms", ours.as_secs_f64() * 1e3);
            continue;
        };
        let (theirs, their_output) = measure(|| {
            let mut command = Command::new(reference);
            command.arg("-X").arg("heapsize=64M").arg(script(name));
            command
        });
        let ratio = ours.as_secs_f64() / theirs.as_secs_f64();
        logs.push(ratio.ln());
        let same = if our_output == their_output { "" } else { "  (outputs differ)" };
        println!(
            "{name:<12} {:>8.1} ms {:>8.1} ms {ratio:>7.2}x{same}",
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3
        );
    }
    if !logs.is_empty() {
        let mean = (logs.iter().sum::<f64>() / logs.len() as f64).exp();
        println!("geometric mean of the ratios: {mean:.2}x");
    }
    for name in BOARD_ONLY {
        let (ours, _) = measure(|| emulator(name));
        println!("{name:<12} {:>8.1} ms  (board only)", ours.as_secs_f64() * 1e3);
    }
}
