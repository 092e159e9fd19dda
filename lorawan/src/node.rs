//! The device's LoRaWAN 1.0.2 MAC, as the firmware's LoRaMac behaves: OTAA and ABP activation,
//! uplinks on a pseudo-random enabled channel within the duty cycle, downlinks checked and
//! decrypted, MAC commands applied and answered, ADR back-off, confirmed retransmissions and
//! a saved session (`nvram_save`).
//!
//! The node deals in bytes and times only: the caller sends each [`TxPlan`], reports when it
//! went out with [`Node::transmitted`], listens in the plan's RX windows and hands what it
//! hears to [`Node::received`].

mod downlink_commands;
mod receive;
mod saved;

use lorawan::creator::JoinRequestCreator;
use lorawan::keys::AppKey;

use crate::duty_cycle::DutyCycle;
use crate::frame::{self, DataFrame, FCTRL_ACK, FCTRL_ADR, FCTRL_ADR_ACK_REQ, MAX_FOPTS};
use crate::keys::{DevAddr, Eui, Key};
use crate::region::{Channel, Region};
use crate::rng::Rng;

/// How a device gets its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// Over-the-air activation: a join request, keys derived from the join accept.
    Otaa {
        /// The device's EUI.
        dev_eui: Eui,
        /// The application's (join server's) EUI.
        app_eui: Eui,
        /// The root key the join accept is sealed with.
        app_key: Key,
    },
    /// Activation by personalisation: the session is given.
    Abp {
        /// The device's address.
        dev_addr: DevAddr,
        /// The network session key (MIC, MAC commands on port 0).
        nwk_skey: Key,
        /// The application session key (payload encryption).
        app_skey: Key,
    },
}

/// A receive window: when it opens and what the radio listens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RxWindow {
    /// Delay from the end of the uplink, in µs.
    pub delay_us: u64,
    /// Frequency in Hz.
    pub frequency_hz: u32,
    /// Spreading factor.
    pub sf: u8,
    /// Bandwidth in Hz.
    pub bandwidth_hz: u32,
}

/// A frame to transmit, with the two windows to listen in afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxPlan {
    /// Uplink frequency in Hz.
    pub frequency_hz: u32,
    /// Data rate index.
    pub dr: u8,
    /// Spreading factor of `dr`.
    pub sf: u8,
    /// Bandwidth of `dr` in Hz.
    pub bandwidth_hz: u32,
    /// The PHYPayload bytes.
    pub payload: Vec<u8>,
    /// The first receive window.
    pub rx1: RxWindow,
    /// The second receive window.
    pub rx2: RxWindow,
}

/// Why a received frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoreReason {
    /// Not a LoRaWAN frame the parser accepts.
    Malformed,
    /// An uplink or join request (another device's transmission).
    NotADownlink,
    /// A join accept while no join is pending.
    NoJoinPending,
    /// A data frame before the device has joined.
    NotJoined,
    /// A frame for another device address.
    WrongAddress,
    /// The MIC does not match (wrong key, or a counter that is not ahead).
    BadMic,
    /// The frame counter repeats the last one received.
    OldCounter,
    /// The frame counter jumped by more than the region's MAX_FCNT_GAP.
    CounterGap,
}

/// What a received frame meant to the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// The join accept was valid: the device has joined.
    JoinAccepted,
    /// A data downlink for this device.
    Data {
        /// FPort, or None for a frame without payload.
        port: Option<u8>,
        /// The decrypted application payload (empty on port 0, which carries MAC commands).
        payload: Vec<u8>,
        /// The network acknowledges the last confirmed uplink.
        ack: bool,
        /// The network has more downlinks queued.
        pending: bool,
    },
    /// The frame was dropped.
    Ignored(IgnoreReason),
}

/// Why the MAC cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MacError {
    /// No session yet: join first.
    #[error("the device has not joined a network")]
    NotJoined,
    /// Payload (with the pending MAC answers) longer than the data rate allows.
    #[error("payload too long: at most {max} bytes at this data rate")]
    PayloadTooLong {
        /// Bytes the application may send at this data rate now.
        max: usize,
    },
    /// Every channel that could carry the frame is in its duty-cycle time-off.
    #[error("duty cycle: the next transmission may start in {wait_us} µs")]
    DutyCycle {
        /// How long until a channel is free.
        wait_us: u64,
    },
    /// FPort outside 1..=223.
    #[error("invalid port: application ports are 1 to 223")]
    InvalidPort,
    /// A data rate the region or the enabled channels do not have.
    #[error("invalid data rate")]
    InvalidDataRate,
    /// A channel index, frequency or data-rate range the region's MAC refuses.
    #[error("invalid channel")]
    InvalidChannel,
    /// A saved session that is damaged, from another version or another region.
    #[error("saved LoRaWAN session is invalid: {0}")]
    BadSavedState(&'static str),
}

