//! FSK frames between Sigfox radios: a SiPy's CC1125 in `Sigfox.FSK` mode
//! (the firmware's modsigfox.c and its SmartRF register set).
//!
//! The radio sends 2-GFSK at 1.2 kbps in variable-length packets: the
//! registers keep the CC1125's defaults for a 4-byte preamble, a 32-bit sync
//! word and a 16-bit CRC, and the first byte after the sync word is the
//! length, so a frame of n payload bytes is 11 + n bytes on the air
//! (`(11 + n) · 8 / 1200` s: 73.3 ms empty, 500 ms at the 64-byte limit).
//!
//! A frame reaches a radio that listens on the same channel (within half the
//! 15.625 kHz receive filter) from the frame's first bit to its last without
//! transmitting, at or above the receiver's sensitivity. Two frames that
//! overlap on one channel destroy each other at a receiver unless one is at
//! least [`CAPTURE_MARGIN_DB`] stronger there. LoRa frames and FSK frames
//! do not meet: they live in separate media (the SiPy has no LoRa radio, and
//! the LoPy4's and FiPy's firmware offers no FSK mode).
//!
//! As in [`crate::medium`], calls carry the caller's device time, the
//! medium keeps the latest as its clock, a frame is settled once that clock
//! reaches its end, and settled frames are forgotten once nothing on the air
//! can overlap them.

use crate::inbox::{Ended, Inbox};
use crate::link::{LinkModel, Position};
use crate::medium::{Busy, CAPTURE_MARGIN_DB, RadioId};

/// Bit rate, bits per second.
pub const BIT_RATE_BPS: u64 = 1_200;
/// Longest payload in bytes (`FSK_TX_PAYLOAD_SIZE_MAX`).
pub const MAX_PAYLOAD: usize = 64;
/// Lowest frequency `Sigfox(mode=Sigfox.FSK, frequency=...)` accepts, in Hz.
pub const FREQUENCY_MIN_HZ: u32 = 863_000_000;
/// Highest frequency it accepts, in Hz.
pub const FREQUENCY_MAX_HZ: u32 = 928_000_000;
/// Weakest frame the receiver decodes, in dBm (the CC1125's figure at
/// 1.2 kbps, taken from its datasheet; an assumption of the model).
pub const SENSITIVITY_DBM: f64 = -122.0;
/// Largest carrier offset a receiver tolerates: half its 15.625 kHz filter.
pub const CHANNEL_TOLERANCE_HZ: u32 = 7_812;
/// Bytes of a frame besides its payload: preamble 4, sync word 4, length 1,
/// CRC 2.
const OVERHEAD_BYTES: u64 = 11;

/// Time on air of a frame carrying `payload_len` bytes, in µs.
pub fn time_on_air_us(payload_len: usize) -> u64 {
    ((OVERHEAD_BYTES + payload_len as u64) * 8 * 1_000_000).div_ceil(BIT_RATE_BPS)
}

/// A frame a radio received.
#[derive(Clone, Debug, PartialEq)]
pub struct FskReception {
    /// The radio that sent it.
    pub from: RadioId,
    /// The bytes received.
    pub payload: Vec<u8>,
    /// Received power in dBm.
    pub rssi_dbm: f64,
    /// Device time the frame ended (and was received), in µs.
    pub end_us: u64,
}

impl Ended for FskReception {
    fn end_us(&self) -> u64 {
        self.end_us
    }
}

/// What [`FskMedium::transmit`] tells the sender.
#[derive(Clone, Debug, PartialEq)]
pub struct FskReport {
    /// Device time the frame ends, in µs.
    pub end_us: u64,
    /// Radios that may receive it, each at the frame's end.
    pub candidates: Vec<(RadioId, u64)>,
}

#[derive(Debug)]
struct Radio {
    position: Position,
    /// The channel it listens on, if any.
    listen: Option<u32>,
    tx_end_us: u64,
    inbox: Inbox<FskReception>,
}

#[derive(Debug)]
struct Frame {
    from: RadioId,
    origin: Position,
    frequency_hz: u32,
    power_dbm: f64,
    payload: Vec<u8>,
    start_us: u64,
    end_us: u64,
    /// Radios receiving it so far, with its power there.
    listeners: Vec<(RadioId, f64)>,
    settled: bool,
}

impl Frame {
    fn collides_with(&self, other: &Frame) -> bool {
        self.frequency_hz.abs_diff(other.frequency_hz) <= CHANNEL_TOLERANCE_HZ
            && other.start_us < self.end_us
            && other.end_us > self.start_us
    }
}

/// The air the FSK radios of a fleet share.
///
/// # Panics
/// Every method taking a [`RadioId`] panics if the id was not returned by
/// [`FskMedium::add_radio`] on this medium.
#[derive(Debug)]
pub struct FskMedium {
    model: LinkModel,
    radios: Vec<Radio>,
    frames: Vec<Frame>,
    clock_us: u64,
}

impl FskMedium {
    /// An empty medium where signals follow `model`.
    pub fn new(model: LinkModel) -> Self {
        FskMedium { model, radios: Vec::new(), frames: Vec::new(), clock_us: 0 }
    }

