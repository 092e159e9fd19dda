use std::{env, io::prelude::*, path::PathBuf, process::Command};

fn main() {
    let frozen_libs = if cfg!(feature = "freeze-stdlib") {
        "Lib/*/*.py"
    } else {
        "Lib/python_builtins/*.py"
    };
    for entry in glob::glob(frozen_libs).expect("Lib/ exists?").flatten() {
        let display = entry.display();
        println!("cargo:rerun-if-changed={display}");
    }
    // pycom-emu: this copy sits inside the project's git repository, where
    // asking git (as the crates.io release does, outside any repository,
    // getting nothing) would embed the project's commit and dirty state and
    // rebuild the runtime at every commit; the build is the same without them.
    println!("cargo:rustc-env=RUSTPYTHON_GIT_HASH=");
    println!("cargo:rustc-env=RUSTPYTHON_GIT_TIMESTAMP=");
    println!("cargo:rustc-env=RUSTPYTHON_GIT_TAG=");
    println!("cargo:rustc-env=RUSTPYTHON_GIT_BRANCH=");
    println!("cargo:rustc-env=RUSTC_VERSION={}", rustc_version());

    println!(
        "cargo:rustc-env=RUSTPYTHON_TARGET_TRIPLE={}",
        env::var("TARGET").unwrap()
    );

    // pycom-emu: `sysconfig`'s build-time variables do not get the build's
    // whole environment (it changed with every shell, rebuilding the runtime,
    // and put the builder's variables into the binary).
    let mut env_path = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    env_path.push("env_vars.rs");
    let mut f = std::fs::File::create(env_path).unwrap();
    write!(f, "sysvars! {{}}").unwrap();
}

fn rustc_version() -> String {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    command(rustc, &["-V"])
}

fn command(cmd: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> String {
    match Command::new(cmd).args(args).output() {
        Ok(output) => match String::from_utf8(output.stdout) {
            Ok(s) => s,
            Err(err) => format!("(output error: {err})"),
        },
        Err(err) => format!("(command error: {err})"),
    }
}
