//! A gateway's side of Semtech's UDP packet forwarder protocol, version 2
//! (`PROTOCOL.TXT` of Lora-net/packet_forwarder): uplinks go to the network
//! server as PUSH_DATA, PULL_DATA keeps the downlink path open, and the
//! server's PULL_RESP frames come back as [`Downlink`]s, each answered with
//! a TX_ACK.
//!
//! Every datagram starts with the protocol version (2), a two-byte token and
//! the packet type; gateway-to-server packets add the gateway's EUI. Tokens
//! come from a counter, so runs are reproducible. The socket is
//! non-blocking: the caller polls.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use thiserror::Error;

use crate::medium::Reception;
use crate::phy::LoraPhy;

/// Protocol version byte of every datagram.
const PROTOCOL_VERSION: u8 = 2;
/// Packet type identifiers (byte 3).
const PUSH_DATA: u8 = 0x00;
const PUSH_ACK: u8 = 0x01;
const PULL_DATA: u8 = 0x02;
const PULL_RESP: u8 = 0x03;
const PULL_ACK: u8 = 0x04;
const TX_ACK: u8 = 0x05;
/// Largest datagram the forwarder reads.
const MAX_DATAGRAM: usize = 65_507;
/// Transmit power of a `txpk` without `powe`, in dBm (the reference
/// forwarder's default).
const DEFAULT_TX_POWER_DBM: f64 = 14.0;
/// Preamble of a `txpk` without `prea`, in symbols (LoRaWAN's).
const DEFAULT_PREAMBLE: u16 = 8;

/// A frame the network server asks the gateway to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Downlink {
    /// Send as soon as possible (`imme`).
    pub immediate: bool,
    /// When to send, on the gateway's microsecond counter (`tmst`).
    pub tmst_us: Option<u32>,
    /// Modulation settings (`freq`, `datr`, `codr`, `prea`, `ncrc`).
    pub phy: LoraPhy,
    /// Inverted IQ (`ipol`; LoRaWAN downlinks set it).
    pub iq_inverted: bool,
    /// Transmit power in dBm (`powe`).
    pub power_dbm: f64,
    /// The bytes to send (`data`).
    pub payload: Vec<u8>,
}

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

/// Why a `txpk` could not become a [`Downlink`].
#[derive(Debug, Error)]
enum TxpkError {
    #[error("txpk is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("modulation {0:?} is not LORA")]
    NotLora(String),
    #[error("bad LoRa data rate {0:?}")]
    DataRate(String),
    #[error("bad coding rate {0:?}")]
    CodingRate(String),
    #[error("data is not base64")]
    Data,
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
        let datagram = self.gateway_datagram(token, PUSH_DATA, rxpk_json(rx, tmst_us, time).as_bytes());
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
        let mut datagram = Vec::with_capacity(12 + body.len());
        datagram.push(PROTOCOL_VERSION);
        datagram.extend_from_slice(&token.to_be_bytes());
        datagram.push(kind);
        datagram.extend_from_slice(&self.gateway_eui);
        datagram.extend_from_slice(body);
        datagram
    }
}

/// The PUSH_DATA body for one received frame, with the reference
/// forwarder's number formats (frequency in MHz with 6 decimals, integer
/// RSSI, SNR with one decimal).
fn rxpk_json(rx: &Reception, tmst_us: u32, time: Option<&str>) -> String {
    let time = time.map(|t| format!("\"time\":{},", serde_json::Value::from(t))).unwrap_or_default();
    format!(
        concat!(
            "{{\"rxpk\":[{{{}\"tmst\":{},\"chan\":0,\"rfch\":0,\"freq\":{:.6},\"stat\":1,\"modu\":\"LORA\",",
            "\"datr\":\"{}\",\"codr\":\"4/{}\",\"rssi\":{},\"lsnr\":{:.1},\"size\":{},\"data\":\"{}\"}}]}}"
        ),
        time,
        tmst_us,
        f64::from(rx.phy.frequency_hz) / 1e6,
        data_rate_name(&rx.phy),
        u16::from(rx.phy.coding_rate) + 4,
        rx.rssi_dbm.round() as i64,
        rx.snr_db,
        rx.payload.len(),
        BASE64.encode(&rx.payload),
    )
}

