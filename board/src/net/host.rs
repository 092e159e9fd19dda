//! The host side of the board's network: the policy, the forwarded ports,
//! the board's bound ports, name resolution and the DNS servers.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard};

use super::error::NetError;
use super::forward::{Forward, Protocol};
use super::policy::Policy;
use super::{ACCESS_POINT_IP, DNS, STATION_IP};

/// How the board's sockets reach the host: shared by the board and every
/// socket (sockets do their host I/O outside the board's lock).
#[derive(Debug, Default)]
pub struct HostNet {
    policy: Policy,
    forwards: Vec<Forward>,
    state: Mutex<State>,
    /// Programs of this process that answer datagrams on the host.
    services: Mutex<Vec<Arc<dyn LocalService>>>,
}

/// A program in this process that answers datagrams sent to a host UDP
/// address (the fleet's network server). The board tells it about each
/// datagram and waits until it has handled it, so its answers are waiting
/// at the board's next receive however fast or loaded the host is.
pub trait LocalService: Send + Sync + std::fmt::Debug {
    /// Whether datagrams to host address `to` go to it.
    fn serves(&self, to: SocketAddrV4) -> bool;
    /// A datagram from host address `from` is about to be sent to it.
    fn sending(&self, from: SocketAddr);
    /// Waits until it has handled what `from` sent it; `delivered` is false
    /// when the datagram announced could not be sent after all.
    fn sent(&self, from: SocketAddr, delivered: bool);
}

#[derive(Debug)]
struct State {
    /// The board's bound ports and the host addresses they are bound to.
    bound: HashMap<(Protocol, u16), SocketAddrV4>,
    /// `usocket.dnsserver()`: the lease's DNS server and a second, unset one.
    dns: [Ipv4Addr; 2],
}

impl Default for State {
    fn default() -> Self {
        Self { bound: HashMap::new(), dns: [DNS, Ipv4Addr::UNSPECIFIED] }
    }
}

/// Where a connection or datagram from the board goes on the host.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// To this host address.
    To(SocketAddrV4),
    /// To the board itself, on a port nothing is bound to: refused.
    Unbound,
}

impl HostNet {
    /// A network with `policy` and `forwards`.
    pub fn new(policy: Policy, forwards: Vec<Forward>) -> Self {
        Self { policy, forwards, state: Mutex::default(), services: Mutex::default() }
    }

    /// Adds a program that answers datagrams on the host ([`LocalService`]).
    pub fn add_service(&self, service: Arc<dyn LocalService>) {
        self.services.lock().unwrap_or_else(|p| p.into_inner()).push(service);
    }

    /// The program that answers datagrams sent to host address `to`, if any.
    pub fn service_at(&self, to: SocketAddrV4) -> Option<Arc<dyn LocalService>> {
        self.services.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|s| s.serves(to)).cloned()
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `ip` is one of the board's own addresses (its loopback and
    /// its interfaces' addresses).
    pub fn is_own(ip: Ipv4Addr) -> bool {
        ip == Ipv4Addr::LOCALHOST || ip == STATION_IP || ip == ACCESS_POINT_IP
    }

    /// Where `addr` on the board's network leads on the host.
    pub fn route(&self, protocol: Protocol, addr: SocketAddrV4) -> Result<Route, NetError> {
        if Self::is_own(*addr.ip()) {
            return Ok(self.state().bound.get(&(protocol, addr.port())).map_or(Route::Unbound, |&at| Route::To(at)));
        }
        self.policy.route(addr).map(Route::To).map_err(|hint| NetError::Refused {
            addr,
            policy: self.policy.name(),
            hint,
        })
    }

