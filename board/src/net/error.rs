//! What a socket operation on the board's network can fail with, as the
//! firmware's lwIP reports it (`errno` values of the ESP-IDF's newlib).

use std::io;
use std::net::SocketAddrV4;

use thiserror::Error;

/// `EAGAIN`: a non-blocking operation found nothing to do.
pub const EAGAIN: i32 = 11;
/// `EBADF`: the socket is closed.
pub const EBADF: i32 = 9;
/// `EINVAL`: a bad argument or an operation the socket's state refuses.
pub const EINVAL: i32 = 22;
/// `EIO`: a host error lwIP has no number for.
pub const EIO: i32 = 5;
/// `EMSGSIZE`: a datagram too long.
pub const EMSGSIZE: i32 = 122;
/// `ENETDOWN`: the network (the LoRa radio, the LoRaWAN session) is down.
pub const ENETDOWN: i32 = 115;
/// `EOPNOTSUPP`: not on this kind of socket.
pub const EOPNOTSUPP: i32 = 95;
/// `EADDRINUSE`: the port is taken.
pub const EADDRINUSE: i32 = 112;
/// `ECONNABORTED`: the connection was aborted.
pub const ECONNABORTED: i32 = 113;
/// `ECONNRESET`: the peer reset the connection, or refused it (lwIP reports
/// a refused connect as the reset that refused it).
pub const ECONNRESET: i32 = 104;
/// `ENOTCONN`: not connected.
pub const ENOTCONN: i32 = 128;
/// `ETIMEDOUT`: the peer did not answer.
pub const ETIMEDOUT: i32 = 116;
/// `EHOSTUNREACH`: no route to the host (no network, or the policy refuses it).
pub const EHOSTUNREACH: i32 = 118;
/// `EINPROGRESS`: a non-blocking connect is under way.
pub const EINPROGRESS: i32 = 119;
/// `EAI_FAIL` of lwIP's `netdb.h`: a name did not resolve.
pub const EAI_FAIL: i32 = 202;

/// A failed socket operation.
#[derive(Debug, Error)]
pub enum NetError {
    /// No interface is up: lwIP has no route.
    #[error("the board is not connected to a network")]
    NoNetwork,
    /// The network policy does not let the board reach this address.
    #[error("{addr} is outside the network policy ({policy}): {hint}")]
    Refused {
        /// The address on the board's network.
        addr: SocketAddrV4,
        /// The policy's name.
        policy: &'static str,
        /// What would let the board reach it.
        hint: &'static str,
    },
    /// A name did not resolve.
    #[error("{0} does not resolve")]
    UnknownHost(String),
    /// The socket is closed.
    #[error("the socket is closed")]
    Closed,
    /// An operation the socket's kind or state does not allow.
    #[error("{0}")]
    Invalid(&'static str),
    /// The host's socket failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl NetError {
    /// The `errno` the firmware raises `OSError` with.
    pub fn errno(&self) -> i32 {
        match self {
            NetError::NoNetwork | NetError::Refused { .. } => EHOSTUNREACH,
            NetError::UnknownHost(_) => EAI_FAIL,
            NetError::Closed => EBADF,
            NetError::Invalid(_) => EINVAL,
            NetError::Io(e) => io_errno(e),
        }
    }

    /// Whether the operation would have blocked (non-blocking socket or a
    /// timeout slice that ran out).
    pub fn would_block(&self) -> bool {
        matches!(self, NetError::Io(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
    }
}

/// lwIP's `errno` for a host socket error.
fn io_errno(e: &io::Error) -> i32 {
    use io::ErrorKind::*;
    match e.kind() {
        WouldBlock => EAGAIN,
        TimedOut => ETIMEDOUT,
        ConnectionRefused | ConnectionReset | BrokenPipe => ECONNRESET,
        ConnectionAborted => ECONNABORTED,
        NotConnected => ENOTCONN,
        AddrInUse => EADDRINUSE,
        AddrNotAvailable | InvalidInput => EINVAL,
        HostUnreachable | NetworkUnreachable | NetworkDown => EHOSTUNREACH,
        Unsupported => EOPNOTSUPP,
        _ if e.raw_os_error() == Some(libc::EMSGSIZE) => EMSGSIZE,
        _ => EIO,
    }
}
