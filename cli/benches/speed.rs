//! Start-up and script-speed figures for the closing notes:
//! `cargo bench -p pycom-emu --bench speed`.
//!
//! Prints the median wall time of repeated whole-process runs of `pycom-emu run`
//! (on an existing image) and, for the script benchmarks, of CPython 3 on the same
//! file, with their ratio; `pycom.nvs_set` / `nvs_get` calls per second from
//! Python (run time minus the empty-script start-up); `ota_write` throughput from
//! Python against SHA-256 of the same bytes; a whole `ota push`; DHT22 reads
//! per second through `pulses_get`; I2C transactions per second from Python
//! against a board-file register map; the pin simulation's edge rate with a
//! VCD trace; raw-REPL round trips over `serve --uart tcp:`; `Timer.Alarm`
//! callbacks per second; an hour of a wake-read-deep-sleep program; and the
//! resident memory of a booted board with nothing left to do.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const EMPTY: &str = "";
/// A booted board with nothing to do but loop (allocating nothing that
/// lasts), long enough for its resident memory to be read.
const IDLE_LOOP: &str = "for i in range(3000000):\n    pass\n";
const SUM_RANGE: &str = "def f():\n    s = 0\n    for i in range(10**6):\n        s += i\n    return s\nprint(f())\n";
const NVS_CALLS: u32 = 20_000;
const NVS_SET: &str = "import pycom\nfor i in range(20000):\n    pycom.nvs_set('k%d' % (i % 50), i)\n";
const NVS_GET: &str = "import pycom\nfor i in range(20000):\n    pycom.nvs_get('k%d' % (i % 50))\n";
/// Bytes of the OTA benchmark image (a 1.9 MB firmware).
const OTA_LEN: usize = 1_945_600;
/// OTA sessions per run: one is a few ms, lost in the process's noise.
const OTA_ROUNDS: usize = 20;
const OTA_WRITES: &str = "import pycom\ndata = bytes(1945600)\nmv = memoryview(data)\nfor r in range(20):\n    \
pycom.ota_start()\n    for i in range(0, len(data), 4096):\n        pycom.ota_write(mv[i:i + 4096])\n";
const OTA_SLICES_ONLY: &str = "import pycom\ndata = bytes(1945600)\nmv = memoryview(data)\nfor r in range(20):\n    \
pycom.ota_start()\n    for i in range(0, len(data), 4096):\n        mv[i:i + 4096]\n";
const DHT_READS: u32 = 1000;
const DHT_BOARD: &str = "[[device]]\nkind = \"dht22\"\npin = \"G7\"\ntemperature = 21.5\nhumidity = 48.0\n";
const DHT_LOOP: &str = "from machine import Pin\nfrom pycom import pulses_get\nfrom time import sleep_ms\n\
for i in range(1000):\n    pin = Pin('G7', mode=Pin.OPEN_DRAIN)\n    pin(0)\n    sleep_ms(20)\n    pin(1)\n    \
assert len(pulses_get(pin, 100)) == 84\n";
const I2C_CALLS: u32 = 20_000;
const I2C_BOARD: &str = "[[device]]\nkind = \"i2c\"\naddress = 0x48\n[[device.register]]\nat = 0\nbytes = [1, 2]\n";
const I2C_LOOP: &str = "from machine import I2C\ni2c = I2C(0, baudrate=400000)\nfor i in range(20000):\n    \
i2c.readfrom_mem(0x48, 0, 2)\n";
/// A 10 kHz square wave for 100 s of device time: 2,000,000 edges.
const EDGES: u64 = 2_000_000;
const SQUARE_WAVE: &str =
    "[[device]]\nkind = \"waveform\"\npin = \"P9\"\nlevels = [[1, 50], [0, 50]]\nrepeat = 1000000\n";
const SLEEP_100_S: &str = "import time\ntime.sleep(100)\n";
/// A 100 µs periodic alarm for 20 s of device time: 200,000 callbacks.
const ALARM_CALLBACKS: u32 = 200_000;
const ALARM_LOOP: &str = "from machine import Timer\nimport time\nn = [0]\n\
def tick(alarm):\n    n[0] += 1\nTimer.Alarm(tick, us=100, periodic=True)\ntime.sleep(20)\nassert n[0] == 200000, n[0]\n";
/// Wakes every 10 minutes, reads a value, stores it and deep-sleeps, for one
/// hour of device time (7 boots).
const SLEEP_LOOP: &str = "import machine, pycom, time\npycom.nvs_set('t', machine.temperature())\n\
if time.time() < 3600:\n    machine.deepsleep(600000)\n";
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

/// Raw-REPL execs timed over a served UART.
const RAW_EXECS: u32 = 500;

/// Reads `stream` until what arrived ends with `end`.
fn read_until(stream: &mut std::net::TcpStream, end: &[u8]) {
    use std::io::Read;
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(end) {
        assert_eq!(stream.read(&mut byte).expect("UART read"), 1, "UART closed");
        got.push(byte[0]);
    }
}

