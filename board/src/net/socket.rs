//! A socket of the board, carried out by a non-blocking host socket. Each
//! call makes one attempt; whoever waits (the Python binding, on the
//! virtual clock) polls with [`BoardSocket::poll`] between attempts.

use std::io;
use std::mem::MaybeUninit;
use std::net::{Shutdown, SocketAddr, SocketAddrV4};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, SockAddr, Socket, Type};

use super::error::NetError;
use super::forward::Protocol;
use super::host::{HostNet, Route};
use super::policy::Policy;

/// The most one `recv` returns on the board (lwIP's `WLAN_MAX_RX_SIZE`).
pub const MAX_RECV: usize = 2048;

/// Readable: `uselect.POLLIN`.
pub const POLL_IN: u16 = 0x0001;
/// Writable: `uselect.POLLOUT`.
pub const POLL_OUT: u16 = 0x0004;
/// An error is pending: `uselect.POLLERR`.
pub const POLL_ERR: u16 = 0x0008;
/// The peer hung up: `uselect.POLLHUP`.
pub const POLL_HUP: u16 = 0x0010;

/// A socket of the board's network.
#[derive(Debug)]
pub struct BoardSocket {
    net: Arc<HostNet>,
    protocol: Protocol,
    socket: Option<Socket>,
    /// The board port it is bound to.
    port: Option<u16>,
}

impl BoardSocket {
    /// A new TCP or UDP socket.
    pub fn new(net: Arc<HostNet>, protocol: Protocol) -> Result<Self, NetError> {
        let kind = if protocol == Protocol::Tcp { Type::STREAM } else { Type::DGRAM };
        let socket = Socket::new(Domain::IPV4, kind, None)?;
        socket.set_nonblocking(true)?;
        // lwIP sockets of the firmware are made with SO_REUSEADDR.
        socket.set_reuse_address(true)?;
        Ok(Self { net, protocol, socket: Some(socket), port: None })
    }

    fn socket(&self) -> Result<&Socket, NetError> {
        self.socket.as_ref().ok_or(NetError::Closed)
    }

    /// TCP or UDP.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The host file descriptor (`fileno()`), -1 once closed.
    pub fn fileno(&self) -> i32 {
        self.socket.as_ref().map_or(-1, |s| s.as_raw_fd())
    }

    /// Binds board port `addr.port()` (0: any free one).
    pub fn bind(&mut self, addr: SocketAddrV4) -> Result<(), NetError> {
        let socket = self.socket()?;
        if self.port.is_some() {
            return Err(NetError::Invalid("already bound"));
        }
        socket.bind(&SocketAddr::V4(self.net.bind_address(self.protocol, addr.port())).into())?;
        let at = host_v4(socket.local_addr()?)?;
        let port = if addr.port() == 0 { at.port() } else { addr.port() };
        self.net.bound(self.protocol, port, at);
        self.port = Some(port);
        Ok(())
    }

