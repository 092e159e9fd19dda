//! The board's Telnet server (the firmware's telnet.c): banner, option
//! negotiation, `Login as: ` / `Password: ` with three tries, then the REPL,
//! shared with the UART. One session at a time.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use pycom_board::{Board, FIRMWARE_BUILD_DATE};
use pycom_python::UartInput;

use crate::ftp_server::Login;
use crate::uart_link::{Outputs, write_out};

const IAC: u8 = 0xFF;
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

/// Telnet's byte stream with option negotiation taken out: IAC IAC is a
/// 0xFF data byte, other commands are three bytes and dropped, as are NUL
/// and bytes above 127 (no binary mode).
#[derive(Default)]
struct Filter {
    pending: Vec<u8>,
}

impl Filter {
    fn data(&mut self, received: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(received);
        let mut data = Vec::new();
        let mut i = 0;
        while i < self.pending.len() {
            match self.pending[i] {
                IAC if self.pending.get(i + 1) == Some(&IAC) => i += 2,
                IAC if i + 3 > self.pending.len() => break,
                IAC => i += 3,
                0 | 0x80.. => i += 1,
                byte => {
                    data.push(byte);
                    i += 1;
                }
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
    /// options), or `None` when the client left.
    fn line(&mut self) -> Option<Vec<u8>> {
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
            let mut buf = [0u8; 256];
            let n = self.stream.read(&mut buf).ok().filter(|&n| n > 0)?;
            let data = self.filter.data(&buf[..n]);
            self.unread.extend_from_slice(&data);
        }
    }

    /// The login dialogue; whether it succeeded.
    fn log_in(&mut self, login: &Login) -> std::io::Result<bool> {
        for _ in 0..TRIES {
            self.stream.write_all(USER_OPTIONS)?;
            self.stream.write_all(LOGIN_PROMPT)?;
            let Some(user) = self.line() else { return Ok(false) };
            self.stream.write_all(PASSWORD_PROMPT)?;
            self.stream.write_all(PASSWORD_OPTIONS)?;
            let Some(password) = self.line() else { return Ok(false) };
            if user == login.user.as_bytes() && password == login.password.as_bytes() {
                self.stream.write_all(REPL_OPTIONS)?;
                self.stream.write_all(LOGGED_IN)?;
                return Ok(true);
            }
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
        for mut stream in listener.incoming().flatten() {
            if open.swap(true, Ordering::SeqCst) {
                let _ = stream.write_all(BUSY);
                continue;
            }
            let (server, open) = (server.clone(), open.clone());
            std::thread::spawn(move || {
                let _ = serve_client(stream, &server);
                open.store(false, Ordering::SeqCst);
            });
        }
    });
    Ok(bound)
}

/// The first line a client sees: the firmware running now, as telnet.c prints it.
fn banner(board: &Mutex<Board>) -> String {
    let board = board.lock().unwrap_or_else(|p| p.into_inner());
    format!("MicroPython v{} on {FIRMWARE_BUILD_DATE}; {}\r\n", board.firmware_release(), board.model().machine())
}

fn serve_client(stream: TcpStream, server: &Server) -> std::io::Result<()> {
    let Server { login, board, input, outputs } = server;
    // Echoes and replies are small writes; Nagle's delay would hold each for an ACK.
    stream.set_nodelay(true)?;
    let mut session = Session { stream, filter: Filter::default(), unread: Vec::new() };
    session.stream.write_all(banner(board).as_bytes())?;
    if !session.log_in(login)? {
        return Ok(());
    }
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
}
