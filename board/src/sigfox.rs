//! The Sigfox radio of a SiPy, LoPy4 or FiPy (modsigfox.c and the closed
//! Sigfox library behind it).
//!
//! In Sigfox mode: uplinks of up to 12 bytes to the fleet's virtual Sigfox
//! backend, sent three times over their airtime, and the 8-byte downlink a
//! message may ask for, 20 s after it. In FSK mode (the SiPy's CC1125 only):
//! frames of up to 64 bytes at 1.2 kbps on one frequency, to and from the
//! other boards' radios on the same [`Air`]; between its own frames the
//! radio listens, as the firmware's Sigfox task puts it back in receive
//! whenever it is idle.
//!
//! Downlinks and FSK frames wait in one receive queue of 3 frames
//! (`SIGFOX_DATA_QUEUE_SIZE_MAX`; more are dropped), read as
//! [`RxQueue`] reads.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use pycom_radio::RadioId;
use pycom_radio::fsk;
use pycom_radio::sigfox::{DOWNLINK_WAIT_US, MAX_PAYLOAD, SigfoxBackend, uplink_duration_us};

pub use pycom_radio::fsk::{FREQUENCY_MAX_HZ as FSK_FREQUENCY_MAX_HZ, FREQUENCY_MIN_HZ as FSK_FREQUENCY_MIN_HZ};

use crate::lora::air::Air;
use crate::rx_queue::RxQueue;

/// The Sigfox cloud the boards of a fleet reach.
pub type SharedBackend = Arc<Mutex<SigfoxBackend>>;

/// Frames the receive queue holds.
const RX_QUEUE_LEN: usize = 3;
/// Frames waiting behind the one on the air (`SIGFOX_CMD_QUEUE_SIZE_MAX`).
const TX_QUEUE_LEN: usize = 2;
/// FSK transmit power in dBm (the register set's "TX power = 15").
const FSK_POWER_DBM: f64 = 15.0;
/// `rssi()` before any frame was received: the library's 0 less the
/// firmware's offset of 100 (an assumption).
const NO_RSSI: i32 = -100;

/// Why the radio refuses a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SigfoxError {
    /// `Sigfox()` was not called since boot.
    #[error("the Sigfox radio is not initialised")]
    NotInitialised,
    /// More than 12 bytes (Sigfox mode) or 64 (FSK mode).
    #[error("the message is too long for the mode")]
    TooLong,
    /// Two frames already wait behind the one on the air.
    #[error("the radio is busy")]
    Busy,
}

/// How the radio was set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Sigfox messages in radio configuration zone `rcz` (0 for RCZ1 ..
    /// 3 for RCZ4).
    Sigfox {
        /// The zone.
        rcz: u8,
    },
    /// FSK frames on one frequency.
    Fsk {
        /// The frequency in Hz.
        frequency_hz: u32,
    },
}

/// A message sent: when the radio is done with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Device time the frame (and the downlink asked for) is over.
    pub done_us: u64,
}

/// The radio.
#[derive(Debug)]
pub struct SigfoxRadio {
    mode: Option<Mode>,
    /// The zone of the last Sigfox-mode setup (`frequencies()` shows it).
    rcz: u8,
    /// The message sequence number.
    seq: u16,
    /// `public_key(True)`: messages are signed with the public key.
    public_key: bool,
    rx: RxQueue<()>,
    /// RSSI of the last FSK frame received, whole dBm.
    rssi: i32,
    /// FSK: the end of the frame on the air, and the frames behind it.
    tx_end_us: u64,
    tx_queue: VecDeque<Vec<u8>>,
    /// FSK: the channel the radio listens on.
    listening: Option<u32>,
}

impl Default for SigfoxRadio {
    fn default() -> Self {
        Self {
            mode: None,
            rcz: 0,
            seq: 0,
            public_key: false,
            rx: RxQueue::new(RX_QUEUE_LEN),
            rssi: NO_RSSI,
            tx_end_us: 0,
            tx_queue: VecDeque::new(),
            listening: None,
        }
    }
}

impl SigfoxRadio {
    /// `Sigfox(mode=..., rcz=..., frequency=...)` at `now_us`, the radio
    /// being `radio` on `air`.
    pub fn init(&mut self, mode: Mode, air: &Air, radio: RadioId, now_us: u64) {
        if let Mode::Sigfox { rcz } = mode {
            self.rcz = rcz;
        }
        self.mode = Some(mode);
        self.tx_queue.clear();
        let listen = match mode {
            Mode::Fsk { frequency_hz } => Some(frequency_hz),
            Mode::Sigfox { .. } => None,
        };
        self.listen(listen, air, radio, now_us);
    }

    /// The radio is off (a boot, a deep sleep): it hears nothing more.
    pub fn power_off(&mut self, air: &Air, radio: RadioId, now_us: u64) {
        self.listen(None, air, radio, now_us);
        air.fsk_take_received(radio, now_us);
    }

    fn listen(&mut self, frequency_hz: Option<u32>, air: &Air, radio: RadioId, now_us: u64) {
        if self.listening != frequency_hz {
            air.fsk_listen(radio, now_us, frequency_hz);
            self.listening = frequency_hz;
        }
    }

