//! Ports of the host that lead to servers the board runs (`--forward`).

use std::fmt;
use std::str::FromStr;

/// A transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP (`SOCK_STREAM`).
    Tcp,
    /// UDP (`SOCK_DGRAM`).
    Udp,
}

/// `PROTO:HOSTPORT:BOARDPORT`: a board socket bound to BOARDPORT listens on
/// the host's 127.0.0.1:HOSTPORT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forward {
    /// TCP or UDP.
    pub protocol: Protocol,
    /// The port host programs use, on 127.0.0.1.
    pub host_port: u16,
    /// The port the board's script binds.
    pub board_port: u16,
}

impl FromStr for Forward {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("bad forward {s:?} (expected tcp:HOSTPORT:BOARDPORT or udp:HOSTPORT:BOARDPORT)");
        let mut parts = s.split(':');
        let protocol = match parts.next() {
            Some("tcp") => Protocol::Tcp,
            Some("udp") => Protocol::Udp,
            _ => return Err(bad()),
        };
        let mut port = || parts.next().and_then(|p| p.parse::<u16>().ok()).filter(|&p| p != 0).ok_or_else(bad);
        let (host_port, board_port) = (port()?, port()?);
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Self { protocol, host_port, board_port })
    }
}

impl fmt::Display for Forward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proto = if self.protocol == Protocol::Tcp { "tcp" } else { "udp" };
        write!(f, "{proto}:{}:{}", self.host_port, self.board_port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forward_names_protocol_host_port_and_board_port() {
        let f: Forward = "tcp:8080:80".parse().unwrap();
        assert_eq!(f, Forward { protocol: Protocol::Tcp, host_port: 8080, board_port: 80 });
        assert_eq!(f.to_string(), "tcp:8080:80");
        for bad in ["tcp:8080", "sctp:1:2", "tcp:0:80", "tcp:1:2:3", "tcp:x:80"] {
            assert!(bad.parse::<Forward>().is_err(), "{bad}");
        }
    }
}
