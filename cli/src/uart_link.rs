//! Where the board's UART 0 goes for `repl` and `serve`: this terminal, a
//! pseudo-terminal, or a TCP port. Output is "cooked" as MicroPython's stdout
//! is (`\n` sent as `\r\n`).

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use nix::sys::termios::{self, SetArg, Termios};
use pycom_python::{Console, StopRequest, UartInput};

/// Ctrl-], which leaves `pycom-emu repl` (as it leaves `mpremote repl`).
const LEAVE: u8 = 0x1D;
/// Output chunks buffered for a slow or absent reader before output is dropped
/// (a UART with nothing attached loses what it sends).
const OUTPUT_BACKLOG: usize = 1024;
/// What a second TCP client is told.
const BUSY: &[u8] = b"pycom-emu: the UART is in use by another client\r\n";

/// Where `serve` puts the UART.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UartEndpoint {
    /// A new pseudo-terminal.
    Pty,
    /// A TCP listener.
    Tcp(SocketAddr),
}

/// Parses `pty` or `tcp:HOST:PORT`.
pub fn parse_endpoint(text: &str) -> Result<UartEndpoint, String> {
    match text.split_once(':') {
        None if text == "pty" => Ok(UartEndpoint::Pty),
        Some(("tcp", addr)) => {
            addr.parse().map(UartEndpoint::Tcp).map_err(|e| format!("{addr:?} is not HOST:PORT with an IP host: {e}"))
        }
        _ => Err(format!("{text:?}: expected pty or tcp:HOST:PORT")),
    }
}

/// The board's UART output as bytes for a line, `\n` sent as `\r\n`.
struct Cooked<F: FnMut(&[u8]) + Send> {
    send: F,
    after_cr: bool,
}

impl<F: FnMut(&[u8]) + Send> Console for Cooked<F> {
    fn write(&mut self, text: &str) -> Option<StopRequest> {
        let mut bytes = Vec::with_capacity(text.len() + 8);
        for &b in text.as_bytes() {
            if b == b'\n' && !self.after_cr {
                bytes.push(b'\r');
            }
            bytes.push(b);
            self.after_cr = b == b'\r';
        }
        (self.send)(&bytes);
        None
    }
}

fn cooked(send: impl FnMut(&[u8]) + Send + 'static) -> Box<dyn Console> {
    Box::new(Cooked { send, after_cr: false })
}

/// One listener of the board's output: its id and its writer's queue.
type Sink = (usize, SyncSender<Vec<u8>>);

/// Everyone the board's output goes to: the UART's line and logged-in
/// Telnet sessions, each through its own writer thread. A writer that cannot
/// keep up loses output, as a UART with nothing reading does.
#[derive(Clone, Default)]
pub struct Outputs {
    sinks: Arc<Mutex<Vec<Sink>>>,
    next_id: Arc<std::sync::atomic::AtomicUsize>,
}

impl Outputs {
    /// A new listener: its id (for [`Outputs::remove`]) and what it receives.
    pub fn add(&self) -> (usize, std::sync::mpsc::Receiver<Vec<u8>>) {
        let id = self.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (sender, receiver) = sync_channel(OUTPUT_BACKLOG);
        self.sinks.lock().unwrap_or_else(|p| p.into_inner()).push((id, sender));
        (id, receiver)
    }

    /// Stops sending to listener `id`.
    pub fn remove(&self, id: usize) {
        self.sinks.lock().unwrap_or_else(|p| p.into_inner()).retain(|(sink, _)| *sink != id);
    }

    /// Sends `bytes` as they are to every listener.
    pub fn send(&self, bytes: &[u8]) {
        for (_, sender) in self.sinks.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = sender.try_send(bytes.to_vec());
        }
    }

    /// The console the board writes to.
    pub fn console(&self) -> Box<dyn Console> {
        let outputs = self.clone();
        cooked(move |bytes| outputs.send(bytes))
    }
}

/// This terminal as the UART: raw mode while attached (restored on drop),
/// keys to the board, Ctrl-] or end of input to leave.
pub struct Terminal {
    saved: Option<(OwnedFd, Termios)>,
}

