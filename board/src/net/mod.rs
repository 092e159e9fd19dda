//! The board's IP network as its radios bring it up: the link a Wi-Fi
//! connection (or, later, LTE) gives, and the address plan of the virtual
//! network behind it.
//!
//! The plan follows QEMU's user networking, which many tools and users know:
//! the board's network is 10.0.2.0/24, the board gets 10.0.2.15 by DHCP in
//! station mode, 10.0.2.2 is the gateway and reaches the host's loopback,
//! 10.0.2.3 is the DNS server. As an access point the board is 192.168.4.1,
//! as the firmware's `WLAN` makes it.

pub mod servers;

use std::net::Ipv4Addr;

pub mod error;
pub mod forward;
pub mod host;
pub mod policy;
pub mod socket;
pub mod tls;

pub use error::NetError;
pub use forward::{Forward, Protocol};
pub use host::{HostNet, LocalService};
pub use policy::Policy;
pub use socket::BoardSocket;

/// The board's station address on the virtual network (from DHCP).
pub const STATION_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
/// The virtual network's netmask.
pub const NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);
/// The gateway: connections to it reach the host's loopback (127.0.0.1).
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
/// The DNS server the DHCP lease names.
pub const DNS: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 3);
/// The board's address on its own access point (`WLAN.AP`).
pub const ACCESS_POINT_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 4, 1);

/// An IP interface that is up: what `WLAN.ifconfig()` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    /// The board's address.
    pub ip: Ipv4Addr,
    /// The netmask.
    pub netmask: Ipv4Addr,
    /// The gateway.
    pub gateway: Ipv4Addr,
    /// The DNS server.
    pub dns: Ipv4Addr,
}

impl Link {
    /// The lease a station gets on the virtual network.
    pub const fn station() -> Self {
        Self { ip: STATION_IP, netmask: NETMASK, gateway: GATEWAY, dns: DNS }
    }

    /// The board's own access point.
    pub const fn access_point() -> Self {
        Self { ip: ACCESS_POINT_IP, netmask: NETMASK, gateway: ACCESS_POINT_IP, dns: ACCESS_POINT_IP }
    }
}

/// The board's interfaces that are up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interfaces {
    /// The Wi-Fi station's link, while connected to an access point.
    pub station: Option<Link>,
    /// The board's own access point, while it runs one.
    pub access_point: Option<Link>,
}

impl Interfaces {
    /// Whether any interface is up (sockets can be used).
    pub fn is_up(&self) -> bool {
        self.station.is_some() || self.access_point.is_some()
    }
}
