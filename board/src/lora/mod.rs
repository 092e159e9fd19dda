//! The LoRa radio of a LoPy4 or FiPy (an SX1276) and the firmware's LoRa
//! task around it (`modlora.c`): raw LoRa frames, or LoRaWAN class A or C through
//! the node MAC of [`pycom_lorawan`], on the air the boards share
//! ([`air::Air`]).
//!
//! The task works on device time: [`LoraRadio::advance`] carries out every
//! step that fell due (a frame's end, a receive window opening or closing,
//! a join retry, an ACK timeout) at its own time, and
//! [`LoraRadio::next_due_us`] tells sleeps where the next one is.

pub mod air;
pub mod network;
mod rx_timing;
mod settings;
pub mod udp_server;
mod wan;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use pycom_lorawan::{Activation, Region};
use pycom_radio::{Listen, LoraPhy, RadioId, Transmission, time_on_air_ms};

pub use settings::{Bandwidth, DeviceClass, LoraSettings, PowerMode, StackMode};
use wan::Wan;

use air::Air;

use crate::rx_queue::RxQueue;

/// `LoRa.RX_PACKET_EVENT`.
pub const RX_PACKET_EVENT: u8 = 0x01;
/// `LoRa.TX_PACKET_EVENT`.
pub const TX_PACKET_EVENT: u8 = 0x02;
/// `LoRa.TX_FAILED_EVENT`.
pub const TX_FAILED_EVENT: u8 = 0x04;
/// Frames the receive queue holds (`LORA_DATA_QUEUE_SIZE_MAX`); more are dropped.
const RX_QUEUE_LEN: usize = 7;
/// Uplinks waiting behind the one in progress (the command queue's length).
const TX_QUEUE_LEN: usize = 7;
/// Largest frame the radio sends or keeps (`LORA_PAYLOAD_SIZE_MAX`).
pub const PAYLOAD_MAX: usize = 255;

/// `lora.stats()`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoraStats {
    /// Device time (µs, 32-bit) of the last reception.
    pub rx_timestamp: u32,
    /// RSSI of the last reception, in dBm.
    pub rssi: i32,
    /// SNR of the last reception, in whole dB (-32 to 31).
    pub snr: f64,
    /// Spreading factor (raw LoRa) or data rate (LoRaWAN) of the last reception.
    pub sfrx: u8,
    /// Spreading factor (raw LoRa) or data rate (LoRaWAN) of the last transmission.
    pub sftx: u8,
    /// Retransmissions of the last confirmed uplink.
    pub tx_trials: u8,
    /// Transmit power in dBm.
    pub tx_power: i32,
    /// Time on air of the last transmission, in ms.
    pub tx_time_on_air: u32,
    /// Frames sent (raw) or the uplink counter (LoRaWAN).
    pub tx_counter: u32,
    /// Frequency of the last transmission, in Hz.
    pub tx_frequency: u32,
}

/// Why the radio refuses a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoraError {
    /// `LoRa()` was not called since boot, or the radio sleeps (`ENETDOWN`).
    #[error("the radio is not initialised or sleeps")]
    Down,
    /// A LoRaWAN send before the device joined (`ENETDOWN`).
    #[error("not joined")]
    NotJoined,
    /// The frame does not fit (`EMSGSIZE`).
    #[error("message too long")]
    TooLong,
    /// The command queue is full (`EAGAIN`).
    #[error("the radio is busy")]
    Busy,
    /// The request does not fit the mode (`OSError: the requested operation is not possible`).
    #[error("the requested operation is not possible")]
    NotPossible,
    /// A data rate the region does not allow (`EOPNOTSUPP`).
    #[error("invalid data rate")]
    DataRate,
}

/// A frame received and not read yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The payload.
    pub data: Vec<u8>,
    /// The LoRaWAN FPort (0 in raw mode).
    pub port: u8,
}