impl Terminal {
    /// Starts feeding this terminal's keys to `input`.
    pub fn attach(input: UartInput) -> Result<Self> {
        let stdin = std::io::stdin();
        let saved = match termios::tcgetattr(stdin.as_fd()) {
            Ok(original) => {
                let mut raw = original.clone();
                termios::cfmakeraw(&mut raw);
                termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw)
                    .context("cannot put the terminal in raw mode")?;
                Some((stdin.as_fd().try_clone_to_owned()?, original))
            }
            Err(_) => None, // not a terminal: piped input
        };
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            let mut stdin = std::io::stdin().lock();
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => match buf[..n].iter().position(|&b| b == LEAVE) {
                        Some(at) => {
                            input.push(&buf[..at]);
                            break;
                        }
                        None => input.push(&buf[..n]),
                    },
                }
            }
            input.close();
        });
        Ok(Self { saved })
    }

    /// The board's output on stdout.
    pub fn console(&self) -> Box<dyn Console> {
        cooked(|bytes| {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes);
            let _ = out.flush();
        })
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Some((fd, original)) = &self.saved {
            let _ = termios::tcsetattr(fd, SetArg::TCSANOW, original);
        }
    }
}

/// Opens `endpoint`, prints where it is on stdout, feeds what arrives to
/// `input` and sends the board's output (from `outputs`) to it.
pub fn serve(endpoint: &UartEndpoint, input: UartInput, outputs: &Outputs) -> Result<()> {
    match endpoint {
        UartEndpoint::Pty => serve_pty(input, outputs),
        UartEndpoint::Tcp(addr) => serve_tcp(*addr, input, outputs),
    }
}

fn serve_pty(input: UartInput, outputs: &Outputs) -> Result<()> {
    let pty = nix::pty::openpty(None, None).context("cannot open a pseudo-terminal")?;
    // Raw from the start: a cooked slave would echo the board's output back.
    let mut raw = termios::tcgetattr(&pty.slave).context("pseudo-terminal settings")?;
    termios::cfmakeraw(&mut raw);
    termios::tcsetattr(&pty.slave, SetArg::TCSANOW, &raw).context("pseudo-terminal settings")?;
    let path = nix::unistd::ttyname(&pty.slave).context("pseudo-terminal name")?;
    announce(&path.display().to_string());
    let mut reader = File::from(pty.master.try_clone()?);
    let writer = File::from(pty.master);
    // The board keeps the slave open too, so the line survives clients leaving.
    let slave = pty.slave;
    std::thread::spawn(move || {
        let _slave = slave;
        feed(&mut reader, &input);
    });
    write_out(outputs.add().1, writer);
    Ok(())
}

fn serve_tcp(addr: SocketAddr, input: UartInput, outputs: &Outputs) -> Result<()> {
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    announce(&format!("tcp:{}", listener.local_addr()?));
    let client: Arc<Mutex<Option<TcpStream>>> = Arc::new(Mutex::new(None));
    let attached = client.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut slot = attached.lock().unwrap_or_else(|p| p.into_inner());
            if slot.is_some() {
                let _ = (&stream).write_all(BUSY);
                continue;
            }
            // Replies are small writes; Nagle's delay would hold each for an ACK.
            let _ = stream.set_nodelay(true);
            let Ok(mut reader) = stream.try_clone() else { continue };
            *slot = Some(stream);
            drop(slot);
            let (input, attached) = (input.clone(), attached.clone());
            std::thread::spawn(move || {
                feed(&mut reader, &input);
                *attached.lock().unwrap_or_else(|p| p.into_inner()) = None;
            });
        }
    });
    let (_, output) = outputs.add();
    std::thread::spawn(move || {
        for bytes in output {
            let mut slot = client.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(stream) = slot.as_mut()
                && stream.write_all(&bytes).is_err()
            {
                *slot = None;
            }
        }
    });
    Ok(())
}

/// Writes what the board sends to `line`, on a thread of its own, until the
/// line fails.
pub fn write_out(output: std::sync::mpsc::Receiver<Vec<u8>>, mut line: impl Write + Send + 'static) {
    std::thread::spawn(move || {
        for bytes in output {
            if line.write_all(&bytes).is_err() {
                break;
            }
        }
    });
}

/// Passes what `line` receives to the board until it ends or fails.
pub fn feed(line: &mut impl Read, input: &UartInput) {
    let mut buf = [0u8; 256];
    while let Ok(n) = line.read(&mut buf) {
        if n == 0 {
            break;
        }
        input.push(&buf[..n]);
    }
}

/// Tells the user (a line on stdout) where a service is.
pub fn announce(place: &str) {
    println!("{place}");
    let _ = std::io::stdout().flush();
    eprintln!("[pycom-emu] serving {place}; stop with Ctrl-C");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_pty_or_tcp_with_an_address() {
        assert_eq!(parse_endpoint("pty"), Ok(UartEndpoint::Pty));
        assert_eq!(parse_endpoint("tcp:127.0.0.1:7777"), Ok(UartEndpoint::Tcp("127.0.0.1:7777".parse().unwrap())));
        assert!(parse_endpoint("tcp:localhost").is_err());
        assert!(parse_endpoint("serial").is_err());
    }
}
