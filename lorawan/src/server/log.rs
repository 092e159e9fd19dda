//! The server's event log: one JSON object per line, fields in a fixed order (structs, not
//! maps), so two runs of one scenario write byte-identical logs.

use std::io::Write;

use serde::Serialize;

use crate::keys::{DevAddr, Eui};

/// A device joined (OTAA join request accepted).
#[derive(Serialize)]
pub(super) struct Join<'a> {
    pub event: &'static str,
    pub time_us: u64,
    pub dev_eui: String,
    pub dev_addr: String,
    pub gateway: &'a str,
}

/// A data uplink accepted and decrypted.
#[derive(Serialize)]
pub(super) struct Uplink<'a> {
    pub event: &'static str,
    pub time_us: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_eui: Option<String>,
    pub dev_addr: String,
    pub fcnt: u32,
    pub port: Option<u8>,
    pub data: String,
    pub confirmed: bool,
    pub rssi: f64,
    pub snr: f64,
    pub sf: u8,
    pub frequency: u32,
    pub gateway: &'a str,
    /// The frame as heard (hex), for decoders outside the server.
    pub phy_payload: String,
}

/// A frame the server refused.
#[derive(Serialize)]
pub(super) struct Rejected<'a> {
    pub event: &'static str,
    pub time_us: u64,
    pub reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_eui: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fcnt: Option<u32>,
    pub gateway: &'a str,
}

/// A downlink handed to a gateway.
#[derive(Serialize)]
pub(super) struct Downlink<'a> {
    pub event: &'static str,
    pub time_us: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_eui: Option<String>,
    pub dev_addr: String,
    /// "join_accept" or "data".
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fcnt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u8>,
    pub data: String,
    pub confirmed: bool,
    pub ack: bool,
    pub sf: u8,
    pub frequency: u32,
    pub gateway: &'a str,
}

impl<'a> Downlink<'a> {
    /// A downlink entry with no counter, port or payload yet (timing and radio come later).
    pub(super) fn new(dev_eui: Option<Eui>, dev_addr: DevAddr, kind: &'static str, gateway: &'a str) -> Self {
        Downlink {
            event: "downlink",
            time_us: 0,
            dev_eui: dev_eui.map(|e| e.to_string()),
            dev_addr: dev_addr.to_string(),
            kind,
            fcnt: None,
            port: None,
            data: String::new(),
            confirmed: false,
            ack: false,
            sf: 0,
            frequency: 0,
            gateway,
        }
    }
}

/// Writes one event as a JSON line. A log that cannot be written does not stop the server.
pub(super) fn write(out: &mut dyn Write, event: &impl Serialize) {
    if let Ok(mut line) = serde_json::to_vec(event) {
        line.push(b'\n');
        let _ = out.write_all(&line);
        let _ = out.flush();
    }
}

/// Bytes as lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