    /// Adds a radio at `position`, not listening.
    pub fn add_radio(&mut self, position: Position) -> RadioId {
        self.radios.push(Radio { position, listen: None, tx_end_us: 0, inbox: Inbox::default() });
        self.radios.len() - 1
    }

    /// Sets the channel `radio` listens on from `at_us` (`None`: off). A
    /// change loses the frames it was receiving; a frame already on the air
    /// is not caught by a receiver that starts listening during it (it
    /// missed the preamble and sync word).
    pub fn listen(&mut self, radio: RadioId, at_us: u64, frequency_hz: Option<u32>) {
        self.settle(at_us);
        if self.radios[radio].listen == frequency_hz {
            return;
        }
        self.radios[radio].listen = frequency_hz;
        for frame in self.frames.iter_mut().filter(|f| !f.settled && f.end_us > at_us) {
            frame.listeners.retain(|&(r, _)| r != radio);
        }
    }

    /// Puts a frame of `payload` on `frequency_hz` at `power_dbm` on the air
    /// from `radio` at `at_us`. The radio receives nothing while it sends.
    pub fn transmit(
        &mut self,
        radio: RadioId,
        at_us: u64,
        frequency_hz: u32,
        power_dbm: f64,
        payload: Vec<u8>,
    ) -> Result<FskReport, Busy> {
        self.settle(at_us);
        let until_us = self.radios[radio].tx_end_us;
        if at_us < until_us {
            return Err(Busy { radio, until_us });
        }
        let end_us = at_us + time_on_air_us(payload.len());
        for frame in self.frames.iter_mut().filter(|f| !f.settled && f.end_us > at_us) {
            frame.listeners.retain(|&(r, _)| r != radio);
        }
        self.radios[radio].tx_end_us = end_us;
        let origin = self.radios[radio].position;
        let listeners: Vec<(RadioId, f64)> = (0..self.radios.len())
            .filter(|&q| q != radio)
            .filter_map(|q| {
                let r = &self.radios[q];
                let tuned = r.listen.is_some_and(|f| f.abs_diff(frequency_hz) <= CHANNEL_TOLERANCE_HZ);
                let rssi = self.model.rssi_dbm(power_dbm, origin, r.position);
                (tuned && r.tx_end_us <= at_us && rssi >= SENSITIVITY_DBM).then_some((q, rssi))
            })
            .collect();
        let candidates = listeners.iter().map(|&(r, _)| (r, end_us)).collect();
        self.frames.push(Frame {
            from: radio,
            origin,
            frequency_hz,
            power_dbm,
            payload,
            start_us: at_us,
            end_us,
            listeners,
            settled: false,
        });
        Ok(FskReport { end_us, candidates })
    }

    /// The frames `radio` received that ended by `now_us`, in end-time
    /// order; forgotten once taken.
    pub fn take_received(&mut self, radio: RadioId, now_us: u64) -> Vec<FskReception> {
        self.settle(now_us);
        self.radios[radio].inbox.take_ended_by(now_us)
    }

    /// When the next frame that may reach `radio` ends, if one is waiting or
    /// on the air.
    pub fn next_arrival_us(&self, radio: RadioId) -> Option<u64> {
        let waiting = self.radios[radio].inbox.first_end_us();
        let on_air = self
            .frames
            .iter()
            .filter(|f| !f.settled && f.listeners.iter().any(|&(r, _)| r == radio))
            .map(|f| f.end_us)
            .min();
        waiting.into_iter().chain(on_air).min()
    }

    /// How many frames the medium remembers; bounded over long runs.
    pub fn frames_in_memory(&self) -> usize {
        self.frames.len()
    }

    /// Advances the clock to `now_us` and settles the frames that ended by
    /// then, in end-time order; forgets those nothing can overlap any more.
    fn settle(&mut self, now_us: u64) {
        self.clock_us = self.clock_us.max(now_us);
        for index in crate::due::ended_by(&self.frames, self.clock_us, |f| f.settled, |f| f.end_us) {
            self.deliver(index);
        }
        let horizon =
            self.frames.iter().filter(|f| !f.settled).map(|f| f.start_us).min().unwrap_or(u64::MAX).min(self.clock_us);
        self.frames.retain(|f| !f.settled || f.end_us > horizon);
    }

    /// Puts frame `index` in the inbox of each listener where no
    /// overlapping frame on its channel came within the capture margin.
    fn deliver(&mut self, index: usize) {
        let frame = &self.frames[index];
        let mut deliveries = Vec::new();
        for &(radio, rssi_dbm) in &frame.listeners {
            let here = self.radios[radio].position;
            let captured =
                self.frames.iter().enumerate().filter(|&(j, g)| j != index && frame.collides_with(g)).all(|(_, g)| {
                    g.from != radio && rssi_dbm >= self.model.rssi_dbm(g.power_dbm, g.origin, here) + CAPTURE_MARGIN_DB
                });
            if captured {
                let reception =
                    FskReception { from: frame.from, payload: frame.payload.clone(), rssi_dbm, end_us: frame.end_us };
                deliveries.push((radio, reception));
            }
        }
        let frame = &mut self.frames[index];
        frame.listeners.clear();
        frame.settled = true;
        for (radio, reception) in deliveries {
            self.radios[radio].inbox.put(reception);
        }
    }
}
