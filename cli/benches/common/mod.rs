//! What the benchmarks share: the resident memory of a running emulator.
#![allow(dead_code)] // each benchmark reads its own subset

use std::process::Child;
use std::time::Duration;

/// Resident memory of a process, in KiB, as `/proc/PID/status` gives it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Resident {
    /// The peak resident size (`VmHWM`).
    pub peak_kib: u64,
    /// At the peak's last reading: the process's own pages (`RssAnon`).
    pub own_kib: u64,
    /// At the peak's last reading: pages of mapped files (`RssFile`: the
    /// binary's code and the libraries, shared with every process mapping them).
    pub files_kib: u64,
}

/// Waits for `child` to exit, reading its resident memory every 5 ms.
pub fn watch_until_exit(child: &mut Child) -> Resident {
    let status = format!("/proc/{}/status", child.id());
    let field = |text: &str, name: &str| -> u64 {
        text.lines().find_map(|line| line.strip_prefix(name)?.trim().strip_suffix(" kB")?.parse().ok()).unwrap_or(0)
    };
    let mut reading = Resident::default();
    while child.try_wait().expect("wait for the emulator").is_none() {
        if let Ok(text) = std::fs::read_to_string(&status) {
            let peak_kib = field(&text, "VmHWM:");
            if peak_kib >= reading.peak_kib {
                reading = Resident { peak_kib, own_kib: field(&text, "RssAnon:"), files_kib: field(&text, "RssFile:") };
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    reading
}
