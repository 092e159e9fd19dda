//! Semtech's UDP packet forwarder protocol, version 2 (`PROTOCOL.TXT` of
//! Lora-net/packet_forwarder), both ends: a gateway's ([`Forwarder`]) and a
//! network server's ([`PacketServer`]). Gateways send uplinks as PUSH_DATA
//! (`rxpk`), keep the downlink path open with PULL_DATA, and get the
//! server's downlinks as PULL_RESP (`txpk`), each answered with a TX_ACK.
//!
//! Every datagram starts with the protocol version (2), a two-byte token and
//! the packet type; gateway-to-server packets add the gateway's EUI. This
//! module holds the message formats both ends share.

mod forwarder;
mod server;

pub use forwarder::{Forwarder, ForwarderStats};
pub use server::{PacketServer, ServerEvent};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use thiserror::Error;

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
/// Largest datagram either end reads.
const MAX_DATAGRAM: usize = 65_507;
/// Transmit power of a `txpk` without `powe`, in dBm (the reference
/// forwarder's default).
const DEFAULT_TX_POWER_DBM: f64 = 14.0;
/// Preamble of a `txpk` without `prea`, in symbols (LoRaWAN's).
const DEFAULT_PREAMBLE: u16 = 8;

/// A frame a gateway received (one `rxpk`).
#[derive(Clone, Debug, PartialEq)]
pub struct RxPacket {
    /// When the frame ended, on the gateway's microsecond counter (`tmst`).
    pub tmst_us: u32,
    /// Modulation settings (`freq`, `datr`, `codr`).
    pub phy: LoraPhy,
    /// Received power in dBm (`rssi`).
    pub rssi_dbm: f64,
    /// Signal-to-noise ratio in dB (`lsnr`).
    pub snr_db: f64,
    /// The bytes received (`data`).
    pub payload: Vec<u8>,
}

/// A frame the network server asks the gateway to send (one `txpk`).
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