/// LoRaMac's `BAT_LEVEL_NO_MEASURE`, which the firmware reports until `set_battery_level`.
const BATTERY_NOT_MEASURED: u8 = 255;
/// The default `tx_retries` of `network.LoRa()`.
const DEFAULT_TX_RETRIES: u8 = 2;

/// An active session: address, keys and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Session {
    dev_addr: DevAddr,
    net_id: u32,
    nwk_skey: Key,
    app_skey: Key,
    /// The counter of the next new uplink.
    fcnt_up: u32,
    /// The counter of the last downlink received (0 before any).
    fcnt_down: u32,
}

/// A join request on the air, waiting for its accept.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PendingJoin {
    app_key: Key,
    dev_nonce: u16,
}

/// The last confirmed uplink, kept for retransmission until acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PendingConfirmed {
    port: u8,
    payload: Vec<u8>,
    fcnt: u32,
    dr: u8,
    /// Transmissions so far (LoRaMac's AckTimeoutRetriesCounter).
    attempts: u8,
}

/// What ADR does to the next uplink (LoRaMac's `AdrNext` result).
#[derive(Debug, Clone, Copy)]
struct AdrStep {
    /// The data rate to send at.
    dr: u8,
    /// Back to TX power index 0.
    full_power: bool,
    /// Set ADRACKReq.
    request: bool,
    /// At the lowest rate ADR has nothing left to try: the counter restarts.
    reset_counter: bool,
}

/// The radio parameters of the last plan, for [`Node::transmitted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LastTx {
    frequency_hz: u32,
    join: bool,
}

/// The device's LoRaWAN MAC.
#[derive(Debug, Clone)]
pub struct Node {
    region: Region,
    rng: Rng,
    session: Option<Session>,
    join: Option<PendingJoin>,
    /// The DevNonce of the last join request.
    last_dev_nonce: u16,
    /// Channel table by index (None = not defined), as the region's `Channels[]`.
    channels: Vec<Option<Channel>>,
    /// Channel mask: which defined channels are enabled.
    enabled: Vec<bool>,
    /// RX1 frequency per channel set by DlChannelReq (None = the uplink frequency).
    rx1_frequencies: Vec<Option<u32>>,
    dr: u8,
    tx_power: u8,
    nb_rep: u8,
    adr: bool,
    adr_ack_counter: u32,
    rx1_dr_offset: u8,
    rx2: (u32, u8),
    rx_delay_s: u8,
    duty_cycle: DutyCycle,
    /// MAC answers for the next uplink's FOpts.
    mac_answers: Vec<u8>,
    /// Answers repeated in every uplink until a downlink arrives (RXParamSetupAns...).
    sticky_answers: Vec<u8>,
    /// A confirmed downlink arrived: the next uplink sets ACK.
    ack_downlink: bool,
    confirmed: Option<PendingConfirmed>,
    tx_retries: u8,
    last_tx: Option<LastTx>,
    link_check: Option<(u8, u8)>,
    battery: u8,
    downlink_snr_db: f64,
}

impl Node {
    /// A device in `region` that has not joined; `seed` fixes its random choices.
    pub fn new(region: Region, seed: u64) -> Self {
        let mut node = Node {
            region,
            rng: Rng::new(seed),
            session: None,
            join: None,
            last_dev_nonce: 0,
            channels: Vec::new(),
            enabled: Vec::new(),
            rx1_frequencies: Vec::new(),
            dr: region.default_dr(),
            tx_power: 0,
            nb_rep: 1,
            adr: false,
            adr_ack_counter: 0,
            rx1_dr_offset: 0,
            rx2: region.rx2_default(),
            rx_delay_s: 1,
            duty_cycle: DutyCycle::default(),
            mac_answers: Vec::new(),
            sticky_answers: Vec::new(),
            ack_downlink: false,
            confirmed: None,
            tx_retries: DEFAULT_TX_RETRIES,
            last_tx: None,
            link_check: None,
            battery: BATTERY_NOT_MEASURED,
            downlink_snr_db: 0.0,
        };
        node.reset_channels();
        node
    }

