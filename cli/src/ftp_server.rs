//! The board's FTP server (libunftp on a thread of its own): the firmware's
//! login, `/flash` as storage, passive mode on the listening address.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use async_trait::async_trait;
use libunftp::ServerBuilder;
use pycom_board::Board;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};

use crate::ftp_storage::BoardStorage;

/// The greeting of the firmware's FTP server.
const GREETING: &str = "Micropython FTP Server";

/// The user and password the board's servers accept (`network.server`'s login).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

impl Login {
    /// The login the servers accept. An empty user name or password is
    /// refused: the servers would let in whoever presses Enter while looking
    /// protected (the firmware's Telnet, which needs a non-empty line, would
    /// let in nobody).
    pub fn new(user: String, password: String) -> Result<Self> {
        anyhow::ensure!(!user.is_empty(), "--user must not be empty");
        anyhow::ensure!(
            !password.is_empty(),
            "--password must not be empty: anyone could log in to Telnet and FTP by pressing Enter"
        );
        Ok(Self { user, password })
    }

    fn accepts(&self, username: &str, creds: &Credentials) -> Result<Principal, AuthenticationError> {
        if username != self.user {
            return Err(AuthenticationError::BadUser);
        }
        match &creds.password {
            Some(password) if *password == self.password => Ok(Principal { username: username.to_owned() }),
            _ => Err(AuthenticationError::BadPassword),
        }
    }
}

/// The login the board's servers accept now: the one a script set with
/// `network.Server(login=...)`, else `host`'s; `None` while the script has
/// stopped them (`Server.deinit()`).
pub fn login_now(host: &Login, board: &Mutex<Board>) -> Option<Login> {
    let board = board.lock().unwrap_or_else(|p| p.into_inner());
    let servers = board.servers();
    servers.running().then(|| match servers.login() {
        Some((user, password)) => Login { user: user.to_owned(), password: password.to_owned() },
        None => host.clone(),
    })
}

/// The FTP server's check: the board's login as it is at each attempt.
#[derive(Debug)]
struct BoardLogin {
    host: Login,
    board: Arc<Mutex<Board>>,
}

#[async_trait]
impl Authenticator for BoardLogin {
    /// Checks the login; a failure is answered after the failed-login pause.
    async fn authenticate(&self, username: &str, creds: &Credentials) -> Result<Principal, AuthenticationError> {
        let verdict = match login_now(&self.host, &self.board) {
            Some(login) => login.accepts(username, creds),
            None => Err(AuthenticationError::BadUser),
        };
        if verdict.is_err() {
            let _ = tokio::task::spawn_blocking(crate::login_throttle::after_failure).await;
        }
        verdict
    }
}

/// Starts serving `board`'s filesystem on `addr`; returns the address bound.
pub fn start(addr: SocketAddr, login: Login, board: Arc<Mutex<Board>>) -> Result<SocketAddr> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the FTP server's runtime")?;
    let listener =
        runtime.block_on(tokio::net::TcpListener::bind(addr)).with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    let login = Arc::new(BoardLogin { host: login, board: board.clone() });
    std::thread::spawn(move || {
        runtime.block_on(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if !board.lock().unwrap_or_else(|p| p.into_inner()).servers().running() {
                    // `network.Server().deinit()`: the connection is closed at once.
                    continue;
                }
                let storage = BoardStorage::new(board.clone());
                let server = ServerBuilder::with_authenticator(Box::new(move || storage.clone()), login.clone())
                    .greeting(GREETING)
                    .build();
                match server {
                    Ok(server) => {
                        tokio::spawn(server.service(stream));
                    }
                    Err(e) => eprintln!("[pycom-emu] FTP: {e}"),
                }
            }
        });
    });
    Ok(bound)
}
