//! The shared air: radios at positions, the frames they send, and which
//! frames each receiver gets.
//!
//! Every call carries the caller's device time. Times are expected not to go
//! backwards from one call to the next (the fleet scheduler advances all
//! boards on one clock); the medium keeps the latest time it was told as its
//! own clock. A frame's fate is settled once that clock reaches the frame's
//! end: each radio that listened to it throughout gets a [`Reception`] in its
//! inbox unless it lost the frame to a collision. [`Medium::take_received`]
//! hands the inbox over. A call dated before the medium's clock is taken as
//! it comes: a frame sent in the past is settled at the next call, with the
//! listeners of that moment, and nothing changes a settled frame.
//!
//! "Throughout" starts at the frame's lock time, not its first symbol: a
//! receiver detects a frame from [`DETECTION_SYMBOLS`] of its preamble, so
//! one that starts listening during the preamble, no later than that many
//! symbols before its end, still gets the frame (LoRaMac opens its receive
//! windows a symbol or so after the downlink starts). From the lock time to
//! the frame's end the receiver must keep the same setting and not transmit.
//!
//! Collisions: two frames that overlap in time at a receiver on the same
//! channel, spreading factor and bandwidth destroy each other unless one is
//! at least [`CAPTURE_MARGIN_DB`] stronger there, which then survives (the
//! capture effect). Frames on different spreading factors are treated as
//! orthogonal and never collide (LoRa's spreading factors are only
//! quasi-orthogonal; the residual interference is ignored), and neither do
//! frames of different bandwidths.
//!
//! Memory: a settled frame is forgotten once no frame still on the air can
//! overlap it, i.e. when it ended before both the medium's clock and the
//! start of every frame not yet settled. What the medium holds is therefore
//! bounded by the frames on the air plus those overlapping them, whatever
//! the length of the run. Receptions wait in their radio's inbox until taken.

use thiserror::Error;

use crate::inbox::{Ended, Inbox};
use crate::link::{LinkModel, Position};
use crate::phy::{LoraPhy, sensitivity_dbm, snr_limit_db, symbol_time_us, time_on_air_us};

/// A radio's index in its [`Medium`], as returned by [`Medium::add_radio`].
pub type RadioId = usize;

/// How much stronger (dB) a frame must be than every overlapping frame on
/// its channel and spreading factor to survive the collision.
pub const CAPTURE_MARGIN_DB: f64 = 6.0;

/// Preamble symbols a receiver needs to detect a frame: one that starts
/// listening later than this many symbols before the preamble's end misses
/// the frame (an assumption; LoRaMac centres its receive windows on the
/// fourth symbol of an 8-symbol preamble).
pub const DETECTION_SYMBOLS: u16 = 4;

/// Whether two carrier frequencies are the same channel for a signal
/// `bandwidth_hz` wide: LoRa demodulators tolerate an offset of up to a
/// quarter of the bandwidth (31.25 kHz at 125 kHz, far below the 200 kHz
/// channel spacing of the LoRaWAN plans).
pub fn same_channel(a_hz: u32, b_hz: u32, bandwidth_hz: u32) -> bool {
    a_hz.abs_diff(b_hz) <= bandwidth_hz / 4
}

/// What a radio's receiver is set to hear.
#[derive(Clone, Debug, PartialEq)]
pub enum Listen {
    /// The receiver is off (sleep, standby).
    Off,
    /// A node's receiver: one channel, spreading factor and bandwidth, with
    /// IQ inverted or not (LoRaWAN downlinks are inverted, uplinks are not).
    /// Coding rate, preamble, CRC and header mode are taken from the frame.
    Node {
        /// The settings the receiver waits for.
        phy: LoraPhy,
        /// Whether the receiver expects inverted IQ.
        iq_inverted: bool,
    },
    /// A gateway's concentrator: every spreading factor 7..=12 on each of
    /// its channels at once, non-inverted IQ only.
    Gateway {
        /// The channels it demodulates: centre frequency and bandwidth, in Hz
        /// (US915 and AU915 have 500 kHz channels beside the 125 kHz ones).
        channels: Vec<(u32, u32)>,
    },
}