    /// The host address a board socket bound to `port` listens on: the
    /// forwarded host port, or any free port of the host's 127.0.0.1.
    pub fn bind_address(&self, protocol: Protocol, port: u16) -> SocketAddrV4 {
        let forwarded = self.forwards.iter().find(|f| f.protocol == protocol && f.board_port == port);
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, forwarded.map_or(0, |f| f.host_port))
    }

    /// Records that board port `port` is bound at host address `at`.
    pub fn bound(&self, protocol: Protocol, port: u16, at: SocketAddrV4) {
        self.state().bound.insert((protocol, port), at);
    }

    /// Board port `port` is free again.
    pub fn unbound(&self, protocol: Protocol, port: u16) {
        self.state().bound.remove(&(protocol, port));
    }

    /// The board port a host address the board has bound stands for.
    pub fn board_port_of(&self, protocol: Protocol, at: SocketAddrV4) -> Option<u16> {
        self.state().bound.iter().find(|(key, bound)| key.0 == protocol && **bound == at).map(|(key, _)| key.1)
    }

    /// The address `name` resolves to on the board's network: dotted
    /// numbers as they are; other names as the host resolves them, where a
    /// loopback address becomes the gateway. No name resolves under
    /// [`Policy::None`]; under [`Policy::Local`] only names of the host's
    /// loopback do (their lookup asks the host's resolver).
    pub fn resolve(&self, name: &str) -> Result<Ipv4Addr, NetError> {
        if let Ok(ip) = name.parse::<Ipv4Addr>() {
            return Ok(ip);
        }
        let unknown = || NetError::UnknownHost(name.to_owned());
        if self.policy == Policy::None || name.is_empty() {
            return Err(unknown());
        }
        let found = (name, 0).to_socket_addrs().map_err(|_| unknown())?;
        let ip = found
            .filter_map(|a| match a {
                SocketAddr::V4(a) => Some(*a.ip()),
                SocketAddr::V6(a) if a.ip().is_loopback() => Some(Ipv4Addr::LOCALHOST),
                SocketAddr::V6(_) => None,
            })
            .next()
            .ok_or_else(unknown)?;
        match (ip.is_loopback(), self.policy) {
            (true, _) => Ok(super::GATEWAY),
            (false, Policy::Host) => Ok(ip),
            (false, _) => Err(unknown()),
        }
    }

    /// DNS server `index` (0 or 1).
    pub fn dns_server(&self, index: usize) -> Ipv4Addr {
        self.state().dns[index]
    }

    /// Sets DNS server `index` (0 or 1); names still resolve through the host.
    pub fn set_dns_server(&self, index: usize, ip: Ipv4Addr) {
        self.state().dns[index] = ip;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_resolves_to_the_gateway_and_numbers_to_themselves() {
        let net = HostNet::default();
        assert_eq!(net.resolve("localhost").unwrap(), super::super::GATEWAY);
        assert_eq!(net.resolve("10.0.2.2").unwrap(), super::super::GATEWAY);
        assert_eq!(net.resolve("no-such-host.invalid").unwrap_err().errno(), super::super::error::EAI_FAIL);
    }

    #[test]
    fn a_forwarded_port_binds_the_host_port_and_the_board_reaches_its_own_ports() {
        let forward = "tcp:18080:80".parse().unwrap();
        let net = HostNet::new(Policy::Local, vec![forward]);
        let at = net.bind_address(Protocol::Tcp, 80);
        assert_eq!(at, "127.0.0.1:18080".parse().unwrap());
        assert_eq!(net.bind_address(Protocol::Tcp, 81).port(), 0);
        let own = SocketAddrV4::new(STATION_IP, 80);
        assert_eq!(net.route(Protocol::Tcp, own).unwrap(), Route::Unbound);
        net.bound(Protocol::Tcp, 80, at);
        assert_eq!(net.route(Protocol::Tcp, own).unwrap(), Route::To(at));
        assert_eq!(net.board_port_of(Protocol::Tcp, at), Some(80));
    }

    #[test]
    fn an_address_outside_the_policy_is_refused_as_an_unreachable_host() {
        let net = HostNet::default();
        let err = net.route(Protocol::Tcp, "127.0.0.2:80".parse().unwrap()).unwrap_err();
        assert_eq!(err.errno(), super::super::error::EHOSTUNREACH);
        assert!(err.to_string().contains("--net host"), "{err}");
    }
}