/// The radio and its task.
#[derive(Debug)]
pub struct LoraRadio {
    air: Arc<Air>,
    id: RadioId,
    /// The DevEUI (`lora.mac()`).
    mac: [u8; 8],
    settings: Option<LoraSettings>,
    listening: Listen,
    rx: RxQueue<u8>,
    stats: LoraStats,
    events: u8,
    trigger: u8,
    /// A callback is due.
    irq: bool,
    /// Raw mode: the frame on the air, until when, and its ticket.
    raw_tx: Option<(u64, u64)>,
    /// Raw mode: frames waiting for the one on the air.
    raw_queue: VecDeque<(u64, Vec<u8>)>,
    wan: Option<Wan>,
    /// Tickets of finished sends: whether each went well.
    finished: BTreeMap<u64, bool>,
    next_ticket: u64,
}

impl LoraRadio {
    /// A radio with DevEUI `mac` on `air` as radio `id`, not initialised.
    pub fn new(air: Arc<Air>, id: RadioId, mac: [u8; 8]) -> Self {
        Self {
            air,
            id,
            mac,
            settings: None,
            listening: Listen::Off,
            rx: RxQueue::new(RX_QUEUE_LEN),
            stats: LoraStats::default(),
            events: 0,
            trigger: 0,
            irq: false,
            raw_tx: None,
            raw_queue: VecDeque::new(),
            wan: None,
            finished: BTreeMap::new(),
            next_ticket: 0,
        }
    }

    /// The DevEUI.
    pub fn mac(&self) -> [u8; 8] {
        self.mac
    }

    /// The settings, once `LoRa()` ran.
    pub fn settings(&self) -> Option<&LoraSettings> {
        self.settings.as_ref()
    }

    /// `LoRa(...)` / `lora.init(...)` at `now_us`: the radio restarts with
    /// `settings`; a LoRaWAN stack starts unjoined unless a saved session is
    /// given (`nvram_restore`), `seed` feeding its nonces.
    pub fn init(&mut self, settings: LoraSettings, now_us: u64, seed: u64, restored: Option<Vec<u8>>) {
        self.raw_tx = None;
        self.raw_queue.clear();
        self.stats.tx_power = i32::from(settings.tx_power);
        self.wan = match settings.mode {
            StackMode::Lora => None,
            StackMode::Lorawan => Some(Wan::new(&settings, seed, restored)),
        };
        self.settings = Some(settings);
        self.listen_idle(now_us);
    }

    /// `lora.power_mode(mode)`.
    pub fn set_power_mode(&mut self, mode: PowerMode, now_us: u64) {
        if let Some(settings) = &mut self.settings {
            settings.power_mode = mode;
        }
        self.listen_idle(now_us);
    }

    /// `lora.callback(trigger, ...)`: which events raise the handler.
    pub fn set_trigger(&mut self, trigger: u8) {
        self.trigger = trigger;
    }

    /// `lora.events()`: the events since the last call, cleared.
    pub fn take_events(&mut self) -> u8 {
        std::mem::take(&mut self.events)
    }

    /// Whether the callback is due; clears the request.
    pub fn take_irq(&mut self) -> bool {
        std::mem::take(&mut self.irq)
    }

    /// `lora.stats()`.
    pub fn stats(&self) -> LoraStats {
        self.stats
    }

    /// `lora.has_joined()`.
    pub fn has_joined(&self) -> bool {
        self.wan.as_ref().is_some_and(Wan::joined)
    }

    /// `lora.airtime(len)`: time on air in ms of a `len`-byte frame with
    /// the raw settings.
    pub fn airtime_ms(&self, len: usize) -> u64 {
        self.settings.as_ref().map_or(0, |s| time_on_air_ms(&s.phy(), len))
    }

    /// `lora.ischannel_free(threshold, ms)` over `[from_us, to_us]`: no signal at
    /// or above `threshold_dbm` on the radio's frequency.
    pub fn channel_free(&self, threshold_dbm: i32, from_us: u64, to_us: u64) -> bool {
        let Some(settings) = &self.settings else { return true };
        [from_us, to_us]
            .iter()
            .filter_map(|&at| self.air.rssi_now(self.id, at, settings.frequency_hz))
            .all(|rssi| rssi < f64::from(threshold_dbm))
    }

