//! Outside Debian tools for the integration tests of every crate (included with
//! `#[path]`): a test that needs one installs it with apt-get and fails, never
//! skips, when it cannot be had.

use std::process::Command;
use std::sync::Mutex;

/// Makes sure `command` runs (`command --version` succeeds), installing the
/// Debian `package` with apt-get when it does not; panics with the reason when
/// it still cannot be run.
pub fn require_debian_tool(package: &str, command: &str) {
    require_debian_tool_answering(package, command, "--version");
}

/// [`require_debian_tool`] for a command that answers `probe` (`version`,
/// `--help`) rather than `--version`.
pub fn require_debian_tool_answering(package: &str, command: &str, probe: &str) {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let runs = || Command::new(command).arg(probe).output().is_ok_and(|o| o.status.success());
    if runs() {
        return;
    }
    let install = || Command::new("apt-get").args(["install", "-y", "-qq", package]).status();
    if !install().is_ok_and(|status| status.success()) {
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        let _ = install();
    }
    assert!(
        runs(),
        "{command} is missing and `apt-get install {package}` did not provide it \
         (the tests need root and a reachable apt mirror, or {package} installed)"
    );
}