/// A LoRa data rate as the protocol spells it, e.g. `SF7BW125`.
fn data_rate_name(phy: &LoraPhy) -> String {
    format!("SF{}BW{}", phy.sf, phy.bandwidth_hz / 1000)
}

/// The fields of a `txpk` the gateway uses.
#[derive(Deserialize)]
struct PullResp {
    txpk: Txpk,
}

/// A `txpk` object; fields not listed are ignored.
#[derive(Deserialize)]
struct Txpk {
    #[serde(default)]
    imme: bool,
    tmst: Option<u32>,
    freq: f64,
    powe: Option<f64>,
    modu: String,
    datr: serde_json::Value,
    codr: Option<String>,
    #[serde(default)]
    ipol: bool,
    prea: Option<u16>,
    #[serde(default)]
    ncrc: bool,
    data: String,
}

/// A PULL_RESP body as a [`Downlink`].
fn parse_pull_resp(body: &[u8]) -> Result<Downlink, TxpkError> {
    let PullResp { txpk } = serde_json::from_slice(body)?;
    if txpk.modu != "LORA" {
        return Err(TxpkError::NotLora(txpk.modu));
    }
    let datr = txpk.datr.as_str().unwrap_or_default();
    let (sf, bandwidth_hz) = parse_data_rate(datr).ok_or_else(|| TxpkError::DataRate(txpk.datr.to_string()))?;
    let codr = txpk.codr.unwrap_or_else(|| "4/5".to_owned());
    let coding_rate = parse_coding_rate(&codr).ok_or(TxpkError::CodingRate(codr))?;
    let payload = BASE64.decode(txpk.data.as_bytes()).map_err(|_| TxpkError::Data)?;
    Ok(Downlink {
        immediate: txpk.imme,
        tmst_us: txpk.tmst,
        phy: LoraPhy {
            frequency_hz: (txpk.freq * 1e6).round() as u32,
            sf,
            bandwidth_hz,
            coding_rate,
            preamble: txpk.prea.unwrap_or(DEFAULT_PREAMBLE),
            crc: !txpk.ncrc,
            implicit_header: false,
        },
        iq_inverted: txpk.ipol,
        power_dbm: txpk.powe.unwrap_or(DEFAULT_TX_POWER_DBM),
        payload,
    })
}

/// `SF<sf>BW<kHz>` as a spreading factor (6..=12) and a bandwidth in Hz
/// (125, 250 or 500 kHz).
fn parse_data_rate(datr: &str) -> Option<(u8, u32)> {
    let (sf, bw) = datr.strip_prefix("SF")?.split_once("BW")?;
    let sf: u8 = sf.parse().ok()?;
    let bandwidth_khz: u32 = bw.parse().ok()?;
    ((6..=12).contains(&sf) && matches!(bandwidth_khz, 125 | 250 | 500)).then_some((sf, bandwidth_khz * 1000))
}

/// `4/5`..`4/8` as the coding rate 1..=4.
fn parse_coding_rate(codr: &str) -> Option<u8> {
    match codr {
        "4/5" => Some(1),
        "4/6" => Some(2),
        "4/7" => Some(3),
        "4/8" => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_rates_are_spelled_sf_then_bandwidth_in_khz() {
        assert_eq!(parse_data_rate("SF7BW125"), Some((7, 125_000)));
        assert_eq!(parse_data_rate("SF12BW500"), Some((12, 500_000)));
        assert_eq!(parse_data_rate("SF13BW125"), None);
        assert_eq!(parse_data_rate("SF7BW126"), None);
        assert_eq!(parse_data_rate("50000"), None);
    }

    #[test]
    fn a_txpk_that_is_not_lora_is_refused() {
        let body = br#"{"txpk":{"imme":true,"freq":869.525,"modu":"FSK","datr":50000,"data":""}}"#;
        assert!(matches!(parse_pull_resp(body), Err(TxpkError::NotLora(_))));
    }
}