    /// `recv(len)`: up to `len` bytes of the next frame in the receive
    /// queue, or of the rest a shorter read left of the last one (which
    /// the next read returns before any other frame), with the frame's port.
    pub fn read(&mut self, len: usize) -> Option<Received> {
        self.rx.read(len).map(|(data, port)| Received { data, port })
    }

    /// Whether another send fits in the command queue.
    fn tx_space(&self) -> bool {
        match &self.wan {
            Some(wan) => wan.queued() < TX_QUEUE_LEN,
            None => self.raw_queue.len() < TX_QUEUE_LEN,
        }
    }

    /// Raw mode `send`: the frame goes on the air now, or after the one on
    /// the air; returns a ticket for [`LoraRadio::finished`].
    pub fn send_raw(&mut self, data: &[u8], now_us: u64) -> Result<u64, LoraError> {
        self.can_send(data)?;
        if !self.tx_space() {
            return Err(LoraError::Busy);
        }
        let ticket = self.ticket();
        self.raw_queue.push_back((ticket, data.to_vec()));
        self.advance(now_us);
        Ok(ticket)
    }

    /// LoRaWAN `send` on `port` at `dr`: returns a ticket for [`LoraRadio::finished`].
    pub fn send_uplink(
        &mut self,
        port: u8,
        data: &[u8],
        confirmed: bool,
        dr: u8,
        now_us: u64,
    ) -> Result<u64, LoraError> {
        self.can_send(data)?;
        let ticket = self.next_ticket;
        let wan = self.wan.as_mut().ok_or(LoraError::NotPossible)?;
        wan.queue_uplink(ticket, port, data, confirmed, dr)?;
        self.next_ticket += 1;
        self.advance(now_us);
        Ok(ticket)
    }

    /// Whether the radio can send `data` at all: set up, awake, and the
    /// frame no longer than the radio takes.
    fn can_send(&self, data: &[u8]) -> Result<(), LoraError> {
        let settings = self.settings.as_ref().ok_or(LoraError::Down)?;
        if settings.power_mode == PowerMode::Sleep {
            return Err(LoraError::Down);
        }
        if data.len() > PAYLOAD_MAX {
            return Err(LoraError::TooLong);
        }
        Ok(())
    }

    /// `lora.join(...)`: the join starts now (OTAA) or is made at once (ABP).
    pub fn join(&mut self, activation: Activation, dr: u8, now_us: u64) -> Result<(), LoraError> {
        let wan = self.wan.as_mut().ok_or(LoraError::NotPossible)?;
        wan.join(activation, dr);
        self.advance(now_us);
        Ok(())
    }

    /// `lora.add_channel(index, frequency=, dr_min=, dr_max=)` (LoRaWAN; the
    /// firmware ignores it in raw mode and when the region refuses it).
    pub fn add_channel(&mut self, index: usize, frequency_hz: u32, dr_min: u8, dr_max: u8) {
        if let Some(wan) = self.wan.as_mut() {
            let channel = pycom_lorawan::Channel { frequency_hz, min_dr: dr_min, max_dr: dr_max };
            let _ = wan.node().add_channel(index, channel);
        }
    }

    /// `lora.remove_channel(index)` (LoRaWAN; ignored as `add_channel` is).
    pub fn remove_channel(&mut self, index: usize) {
        if let Some(wan) = self.wan.as_mut() {
            let _ = wan.node().remove_channel(index);
        }
    }

    /// `join(timeout=...)` ran out: no more join attempts.
    pub fn stop_join_retries(&mut self) {
        if let Some(wan) = self.wan.as_mut() {
            wan.stop_join_retries();
        }
    }

    /// Whether the send with `ticket` is over: `Some(true)` sent (and
    /// acknowledged, if confirmed), `Some(false)` failed.
    pub fn finished(&mut self, ticket: u64) -> Option<bool> {
        self.finished.remove(&ticket)
    }

    /// The region of a LoRaWAN stack.
    pub fn region(&self) -> Option<Region> {
        self.settings.as_ref().map(|s| s.region)
    }

    /// The LoRaWAN session to keep in NVS (`nvram_save`), if joined.
    pub fn saved_session(&self) -> Option<Vec<u8>> {
        self.wan.as_ref().filter(|w| w.joined()).map(Wan::save)
    }

