//! The pause after a failed Telnet or FTP login. Failed logins wait their
//! turn, one at a time across both servers and every connection, so guessing
//! the password costs at least [`FAILED_LOGIN_DELAY`] per guess however many
//! connections a client opens.

use std::sync::Mutex;
use std::time::Duration;

/// How long a failed login holds the answer back.
pub const FAILED_LOGIN_DELAY: Duration = Duration::from_secs(1);

/// Held while a failed login waits, so failures are answered one at a time.
static TURN: Mutex<()> = Mutex::new(());

/// Waits after a failed login (blocking: from a thread or `spawn_blocking`).
pub fn after_failure() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    std::thread::sleep(FAILED_LOGIN_DELAY);
}