    /// The mode, once set up.
    pub fn mode(&self) -> Option<Mode> {
        self.mode
    }

    /// The zone of the last Sigfox-mode setup (RCZ1 before any).
    pub fn rcz(&self) -> u8 {
        self.rcz
    }

    /// `public_key()`.
    pub fn public_key(&self) -> bool {
        self.public_key
    }

    /// `public_key(flag)`.
    pub fn set_public_key(&mut self, on: bool) {
        self.public_key = on;
    }

    /// `rssi()`: the RSSI of the last frame received, whole dBm.
    pub fn rssi(&self) -> i32 {
        self.rssi
    }

    /// Largest message of the current mode.
    fn max_payload(&self) -> usize {
        match self.mode {
            Some(Mode::Fsk { .. }) => fsk::MAX_PAYLOAD,
            _ => MAX_PAYLOAD,
        }
    }

    /// Sends `payload` at `now_us`: as device `device_id` to `backend`
    /// (none: nobody hears it), asking for a downlink if `downlink`, in
    /// Sigfox mode; as an FSK frame on `air` in FSK mode.
    pub fn send(
        &mut self,
        device_id: u32,
        payload: &[u8],
        downlink: bool,
        now_us: u64,
        backend: Option<&SharedBackend>,
        (air, radio): (&Air, RadioId),
    ) -> Result<Sent, SigfoxError> {
        let mode = self.mode.ok_or(SigfoxError::NotInitialised)?;
        if payload.len() > self.max_payload() {
            return Err(SigfoxError::TooLong);
        }
        match mode {
            Mode::Sigfox { rcz } => Ok(self.send_uplink(device_id, payload, downlink, now_us, rcz, backend)),
            Mode::Fsk { frequency_hz } => {
                self.advance(now_us, air, radio);
                if self.tx_queue.len() >= TX_QUEUE_LEN {
                    return Err(SigfoxError::Busy);
                }
                if self.tx_end_us <= now_us {
                    self.transmit(now_us, frequency_hz, payload.to_vec(), air, radio);
                } else {
                    self.tx_queue.push_back(payload.to_vec());
                }
                let queued = self.tx_queue.iter().map(|p| fsk::time_on_air_us(p.len())).sum::<u64>();
                Ok(Sent { done_us: self.tx_end_us + queued })
            }
        }
    }

    /// FSK: puts a frame on the air at `at_us`.
    fn transmit(&mut self, at_us: u64, frequency_hz: u32, payload: Vec<u8>, air: &Air, radio: RadioId) {
        if let Some(end) = air.fsk_transmit(radio, at_us, frequency_hz, FSK_POWER_DBM, payload) {
            self.tx_end_us = end;
        }
    }

    fn send_uplink(
        &mut self,
        device_id: u32,
        payload: &[u8],
        downlink: bool,
        now_us: u64,
        rcz: u8,
        backend: Option<&SharedBackend>,
    ) -> Sent {
        let end = now_us + uplink_duration_us(payload.len(), rcz + 1);
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1) & 0x0FFF;
        let answer = backend.and_then(|backend| {
            let mut backend = backend.lock().unwrap_or_else(|p| p.into_inner());
            backend.uplink(device_id, seq, payload, downlink, end).ok().flatten()
        });
        if let Some(data) = answer {
            self.rx.push(data.to_vec(), ());
        }
        let done_us = if downlink { end + DOWNLINK_WAIT_US + DOWNLINK_FRAME_US } else { end };
        Sent { done_us }
    }

    /// FSK: starts each waiting frame when the one before it ended, and
    /// queues the frames heard by `now_us`.
    pub fn advance(&mut self, now_us: u64, air: &Air, radio: RadioId) {
        let Some(Mode::Fsk { frequency_hz }) = self.mode else { return };
        while self.tx_end_us <= now_us
            && let Some(payload) = self.tx_queue.pop_front()
        {
            self.transmit(self.tx_end_us, frequency_hz, payload, air, radio);
        }
        for frame in air.fsk_take_received(radio, now_us) {
            self.rssi = frame.rssi_dbm.round() as i32;
            self.rx.push(frame.payload, ());
        }
    }

    /// Device time of the radio's next step: its frame on the air ending
    /// with another waiting, or a frame arriving.
    pub fn next_due_us(&self, air: &Air, radio: RadioId) -> Option<u64> {
        let tx = (!self.tx_queue.is_empty()).then_some(self.tx_end_us);
        let arrival = self.listening.and_then(|_| air.fsk_next_arrival_us(radio));
        tx.into_iter().chain(arrival).min()
    }

    /// `recv(len)`: up to `len` bytes of the next frame (or of the rest of
    /// the last one read), if any.
    pub fn read(&mut self, len: usize) -> Option<Vec<u8>> {
        self.rx.read(len).map(|(data, ())| data)
    }
}

/// Airtime of the 8-byte downlink frame at 600 bps (its 15-byte frame).
const DOWNLINK_FRAME_US: u64 = 15 * 8 * 1_000_000 / 600;