    /// Device time of the task's next step, if one is scheduled.
    pub fn next_due_us(&self) -> Option<u64> {
        let arrival = (self.listening != Listen::Off).then(|| self.air.next_arrival_us(self.id)).flatten();
        [arrival, self.next_step_us()].into_iter().flatten().min()
    }

    /// Device time of the task's own next step: the raw frame's end or the
    /// LoRaWAN operation's next phase.
    fn next_step_us(&self) -> Option<u64> {
        let raw = self.raw_tx.map(|(end, _)| end);
        let wan = self.wan.as_ref().and_then(|wan| wan.next_due_us(&self.air, self.id));
        [raw, wan].into_iter().flatten().min()
    }

    /// Carries out every step due by `now_us`, each at its own time.
    pub fn advance(&mut self, now_us: u64) {
        while let Some(at) = self.next_step_us().filter(|&at| at <= now_us) {
            self.step(at);
        }
        self.start_raw(now_us);
        self.start_wan(now_us);
        self.receive_raw(now_us);
        self.receive_class_c(now_us);
    }

    fn step(&mut self, at: u64) {
        if let Some((end, ticket)) = self.raw_tx
            && end <= at
        {
            self.raw_tx = None;
            self.finished.insert(ticket, true);
            self.raise(TX_PACKET_EVENT);
            // The task puts the radio back in receive after every frame.
            self.listen_as(at, self.raw_listen(true));
            self.start_raw(at);
            return;
        }
        if let Some(wan) = self.wan.as_mut() {
            let outcome = wan.step(at, &self.air, self.id);
            self.apply(outcome, at);
            self.start_wan(at);
        }
    }

    /// LoRaWAN: the asked-for join or the next uplink goes on the air at
    /// `at` if the radio is free.
    fn start_wan(&mut self, at: u64) {
        let Some(wan) = self.wan.as_mut().filter(|w| w.has_work()) else { return };
        let mut outcome = wan::StepOutcome::default();
        wan.start_next(at, &self.air, self.id, &mut outcome);
        self.apply(outcome, at);
    }

    /// Applies what a LoRaWAN step did.
    fn apply(&mut self, outcome: wan::StepOutcome, at: u64) {
        if let Some(listen) = outcome.listen {
            self.listen_as(at, listen);
        }
        if let Some(tx) = outcome.sent {
            self.stats.sftx = tx.dr;
            self.stats.tx_time_on_air = whole_ms(tx.time_on_air_us);
            self.stats.tx_frequency = tx.frequency_hz;
            self.stats.tx_counter = tx.counter;
            self.stats.tx_trials = tx.trials;
            self.stats.tx_power = i32::from(tx.power_dbm);
        }
        for frame in outcome.received {
            self.note_reception(frame.end_us, frame.rssi_dbm, frame.snr_db, frame.dr);
            if let Some(data) = frame.data {
                self.queue_frame(data);
            }
        }
        if let Some((ticket, ok)) = outcome.finished {
            self.finished.insert(ticket, ok);
            self.raise(if ok { TX_PACKET_EVENT } else { TX_FAILED_EVENT });
        }
    }

    /// `lora.stats()`'s receive figures for a frame that ended at `end_us`.
    fn note_reception(&mut self, end_us: u64, rssi_dbm: f64, snr_db: f64, sfrx: u8) {
        self.stats.rx_timestamp = end_us as u32;
        self.stats.rssi = rssi_dbm.round() as i32;
        self.stats.snr = packet_snr(snr_db);
        self.stats.sfrx = sfrx;
    }

    fn queue_frame(&mut self, frame: Received) {
        self.rx.push(frame.data, frame.port);
        self.raise(RX_PACKET_EVENT);
    }

    fn raise(&mut self, event: u8) {
        self.events |= event;
        if self.trigger & event != 0 {
            self.irq = true;
        }
    }

