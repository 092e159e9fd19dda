//! A gateway's end of the packet forwarder protocol: uplinks go to the
//! network server as PUSH_DATA, PULL_DATA keeps the downlink path open, and
//! the server's PULL_RESP frames come back as [`Downlink`]s, each answered
//! with a TX_ACK. Tokens come from a counter, so runs are reproducible. The
//! socket is non-blocking: the caller polls.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use super::{
    Downlink, MAX_DATAGRAM, PROTOCOL_VERSION, PULL_ACK, PULL_DATA, PULL_RESP, PUSH_ACK, PUSH_DATA, RxPacket, TX_ACK,
    header, parse_pull_resp, rxpk_json,
};
use crate::medium::Reception;

/// How many datagrams of each kind the forwarder sent and accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ForwarderStats {
    /// PUSH_DATA sent.
    pub pushes: u64,
    /// PUSH_ACK received with the token of the last PUSH_DATA.
    pub push_acks: u64,
    /// PULL_DATA sent.
    pub pulls: u64,
    /// PULL_ACK received with the token of the last PULL_DATA.
    pub pull_acks: u64,
    /// PULL_RESP turned into downlinks (and acknowledged).
    pub downlinks: u64,
    /// Datagrams ignored: from another address, malformed, stale tokens,
    /// `txpk`s that are not LoRa or cannot be parsed.
    pub ignored: u64,
}

/// The gateway end of a packet forwarder link to one network server.
#[derive(Debug)]
pub struct Forwarder {
    socket: UdpSocket,
    server: SocketAddr,
    gateway_eui: [u8; 8],
    next_token: u16,
    push_token: Option<u16>,
    pull_token: Option<u16>,
    stats: ForwarderStats,
}

impl Forwarder {
    /// A forwarder for gateway `gateway_eui` on a fresh local UDP port,
    /// talking to the network server at `server`.
    pub fn new(gateway_eui: [u8; 8], server: SocketAddr) -> io::Result<Self> {
        let local: SocketAddr = match server {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local)?;
        socket.set_nonblocking(true)?;
        Ok(Forwarder {
            socket,
            server,
            gateway_eui,
            next_token: 1,
            push_token: None,
            pull_token: None,
            stats: ForwarderStats::default(),
        })
    }

    /// The local address the forwarder sends from.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// What the forwarder sent and accepted so far.
    pub fn stats(&self) -> ForwarderStats {
        self.stats
    }

    /// Sends a received frame to the server: PUSH_DATA with one `rxpk`
    /// stamped `tmst_us` (the gateway's microsecond counter) and, if given,
    /// `time` (ISO 8601 UTC). `chan` and `rfch` are always 0.
    pub fn push_uplink(&mut self, rx: &Reception, tmst_us: u32, time: Option<&str>) -> io::Result<()> {
        let token = self.token();
        let packet =
            RxPacket { tmst_us, phy: rx.phy, rssi_dbm: rx.rssi_dbm, snr_db: rx.snr_db, payload: rx.payload.clone() };
        let datagram = self.gateway_datagram(token, PUSH_DATA, rxpk_json(&[packet], time).as_bytes());
        self.socket.send_to(&datagram, self.server)?;
        self.push_token = Some(token);
        self.stats.pushes += 1;
        Ok(())
    }

    /// Sends PULL_DATA, the keep-alive that lets the server send downlinks.
    pub fn pull(&mut self) -> io::Result<()> {
        let token = self.token();
        let datagram = self.gateway_datagram(token, PULL_DATA, &[]);
        self.socket.send_to(&datagram, self.server)?;
        self.pull_token = Some(token);
        self.stats.pulls += 1;
        Ok(())
    }

    /// Reads every datagram waiting on the socket: counts the PUSH_ACKs and
    /// PULL_ACKs that carry the expected token, and returns the downlinks of
    /// the PULL_RESPs (answering each with a TX_ACK). Anything else is
    /// ignored.
    pub fn poll(&mut self) -> io::Result<Vec<Downlink>> {
        let mut downlinks = Vec::new();
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        loop {
            let (len, from) = match self.socket.recv_from(&mut buffer) {
                Ok(received) => received,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let datagram = &buffer[..len];
            if from != self.server || len < 4 || datagram[0] != PROTOCOL_VERSION {
                self.stats.ignored += 1;
                continue;
            }
            let token = u16::from_be_bytes([datagram[1], datagram[2]]);
            match datagram[3] {
                PUSH_ACK if self.push_token == Some(token) => self.stats.push_acks += 1,
                PULL_ACK if self.pull_token == Some(token) => self.stats.pull_acks += 1,
                PULL_RESP => match parse_pull_resp(&datagram[4..]) {
                    Ok(downlink) => {
                        let ack = self.gateway_datagram(token, TX_ACK, br#"{"txpk_ack":{"error":"NONE"}}"#);
                        self.socket.send_to(&ack, self.server)?;
                        self.stats.downlinks += 1;
                        downlinks.push(downlink);
                    }
                    Err(_) => self.stats.ignored += 1,
                },
                _ => self.stats.ignored += 1,
            }
        }
        Ok(downlinks)
    }

    /// The next token: a counter, so runs are reproducible.
    fn token(&mut self) -> u16 {
        let token = self.next_token;
        self.next_token = self.next_token.wrapping_add(1);
        token
    }

    /// A gateway-to-server datagram: version, token, type, EUI, body.
    fn gateway_datagram(&self, token: u16, kind: u8, body: &[u8]) -> Vec<u8> {
        let mut datagram = header(token, kind);
        datagram.extend_from_slice(&self.gateway_eui);
        datagram.extend_from_slice(body);
        datagram
    }
}