impl Listen {
    /// Whether a receiver set this way demodulates a frame sent with `phy`
    /// and `iq_inverted`.
    pub fn hears(&self, phy: &LoraPhy, iq_inverted: bool) -> bool {
        match self {
            Listen::Off => false,
            Listen::Node { phy: rx, iq_inverted: rx_inverted } => {
                *rx_inverted == iq_inverted
                    && rx.sf == phy.sf
                    && rx.bandwidth_hz == phy.bandwidth_hz
                    && same_channel(rx.frequency_hz, phy.frequency_hz, phy.bandwidth_hz)
            }
            Listen::Gateway { channels } => {
                !iq_inverted
                    && (7..=12).contains(&phy.sf)
                    && channels.iter().any(|&(frequency_hz, bandwidth_hz)| {
                        bandwidth_hz == phy.bandwidth_hz && same_channel(frequency_hz, phy.frequency_hz, bandwidth_hz)
                    })
            }
        }
    }
}

/// A frame a radio puts on the air.
#[derive(Clone, Debug, PartialEq)]
pub struct Transmission {
    /// Its modulation settings.
    pub phy: LoraPhy,
    /// Whether it is sent with inverted IQ.
    pub iq_inverted: bool,
    /// Transmit power in dBm.
    pub power_dbm: f64,
    /// The bytes sent.
    pub payload: Vec<u8>,
}

/// A frame a radio received.
#[derive(Clone, Debug, PartialEq)]
pub struct Reception {
    /// The radio that sent it.
    pub from: RadioId,
    /// The bytes received.
    pub payload: Vec<u8>,
    /// The frame's modulation settings.
    pub phy: LoraPhy,
    /// Whether it was sent with inverted IQ.
    pub iq_inverted: bool,
    /// Received power in dBm.
    pub rssi_dbm: f64,
    /// Signal-to-noise ratio in dB.
    pub snr_db: f64,
    /// Device time the frame started, in µs.
    pub start_us: u64,
    /// Device time the frame ended (and was received), in µs.
    pub end_us: u64,
}

impl Ended for Reception {
    fn end_us(&self) -> u64 {
        self.end_us
    }
}

/// What [`Medium::transmit`] tells the caller about a frame it sent.
#[derive(Clone, Debug, PartialEq)]
pub struct TxReport {
    /// Device time the transmission ends, in µs.
    pub end_us: u64,
    /// The frame's time on air, in µs.
    pub time_on_air_us: u64,
    /// The radios that may receive the frame (listening to it and strong
    /// enough there; collisions and listen changes are decided at the end),
    /// each with the device time it should look: the frame's end.
    pub candidates: Vec<(RadioId, u64)>,
}

/// A radio tried to transmit while its previous frame was still on the air.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("radio {radio} is still transmitting until {until_us} us")]
pub struct Busy {
    /// The radio that tried to transmit.
    pub radio: RadioId,
    /// When its current transmission ends, in µs.
    pub until_us: u64,
}

/// One radio's state in the medium.
#[derive(Debug)]
struct Radio {
    position: Position,
    listen: Listen,
    /// The radio's last transmission, `[tx_start_us, tx_end_us)`.
    tx_start_us: u64,
    tx_end_us: u64,
    /// Settled receptions not taken yet, in end-time order.
    inbox: Inbox<Reception>,
}

/// A radio that may still receive a frame, with the frame's power there.
#[derive(Clone, Copy, Debug)]
struct Listener {
    radio: RadioId,
    rssi_dbm: f64,
}

/// A frame on the air, or one that may still collide with one.
#[derive(Debug)]
struct Frame {
    from: RadioId,
    /// The sender's position when it transmitted.
    origin: Position,
    tx: Transmission,
    start_us: u64,
    /// The latest time a receiver may start listening and still get it.
    lock_us: u64,
    end_us: u64,
    /// Radios that listened to it so far; emptied when it is settled.
    listeners: Vec<Listener>,
    settled: bool,
}

