//! Outside Python tools for the integration tests of every crate (included with
//! `#[path]`): each test installs what it needs, so a fresh machine needs only
//! `python3`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// The Python of a virtualenv (under the target directory) with `requirement`
/// installed from PyPI, made on first use.
pub fn python_with(requirement: &str) -> PathBuf {
    static CREATING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("venv-{}", requirement.replace("==", "-")));
    let python = venv.join("bin/python");
    let ready = venv.join("installed.ok");
    if !ready.exists() {
        let status = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().unwrap();
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(&python).args(["-m", "pip", "install", "--quiet", requirement]).status().unwrap();
        assert!(status.success(), "pip install {requirement} failed");
        std::fs::write(&ready, "").unwrap();
    }
    python
}