    /// Listens for connections (binding a free port first if need be).
    pub fn listen(&mut self, backlog: i32) -> Result<(), NetError> {
        if self.port.is_none() {
            self.bind(SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 0))?;
        }
        Ok(self.socket()?.listen(backlog.max(1))?)
    }

    /// Takes a pending connection, with its peer's address on the board's
    /// network.
    pub fn accept(&self) -> Result<(BoardSocket, SocketAddrV4), NetError> {
        let (socket, peer) = self.socket()?.accept()?;
        socket.set_nonblocking(true)?;
        let peer = host_v4(peer)?;
        let peer = SocketAddrV4::new(Policy::board_view(*peer.ip()), peer.port());
        Ok((BoardSocket { net: self.net.clone(), protocol: self.protocol, socket: Some(socket), port: None }, peer))
    }

    /// Starts connecting to `addr` on the board's network while the board's
    /// network is `up`: `Ok(true)` when connected at once, `Ok(false)` when
    /// the connection is under way ([`poll`](Self::poll) for [`POLL_OUT`],
    /// then [`finish_connect`](Self::finish_connect)).
    pub fn start_connect(&self, addr: SocketAddrV4, up: bool) -> Result<bool, NetError> {
        let socket = self.socket()?;
        let to = self.route(addr, up)?;
        match socket.connect(&SocketAddr::V4(to).into()) {
            Ok(()) => Ok(true),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) || e.kind() == io::ErrorKind::WouldBlock => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether a connection under way has been made; its error if it failed.
    pub fn finish_connect(&self) -> Result<bool, NetError> {
        let socket = self.socket()?;
        if let Some(e) = socket.take_error()? {
            return Err(e.into());
        }
        match socket.peer_addr() {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn route(&self, addr: SocketAddrV4, up: bool) -> Result<SocketAddrV4, NetError> {
        if !up {
            return Err(NetError::NoNetwork);
        }
        match self.net.route(self.protocol, addr)? {
            Route::To(at) => Ok(at),
            Route::Unbound => Err(io::Error::from(io::ErrorKind::ConnectionRefused).into()),
        }
    }

    /// Sends what it can of `data` on a connected socket.
    pub fn send(&self, data: &[u8]) -> Result<usize, NetError> {
        Ok(self.socket()?.send(data)?)
    }

    /// Receives up to `len` bytes (at most [`MAX_RECV`]); empty at the end
    /// of the stream.
    pub fn recv(&self, len: usize) -> Result<Vec<u8>, NetError> {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); len.min(MAX_RECV)];
        let n = self.socket()?.recv(&mut buf)?;
        Ok(initialised(&buf[..n]))
    }

    /// Sends a datagram to `addr` on the board's network. One to a port of
    /// the board that nothing is bound to is lost, as on the board. One to a
    /// [`LocalService`](super::host::LocalService) returns once the service
    /// has handled it.
    pub fn send_to(&self, data: &[u8], addr: SocketAddrV4, up: bool) -> Result<usize, NetError> {
        let socket = self.socket()?;
        match self.route(addr, up) {
            Ok(to) => match self.net.service_at(to) {
                None => Ok(socket.send_to(data, &SocketAddr::V4(to).into())?),
                Some(service) => {
                    // The service keys what it is sent by the sender's address: have one first.
                    if host_v4(socket.local_addr()?)?.port() == 0 {
                        socket.bind(&SocketAddr::from((std::net::Ipv4Addr::UNSPECIFIED, 0)).into())?;
                    }
                    let from = socket.local_addr()?.as_socket().ok_or(NetError::Invalid("not an IP socket"))?;
                    service.sending(from);
                    let sent = socket.send_to(data, &SocketAddr::V4(to).into());
                    service.sent(from, sent.is_ok());
                    Ok(sent?)
                }
            },
            Err(NetError::Io(e)) if e.kind() == io::ErrorKind::ConnectionRefused => Ok(data.len()),
            Err(e) => Err(e),
        }
    }

    /// Receives a datagram of up to `len` bytes, with its sender's address
    /// on the board's network.
    pub fn recv_from(&self, len: usize) -> Result<(Vec<u8>, SocketAddrV4), NetError> {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); len.min(MAX_RECV)];
        let (n, from) = self.socket()?.recv_from(&mut buf)?;
        Ok((initialised(&buf[..n]), self.board_view(&from)?))
    }

    fn board_view(&self, from: &SockAddr) -> Result<SocketAddrV4, NetError> {
        let from = host_v4(from.clone())?;
        Ok(match self.net.board_port_of(self.protocol, from) {
            Some(port) => SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, port),
            None => SocketAddrV4::new(Policy::board_view(*from.ip()), from.port()),
        })
    }

    /// Turns Nagle's algorithm off (`TCP_NODELAY`) or on.
    pub fn set_nodelay(&self, on: bool) -> Result<(), NetError> {
        Ok(self.socket()?.set_tcp_nodelay(on)?)
    }

    /// Waits up to `wait` (host time) for one of `events`; returns those
    /// ready, with [`POLL_ERR`] and [`POLL_HUP`] when they happen.
    pub fn poll(&self, events: u16, wait: Duration) -> Result<u16, NetError> {
        let mut fd = libc::pollfd { fd: self.socket()?.as_raw_fd(), events: host_events(events), revents: 0 };
        let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, for the duration of the call.
        let n = unsafe { libc::poll(&mut fd, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted { Ok(0) } else { Err(e.into()) };
        }
        let mut ready = 0;
        for (host, board) in
            [(libc::POLLIN, POLL_IN), (libc::POLLOUT, POLL_OUT), (libc::POLLERR, POLL_ERR), (libc::POLLHUP, POLL_HUP)]
        {
            if fd.revents & host != 0 {
                ready |= board;
            }
        }
        Ok(ready & (events | POLL_ERR | POLL_HUP))
    }

    /// Whether the socket is connected to a peer.
    pub fn is_connected(&self) -> bool {
        self.socket.as_ref().is_some_and(|s| s.peer_addr().is_ok())
    }

    /// Whether the socket is closed.
    pub fn is_closed(&self) -> bool {
        self.socket.is_none()
    }

    /// Closes the socket (again: nothing).
    pub fn close(&mut self) {
        if let Some(socket) = self.socket.take() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        if let Some(port) = self.port.take() {
            self.net.unbound(self.protocol, port);
        }
    }
}

