//! The board's heap has a limit: a script that fills it gets `MemoryError`
//! (MicroPython's `memory allocation failed, allocating N bytes`) within
//! moments, whatever builtin grows it, and the emulator stays small; each
//! board of a fleet has its own. `micropython.heap_lock()` makes every new
//! heap object raise `MemoryError: memory allocation failed, heap is
//! locked`, while calls, small ints, iteration and exceptions still work.
//! (Strings, bytes, generators and bound methods are made here where
//! MicroPython often makes none: they do not count.)

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// Runs `source` on a fresh device; returns its stdout lines, how long it
/// took and its peak resident memory (KiB).
fn measured(source: &str) -> (Vec<String>, Duration, u64) {
    let device = Device::new();
    let script = device.path("script.py");
    std::fs::write(&script, source).unwrap();
    let start = Instant::now();
    let mut child = device.command(&["run", script.to_str().unwrap()]).stderr(Stdio::null()).spawn().unwrap();
    let peak = peak_rss_kib_until_exit(&mut child, Duration::from_secs(60));
    let took = start.elapsed();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    (stdout.lines().map(str::to_owned).collect(), took, peak)
}

#[test]
fn extending_a_list_from_a_billion_item_range_raises_memory_error_at_once() {
    // MicroPython's tests/basics/memoryerror.py, second half.
    let (lines, took, peak_kib) = measured(
        "try:\n    [].extend(range(1000000000))\nexcept MemoryError as e:\n    print('MemoryError', e)\nprint('goes on')\n",
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("MemoryError memory allocation failed, allocating "), "{lines:?}");
    assert!(lines[0].ends_with(" bytes"), "{lines:?}");
    assert_eq!(lines[1], "goes on");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(peak_kib < 1024 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn every_builtin_that_grows_a_collection_stops_at_the_heap_limit() {
    let source = "\
import time
cases = [
    ('list', lambda: list(range(10**9))),
    ('tuple', lambda: tuple(range(10**9))),
    ('set', lambda: set(range(10**9))),
    ('dict', lambda: {i: i for i in range(10**9)}),
    ('comprehension', lambda: [i for i in range(10**9)]),
    ('join', lambda: ''.join(str(i) for i in range(10**9))),
    ('bytearray', lambda: bytearray(i & 255 for i in range(10**9))),
    ('bytearray.extend', lambda: bytearray().extend(i & 255 for i in range(10**9))),
]
for name, make in cases:
    try:
        make()
        print(name, 'made')
    except MemoryError:
        print(name, 'MemoryError')
s = 'x'
try:
    while True:
        s += s
except MemoryError:
    print('str', 'MemoryError', len(s) > 10**6)
s = None
kept = []
try:
    while True:
        kept.append(bytearray(1000))
except MemoryError:
    # The handler still runs with the full heap held.
    print('kept', 'MemoryError', len(kept) > 1000)
";
    let (lines, took, peak_kib) = measured(source);
    let names = ["list", "tuple", "set", "dict", "comprehension", "join", "bytearray", "bytearray.extend", "str"];
    let mut expected: Vec<String> = names.iter().map(|n| format!("{n} MemoryError")).collect();
    expected[8].push_str(" True");
    expected.push("kept MemoryError True".into());
    assert_eq!(lines, expected);
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(peak_kib < 1024 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn a_buffer_of_the_whole_board_heap_is_refused_and_a_small_one_is_not() {
    let lines = snippet(
        // A LoPy4's heap: 2,560,000 bytes with its PSRAM.
        "try:\n    bytearray(2560000)\nexcept MemoryError as e:\n    print('MemoryError', e)\n\
         print(len(bytearray(100000)))",
    );
    assert_eq!(lines, ["MemoryError memory allocation failed, allocating 2560000 bytes", "100000"]);
}

/// `snippet` run between `heap_lock()` and `heap_unlock()`, printing
/// `MemoryError: NAME` for each `NAME` case that raised.
fn under_heap_lock(cases: &[(&str, &str)]) -> Vec<String> {
    let mut source = String::from(
        "import micropython\nx = 1\nl = [1, 2, 3]\nd = {1: 2}\ns = {1, 2}\nb = bytearray(4)\n\
         class C:\n    def m(self):\n        return 1\nc = C()\nfloat_one = 1.5\n",
    );
    for (name, expression) in cases {
        source.push_str(&format!(
            "micropython.heap_lock()\ntry:\n    {expression}\n    print('made: {name}')\n\
             except MemoryError as e:\n    print('MemoryError: {name}:', e)\nmicropython.heap_unlock()\n"
        ));
    }
    snippet(&source)
}

#[test]
fn a_locked_heap_refuses_every_new_heap_object_with_the_firmware_text() {
    let cases = [
        ("list", "[x]"),
        ("slice of a list", "l[0:1]"),
        ("tuple", "(x,)"),
        ("dict", "{x: x}"),
        ("dict view", "d.items()"),
        ("set", "{x}"),
        ("set copy", "s.copy()"),
        ("bytearray", "bytearray(4)"),
        ("bytearray +", "b + b'01'"),
        ("memoryview", "memoryview(b'')"),
        ("instance", "C()"),
        ("closure", "lambda: x"),
        ("big int", "x << 40"),
        ("float", "float_one * 2"),
    ];
    let lines = under_heap_lock(&cases);
    let expected: Vec<String> = cases
        .iter()
        .map(|(name, _)| format!("MemoryError: {name}: memory allocation failed, heap is locked"))
        .collect();
    assert_eq!(lines, expected);
}

#[test]
fn a_locked_heap_grows_no_list_or_bytearray_and_leaves_them_as_they_were() {
    let lines = snippet(
        "import micropython\n\
         l = [1, 2]\nb = bytearray(4)\n\
         for grow in (lambda: l.extend([3, 4, 5]), lambda: l.__setitem__(slice(None), [9] * 8),\n\
                      lambda: b.extend(b'0123'), lambda: b.append(1)):\n\
         \x20   micropython.heap_lock()\n\
         \x20   try:\n        grow()\n    except MemoryError:\n        print('MemoryError')\n\
         \x20   micropython.heap_unlock()\n\
         print(l, b)",
    );
    assert_eq!(
        lines,
        ["MemoryError", "MemoryError", "MemoryError", "MemoryError", "[1, 2] bytearray(b'\\x00\\x00\\x00\\x00')"]
    );
}

#[test]
fn a_locked_heap_still_calls_counts_iterates_and_raises() {
    let cases = [
        ("call", "c.m()"),
        ("small int", "x + (1 << 29)"),
        ("unpacking", "p, q, r = l"),
        ("membership", "2 in l"),
        ("super", "super(C, c).__init__()"),
    ];
    let lines = under_heap_lock(&cases);
    let expected: Vec<String> = cases.iter().map(|(name, _)| format!("made: {name}")).collect();
    assert_eq!(lines, expected);
    // Iterating an existing list in a function, and raising while locked:
    // the exceptions keep their messages (MicroPython's emergency buffer).
    let lines = snippet(
        "import micropython\n\
         def total(items):\n    n = 0\n    for i in items:\n        n += i\n    return n\n\
         l = [1, 2, 3]\n\
         micropython.heap_lock()\n\
         r = total(l) + (1 << 29)\n\
         try:\n    undefined_name\nexcept NameError as e:\n    r2 = e\n\
         try:\n    raise 0\nexcept TypeError as e:\n    r3 = e\n\
         micropython.heap_unlock()\n\
         print(r, r2, r3)",
    );
    assert_eq!(lines, ["536870918 name 'undefined_name' isn't defined exceptions must derive from BaseException"]);
}

#[test]
fn heap_lock_nests_and_unlock_returns_none_as_in_the_firmware() {
    let lines = snippet(
        "import micropython\n\
         micropython.heap_lock()\nmicropython.heap_lock()\n\
         print(micropython.heap_unlock())\n\
         try:\n    [1]\nexcept MemoryError:\n    r = 'still locked'\n\
         micropython.heap_unlock()\n\
         print(r, [2], hasattr(micropython, 'heap_locked'))",
    );
    assert_eq!(lines, ["None", "still locked [2] False"]);
}

#[test]
fn a_full_heap_on_one_board_of_a_fleet_leaves_the_others_theirs() {
    let full = "\
import time
kept = []
try:
    while True:
        kept.append(bytearray(1000))
except MemoryError:
    print('full')
time.sleep(2)
print('still', len(kept) > 1000)
";
    let roomy = "import time\ntime.sleep(1)\nx = list(range(100000))\nprint('made', len(x))\n";
    let fleet = "[[board]]\nname = \"a\"\nscript = \"a.py\"\nposition = [0, 0]\n\
                 [[board]]\nname = \"b\"\nscript = \"b.py\"\nposition = [5, 0]\n";
    let dir = FleetDir::new(&[("fleet.toml", fleet), ("a.py", full), ("b.py", roomy)]);
    let run = ok(dir.run(&[]));
    assert_eq!(run.lines(), ["[a] full", "[b] made 100000", "[a] still True"], "{}", run.stderr);
}