    /// Back to the region's default channel plan, all default channels enabled.
    fn reset_channels(&mut self) {
        let count = self.region.max_channels();
        self.channels = vec![None; count];
        self.enabled = vec![false; count];
        self.rx1_frequencies = vec![None; count];
        for (index, channel) in self.region.default_channels().into_iter().enumerate() {
            self.channels[index] = Some(channel);
            self.enabled[index] = true;
        }
    }

    /// The device's region.
    pub fn region(&self) -> Region {
        self.region
    }

    /// Starts activation. ABP: the session starts at once (counters 0) and None is returned.
    /// OTAA: the join request to send (a fresh pseudo-random DevNonce, on a random one of the
    /// device's channels, kept as they are, at `dr`, by default the firmware's join data
    /// rate), answered in windows 5 s and 6 s after it; the device joins when
    /// [`Node::received`] gets a valid join accept.
    /// A data rate the region does not allow for this activation gives
    /// [`MacError::InvalidDataRate`] and leaves the node as it was.
    pub fn join(&mut self, activation: Activation, dr: Option<u8>) -> Result<Option<TxPlan>, MacError> {
        let usable = match (&activation, dr) {
            (Activation::Abp { .. }, Some(dr)) => self.region.default_channels().iter().any(|c| c.allows(dr)),
            (Activation::Abp { .. }, None) => true,
            (Activation::Otaa { .. }, dr) => {
                let dr = dr.unwrap_or(self.region.default_join_dr());
                self.region.join_dr_allowed(dr) && !self.join_channels(dr).is_empty()
            }
        };
        if !usable || dr.is_some_and(|dr| self.region.data_rate(dr).is_none()) {
            return Err(MacError::InvalidDataRate);
        }
        self.session = None;
        self.join = None;
        self.confirmed = None;
        self.mac_answers.clear();
        self.sticky_answers.clear();
        self.ack_downlink = false;
        self.adr_ack_counter = 0;
        self.rx1_dr_offset = 0;
        self.rx2 = self.region.rx2_default();
        self.rx_delay_s = 1;
        match activation {
            Activation::Abp { dev_addr, nwk_skey, app_skey } => {
                if let Some(dr) = dr {
                    self.dr = dr;
                }
                self.session = Some(Session { dev_addr, net_id: 0, nwk_skey, app_skey, fcnt_up: 0, fcnt_down: 0 });
                Ok(None)
            }
            Activation::Otaa { dev_eui, app_eui, app_key } => {
                let dr = dr.unwrap_or(self.region.default_join_dr());
                let dev_nonce = self.rng.next_u64() as u16;
                let mut creator = JoinRequestCreator::new();
                creator
                    .set_app_eui(&app_eui.to_air())
                    .set_dev_eui(&dev_eui.to_air())
                    .set_dev_nonce(&dev_nonce.to_le_bytes());
                let payload = creator.build(&AppKey::from(app_key.0)).to_vec();
                let candidates = self.join_channels(dr);
                let channel = *candidates.get(self.rng.below(candidates.len())).ok_or(MacError::InvalidDataRate)?;
                self.dr = dr;
                self.join = Some(PendingJoin { app_key, dev_nonce });
                self.last_dev_nonce = dev_nonce;
                self.last_tx = Some(LastTx { frequency_hz: channel.frequency_hz, join: true });
                let delay = self.region.join_accept_delay1_us();
                Ok(Some(self.plan(channel.frequency_hz, dr, payload, delay)))
            }
        }
    }

    /// The channels a join request at `dr` may go out on: as LoRaMac, the device's own
    /// enabled channels (those `add_channel` redefined before the join included, as Pycom's
    /// single-channel nano-gateway examples do), with the region's join channels enabled.
    fn join_channels(&self, dr: u8) -> Vec<Channel> {
        let join_indices = self.region.join_channels().len();
        self.channels
            .iter()
            .zip(&self.enabled)
            .enumerate()
            .filter(|&(index, (_, &on))| on || index < join_indices)
            .filter_map(|(_, (channel, _))| *channel)
            .filter(|c| c.allows(dr))
            .collect()
    }

    /// Whether the device has a session (ABP, or OTAA with its join accept received).
    pub fn has_joined(&self) -> bool {
        self.session.is_some()
    }

    /// The session's address, once joined.
    pub fn dev_addr(&self) -> Option<DevAddr> {
        self.session.as_ref().map(|s| s.dev_addr)
    }

