//! The release binary lays out the functions a boot runs together, from the
//! list in `cli/startup-order.txt` (see `cli/build.rs`). The list names
//! functions by their mangled symbols, whose hashes change with the toolchain,
//! the release profile and `Cargo.lock`; a list that no longer matches the
//! binary costs a boot about 7 MB of mapped code. Run `scripts/startup-order`
//! to write it again.
#![cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]

use std::collections::HashSet;

/// The share of the listed functions the binary must still have.
const MIN_PRESENT: f64 = 0.9;

/// The toolchain line `scripts/startup-order` records, as `rustc X.Y.Z (...)`.
fn recorded_rustc(list: &str) -> Option<&str> {
    list.lines().filter_map(|line| line.strip_prefix("# ")).find(|line| line.starts_with("rustc "))
}

#[test]
fn the_startup_order_names_functions_of_this_binary() {
    let list = include_str!("../startup-order.txt");
    let overrides = env!("PYCOM_EMU_PROFILE_OVERRIDES");
    if cfg!(debug_assertions) || !overrides.is_empty() {
        eprintln!("skipped: not the release profile as committed ({overrides})");
        return;
    }
    let binary = std::fs::read(env!("CARGO_BIN_EXE_pycom-emu")).expect("the built binary");
    // The `.comment` section's entries and the symbol table's names, each
    // ended by a NUL byte.
    let strings: HashSet<&[u8]> = binary.split(|&b| b == 0).collect();
    let rustc = recorded_rustc(list).expect("startup-order.txt records its rustc");
    let comment = rustc.replacen("rustc ", "rustc version ", 1);
    if !strings.contains(comment.as_bytes()) {
        eprintln!("skipped: the binary was not built by {rustc}");
        return;
    }

    let names: Vec<&str> = list.lines().filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    let present = names.iter().filter(|name| strings.contains(name.as_bytes())).count();
    let share = present as f64 / names.len() as f64;
    assert!(
        share >= MIN_PRESENT,
        "cli/startup-order.txt is stale: the binary has {present} of its {} functions; \
         run scripts/startup-order",
        names.len()
    );
}
