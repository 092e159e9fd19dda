//! `scripts/install-build-deps --check DIR...`: the build needs the libclang
//! that bindgen loads (clang's C API: libclang.so, libclang-N.so,
//! libclang.so.N) with clang's headers; LLVM's C++ library libclang-cpp, which
//! a fresh Debian machine may have on its own, is not it.

use std::path::Path;
use std::process::Command;

/// Runs the detection over `dir` only: (exit code, what it printed).
fn check(dir: &Path) -> (i32, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-build-deps");
    let output = Command::new("bash")
        .arg(script)
        .arg("--check")
        .arg(dir)
        .env_remove("LIBCLANG_PATH")
        .output()
        .expect("bash runs the script");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A library folder holding these (empty) files.
fn lib_dir(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"").unwrap();
    }
    dir
}

#[test]
fn libclang_cpp_alone_is_missing() {
    let dir = lib_dir(&["libclang-cpp.so.14", "libLLVM-14.so.1", "clang/14/include/stdbool.h"]);
    let (code, said) = check(dir.path());
    assert_eq!(code, 1, "{said}");
    assert!(said.starts_with("libclang: missing"), "{said}");
}

#[test]
fn libclang_so_n_with_its_headers_is_present() {
    let dir = lib_dir(&["libclang-cpp.so.14", "libclang.so.14", "clang/14.0.6/include/stdbool.h"]);
    let (code, said) = check(dir.path());
    assert_eq!(code, 0, "{said}");
    assert_eq!(said, format!("libclang: present {}", dir.path().join("libclang.so.14").display()));
}

#[test]
fn debian_multiarch_names_with_headers_one_folder_up_are_present() {
    // /usr/lib/x86_64-linux-gnu/libclang-14.so.1 with /usr/lib/clang/14/include.
    let root = lib_dir(&["x86_64-linux-gnu/libclang-14.so.1", "clang/14/include/stdbool.h"]);
    let (code, said) = check(&root.path().join("x86_64-linux-gnu"));
    assert_eq!(code, 0, "{said}");
    assert!(said.ends_with("/x86_64-linux-gnu/libclang-14.so.1"), "{said}");
}

#[test]
fn a_library_without_clangs_headers_is_missing_and_says_why() {
    let dir = lib_dir(&["libclang.so"]);
    let (code, said) = check(dir.path());
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("clang's headers"), "{said}");
}

/// Each dependency with the features it is built with, one `name vX.Y.Z
/// features` line each, as `cargo tree` resolves them for these arguments.
fn resolved_units(args: &[&str]) -> std::collections::BTreeSet<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["tree", "--locked", "--prefix", "none", "--format", "{p} {f}", "--manifest-path"])
        .arg(manifest)
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo tree: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim_end_matches(" (*)").trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_run_command_builds_every_dependency_as_the_test_command_does() {
    // README: `cargo run --release -p pycom-emu` and `cargo test --release
    // --workspace`. A dependency that the run build uses with features the
    // test build does not have is built twice, with everything above it
    // (for bstr: the whole RustPython parser and VM).
    let run = resolved_units(&["-p", "pycom-emu", "--edges", "normal,build"]);
    let test = resolved_units(&["--workspace", "--edges", "normal,build,dev"]);
    let only_in_run: Vec<&String> = run.difference(&test).collect();
    assert!(
        only_in_run.is_empty(),
        "built with other features by `cargo run -p pycom-emu` than by `cargo test --workspace` \
         (add the test build's features to workspace-hack/Cargo.toml): {only_in_run:#?}"
    );
}
