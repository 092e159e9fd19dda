//! The board's Telnet server (the firmware's telnet.c): banner, option
//! negotiation, `Login as: ` / `Password: ` with three tries, then the REPL,
//! shared with the UART. One session at a time: the session is taken at a
//! successful login, so a client that connects and says nothing locks nobody
//! out, and it is dropped after [`LOGIN_TIMEOUT`].

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pycom_board::{Board, FIRMWARE_BUILD_DATE};
use pycom_python::UartInput;

use crate::ftp_server::Login;
use crate::uart_link::{Outputs, write_out};

const IAC: u8 = 0xFF;
/// Subnegotiation begin and end (`IAC SB ... IAC SE`).
const SB: u8 = 0xFA;
const SE: u8 = 0xF0;
/// Options while the user name is typed: WONT ECHO, WONT SGA, WILL LINEMODE.
const USER_OPTIONS: &[u8] = &[IAC, 0xFC, 0x01, IAC, 0xFC, 0x03, IAC, 0xFB, 0x22];
/// Options while the password is typed: WILL ECHO (the server echoes nothing,
/// so it stays hidden), WONT SGA, WILL LINEMODE.
const PASSWORD_OPTIONS: &[u8] = &[IAC, 0xFB, 0x01, IAC, 0xFC, 0x03, IAC, 0xFB, 0x22];
/// Options for the REPL: WILL ECHO, WILL SGA, WONT LINEMODE.
const REPL_OPTIONS: &[u8] = &[IAC, 0xFB, 0x01, IAC, 0xFB, 0x03, IAC, 0xFC, 0x22];
const LOGIN_PROMPT: &[u8] = b"Login as: ";
const PASSWORD_PROMPT: &[u8] = b"Password: ";
const LOGGED_IN: &[u8] = b"\r\nLogin succeeded!\r\nType \"help()\" for more information.\r\n";
const REFUSED: &[u8] = b"\r\nInvalid credentials, try again.\r\n";
const BUSY: &[u8] = b"pycom-emu: a Telnet session is already open\r\n";
/// Login attempts before the server hangs up (`LOGIN_RETRIES_MAX`).
const TRIES: usize = 3;
/// Longest user name or password (`SERVERS_USER_PASS_LEN_MAX`).
const CREDENTIAL_MAX: usize = 32;
/// Time a client has to log in: the firmware's server timeout
/// (`SERVERS_DEF_TIMEOUT_MS`), counted here from the connection rather than
/// from the last byte, so a client trickling bytes cannot stay forever.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// Telnet's byte stream with option negotiation taken out: IAC IAC is a
/// 0xFF data byte, a subnegotiation (`IAC SB ... IAC SE`) is dropped whole,
/// other commands are three bytes and dropped, as are NUL and bytes above
/// 127 (no binary mode).
#[derive(Default)]
pub struct Filter {
    pending: Vec<u8>,
    in_subnegotiation: bool,
}

impl Filter {
    /// The data bytes of `received`, the next bytes of the stream; an
    /// option split across reads is held back until its end comes.
    pub fn data(&mut self, received: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(received);
        let mut data = Vec::new();
        let mut i = 0;
        while i < self.pending.len() {
            let rest = &self.pending[i..];
            if self.in_subnegotiation {
                match rest {
                    [IAC, SE, ..] => {
                        self.in_subnegotiation = false;
                        i += 2;
                    }
                    [IAC, IAC, ..] => i += 2,
                    [IAC] => break,
                    _ => i += 1,
                }
                continue;
            }
            match rest {
                [IAC, IAC, ..] => i += 2,
                [IAC, SB, ..] => {
                    self.in_subnegotiation = true;
                    i += 2;
                }
                [IAC] | [IAC, _] => break,
                [IAC, ..] => i += 3,
                [0 | 0x80.., ..] => i += 1,
                [byte, ..] => {
                    data.push(*byte);
                    i += 1;
                }
                [] => break,
            }
        }
        self.pending.drain(..i);
        data
    }
}

/// One connection: its stream and the filtered bytes not yet used.
struct Session {
    stream: TcpStream,
    filter: Filter,
    unread: Vec<u8>,
}

impl Session {
    /// The next line up to CR (LF and NUL after it are dropped with the
    /// options), or `None` when the client left or `deadline` passed.
    fn line(&mut self, deadline: Instant) -> Option<Vec<u8>> {
        loop {
            if let Some(end) = self.unread.iter().position(|&b| b == b'\r') {
                let line = self.unread[..end].to_vec();
                self.unread.clear(); // the firmware drops the rest of a read
                return Some(line);
            }
            if self.unread.len() > CREDENTIAL_MAX {
                self.unread.clear();
                return Some(Vec::new());
            }
            let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())?;
            self.stream.set_read_timeout(Some(left)).ok()?;
            let mut buf = [0u8; 256];
            let n = self.stream.read(&mut buf).ok().filter(|&n| n > 0)?;
            let data = self.filter.data(&buf[..n]);
            self.unread.extend_from_slice(&data);
        }
    }

    /// The login dialogue, to be finished by `deadline`; whether the right
    /// credentials came (the caller answers them). A wrong pair is answered
    /// after the failed-login pause.
    fn log_in(&mut self, login: &Login, deadline: Instant) -> std::io::Result<bool> {
        for _ in 0..TRIES {
            self.stream.write_all(USER_OPTIONS)?;
            self.stream.write_all(LOGIN_PROMPT)?;
            let Some(user) = self.line(deadline) else { return Ok(false) };
            self.stream.write_all(PASSWORD_PROMPT)?;
            self.stream.write_all(PASSWORD_OPTIONS)?;
            let Some(password) = self.line(deadline) else { return Ok(false) };
            if user == login.user.as_bytes() && password == login.password.as_bytes() {
                self.stream.set_read_timeout(None)?;
                return Ok(true);
            }
            crate::login_throttle::after_failure();
            self.stream.write_all(REFUSED)?;
        }
        Ok(false)
    }
}

