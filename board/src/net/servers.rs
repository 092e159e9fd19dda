//! The board's Telnet and FTP servers as `network.Server` configures them
//! (serverstask.c): running or stopped, their login and their session timeout.

/// The login the servers accept when none is set (`SERVERS_DEF_USER`/`_PASS`).
pub const DEFAULT_LOGIN: (&str, &str) = ("micro", "python");
/// The session timeout when none is set, seconds.
pub const DEFAULT_TIMEOUT_S: u32 = 300;
/// The shortest session timeout, seconds.
pub const MIN_TIMEOUT_S: u32 = 5;
/// The longest user name or password.
pub const LOGIN_MAX_LEN: usize = 32;

/// The servers' settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Servers {
    running: bool,
    login: Option<(String, String)>,
    timeout_s: u32,
}

impl Default for Servers {
    fn default() -> Self {
        Self { running: true, login: None, timeout_s: DEFAULT_TIMEOUT_S }
    }
}

impl Servers {
    /// Whether they take connections.
    pub fn running(&self) -> bool {
        self.running
    }

    /// The login set from Python, if any (else the one the host gave).
    pub fn login(&self) -> Option<(&str, &str)> {
        self.login.as_ref().map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// The session timeout, seconds.
    pub fn timeout_s(&self) -> u32 {
        self.timeout_s
    }

    /// `Server.init(login=, timeout=)`: sets both and starts the servers.
    pub fn init(&mut self, login: (String, String), timeout_s: u32) {
        self.login = Some(login);
        self.timeout_s = timeout_s;
        self.running = true;
    }

    /// `Server.timeout(seconds)`.
    pub fn set_timeout_s(&mut self, timeout_s: u32) {
        self.timeout_s = timeout_s;
    }

    /// `Server.deinit()`: they stop taking connections.
    pub fn stop(&mut self) {
        self.running = false;
    }
}