impl Frame {
    /// Whether a radio transmitting over `[start_us, end_us)` cannot receive
    /// this frame: its transmission reaches past the frame's lock time.
    fn blocked_by_transmission(&self, start_us: u64, end_us: u64) -> bool {
        start_us < self.end_us && end_us > self.lock_us
    }

    /// Whether the frame is on the air at some time in `[start_us, end_us)`.
    fn overlaps(&self, start_us: u64, end_us: u64) -> bool {
        self.start_us < end_us && self.end_us > start_us
    }

    /// Whether `other` can destroy this frame: same spreading factor,
    /// bandwidth and channel, overlapping in time.
    fn collides_with(&self, other: &Frame) -> bool {
        let (a, b) = (&self.tx.phy, &other.tx.phy);
        a.sf == b.sf
            && a.bandwidth_hz == b.bandwidth_hz
            && same_channel(a.frequency_hz, b.frequency_hz, a.bandwidth_hz)
            && other.overlaps(self.start_us, self.end_us)
    }
}

/// The air shared by a fleet of radios.
///
/// # Panics
/// Every method taking a [`RadioId`] panics if the id was not returned by
/// [`Medium::add_radio`] on this medium.
#[derive(Debug)]
pub struct Medium {
    model: LinkModel,
    radios: Vec<Radio>,
    /// Frames in transmit order.
    frames: Vec<Frame>,
    /// The latest device time any call reported, in µs.
    clock_us: u64,
    /// The earliest end of a frame not settled yet (`u64::MAX` if none).
    next_settle_us: u64,
}

impl Medium {
    /// An empty medium where signals follow `model`.
    pub fn new(model: LinkModel) -> Self {
        Medium { model, radios: Vec::new(), frames: Vec::new(), clock_us: 0, next_settle_us: u64::MAX }
    }

    /// The link model signals follow.
    pub fn model(&self) -> &LinkModel {
        &self.model
    }

    /// Adds a radio at `position`, its receiver off.
    pub fn add_radio(&mut self, position: Position) -> RadioId {
        self.radios.push(Radio {
            position,
            listen: Listen::Off,
            tx_start_us: 0,
            tx_end_us: 0,
            inbox: Inbox::default(),
        });
        self.radios.len() - 1
    }

    /// Moves a radio; frames sent from then on see the new position.
    pub fn set_position(&mut self, radio: RadioId, position: Position) {
        self.radios[radio].position = position;
    }

    /// Where a radio is.
    pub fn position(&self, radio: RadioId) -> Position {
        self.radios[radio].position
    }

    /// Sets what the radio's receiver hears from `at_us` on. A change after a
    /// frame's lock time (see [`DETECTION_SYMBOLS`]) loses that frame if the
    /// radio was receiving it; a frame whose lock time is not past yet is
    /// judged by the new setting (the scheduler may ask
    /// [`Medium::next_arrival_us`] afterwards). Setting the same value again
    /// is not a change.
    pub fn listen(&mut self, radio: RadioId, at_us: u64, listen: Listen) {
        self.settle(at_us);
        if self.radios[radio].listen == listen {
            return;
        }
        self.radios[radio].listen = listen;
        for index in 0..self.frames.len() {
            let frame = &self.frames[index];
            if frame.settled || frame.from == radio || frame.end_us <= at_us {
                continue;
            }
            let listener = if at_us <= frame.lock_us { self.listener(radio, frame) } else { None };
            let listeners = &mut self.frames[index].listeners;
            listeners.retain(|l| l.radio != radio);
            listeners.extend(listener);
        }
    }