    /// The counter the next new uplink will carry, and the counter of the last downlink.
    pub fn frame_counters(&self) -> (u32, u32) {
        self.session.as_ref().map_or((0, 0), |s| (s.fcnt_up, s.fcnt_down))
    }

    /// The device's current data rate (the join's, ABP's, or as ADR and LinkADRReq set it).
    pub fn dr(&self) -> u8 {
        self.dr
    }

    /// The current TX power index (0 = the region's maximum; LinkADRReq sets it).
    pub fn tx_power(&self) -> u8 {
        self.tx_power
    }

    /// Turns adaptive data rate on or off (the ADR bit; with it off the device refuses
    /// LinkADRReq changes of data rate or power, as LoRaMac).
    pub fn set_adr(&mut self, on: bool) {
        self.adr = on;
    }

    /// How many times a confirmed uplink is retransmitted without ACK (`tx_retries`, default 2).
    pub fn set_tx_retries(&mut self, retries: u8) {
        self.tx_retries = retries;
    }

    /// The battery level DevStatusAns reports (0 = external power, 1..254, 255 = unknown).
    pub fn set_battery_level(&mut self, level: u8) {
        self.battery = level;
    }

    /// The SNR of the downlink about to be handed to [`Node::received`] (DevStatusAns margin).
    pub fn set_downlink_snr(&mut self, snr_db: f64) {
        self.downlink_snr_db = snr_db;
    }

    /// The last LinkCheckAns: (margin in dB, gateway count).
    pub fn link_check(&self) -> Option<(u8, u8)> {
        self.link_check
    }

    /// Adds a LinkCheckReq to the next uplink.
    pub fn request_link_check(&mut self) {
        self.mac_answers.push(downlink_commands::LINK_CHECK);
    }

    /// The enabled uplink channels, by index.
    pub fn channels(&self) -> Vec<(usize, Channel)> {
        self.channels.iter().enumerate().filter_map(|(i, c)| c.filter(|_| self.enabled[i]).map(|c| (i, c))).collect()
    }

    /// Defines (or redefines) uplink channel `index` and enables it, as `LoRa.add_channel()`
    /// (`Region*ChannelManualAdd`): the index below the region's channel count, DRs in order
    /// and within the uplink range, a frequency the region allows; a default channel of a
    /// dynamic plan must keep DR0 and reach DR5. The firmware ignores a refused channel;
    /// here it is [`MacError::InvalidChannel`] and nothing changes.
    pub fn add_channel(&mut self, index: usize, channel: Channel) -> Result<(), MacError> {
        let dynamic_default = self.region.has_dynamic_channels() && index < self.region.default_channels().len();
        let valid = index < self.channels.len()
            && channel.min_dr <= channel.max_dr
            && channel.max_dr <= self.region.max_uplink_dr()
            && self.region.frequency_allowed(channel.frequency_hz)
            && (!dynamic_default || (channel.min_dr == 0 && channel.max_dr >= 5));
        if !valid {
            return Err(MacError::InvalidChannel);
        }
        self.channels[index] = Some(channel);
        self.enabled[index] = true;
        self.rx1_frequencies[index] = None;
        Ok(())
    }

    /// Removes uplink channel `index`, as `LoRa.remove_channel()`; the default channels of a
    /// dynamic plan (EU868's three...) cannot be removed (`Region*ChannelsRemove`).
    pub fn remove_channel(&mut self, index: usize) -> Result<(), MacError> {
        let dynamic_default = self.region.has_dynamic_channels() && index < self.region.default_channels().len();
        if index >= self.channels.len() || dynamic_default {
            return Err(MacError::InvalidChannel);
        }
        self.channels[index] = None;
        self.enabled[index] = false;
        Ok(())
    }

    /// Whether a confirmed uplink still waits for its ACK. The caller retransmits it with
    /// [`Node::retransmit`] after the RX windows pass without one (LoRaMac's ACK timeout);
    /// a new [`Node::uplink`] gives up on it.
    pub fn confirmed_pending(&self) -> bool {
        self.confirmed.is_some()
    }