/// What every session works with.
#[derive(Clone)]
pub struct Server {
    /// The accepted login.
    pub login: Login,
    /// The board, for the banner.
    pub board: Arc<Mutex<Board>>,
    /// The REPL's input, shared with the UART.
    pub input: UartInput,
    /// The REPL's output, shared with the UART.
    pub outputs: Outputs,
}

/// Starts the Telnet server on `addr`; returns the address bound.
pub fn start(addr: SocketAddr, server: Server) -> Result<SocketAddr> {
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    let open = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (server, open) = (server.clone(), open.clone());
            std::thread::spawn(move || serve_client(stream, &server, &open));
        }
    });
    Ok(bound)
}

/// The first line a client sees: the firmware running now, as telnet.c prints it.
fn banner(board: &Mutex<Board>) -> String {
    let board = board.lock().unwrap_or_else(|p| p.into_inner());
    format!("MicroPython v{} on {FIRMWARE_BUILD_DATE}; {}\r\n", board.firmware_release(), board.model().machine())
}

/// One client from its banner to its end; `open` is the one-session flag,
/// taken at a successful login and given back when that session ends.
fn serve_client(stream: TcpStream, server: &Server, open: &AtomicBool) -> std::io::Result<()> {
    let Server { login, board, input, outputs } = server;
    // Stopped by `network.Server().deinit()`: the connection is closed at once.
    let Some(login) = crate::ftp_server::login_now(login, board) else { return Ok(()) };
    // Echoes and replies are small writes; Nagle's delay would hold each for an ACK.
    stream.set_nodelay(true)?;
    let mut session = Session { stream, filter: Filter::default(), unread: Vec::new() };
    session.stream.write_all(banner(board).as_bytes())?;
    if !session.log_in(&login, Instant::now() + LOGIN_TIMEOUT)? {
        return Ok(());
    }
    if open.swap(true, Ordering::SeqCst) {
        return session.stream.write_all(BUSY);
    }
    let result = run_session(session, input, outputs);
    open.store(false, Ordering::SeqCst);
    result
}

/// A logged-in session: the REPL until the client leaves.
fn run_session(mut session: Session, input: &UartInput, outputs: &Outputs) -> std::io::Result<()> {
    session.stream.write_all(REPL_OPTIONS)?;
    session.stream.write_all(LOGGED_IN)?;
    let (id, output) = outputs.add();
    write_out(output, session.stream.try_clone()?);
    // The firmware feeds its REPL an Enter, so a fresh prompt shows.
    input.push(b"\r");
    let mut buf = [0u8; 256];
    while let Ok(n) = session.stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        input.push(&session.filter.data(&buf[..n]));
    }
    outputs.remove(id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_negotiation_is_taken_out_of_the_data() {
        let mut filter = Filter::default();
        assert_eq!(filter.data(b"ab\xFF\xFD\x01c\xFF\xFFd\x00\xC3"), b"abcd");
        assert_eq!(filter.data(b"x\xFF\xFB"), b"x");
        assert_eq!(filter.data(b"\x18y"), b"y", "a command split across reads is still dropped");
    }

    #[test]
    fn a_subnegotiation_is_taken_out_whole() {
        let mut filter = Filter::default();
        // NAWS (window size 80x24) and a terminal type, as clients send them.
        assert_eq!(filter.data(b"a\xFF\xFA\x1F\x00\x50\x00\x18\xFF\xF0b"), b"ab");
        assert_eq!(filter.data(b"c\xFF\xFA\x18\x00xterm"), b"c");
        assert_eq!(filter.data(b"-256color\xFF"), b"", "still inside, split at an IAC");
        assert_eq!(
            filter.data(b"\xF0d\xFF\xFA\x01\xFF\xFF\xFF\xF0e"),
            b"de",
            "IAC IAC inside is data of the subnegotiation"
        );
    }

    /// A connected pair of sockets: the server's end and the client's.
    fn connected() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        (listener.accept().unwrap().0, client)
    }

    #[test]
    fn a_client_that_does_not_log_in_by_the_deadline_is_dropped() {
        let (server_end, _silent_client) = connected();
        let mut session = Session { stream: server_end, filter: Filter::default(), unread: Vec::new() };
        let login = Login { user: "micro".into(), password: "python".into() };
        let started = Instant::now();
        assert!(!session.log_in(&login, started + Duration::from_millis(300)).unwrap());
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    }
}
