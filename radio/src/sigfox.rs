//! Sigfox uplink timing and a virtual Sigfox backend.
//!
//! An uplink frame is assumed to be: preamble 19 bits, frame sync 13 bits,
//! header (flags and sequence number) 16 bits, device id 32 bits, the payload
//! (0 to 12 bytes, not padded), authentication 16 bits and CRC 16 bits: 112
//! bits plus 8 per payload byte (a 12-byte message is 208 bits, 2.08 s at
//! 100 bps). The modem sends each message 3 times on different frequencies,
//! [`REPETITION_GAP_US`] apart. RCZ1 and RCZ3 send at 100 bps, RCZ2 and RCZ4
//! at 600 bps. When the message asks for a downlink, the device waits
//! [`DOWNLINK_WAIT_US`] after the end of its first frame, then listens for
//! up to [`DOWNLINK_WINDOW_US`].

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use thiserror::Error;

/// Longest uplink payload in bytes.
pub const MAX_PAYLOAD: usize = 12;
/// Times each message is sent.
pub const REPETITIONS: u64 = 3;
/// Silence between two repetitions of a message, in µs (assumed).
pub const REPETITION_GAP_US: u64 = 500_000;
/// From the end of the first uplink frame to the opening of the downlink
/// window, in µs.
pub const DOWNLINK_WAIT_US: u64 = 20_000_000;
/// How long the device listens for its downlink, in µs.
pub const DOWNLINK_WINDOW_US: u64 = 25_000_000;
/// Bits of a frame besides its payload: preamble 19, sync 13, header 16,
/// device id 32, authentication 16, CRC 16.
const FRAME_OVERHEAD_BITS: u64 = 19 + 13 + 16 + 32 + 16 + 16;

/// Uplink bit rate of a radio configuration zone: 600 bps in RCZ2 and RCZ4,
/// 100 bps elsewhere (RCZ1, RCZ3).
pub fn bit_rate_bps(rcz: u8) -> u64 {
    match rcz {
        2 | 4 => 600,
        _ => 100,
    }
}

/// Duration of one frame carrying `payload_len` bytes, in µs.
pub fn frame_duration_us(payload_len: usize, rcz: u8) -> u64 {
    let bits = FRAME_OVERHEAD_BITS + 8 * payload_len as u64;
    (bits * 1_000_000).div_ceil(bit_rate_bps(rcz))
}

/// Duration of a whole uplink of `payload_len` bytes in µs: its three
/// repetitions and the gaps between them.
pub fn uplink_duration_us(payload_len: usize, rcz: u8) -> u64 {
    REPETITIONS * frame_duration_us(payload_len, rcz) + (REPETITIONS - 1) * REPETITION_GAP_US
}

/// An uplink payload longer than [`MAX_PAYLOAD`] bytes. [`SigfoxBackend::uplink`]
/// returns it inside an [`io::Error`] of kind `InvalidInput`
/// (`error.get_ref()` and `downcast_ref::<PayloadTooLong>()` recover it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("a Sigfox payload holds at most 12 bytes, not {len}")]
pub struct PayloadTooLong {
    /// The payload's length in bytes.
    pub len: usize,
}

/// One line of the backend's message log.
#[derive(Serialize)]
struct MessageLine<'a> {
    time_us: u64,
    device: String,
    data: String,
    seq: u16,
    ack: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    downlink: Option<&'a str>,
}

/// The Sigfox cloud as the devices of a fleet see it: logs every message as
/// a JSON line and answers downlink requests.
pub struct SigfoxBackend {
    log: Box<dyn Write + Send>,
    downlinks: BTreeMap<u32, [u8; 8]>,
}

impl std::fmt::Debug for SigfoxBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigfoxBackend").field("downlinks", &self.downlinks).finish_non_exhaustive()
    }
}

impl SigfoxBackend {
    /// A backend writing one JSON line per message to `log`.
    pub fn new(log: Box<dyn Write + Send>) -> Self {
        SigfoxBackend { log, downlinks: BTreeMap::new() }
    }

    /// The 8 bytes answered to every later downlink request of `device_id`.
    pub fn set_downlink(&mut self, device_id: u32, data: [u8; 8]) {
        self.downlinks.insert(device_id, data);
    }

    /// Takes the message `seq` of `device_id` sent at `at_us` and logs it as
    /// `{"time_us":..,"device":"<id, 8 hex digits>","data":"<hex>","seq":..,
    /// "ack":..}` (plus `"downlink":"<hex>"` when one is answered). When
    /// `ack` asks for a downlink, returns the data set for the device, or
    /// else [`SigfoxBackend::default_downlink`]. A payload over 12 bytes is
    /// refused with [`PayloadTooLong`] and not logged.
    pub fn uplink(
        &mut self,
        device_id: u32,
        seq: u16,
        payload: &[u8],
        ack: bool,
        at_us: u64,
    ) -> io::Result<Option<[u8; 8]>> {
        if payload.len() > MAX_PAYLOAD {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, PayloadTooLong { len: payload.len() }));
        }
        let downlink = ack
            .then(|| self.downlinks.get(&device_id).copied().unwrap_or_else(|| Self::default_downlink(device_id, seq)));
        let downlink_hex = downlink.map(hex::encode);
        let line = MessageLine {
            time_us: at_us,
            device: format!("{device_id:08x}"),
            data: hex::encode(payload),
            seq,
            ack,
            downlink: downlink_hex.as_deref(),
        };
        let mut text = serde_json::to_string(&line).map_err(io::Error::from)?;
        text.push('\n');
        self.log.write_all(text.as_bytes())?;
        self.log.flush()?;
        Ok(downlink)
    }

    /// The downlink of a device no data was set for: its id (4 bytes, big
    /// endian), the message's sequence number (2 bytes, big endian) and two
    /// zero bytes, so a script can tell which message was answered.
    pub fn default_downlink(device_id: u32, seq: u16) -> [u8; 8] {
        let mut data = [0u8; 8];
        data[..4].copy_from_slice(&device_id.to_be_bytes());
        data[4..6].copy_from_slice(&seq.to_be_bytes());
        data
    }
}
