//! Every boot frees what the previous boot's interpreter made: the emulator's
//! memory does not grow with resets, whatever their kind. A script asking
//! for more memory than any board has gets `MemoryError`, never an aborted
//! emulator.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{Device, peak_rss_kib_until_exit, snippet};

/// Resets in a cycle of the three kinds: soft reset, watchdog, hard reset.
const RESET_CYCLE: &str = "\
import machine, time
cause = machine.reset_cause()
class Counter:
    def __init__(self):
        super().__init__()
        self.n = 0
    @classmethod
    def make(cls):
        return cls()
counter = Counter.make()
if cause == machine.SOFT_RESET:
    machine.WDT(timeout=10)
    time.sleep(1)
elif cause == machine.WDT_RESET:
    machine.reset()
else:
    machine.soft_reset()
";

/// Peak resident memory (KiB) of `pycom-emu ARGS...` on `device`.
fn peak_rss_kib(device: &Device, args: &[&str]) -> u64 {
    let mut child = device.command(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    peak_rss_kib_until_exit(&mut child, Duration::from_secs(600))
}

#[test]
fn a_thousand_resets_take_no_more_memory_than_ten() {
    let device = Device::new();
    let script = device.path("resets.py");
    std::fs::write(&script, RESET_CYCLE).unwrap();
    let script = script.to_str().unwrap();
    let after_10 = peak_rss_kib(&device, &["run", script, "--max-resets", "10"]);
    let after_1000 = peak_rss_kib(&device, &["run", script, "--max-resets", "1000"]);
    assert!(after_10 > 0, "no memory figure read");
    assert!(after_1000 * 10 <= after_10 * 11, "peak RSS {after_1000} KiB after 1000 resets, {after_10} KiB after 10");
}

#[test]
fn a_huge_allocation_raises_memory_error_and_the_script_goes_on() {
    let source = "for make in (lambda: bytes(2**62), lambda: bytearray(2**40), lambda: 'ab' * 2**61, \
                  lambda: b'x' * 2**40, lambda: (1).to_bytes(2**40, 'big')):
    try:
        make()
    except MemoryError as e:
        print('MemoryError', e)
b = bytearray(b'ab')
try:
    b *= 2**40
except MemoryError:
    print('MemoryError', len(b))
print(len(bytes(100000)))
";
    assert_eq!(
        snippet(source),
        [
            "MemoryError memory allocation failed, allocating 4611686018427387904 bytes",
            "MemoryError memory allocation failed, allocating 1099511627776 bytes",
            "MemoryError memory allocation failed, allocating 4611686018427387904 bytes",
            "MemoryError memory allocation failed, allocating 1099511627776 bytes",
            "MemoryError memory allocation failed, allocating 1099511627776 bytes",
            "MemoryError 2",
            "100000",
        ]
    );
}
