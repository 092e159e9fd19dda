//! Start-up and script-speed figures for the closing notes:
//! `cargo bench -p pycom-emu --bench speed`.
//!
//! Prints the median wall time of repeated whole-process runs of `pycom-emu run`
//! (on an existing image) and, for the script benchmarks, of CPython 3 on the same
//! file, with their ratio; and `pycom.nvs_set` / `nvs_get` calls per second from
//! Python (run time minus the empty-script start-up).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const EMPTY: &str = "";
const SUM_RANGE: &str = "def f():\n    s = 0\n    for i in range(10**6):\n        s += i\n    return s\nprint(f())\n";
const NVS_CALLS: u32 = 20_000;
const NVS_SET: &str = "import pycom\nfor i in range(20000):\n    pycom.nvs_set('k%d' % (i % 50), i)\n";
const NVS_GET: &str = "import pycom\nfor i in range(20000):\n    pycom.nvs_get('k%d' % (i % 50))\n";
const MEMORYVIEW_COPY: &str = "src = bytearray(2048)\ndst = bytearray(2048)\nmv = memoryview(dst)\nfor i in range(20000):\n    mv[:] = src\nprint(len(dst))\n";

fn median_of(runs: usize, mut once: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            once();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().expect("spawn");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn emulator(image: &Path, script: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pycom-emu"));
    cmd.arg("run").arg("--image").arg(image).arg(script);
    cmd
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("bench.bin");
    let write = |name: &str, source: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, source).unwrap();
        path
    };
    let empty = write("empty.py", EMPTY);
    run_ok(&mut emulator(&image, &empty)); // creates the image

    let startup = median_of(31, || run_ok(&mut emulator(&image, &empty)));
    println!("start-up, empty script on an existing image (median of 31): {:.1} ms", startup.as_secs_f64() * 1e3);

    for (name, source) in [("nvs_set of a u32, 50 rotating keys", NVS_SET), ("nvs_get of a u32", NVS_GET)] {
        let script = write("nvs.py", source);
        let run = median_of(7, || run_ok(&mut emulator(&image, &script)));
        let calls = (run.saturating_sub(startup)).as_secs_f64();
        println!(
            "pycom.{name} from Python: {:.0} calls/s ({NVS_CALLS} calls, {:.1} ms over start-up, median of 7)",
            f64::from(NVS_CALLS) / calls,
            calls * 1e3
        );
    }

    let hour = write("hour.py", "import time\ntime.sleep(3600)\n");
    let trace = dir.path().join("led.csv");
    let heartbeat = median_of(7, || run_ok(emulator(&image, &hour).arg("--trace-led").arg(&trace)));
    println!(
        "1 hour of device time with heartbeat and LED trace (median of 7): {:.1} ms",
        heartbeat.as_secs_f64() * 1e3
    );

    // Resolve the real interpreter once, so a version-manager shim's start-up
    // is not counted against CPython.
    let out = Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output().expect("python3");
    let cpython_exe = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    for (name, source) in [("sum of range(10**6)", SUM_RANGE), ("2 KiB memoryview copy x20000", MEMORYVIEW_COPY)] {
        let script = write("bench.py", source);
        let emu = median_of(7, || run_ok(&mut emulator(&image, &script)));
        let cpython = median_of(7, || run_ok(Command::new(&cpython_exe).arg(&script)));
        println!(
            "{name}: pycom-emu {:.1} ms, CPython {:.1} ms, ratio {:.2}x (whole process, median of 7)",
            emu.as_secs_f64() * 1e3,
            cpython.as_secs_f64() * 1e3,
            emu.as_secs_f64() / cpython.as_secs_f64()
        );
    }
}
