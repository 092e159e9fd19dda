//! The Sigfox radio of a SiPy, LoPy4 or FiPy (`modsigfox_api.c` and the
//! closed Sigfox library behind it): uplinks of up to 12 bytes to the
//! fleet's virtual Sigfox backend, sent three times over their airtime, and
//! the 8-byte downlink a message may ask for, 20 s after it.

use std::sync::{Arc, Mutex};

use pycom_radio::sigfox::{DOWNLINK_WAIT_US, MAX_PAYLOAD, SigfoxBackend, uplink_duration_us};

/// The Sigfox cloud the boards of a fleet reach.
pub type SharedBackend = Arc<Mutex<SigfoxBackend>>;

/// Why the radio refuses a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SigfoxError {
    /// `Sigfox()` was not called since boot.
    #[error("the Sigfox radio is not initialised")]
    NotInitialised,
    /// More than 12 bytes.
    #[error("a Sigfox message carries at most 12 bytes")]
    TooLong,
}

/// A message sent: when the radio is done with it, and its downlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Device time the uplink (and the downlink asked for) is over.
    pub done_us: u64,
    /// The downlink, when one was asked for and answered.
    pub downlink: Option<[u8; 8]>,
}

/// The radio.
#[derive(Debug, Default)]
pub struct SigfoxRadio {
    /// The radio configuration zone (0 for RCZ1 .. 3 for RCZ4), once set up.
    rcz: Option<u8>,
    /// The message sequence number.
    seq: u16,
}

impl SigfoxRadio {
    /// `Sigfox(mode=Sigfox.SIGFOX, rcz=...)`.
    pub fn init(&mut self, rcz: u8) {
        self.rcz = Some(rcz);
    }

    /// The zone, once set up.
    pub fn rcz(&self) -> Option<u8> {
        self.rcz
    }

    /// Sends `payload` as device `device_id` at `now_us` to `backend` (none:
    /// nobody hears it), asking for a downlink if `downlink`.
    pub fn send(
        &mut self,
        device_id: u32,
        payload: &[u8],
        downlink: bool,
        now_us: u64,
        backend: Option<&SharedBackend>,
    ) -> Result<Sent, SigfoxError> {
        let rcz = self.rcz.ok_or(SigfoxError::NotInitialised)?;
        if payload.len() > MAX_PAYLOAD {
            return Err(SigfoxError::TooLong);
        }
        let end = now_us + uplink_duration_us(payload.len(), rcz + 1);
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1) & 0x0FFF;
        let answer = backend.and_then(|backend| {
            let mut backend = backend.lock().unwrap_or_else(|p| p.into_inner());
            backend.uplink(device_id, seq, payload, downlink, end).ok().flatten()
        });
        let done_us = if downlink { end + DOWNLINK_WAIT_US + DOWNLINK_FRAME_US } else { end };
        Ok(Sent { done_us, downlink: answer })
    }
}

/// Airtime of the 8-byte downlink frame at 600 bps (its 15-byte frame).
const DOWNLINK_FRAME_US: u64 = 15 * 8 * 1_000_000 / 600;