    /// Puts a frame on the air from `radio` at `at_us`. The radio stops
    /// receiving while it transmits (frames on the air are lost to it) and
    /// never receives its own frame.
    pub fn transmit(&mut self, radio: RadioId, at_us: u64, tx: Transmission) -> Result<TxReport, Busy> {
        self.settle(at_us);
        if self.is_transmitting(radio, at_us) {
            return Err(Busy { radio, until_us: self.radios[radio].tx_end_us });
        }
        let time_on_air_us = time_on_air_us(&tx.phy, tx.payload.len());
        let end_us = at_us.saturating_add(time_on_air_us);
        let lock_us = at_us.saturating_add(lock_delay_us(&tx.phy));
        for frame in self.frames.iter_mut().filter(|f| !f.settled && f.blocked_by_transmission(at_us, end_us)) {
            frame.listeners.retain(|l| l.radio != radio);
        }
        let sender = &mut self.radios[radio];
        sender.tx_start_us = at_us;
        sender.tx_end_us = end_us;
        let mut frame = Frame {
            from: radio,
            origin: sender.position,
            tx,
            start_us: at_us,
            lock_us,
            end_us,
            listeners: Vec::new(),
            settled: false,
        };
        frame.listeners = (0..self.radios.len()).filter_map(|q| self.listener(q, &frame)).collect();
        let candidates = frame.listeners.iter().map(|l| (l.radio, end_us)).collect();
        self.frames.push(frame);
        self.next_settle_us = self.next_settle_us.min(end_us);
        Ok(TxReport { end_us, time_on_air_us, candidates })
    }

    /// The frames `radio` received that ended by `now_us`, in end-time
    /// order; they are forgotten once taken.
    pub fn take_received(&mut self, radio: RadioId, now_us: u64) -> Vec<Reception> {
        self.settle(now_us);
        self.radios[radio].inbox.take_ended_by(now_us)
    }

    /// The strongest power (dBm) at `radio` of a frame from another radio on
    /// the air at `now_us` on the channel `frequency_hz`, however weak, or
    /// `None` if the channel is silent (what `ischannel_free` compares with
    /// its threshold).
    pub fn rssi_now(&self, radio: RadioId, now_us: u64, frequency_hz: u32) -> Option<f64> {
        let here = self.radios[radio].position;
        self.frames
            .iter()
            .filter(|f| {
                f.from != radio
                    && f.start_us <= now_us
                    && now_us < f.end_us
                    && same_channel(frequency_hz, f.tx.phy.frequency_hz, f.tx.phy.bandwidth_hz)
            })
            .map(|f| self.model.rssi_dbm(f.tx.power_dbm, f.origin, here))
            .max_by(f64::total_cmp)
    }

    /// Whether `radio` is on the air at `now_us`.
    pub fn is_transmitting(&self, radio: RadioId, now_us: u64) -> bool {
        let r = &self.radios[radio];
        r.tx_start_us <= now_us && now_us < r.tx_end_us
    }

    /// The end time of the earliest frame that may still reach `radio`
    /// (received and not taken, or on the air with the radio listening),
    /// i.e. when to wake it next; `None` if nothing is coming.
    pub fn next_arrival_us(&self, radio: RadioId) -> Option<u64> {
        let waiting = self.radios[radio].inbox.first_end_us();
        let on_air = self
            .frames
            .iter()
            .filter(|f| !f.settled && f.listeners.iter().any(|l| l.radio == radio))
            .map(|f| f.end_us)
            .min();
        waiting.into_iter().chain(on_air).min()
    }

    /// The end of the frame `radio` is receiving at `now_us` (on the air, the
    /// radio listening to it), if any: a receive window that times out then
    /// stays open until that end, as the SX1276's does once it detected a
    /// preamble.
    pub fn receiving_until_us(&self, radio: RadioId, now_us: u64) -> Option<u64> {
        self.frames
            .iter()
            .filter(|f| !f.settled && f.start_us <= now_us && f.listeners.iter().any(|l| l.radio == radio))
            .map(|f| f.end_us)
            .max()
    }