    /// The next transmission of the pending confirmed uplink (same FCnt; every second retry a
    /// data rate lower, as LoRaMac), or None once `tx_retries` retransmissions went unanswered
    /// or the lower data rate cannot carry the payload.
    pub fn retransmit(&mut self, now_us: u64) -> Result<Option<TxPlan>, MacError> {
        let Some(mut pending) = self.confirmed.clone() else { return Ok(None) };
        if pending.attempts > self.tx_retries {
            self.confirmed = None;
            return Ok(None);
        }
        pending.attempts += 1;
        if pending.attempts % 2 == 1 {
            pending.dr = self.region.next_lower_dr(pending.dr);
        }
        if pending.payload.len() + self.pending_fopts().len() > self.region.max_payload(pending.dr) {
            // LoRaMac gives up when the lower data rate cannot carry the frame.
            self.confirmed = None;
            return Ok(None);
        }
        let frequency_hz = self.pick_channel(pending.dr, now_us)?;
        let frame = self.data_frame(true, pending.port, &pending.payload, pending.fcnt, 0);
        self.last_tx = Some(LastTx { frequency_hz, join: false });
        let plan = self.plan(frequency_hz, pending.dr, frame, self.receive_delay_us());
        self.confirmed = Some(pending);
        Ok(Some(plan))
    }

    /// A data uplink on FPort `port` at `dr` (None: the device's data rate; ignored with ADR
    /// on, as the firmware), at device time `now_us`. Pending MAC answers ride in FOpts. A
    /// confirmed uplink stays pending until a downlink ACKs it (see [`Node::retransmit`]).
    pub fn uplink(
        &mut self,
        port: u8,
        payload: &[u8],
        confirmed: bool,
        dr: Option<u8>,
        now_us: u64,
    ) -> Result<TxPlan, MacError> {
        if self.session.is_none() {
            return Err(MacError::NotJoined);
        }
        if !(1..=223).contains(&port) {
            return Err(MacError::InvalidPort);
        }
        let requested = match dr {
            Some(dr) if !self.adr => {
                self.check_uplink_dr(dr)?;
                dr
            }
            _ => self.dr,
        };
        let adr = self.adr_next(requested);
        let dr = adr.dr;
        let fopts_len = self.pending_fopts().len();
        let max = self.region.max_payload(dr).saturating_sub(fopts_len);
        if payload.len() > max {
            return Err(MacError::PayloadTooLong { max });
        }
        let frequency_hz = self.pick_channel(dr, now_us)?;
        if adr.full_power {
            self.tx_power = 0;
        }
        if adr.reset_counter {
            self.adr_ack_counter = 0;
        }
        if self.adr {
            self.dr = dr;
        }
        let session = self.session.as_mut().ok_or(MacError::NotJoined)?;
        let fcnt = session.fcnt_up;
        session.fcnt_up = session.fcnt_up.wrapping_add(1);
        let flags = if adr.request { FCTRL_ADR_ACK_REQ } else { 0 };
        let frame = self.data_frame(confirmed, port, payload, fcnt, flags);
        self.mac_answers.clear();
        self.ack_downlink = false;
        self.adr_ack_counter += 1;
        self.confirmed = confirmed.then(|| PendingConfirmed { port, payload: payload.to_vec(), fcnt, dr, attempts: 1 });
        self.last_tx = Some(LastTx { frequency_hz, join: false });
        Ok(self.plan(frequency_hz, dr, frame, self.receive_delay_us()))
    }

    /// Reports that the last planned frame went out from `at_us` to `end_us` (device time), so
    /// its sub-band's duty-cycle time-off starts.
    pub fn transmitted(&mut self, at_us: u64, end_us: u64) {
        if let Some(last) = self.last_tx {
            self.duty_cycle.record(self.region, last.frequency_hz, at_us, end_us, last.join);
        }
    }

    /// The delay from the end of an uplink to RX1 (RXTimingSetupReq can lengthen it).
    fn receive_delay_us(&self) -> u64 {
        self.region.receive_delay1_us() * u64::from(self.rx_delay_s)
    }

    /// Refuses a data rate the region or the enabled channels cannot carry.
    fn check_uplink_dr(&self, dr: u8) -> Result<(), MacError> {
        let usable = dr <= self.region.max_uplink_dr()
            && self.region.data_rate(dr).is_some()
            && self.channels().iter().any(|(_, c)| c.allows(dr));
        if usable { Ok(()) } else { Err(MacError::InvalidDataRate) }
    }