/// Start-up of `serve` to the first raw prompt, and raw-REPL execs per second.
fn raw_repl(image: &Path) -> (Duration, f64) {
    use std::io::{BufRead, Write};
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pycom-emu"))
        .args(["serve", "--uart", "tcp:127.0.0.1:0", "--image"])
        .arg(image)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("endpoint");
    let mut uart = std::net::TcpStream::connect(line.trim().trim_start_matches("tcp:")).expect("connect");
    uart.set_nodelay(true).expect("nodelay");
    uart.write_all(b"\r\x01").expect("write");
    read_until(&mut uart, b"raw REPL; CTRL-B to exit\r\n>");
    let ready = start.elapsed();
    let timed = Instant::now();
    for _ in 0..RAW_EXECS {
        uart.write_all(b"print(1)\x04").expect("write");
        read_until(&mut uart, b"\x04\x04>");
    }
    let rate = f64::from(RAW_EXECS) / timed.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    (ready, rate)
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
    let mut idle = emulator(&image, &write("idle.py", IDLE_LOOP)).stdout(std::process::Stdio::null()).spawn().unwrap();
    let resident = common::watch_until_exit(&mut idle);
    println!(
        "resident memory of a booted board looping: peak {:.1} MiB ({:.1} MiB its own, {:.1} MiB mapped files)",
        resident.peak_kib as f64 / 1024.0,
        resident.own_kib as f64 / 1024.0,
        resident.files_kib as f64 / 1024.0
    );

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

    let with_writes = write("ota.py", OTA_WRITES);
    let slices_only = write("slices.py", OTA_SLICES_ONLY);
    let writes = median_of(7, || run_ok(&mut emulator(&image, &with_writes)));
    let slices = median_of(7, || run_ok(&mut emulator(&image, &slices_only)));
    let ota_s = writes.saturating_sub(slices).as_secs_f64();
    let zeros = vec![0u8; OTA_LEN];
    let sha = median_of(7, || {
        use sha2::Digest;
        std::hint::black_box(sha2::Sha256::digest(&zeros));
    })
    .as_secs_f64();
    let written = (OTA_LEN * OTA_ROUNDS) as f64;
    println!(
        "ota_write from Python, {OTA_ROUNDS} x 1.9 MB in 4096-byte blocks: {:.1} MB/s; SHA-256 of the same bytes: \
         {:.1} MB/s; ratio {:.2}",
        written / ota_s / 1e6,
        OTA_LEN as f64 / sha / 1e6,
        sha * OTA_ROUNDS as f64 / ota_s
    );
    let app = dir.path().join("app.bin");
    run_ok(
        Command::new(env!("CARGO_BIN_EXE_pycom-emu"))
            .args(["image", "build", "--version", "2.0.0", "--project", "b", "--size", "1900K", "-o"])
            .arg(&app),
    );
    let pushed = median_of(5, || {
        let out = Command::new(env!("CARGO_BIN_EXE_pycom-emu"))
            .arg("ota")
            .arg("push")
            .arg("--image")
            .arg(&image)
            .arg(&app)
            .output()
            .expect("spawn");
        assert!(!out.stdout.is_empty());
    });
    println!(
        "ota push of a 1.9 MB image + reboot + verify, whole process (median of 5): {:.1} ms wall",
        pushed.as_secs_f64() * 1e3
    );

    let dht_board = write("dht.toml", DHT_BOARD);
    let dht_loop = write("dht.py", DHT_LOOP);
    let dht = median_of(5, || run_ok(emulator(&image, &dht_loop).arg("--board-file").arg(&dht_board)));
    let dht_s = dht.saturating_sub(startup).as_secs_f64();
    println!(
        "DHT22 reads (start pulse, pulses_get, 84 tuples) from Python: {:.0} reads/s (median of 5)",
        f64::from(DHT_READS) / dht_s
    );
    let i2c_board = write("i2c.toml", I2C_BOARD);
    let i2c_loop = write("i2c.py", I2C_LOOP);
    let i2c = median_of(5, || run_ok(emulator(&image, &i2c_loop).arg("--board-file").arg(&i2c_board)));
    println!(
        "I2C transactions (readfrom_mem of 2 bytes: write, repeated START, read) from Python: {:.0}/s (median of 5)",
        f64::from(I2C_CALLS) / i2c.saturating_sub(startup).as_secs_f64()
    );
    let wave = write("wave.toml", SQUARE_WAVE);
    let sleep = write("sleep.py", SLEEP_100_S);
    let vcd = dir.path().join("pins.vcd");
    for (label, traced) in [("without a trace", false), ("with --trace-pins", true)] {
        let run = median_of(3, || {
            let mut cmd = emulator(&image, &sleep);
            cmd.arg("--board-file").arg(&wave);
            if traced {
                cmd.arg("--trace-pins").arg(&vcd);
            }
            run_ok(&mut cmd)
        });
        let secs = run.saturating_sub(startup).as_secs_f64();
        println!(
            "pin edges simulated {label}: {:.1} M edges/s ({EDGES} edges, median of 3)",
            EDGES as f64 / secs / 1e6
        );
    }
    println!("VCD of {EDGES} edges: {:.1} MB", std::fs::metadata(&vcd).map_or(0, |m| m.len()) as f64 / 1e6);

    let (ready, rate) = raw_repl(&image);
    println!(
        "serve --uart tcp: start to raw REPL prompt {:.1} ms; raw-REPL exec round trips {rate:.0}/s ({RAW_EXECS} of print(1))",
        ready.as_secs_f64() * 1e3
    );

    let alarms = write("alarms.py", ALARM_LOOP);
    let alarm_run = median_of(5, || run_ok(&mut emulator(&image, &alarms)));
    let alarm_s = alarm_run.saturating_sub(startup).as_secs_f64();
    println!(
        "Timer.Alarm callbacks (100 us periodic, 20 s of device time): {:.0} callbacks/s of wall time (median of 5)",
        f64::from(ALARM_CALLBACKS) / alarm_s
    );
    let sleeper = write("sleeper.py", SLEEP_LOOP);
    let sleeps = median_of(7, || run_ok(&mut emulator(&image, &sleeper)));
    println!(
        "1 hour of device time waking every 10 min to read a value and deep-sleep (7 boots, whole process, median of 7): {:.1} ms",
        sleeps.as_secs_f64() * 1e3
    );

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