impl Drop for BoardSocket {
    fn drop(&mut self) {
        self.close();
    }
}

impl io::Read for &BoardSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket().map_err(io::Error::other)?.read(buf)
    }
}

impl io::Write for &BoardSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket().map_err(io::Error::other)?.send(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn host_events(events: u16) -> libc::c_short {
    let mut host = 0;
    if events & POLL_IN != 0 {
        host |= libc::POLLIN;
    }
    if events & POLL_OUT != 0 {
        host |= libc::POLLOUT;
    }
    host
}

fn host_v4(addr: SockAddr) -> Result<SocketAddrV4, NetError> {
    match addr.as_socket() {
        Some(SocketAddr::V4(a)) => Ok(a),
        _ => Err(NetError::Invalid("not an IPv4 address")),
    }
}

fn initialised(buf: &[MaybeUninit<u8>]) -> Vec<u8> {
    // SAFETY: the host wrote these bytes (recv returned their count).
    buf.iter().map(|b| unsafe { b.assume_init() }).collect()
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{Ipv4Addr, TcpListener};

    use super::*;

    fn wait_for(socket: &BoardSocket, events: u16) {
        assert_ne!(socket.poll(events, Duration::from_secs(5)).unwrap() & events, 0);
    }

    #[test]
    fn a_board_socket_reaches_a_host_server_through_the_gateway() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let net = Arc::new(HostNet::default());
        let socket = BoardSocket::new(net, Protocol::Tcp).unwrap();
        if !socket.start_connect(SocketAddrV4::new(super::super::GATEWAY, port), true).unwrap() {
            wait_for(&socket, POLL_OUT);
            assert!(socket.finish_connect().unwrap());
        }
        let (mut peer, _) = server.accept().unwrap();
        socket.send(b"ping").unwrap();
        let mut got = [0; 4];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        peer.write_all(b"pong").unwrap();
        wait_for(&socket, POLL_IN);
        assert_eq!(socket.recv(100).unwrap(), b"pong");
    }

    #[test]
    fn no_network_and_the_policy_fail_as_an_unreachable_host() {
        let net = Arc::new(HostNet::default());
        let socket = BoardSocket::new(net, Protocol::Tcp).unwrap();
        let gateway = SocketAddrV4::new(super::super::GATEWAY, 1);
        assert_eq!(socket.start_connect(gateway, false).unwrap_err().errno(), super::super::error::EHOSTUNREACH);
        let other = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), 1);
        assert_eq!(socket.start_connect(other, true).unwrap_err().errno(), super::super::error::EHOSTUNREACH);
    }

    #[test]
    fn a_server_on_the_board_is_reached_from_the_board_and_names_its_peer_by_the_gateway() {
        let net = Arc::new(HostNet::default());
        let mut server = BoardSocket::new(net.clone(), Protocol::Tcp).unwrap();
        server.bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 8080)).unwrap();
        server.listen(1).unwrap();
        let client = BoardSocket::new(net, Protocol::Tcp).unwrap();
        if !client.start_connect(SocketAddrV4::new(super::super::STATION_IP, 8080), true).unwrap() {
            wait_for(&client, POLL_OUT);
        }
        wait_for(&server, POLL_IN);
        let (_conn, peer) = server.accept().unwrap();
        assert_eq!(*peer.ip(), super::super::GATEWAY);
        server.close();
        let again = BoardSocket::new(Arc::new(HostNet::default()), Protocol::Tcp).unwrap();
        let refused = again.start_connect(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080), true).unwrap_err();
        assert_eq!(refused.errno(), super::super::error::ECONNRESET);
    }
}
