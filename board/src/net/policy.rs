//! Which host addresses the board may reach, and how addresses on the
//! board's network map to the host's.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::str::FromStr;

use super::GATEWAY;

/// What the board's network reaches on the host (`--net`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// Nothing outside the board: every connection fails as an unreachable host.
    None,
    /// The host's 127.0.0.1 only, through the gateway 10.0.2.2 (names that
    /// resolve to a loopback address resolve to the gateway): the default.
    #[default]
    Local,
    /// Any host the machine running the emulator reaches.
    Host,
}

impl Policy {
    /// The policy's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Local => "local",
            Policy::Host => "host",
        }
    }

    /// The host address a connection from the board to `addr` (not one of
    /// the board's own) goes to, or why the policy refuses it. The gateway
    /// stands for the host's 127.0.0.1; under [`Policy::Host`] other
    /// addresses are the host's own.
    pub fn route(self, addr: SocketAddrV4) -> Result<SocketAddrV4, &'static str> {
        let ip = *addr.ip();
        match self {
            Policy::None => Err("the board reaches no host; run with --net local or --net host"),
            _ if ip == GATEWAY => Ok(SocketAddrV4::new(Ipv4Addr::LOCALHOST, addr.port())),
            Policy::Local => Err("only the host's 127.0.0.1 is reachable, through 10.0.2.2; run with --net host"),
            Policy::Host if ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() => Err("not a host address"),
            Policy::Host => Ok(addr),
        }
    }

    /// The address on the board's network that host address `ip` appears as
    /// (a peer on the host's loopback comes from the gateway).
    pub fn board_view(ip: Ipv4Addr) -> Ipv4Addr {
        if ip.is_loopback() { GATEWAY } else { ip }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Policy::None),
            "local" => Ok(Policy::Local),
            "host" => Ok(Policy::Host),
            _ => Err(format!("unknown network policy {s:?} (expected none, local or host)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(a: u8, b: u8, c: u8, d: u8) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), 80)
    }

    #[test]
    fn the_gateway_reaches_the_hosts_loopback() {
        assert_eq!(Policy::Local.route(at(10, 0, 2, 2)), Ok(at(127, 0, 0, 1)));
    }

    #[test]
    fn the_local_policy_refuses_other_hosts_and_the_host_policy_allows_them() {
        assert!(Policy::Local.route(at(93, 184, 216, 34)).is_err());
        assert!(Policy::Local.route(at(127, 0, 0, 2)).is_err());
        assert_eq!(Policy::Host.route(at(127, 0, 0, 2)), Ok(at(127, 0, 0, 2)));
        assert_eq!(Policy::Host.route(at(93, 184, 216, 34)), Ok(at(93, 184, 216, 34)));
        assert!(Policy::None.route(at(10, 0, 2, 2)).is_err());
    }

    #[test]
    fn policies_parse_by_name() {
        assert_eq!("host".parse(), Ok(Policy::Host));
        assert!("all".parse::<Policy>().is_err());
    }
}