    fn ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket - 1
    }

    /// Raw mode: the next queued frame goes on the air once the radio is free.
    fn start_raw(&mut self, now_us: u64) {
        if self.raw_tx.is_some() {
            return;
        }
        let Some(settings) = self.settings.clone().filter(|s| s.mode == StackMode::Lora) else { return };
        let Some((ticket, data)) = self.raw_queue.pop_front() else { return };
        let tx = Transmission {
            phy: settings.phy(),
            iq_inverted: settings.tx_iq,
            power_dbm: f64::from(settings.tx_power),
            payload: data,
        };
        let Some(report) = self.air.transmit(self.id, now_us, tx) else {
            self.finished.insert(ticket, false);
            return;
        };
        self.listening = Listen::Off;
        self.raw_tx = Some((report.end_us, ticket));
        self.stats.sftx = settings.sf;
        self.stats.tx_time_on_air = whole_ms(report.time_on_air_us);
        self.stats.tx_counter += 1;
        self.stats.tx_frequency = settings.frequency_hz;
    }

    /// Raw mode: the frames heard by `now_us` join the receive queue.
    fn receive_raw(&mut self, now_us: u64) {
        if self.wan.is_some() || self.settings.is_none() {
            return;
        }
        for frame in self.air.take_received(self.id, now_us) {
            if frame.payload.len() > PAYLOAD_MAX {
                continue;
            }
            self.note_reception(frame.end_us, frame.rssi_dbm, frame.snr_db, frame.phy.sf);
            self.queue_frame(Received { data: frame.payload, port: 0 });
        }
    }

    /// LoRaWAN class C: the downlinks heard in RX2 between operations by
    /// `now_us` join the receive queue.
    fn receive_class_c(&mut self, now_us: u64) {
        let Some(wan) = self.wan.as_mut() else { return };
        let outcome = wan.hear_idle(now_us, &self.air, self.id);
        self.apply(outcome, now_us);
    }

    /// What a raw-mode receiver listens with; `after_tx`: the task's return
    /// to receive after a frame, whatever the power mode, unless asleep.
    fn raw_listen(&self, after_tx: bool) -> Listen {
        match &self.settings {
            Some(s) if s.power_mode == PowerMode::AlwaysOn || (after_tx && s.power_mode != PowerMode::Sleep) => {
                Listen::Node { phy: s.phy(), iq_inverted: s.rx_iq }
            }
            _ => Listen::Off,
        }
    }

    /// The receiver between operations.
    fn listen_idle(&mut self, now_us: u64) {
        let listen = match &self.wan {
            None => self.raw_listen(false),
            Some(wan) => wan.idle_listen(),
        };
        self.listen_as(now_us, listen);
    }

    fn listen_as(&mut self, at: u64, listen: Listen) {
        if listen != self.listening {
            self.air.listen(self.id, at, listen.clone());
            self.listening = listen;
        }
    }
}

/// A time on air in µs as `stats()` shows it: whole ms, rounded up, as the
/// radio driver's `TimeOnAir`.
fn whole_ms(us: u64) -> u32 {
    u32::try_from(us.div_ceil(1000)).unwrap_or(u32::MAX)
}

/// The SNR `lora.stats()` shows for a frame of `snr_db`: the SX1276's
/// packet SNR register (a signed byte of quarter dB, -32 to +31.75 dB) in
/// whole dB, rounded towards zero as the firmware's integer division does.
fn packet_snr(snr_db: f64) -> f64 {
    let register = (snr_db * 4.0).round().clamp(-128.0, 127.0) as i32;
    f64::from(register / 4)
}

/// What the radio of a raw-mode setup sends with.
impl LoraSettings {
    /// The frame settings of raw mode.
    pub fn phy(&self) -> LoraPhy {
        LoraPhy {
            frequency_hz: self.frequency_hz,
            sf: self.sf,
            bandwidth_hz: self.bandwidth.hz(),
            coding_rate: self.coding_rate,
            preamble: self.preamble,
            crc: true,
            implicit_header: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::packet_snr;

    #[test]
    fn the_snr_of_a_frame_is_shown_in_whole_db_within_the_registers_range() {
        assert_eq!(packet_snr(7.6), 7.0);
        assert_eq!(packet_snr(-7.6), -7.0);
        assert_eq!(packet_snr(-0.2), 0.0);
        assert_eq!(packet_snr(64.0), 31.0);
        assert_eq!(packet_snr(-40.0), -32.0);
    }
}