    /// How many frames the medium remembers (on the air, or overlapping one
    /// that is); stays bounded over long runs.
    pub fn frames_in_memory(&self) -> usize {
        self.frames.len()
    }

    /// `radio` as a listener of `frame`, if its receiver is set to hear it,
    /// it does not transmit meanwhile and the frame is strong enough there.
    fn listener(&self, radio: RadioId, frame: &Frame) -> Option<Listener> {
        let r = &self.radios[radio];
        let phy = &frame.tx.phy;
        if radio == frame.from
            || !r.listen.hears(phy, frame.tx.iq_inverted)
            || frame.blocked_by_transmission(r.tx_start_us, r.tx_end_us)
        {
            return None;
        }
        let rssi_dbm = self.model.rssi_dbm(frame.tx.power_dbm, frame.origin, r.position);
        let decodable = rssi_dbm >= sensitivity_dbm(phy.sf, phy.bandwidth_hz)
            && self.model.snr_db(rssi_dbm, phy.bandwidth_hz) >= snr_limit_db(phy.sf);
        decodable.then_some(Listener { radio, rssi_dbm })
    }

    /// Advances the medium's clock to `now_us` (if later) and settles every
    /// frame that ended by then, in end-time order; then forgets frames that
    /// can no longer matter.
    fn settle(&mut self, now_us: u64) {
        self.clock_us = self.clock_us.max(now_us);
        if self.next_settle_us > self.clock_us {
            return;
        }
        for index in crate::due::ended_by(&self.frames, self.clock_us, |f| f.settled, |f| f.end_us) {
            self.deliver(index);
        }
        let unsettled = self.frames.iter().filter(|f| !f.settled);
        self.next_settle_us = unsettled.clone().map(|f| f.end_us).min().unwrap_or(u64::MAX);
        let horizon = unsettled.map(|f| f.start_us).min().unwrap_or(u64::MAX).min(self.clock_us);
        self.frames.retain(|f| !f.settled || f.end_us > horizon);
    }

    /// Decides frame `index`'s fate at each of its listeners and puts it in
    /// the inboxes of those where no overlapping frame destroyed it.
    fn deliver(&mut self, index: usize) {
        let frame = &self.frames[index];
        let interferers: Vec<&Frame> = self
            .frames
            .iter()
            .enumerate()
            .filter(|&(j, g)| j != index && frame.collides_with(g))
            .map(|(_, g)| g)
            .collect();
        let mut deliveries = Vec::new();
        for listener in &frame.listeners {
            let here = self.radios[listener.radio].position;
            let captured = interferers.iter().all(|g| {
                g.from != listener.radio
                    && listener.rssi_dbm >= self.model.rssi_dbm(g.tx.power_dbm, g.origin, here) + CAPTURE_MARGIN_DB
            });
            if captured {
                deliveries.push((listener.radio, self.reception(frame, listener)));
            }
        }
        let frame = &mut self.frames[index];
        frame.listeners.clear();
        frame.settled = true;
        for (radio, reception) in deliveries {
            self.radios[radio].inbox.put(reception);
        }
    }

    /// What `listener` receives of `frame`.
    fn reception(&self, frame: &Frame, listener: &Listener) -> Reception {
        Reception {
            from: frame.from,
            payload: frame.tx.payload.clone(),
            phy: frame.tx.phy,
            iq_inverted: frame.tx.iq_inverted,
            rssi_dbm: listener.rssi_dbm,
            snr_db: self.model.snr_db(listener.rssi_dbm, frame.tx.phy.bandwidth_hz),
            start_us: frame.start_us,
            end_us: frame.end_us,
        }
    }
}

/// From a frame's start to its lock time: its preamble but the last
/// [`DETECTION_SYMBOLS`].
fn lock_delay_us(phy: &LoraPhy) -> u64 {
    (f64::from(phy.preamble.saturating_sub(DETECTION_SYMBOLS)) * symbol_time_us(phy)) as u64
}
