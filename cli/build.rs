//! Link settings for the `pycom-emu` executable on Linux.
//!
//! - Position-dependent (`-no-pie`): the loader then has no relocations to
//!   apply at start-up. A position-independent build carried 1 MB of them,
//!   and each process wrote its own copy of the 0.5 MB of pointer tables
//!   they patch.
//! - On x86_64, where rustc links with LLD, the functions a boot runs come
//!   first and together (`startup-order.txt`, written by
//!   `scripts/startup-order`). A boot then maps about 9 MB of the executable
//!   instead of 16 MB: the kernel maps the 64 KiB around each page of code it
//!   faults in, and the runtime's start-up otherwise touches code spread over
//!   all of the 18 MB. Names the binary no longer has are skipped silently.
//!
//! For `cli/tests/startup_order.rs`, the build tells its tests, in
//! `PYCOM_EMU_PROFILE_OVERRIDES`, which of the release profile's settings the
//! environment changed: they change the names, so the test then has nothing
//! to compare.

use std::path::Path;

/// The release profile's settings that README's quick-rebuild tip overrides.
const PROFILE_OVERRIDES: [&str; 3] =
    ["CARGO_PROFILE_RELEASE_LTO", "CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "CARGO_PROFILE_RELEASE_OPT_LEVEL"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=startup-order.txt");
    let overridden: Vec<&str> = PROFILE_OVERRIDES
        .into_iter()
        .filter(|name| {
            println!("cargo:rerun-if-env-changed={name}");
            std::env::var_os(name).is_some()
        })
        .collect();
    println!("cargo:rustc-env=PYCOM_EMU_PROFILE_OVERRIDES={}", overridden.join(" "));

    let target = |key: &str| std::env::var(key).unwrap_or_default();
    if target("CARGO_CFG_TARGET_OS") != "linux" {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    if target("CARGO_CFG_TARGET_ARCH") == "x86_64" && target("CARGO_CFG_TARGET_ENV") == "gnu" {
        // The linker reads a copy in OUT_DIR: a target directory shared by
        // clones at different paths reuses this script's output while the
        // list is unchanged, and the clone that ran it may be gone.
        let order = Path::new(&target("OUT_DIR")).join("startup-order.txt");
        let source = Path::new(&target("CARGO_MANIFEST_DIR")).join("startup-order.txt");
        if let Err(error) = std::fs::copy(&source, &order) {
            panic!("copying {} to {}: {error}", source.display(), order.display());
        }
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