    /// LoRaMac's ADR back-off before an uplink (`Region*AdrNext`): after ADR_ACK_LIMIT uplinks
    /// without a downlink the frame asks for one (ADRACKReq) at full power; every
    /// ADR_ACK_DELAY more, the data rate steps down. Applied only once the uplink goes out.
    fn adr_next(&self, dr: u8) -> AdrStep {
        let keep = AdrStep { dr, full_power: false, request: false, reset_counter: false };
        if !self.adr {
            return keep;
        }
        if dr == 0 {
            return AdrStep { reset_counter: true, ..keep };
        }
        let limit = self.region.adr_ack_limit();
        let delay = self.region.adr_ack_delay();
        let mut step = keep;
        if self.adr_ack_counter >= limit {
            step.request = true;
            step.full_power = true;
        }
        if self.adr_ack_counter >= limit + delay && self.adr_ack_counter % delay == 1 {
            step.dr = self.region.next_lower_dr(dr);
            if step.dr == 0 {
                step.request = false;
            }
        }
        step
    }

    /// The MAC bytes the next uplink carries in FOpts: answers, then the sticky ones.
    fn pending_fopts(&self) -> Vec<u8> {
        let mut fopts = self.mac_answers.clone();
        fopts.extend_from_slice(&self.sticky_answers);
        fopts.truncate(MAX_FOPTS);
        fopts
    }

    /// A random enabled channel that allows `dr` and is out of its duty-cycle time-off.
    fn pick_channel(&mut self, dr: u8, now_us: u64) -> Result<u32, MacError> {
        let candidates: Vec<(usize, Channel)> = self.channels().into_iter().filter(|(_, c)| c.allows(dr)).collect();
        if candidates.is_empty() {
            return Err(MacError::InvalidDataRate);
        }
        let free: Vec<&(usize, Channel)> = candidates
            .iter()
            .filter(|(_, c)| self.duty_cycle.wait_us(self.region, c.frequency_hz, now_us) == 0)
            .collect();
        if free.is_empty() {
            let wait_us = candidates
                .iter()
                .map(|(_, c)| self.duty_cycle.wait_us(self.region, c.frequency_hz, now_us))
                .min()
                .unwrap_or(0);
            return Err(MacError::DutyCycle { wait_us });
        }
        let choice = self.rng.below(free.len());
        free.get(choice).map(|(_, channel)| channel.frequency_hz).ok_or(MacError::InvalidDataRate)
    }

    /// The bytes of a data uplink with the session's keys and the pending MAC answers.
    fn data_frame(&self, confirmed: bool, port: u8, payload: &[u8], fcnt: u32, extra_flags: u8) -> Vec<u8> {
        let Some(session) = self.session.as_ref() else { return Vec::new() };
        let mut flags = extra_flags;
        if self.adr {
            flags |= FCTRL_ADR;
        }
        if self.ack_downlink {
            flags |= FCTRL_ACK;
        }
        let fopts = self.pending_fopts();
        let frame = DataFrame {
            uplink: true,
            confirmed,
            dev_addr: session.dev_addr,
            flags,
            fcnt,
            fopts: &fopts,
            port_payload: Some((port, payload)),
        };
        frame::build(&frame, &session.nwk_skey, &session.app_skey)
    }

    /// A plan for `payload` on `frequency_hz` at `dr`, RX1 `rx1_delay_us` after its end and
    /// RX2 one second later.
    fn plan(&self, frequency_hz: u32, dr: u8, payload: Vec<u8>, rx1_delay_us: u64) -> TxPlan {
        let rate = self.region.data_rate(dr).unwrap_or(crate::region::DataRate { sf: 12, bandwidth_hz: 125_000 });
        let (rx1_default, rx1_dr) = self.region.rx1(frequency_hz, dr, self.rx1_dr_offset);
        let rx1_frequency = self
            .channels
            .iter()
            .position(|c| c.is_some_and(|c| c.frequency_hz == frequency_hz))
            .and_then(|i| self.rx1_frequencies[i])
            .unwrap_or(rx1_default);
        let window = |delay_us, frequency_hz, dr| {
            let rate = self.region.data_rate(dr).unwrap_or(rate);
            RxWindow { delay_us, frequency_hz, sf: rate.sf, bandwidth_hz: rate.bandwidth_hz }
        };
        TxPlan {
            frequency_hz,
            dr,
            sf: rate.sf,
            bandwidth_hz: rate.bandwidth_hz,
            payload,
            rx1: window(rx1_delay_us, rx1_frequency, rx1_dr),
            rx2: window(rx1_delay_us + 1_000_000, self.rx2.0, self.rx2.1),
        }
    }
}