/// Why a `rxpk` or `txpk` could not be read.
#[derive(Debug, Error)]
enum PacketError {
    #[error("not valid JSON: {0}")]
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

/// A datagram's header: version, token, type.
fn header(token: u16, kind: u8) -> Vec<u8> {
    let mut datagram = Vec::with_capacity(64);
    datagram.push(PROTOCOL_VERSION);
    datagram.extend_from_slice(&token.to_be_bytes());
    datagram.push(kind);
    datagram
}

/// The PUSH_DATA body for received frames, with the reference forwarder's
/// number formats (frequency in MHz with 6 decimals, integer RSSI, SNR with
/// one decimal) and, if given, `time` (ISO 8601 UTC).
fn rxpk_json(packets: &[RxPacket], time: Option<&str>) -> String {
    let time = time.map(|t| format!("\"time\":{},", serde_json::Value::from(t))).unwrap_or_default();
    let rxpks: Vec<String> = packets
        .iter()
        .map(|rx| {
            format!(
                concat!(
                    "{{{}\"tmst\":{},\"chan\":0,\"rfch\":0,\"freq\":{:.6},\"stat\":1,\"modu\":\"LORA\",",
                    "\"datr\":\"{}\",\"codr\":\"4/{}\",\"rssi\":{},\"lsnr\":{:.1},\"size\":{},\"data\":\"{}\"}}"
                ),
                time,
                rx.tmst_us,
                f64::from(rx.phy.frequency_hz) / 1e6,
                data_rate_name(&rx.phy),
                u16::from(rx.phy.coding_rate) + 4,
                rx.rssi_dbm.round() as i64,
                rx.snr_db,
                rx.payload.len(),
                BASE64.encode(&rx.payload),
            )
        })
        .collect();
    format!("{{\"rxpk\":[{}]}}", rxpks.join(","))
}

/// The fields of a PUSH_DATA body the server uses (`stat` alone carries no
/// `rxpk`).
#[derive(Deserialize)]
struct PushData {
    #[serde(default)]
    rxpk: Vec<Rxpk>,
}

/// An `rxpk` object; fields not listed are ignored.
#[derive(Deserialize)]
struct Rxpk {
    tmst: u32,
    freq: f64,
    #[serde(default = "crc_ok")]
    stat: i8,
    modu: String,
    datr: serde_json::Value,
    codr: Option<String>,
    #[serde(default)]
    rssi: f64,
    #[serde(default)]
    lsnr: f64,
    data: String,
}

fn crc_ok() -> i8 {
    1
}

/// The LoRa frames of a PUSH_DATA body that arrived with a good CRC (or
/// none); other modulations and bad CRCs are left out. `None` when the body
/// is not a PUSH_DATA body at all.
fn parse_push_data(body: &[u8]) -> Option<Vec<RxPacket>> {
    let PushData { rxpk } = serde_json::from_slice(body).ok()?;
    Some(rxpk.into_iter().filter(|rx| rx.stat != -1).filter_map(|rx| rx_packet(rx).ok()).collect())
}

/// One `rxpk` as an [`RxPacket`].
fn rx_packet(rx: Rxpk) -> Result<RxPacket, PacketError> {
    if rx.modu != "LORA" {
        return Err(PacketError::NotLora(rx.modu));
    }
    let phy = lora_phy(rx.freq, &rx.datr, rx.codr, DEFAULT_PREAMBLE, true)?;
    let payload = BASE64.decode(rx.data.as_bytes()).map_err(|_| PacketError::Data)?;
    Ok(RxPacket { tmst_us: rx.tmst, phy, rssi_dbm: rx.rssi, snr_db: rx.lsnr, payload })
}

/// The PULL_RESP body for a downlink: `txpk` with the reference forwarder's
/// field names and number formats.
fn txpk_json(down: &Downlink) -> String {
    let when = match (down.immediate, down.tmst_us) {
        (false, Some(tmst)) => format!("\"imme\":false,\"tmst\":{tmst}"),
        _ => "\"imme\":true".to_owned(),
    };
    format!(
        concat!(
            "{{\"txpk\":{{{},\"freq\":{:.6},\"rfch\":0,\"powe\":{},\"modu\":\"LORA\",\"datr\":\"{}\",",
            "\"codr\":\"4/{}\",\"ipol\":{},\"prea\":{},\"ncrc\":{},\"size\":{},\"data\":\"{}\"}}}}"
        ),
        when,
        f64::from(down.phy.frequency_hz) / 1e6,
        down.power_dbm.round() as i64,
        data_rate_name(&down.phy),
        u16::from(down.phy.coding_rate) + 4,
        down.iq_inverted,
        down.phy.preamble,
        !down.phy.crc,
        down.payload.len(),
        BASE64.encode(&down.payload),
    )
}

/// A LoRa data rate as the protocol spells it, e.g. `SF7BW125`.
fn data_rate_name(phy: &LoraPhy) -> String {
    format!("SF{}BW{}", phy.sf, phy.bandwidth_hz / 1000)
}

/// Modulation settings from a packet's `freq` (MHz), `datr` and `codr`
/// (4/5 when absent).
fn lora_phy(
    freq_mhz: f64,
    datr: &serde_json::Value,
    codr: Option<String>,
    preamble: u16,
    crc: bool,
) -> Result<LoraPhy, PacketError> {
    let (sf, bandwidth_hz) =
        datr.as_str().and_then(parse_data_rate).ok_or_else(|| PacketError::DataRate(datr.to_string()))?;
    let codr = codr.unwrap_or_else(|| "4/5".to_owned());
    let coding_rate = parse_coding_rate(&codr).ok_or(PacketError::CodingRate(codr))?;
    Ok(LoraPhy {
        frequency_hz: (freq_mhz * 1e6).round() as u32,
        sf,
        bandwidth_hz,
        coding_rate,
        preamble,
        crc,
        implicit_header: false,
    })
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
fn parse_pull_resp(body: &[u8]) -> Result<Downlink, PacketError> {
    let PullResp { txpk } = serde_json::from_slice(body)?;
    if txpk.modu != "LORA" {
        return Err(PacketError::NotLora(txpk.modu));
    }
    let phy = lora_phy(txpk.freq, &txpk.datr, txpk.codr, txpk.prea.unwrap_or(DEFAULT_PREAMBLE), !txpk.ncrc)?;
    let payload = BASE64.decode(txpk.data.as_bytes()).map_err(|_| PacketError::Data)?;
    Ok(Downlink {
        immediate: txpk.imme,
        tmst_us: txpk.tmst,
        phy,
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

    fn phy() -> LoraPhy {
        LoraPhy { crc: false, ..LoraPhy::lorawan(868_100_000, 7, 125_000) }
    }

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
        assert!(matches!(parse_pull_resp(body), Err(PacketError::NotLora(_))));
    }

    #[test]
    fn a_txpk_the_server_writes_is_the_downlink_the_gateway_reads() {
        let down = Downlink {
            immediate: false,
            tmst_us: Some(4_000_000_123),
            phy: phy(),
            iq_inverted: true,
            power_dbm: 16.0,
            payload: vec![0x20, 1, 2, 3],
        };
        assert_eq!(parse_pull_resp(txpk_json(&down).as_bytes()).unwrap(), down);
    }

    #[test]
    fn an_rxpk_the_gateway_writes_is_the_frame_the_server_reads() {
        let rx = RxPacket {
            tmst_us: 77,
            phy: LoraPhy { crc: true, ..phy() },
            rssi_dbm: -80.0,
            snr_db: 7.5,
            payload: vec![0x40, 9],
        };
        assert_eq!(
            parse_push_data(rxpk_json(std::slice::from_ref(&rx), Some("2026-12-04T17:00:00Z")).as_bytes()),
            Some(vec![rx])
        );
    }

    #[test]
    fn a_nano_gateways_rxpk_with_a_short_frequency_and_bad_crcs_are_read_as_sent() {
        let body = concat!(
            r#"{"rxpk":[{"time":"2026-12-04T17:00:00.0Z","tmst":5,"chan":0,"rfch":0,"freq":868.1,"stat":1,"#,
            r#""modu":"LORA","datr":"SF7BW125","codr":"4/5","rssi":-60,"lsnr":9,"size":2,"data":"QAk="},"#,
            r#"{"tmst":6,"freq":868.1,"stat":-1,"modu":"LORA","datr":"SF7BW125","data":"QAk="}]}"#
        );
        let packets = parse_push_data(body.as_bytes()).unwrap();
        assert_eq!(packets.len(), 1);
        assert_eq!(
            (packets[0].phy.frequency_hz, packets[0].snr_db, &packets[0].payload[..]),
            (868_100_000, 9.0, &[0x40, 9][..])
        );
        assert_eq!(parse_push_data(br#"{"stat":{"rxnb":0}}"#), Some(Vec::new()));
    }
}
