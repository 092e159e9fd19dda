//! A network server's end of the packet forwarder protocol: one UDP socket
//! that any number of gateways talk to. PUSH_DATA is answered with PUSH_ACK
//! and its frames handed to the caller; PULL_DATA is answered with PULL_ACK
//! and remembered, so that the downlinks of a gateway go as PULL_RESP to the
//! address it last pulled from. PULL_RESP tokens come from a counter, so
//! runs are reproducible.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use serde::Deserialize;

use super::{
    Downlink, MAX_DATAGRAM, PROTOCOL_VERSION, PULL_ACK, PULL_DATA, PULL_RESP, PUSH_ACK, PUSH_DATA, RxPacket, TX_ACK,
    header, parse_push_data, txpk_json,
};

/// A datagram from a gateway, as the server read it.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerEvent {
    /// PUSH_DATA (acknowledged): the frames gateway `gateway` heard, none
    /// for a status report.
    Uplinks {
        /// The gateway's EUI.
        gateway: [u8; 8],
        /// Its LoRa frames with a good CRC.
        packets: Vec<RxPacket>,
    },
    /// PULL_DATA (acknowledged): the gateway's downlinks go to the sender's
    /// address from now on.
    Pull {
        /// The gateway's EUI.
        gateway: [u8; 8],
    },
    /// TX_ACK: how the gateway took a PULL_RESP.
    TxAck {
        /// The gateway's EUI.
        gateway: [u8; 8],
        /// The `txpk_ack` error, unless `NONE` or absent.
        error: Option<String>,
    },
    /// Not a gateway's datagram of protocol version 2, or a body that is
    /// not the JSON its type calls for.
    Ignored,
}

/// The `txpk_ack` of a TX_ACK body.
#[derive(Deserialize)]
struct TxAckBody {
    txpk_ack: TxpkAck,
}

/// The `error` field of a `txpk_ack`.
#[derive(Deserialize)]
struct TxpkAck {
    error: Option<String>,
}

/// The network server end: a UDP socket the gateways send to.
#[derive(Debug)]
pub struct PacketServer {
    socket: UdpSocket,
    /// Where each gateway last pulled from.
    pull_addresses: HashMap<[u8; 8], SocketAddr>,
    next_token: u16,
}

impl PacketServer {
    /// A server on UDP `addr` (port 0: any free port, see
    /// [`local_addr`](Self::local_addr)).
    pub fn bind(addr: SocketAddr) -> io::Result<Self> {
        Ok(PacketServer { socket: UdpSocket::bind(addr)?, pull_addresses: HashMap::new(), next_token: 1 })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Waits up to `wait` (at least a millisecond) for one datagram and
    /// returns it with its sender, PUSH_DATA and PULL_DATA acknowledged;
    /// `None` when none came.
    pub fn receive(&mut self, wait: Duration) -> io::Result<Option<(SocketAddr, ServerEvent)>> {
        self.socket.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        let (len, from) = match self.socket.recv_from(&mut buffer) {
            Ok(received) => received,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(None),
            Err(e) => return Err(e),
        };
        let datagram = &buffer[..len];
        if len < 12 || datagram[0] != PROTOCOL_VERSION {
            return Ok(Some((from, ServerEvent::Ignored)));
        }
        let token = u16::from_be_bytes([datagram[1], datagram[2]]);
        let gateway: [u8; 8] = datagram[4..12].try_into().expect("eight bytes");
        let body = &datagram[12..];
        let event = match datagram[3] {
            PUSH_DATA => match parse_push_data(body) {
                Some(packets) => {
                    self.socket.send_to(&header(token, PUSH_ACK), from)?;
                    ServerEvent::Uplinks { gateway, packets }
                }
                None => ServerEvent::Ignored,
            },
            PULL_DATA => {
                self.socket.send_to(&header(token, PULL_ACK), from)?;
                self.pull_addresses.insert(gateway, from);
                ServerEvent::Pull { gateway }
            }
            TX_ACK => {
                let error = serde_json::from_slice::<TxAckBody>(body).ok().and_then(|b| b.txpk_ack.error);
                ServerEvent::TxAck { gateway, error: error.filter(|e| e != "NONE") }
            }
            _ => ServerEvent::Ignored,
        };
        Ok(Some((from, event)))
    }

    /// Sends `downlink` to `gateway` as a PULL_RESP, to the address it last
    /// pulled from: false when it never pulled (nowhere to send).
    pub fn send_downlink(&mut self, gateway: [u8; 8], downlink: &Downlink) -> io::Result<bool> {
        let Some(&to) = self.pull_addresses.get(&gateway) else { return Ok(false) };
        let token = self.next_token;
        self.next_token = self.next_token.wrapping_add(1);
        let mut datagram = header(token, PULL_RESP);
        datagram.extend_from_slice(txpk_json(downlink).as_bytes());
        self.socket.send_to(&datagram, to)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::Reception;
    use crate::phy::LoraPhy;
    use crate::semtech_udp::Forwarder;

    const WAIT: Duration = Duration::from_secs(5);

    #[test]
    fn a_forwarders_uplinks_and_pulls_are_acknowledged_and_its_downlinks_reach_it() {
        let mut server = PacketServer::bind((Ipv4Addr::LOCALHOST, 0).into()).unwrap();
        let eui = [1, 2, 3, 4, 5, 6, 7, 8];
        let mut gateway = Forwarder::new(eui, server.local_addr().unwrap()).unwrap();
        let phy = LoraPhy::lorawan(868_100_000, 7, 125_000);
        let down = Downlink {
            immediate: false,
            tmst_us: Some(5_000_000),
            phy,
            iq_inverted: true,
            power_dbm: 14.0,
            payload: vec![0x20],
        };
        assert!(!server.send_downlink(eui, &down).unwrap(), "no PULL_DATA yet");

        gateway.pull().unwrap();
        let (_, event) = server.receive(WAIT).unwrap().unwrap();
        assert_eq!(event, ServerEvent::Pull { gateway: eui });
        let rx = Reception {
            from: 0,
            payload: vec![0x40, 1, 2],
            phy,
            iq_inverted: false,
            rssi_dbm: -70.0,
            snr_db: 8.0,
            start_us: 0,
            end_us: 1000,
        };
        gateway.push_uplink(&rx, 1000, None).unwrap();
        let Some((_, ServerEvent::Uplinks { gateway: from, packets })) = server.receive(WAIT).unwrap() else {
            panic!("no PUSH_DATA")
        };
        assert_eq!((from, packets[0].tmst_us, &packets[0].payload[..]), (eui, 1000, &[0x40, 1, 2][..]));

        assert!(server.send_downlink(eui, &down).unwrap());
        let mut got = Vec::new();
        for _ in 0..500 {
            got.extend(gateway.poll().unwrap());
            if !got.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(got, vec![down]);
        let stats = gateway.stats();
        assert_eq!((stats.push_acks, stats.pull_acks, stats.downlinks), (1, 1, 1));
        let (_, event) = server.receive(WAIT).unwrap().unwrap();
        assert_eq!(event, ServerEvent::TxAck { gateway: eui, error: None });
    }
}
