//! A LoRaWAN 1.0.2 network and application server in one: OTAA joins (DevNonce replay
//! refused), data uplinks checked (MIC with the 32-bit counter, replays refused, one frame heard
//! by several gateways counted once), decrypted and logged, and answers in RX1: the queued
//! downlink, an empty ACK for a confirmed uplink, or MAC answers (LinkCheckAns). A class C
//! device also gets its queued downlinks without an uplink, in RX2
//! ([`NetworkServer::class_c_downlinks`]).

mod log;

use std::io::Write;

use lorawan::keys::AES128;
use lorawan::maccommands::{UplinkMacCommand, parse_uplink_mac_commands};
use lorawan::parser::{DataHeader, DataPayload, FRMPayload, PhyPayload};

use crate::crypto;
use crate::frame::{self, DataFrame, FCTRL_ACK, FCTRL_ADR_ACK_REQ, FCTRL_PENDING, MAX_FOPTS};
use crate::keys::{DevAddr, Eui, Key};
use crate::region::Region;
use crate::rng::Rng;

/// One frame heard twice within this time of its first hearing is the same transmission
/// (several gateways), not a replay.
const DEDUP_WINDOW_US: u64 = 500_000;
/// LinkCheckReq/LinkCheckAns command identifier.
const LINK_CHECK: u8 = 0x02;
/// The second receive window opens this long after the first (`RECEIVE_DELAY2` -
/// `RECEIVE_DELAY1`, `JOIN_ACCEPT_DELAY2` - `JOIN_ACCEPT_DELAY1`).
const RX2_AFTER_RX1_US: u64 = 1_000_000;
/// How long after a receive window opens a class C downlink may follow, and after a class C
/// downlink the next one: longer than a downlink of some 30 bytes at SF12 (an assumption; the
/// server does not reckon time on air), so its gateway is free and the device listens again.
const CLASS_C_GAP_US: u64 = 2_000_000;

/// Which device a queued downlink is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceRef {
    /// By DevEUI (OTAA devices, and ABP devices registered with one).
    DevEui(Eui),
    /// By device address (the current session's).
    DevAddr(DevAddr),
}

/// An uplink as a gateway heard it.
#[derive(Debug, Clone, PartialEq)]
pub struct Uplink {
    /// The PHYPayload bytes.
    pub payload: Vec<u8>,
    /// Frequency in Hz.
    pub frequency_hz: u32,
    /// Spreading factor.
    pub sf: u8,
    /// Bandwidth in Hz.
    pub bandwidth_hz: u32,
    /// Received signal strength in dBm.
    pub rssi_dbm: f64,
    /// Signal-to-noise ratio in dB.
    pub snr_db: f64,
    /// Device time (µs) when the frame ended.
    pub end_us: u64,
    /// The name of the gateway that heard it.
    pub gateway: String,
}

/// A frame for a gateway to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Downlink {
    /// Device time (µs) at which the gateway starts transmitting (RX1 = uplink end + delay).
    pub at_us: u64,
    /// Frequency in Hz.
    pub frequency_hz: u32,
    /// Spreading factor.
    pub sf: u8,
    /// Bandwidth in Hz.
    pub bandwidth_hz: u32,
    /// The PHYPayload bytes.
    pub payload: Vec<u8>,
    /// Transmit power in dBm (the region's maximum EIRP).
    pub power_dbm: f64,
    /// The gateway that should send it (the one that heard the uplink).
    pub gateway: String,
}

/// An OTAA device the server knows.
struct OtaaDevice {
    dev_eui: Eui,
    app_eui: Eui,
    app_key: Key,
    used_dev_nonces: Vec<u16>,
    /// The last join request accepted and when it ended (one request, several gateways).
    last_join: Option<(Vec<u8>, u64)>,
}

/// A device's session on the server.
struct Session {
    dev_eui: Option<Eui>,
    dev_addr: DevAddr,
    nwk_skey: Key,
    app_skey: Key,
    /// The last uplink counter accepted.
    fcnt_up: Option<u32>,
    /// The counter of the next downlink.
    fcnt_down: u32,
    rx1_dr_offset: u8,
    /// The last accepted uplink's bytes and end time (duplicate detection).
    last_frame: Option<(Vec<u8>, u64)>,
    /// The gateway that heard the device last (the best of those that heard it).
    gateway: Option<String>,
    /// Class C: the earliest time a downlink may go without an uplink (the receive windows
    /// of the last join or uplink, or the last class C downlink, are over).
    class_c_from_us: u64,
}

impl Session {
    /// A session that has heard no uplink yet.
    fn new(dev_eui: Option<Eui>, dev_addr: DevAddr, nwk_skey: Key, app_skey: Key) -> Self {
        Self {
            dev_eui,
            dev_addr,
            nwk_skey,
            app_skey,
            fcnt_up: None,
            fcnt_down: 0,
            rx1_dr_offset: 0,
            last_frame: None,
            gateway: None,
            class_c_from_us: 0,
        }
    }

    /// A frame from the device ended at `end_us`, heard by `gateway`, its first receive
    /// window `rx1_delay_us` later.
    fn heard(&mut self, gateway: &str, end_us: u64, rx1_delay_us: u64) {
        self.gateway = Some(gateway.to_owned());
        self.class_c_from_us = end_us + rx1_delay_us + RX2_AFTER_RX1_US + CLASS_C_GAP_US;
    }
}

/// A downlink waiting for its device's next uplink (or, class C, its time).
struct Queued {
    device: DeviceRef,
    port: u8,
    payload: Vec<u8>,
    confirmed: bool,
    /// It is in the queue from this device time on.
    from_us: u64,
}

/// The network server.
pub struct NetworkServer {
    region: Region,
    net_id: u32,
    rng: Rng,
    log: Box<dyn Write + Send>,
    otaa: Vec<OtaaDevice>,
    sessions: Vec<Session>,
    queue: Vec<Queued>,
    mac_queue: Vec<(DeviceRef, Vec<u8>)>,
    cf_list: Vec<u32>,
    /// Devices of class C.
    class_c: Vec<DeviceRef>,
}

impl NetworkServer {
    /// A server for `region` with network ID `net_id` (its low 7 bits are the NwkID in every
    /// DevAddr it assigns); `seed` fixes its AppNonces and addresses; events go to `log`.
    pub fn new(region: Region, net_id: u32, seed: u64, log: Box<dyn Write + Send>) -> Self {
        NetworkServer {
            region,
            net_id: net_id & 0x00FF_FFFF,
            rng: Rng::new(seed),
            log,
            otaa: Vec::new(),
            sessions: Vec::new(),
            queue: Vec::new(),
            mac_queue: Vec::new(),
            cf_list: Vec::new(),
            class_c: Vec::new(),
        }
    }

    /// Registers an OTAA device (replacing an earlier registration of the DevEUI).
    pub fn add_otaa(&mut self, dev_eui: Eui, app_eui: Eui, app_key: Key) {
        self.otaa.retain(|d| d.dev_eui != dev_eui);
        self.otaa.push(OtaaDevice { dev_eui, app_eui, app_key, used_dev_nonces: Vec::new(), last_join: None });
    }

    /// Registers an ABP device's session (counters from 0).
    pub fn add_abp(&mut self, dev_addr: DevAddr, nwk_skey: Key, app_skey: Key, dev_eui: Option<Eui>) {
        self.sessions.retain(|s| s.dev_addr != dev_addr);
        self.sessions.push(Session::new(dev_eui, dev_addr, nwk_skey, app_skey));
    }

    /// Queues an application downlink (FPort 1..=223) for the device's next uplink.
    pub fn queue_downlink(&mut self, device: DeviceRef, port: u8, payload: Vec<u8>, confirmed: bool) {
        self.queue_downlink_at(device, port, payload, confirmed, 0);
    }

    /// Queues an application downlink from device time `from_us` on: it goes in the RX1 of
    /// the device's first uplink after that, or, for a class C device, in RX2 at that time
    /// (or as soon as the device's receive windows are over).
    pub fn queue_downlink_at(&mut self, device: DeviceRef, port: u8, payload: Vec<u8>, confirmed: bool, from_us: u64) {
        self.queue.push(Queued { device, port, payload, confirmed, from_us });
    }

    /// Marks a device as class C: it listens in RX2 between its uplinks, so its queued
    /// downlinks go without waiting for one ([`NetworkServer::class_c_downlinks`]). The
    /// server learns where to reach it from its join or, ABP, its first uplink.
    pub fn set_class_c(&mut self, device: DeviceRef) {
        self.class_c.push(device);
    }

    /// When the next class C downlink is due, if one waits for a device last heard by a
    /// gateway `sends_through` accepts (the caller's gateways; one behind the Semtech UDP port
    /// cannot send without a `PULL_DATA` to answer).
    pub fn next_class_c_us(&self, sends_through: impl Fn(&str) -> bool) -> Option<u64> {
        self.sessions
            .iter()
            .filter(|s| s.gateway.as_deref().is_some_and(&sends_through) && self.class_c.iter().any(|&d| matches(s, d)))
            .filter_map(|s| {
                let first = self.queue.iter().filter(|q| matches(s, q.device)).map(|q| q.from_us).min()?;
                Some(first.max(s.class_c_from_us))
            })
            .min()
    }

    /// The class C downlinks due by `now_us`: for each class C device last heard by a gateway
    /// `sends_through` accepts, whose receive windows are over, its first queued downlink, sent
    /// now in RX2 (the region's RX2 frequency and data rate) through that gateway.
    pub fn class_c_downlinks(&mut self, now_us: u64, sends_through: impl Fn(&str) -> bool) -> Vec<Downlink> {
        let (frequency_hz, dr) = self.region.rx2_default();
        let Some(rate) = self.region.data_rate(dr) else { return Vec::new() };
        let mut downlinks = Vec::new();
        for index in 0..self.sessions.len() {
            let session = &self.sessions[index];
            let class_c = self.class_c.iter().any(|&d| matches(session, d));
            let due = class_c && session.class_c_from_us <= now_us;
            let Some(gateway) = session.gateway.clone().filter(|g| due && sends_through(g)) else { continue };
            let Some(queued) = self.take_queued(index, now_us) else { continue };
            let fopts = self.take_mac_commands(index, Vec::new());
            self.sessions[index].class_c_from_us = now_us + CLASS_C_GAP_US;
            let downlink = Downlink {
                at_us: now_us,
                frequency_hz,
                sf: rate.sf,
                bandwidth_hz: rate.bandwidth_hz,
                payload: Vec::new(),
                power_dbm: self.region.max_eirp_dbm(),
                gateway,
            };
            downlinks.push(self.data_downlink(index, downlink, Some(queued), false, &fopts));
        }
        downlinks
    }

    /// Queues raw MAC commands (CID + payload, at most 15 bytes in all) for the device's next
    /// downlink's FOpts, e.g. LinkADRReq or DevStatusReq.
    pub fn queue_mac_commands(&mut self, device: DeviceRef, commands: Vec<u8>) {
        self.mac_queue.push((device, commands));
    }

    /// Extra channels (up to 5 frequencies) sent in the CFList of join accepts, in the regions
    /// with a dynamic channel plan.
    pub fn set_cf_list(&mut self, frequencies_hz: Vec<u32>) {
        self.cf_list = frequencies_hz.into_iter().take(5).collect();
    }

    /// The last accepted uplink counter and the next downlink counter of a device's session.
    pub fn frame_counters(&self, device: DeviceRef) -> Option<(Option<u32>, u32)> {
        self.sessions.iter().find(|s| matches(s, device)).map(|s| (s.fcnt_up, s.fcnt_down))
    }

    /// Handles an uplink heard by a gateway; the answer, if any, for that gateway to send.
    pub fn uplink(&mut self, up: &Uplink) -> Option<Downlink> {
        match lorawan::parser::parse(up.payload.clone()) {
            Ok(PhyPayload::JoinRequest(request)) => {
                let app_eui = Eui::from_air(request.app_eui().as_ref().try_into().ok()?);
                let dev_eui = Eui::from_air(request.dev_eui().as_ref().try_into().ok()?);
                let nonce_bytes: [u8; 2] = request.dev_nonce().as_ref().try_into().ok()?;
                let valid = |key: &Key| request.validate_mic(&AES128(key.0));
                self.join_request(up, dev_eui, app_eui, u16::from_le_bytes(nonce_bytes), valid)
            }
            Ok(PhyPayload::Data(DataPayload::Encrypted(data))) if data.is_uplink() => self.data_uplink(up, data),
            _ => None,
        }
    }

    /// A join request: known device, right MIC, fresh DevNonce; then a new session and the
    /// join accept in the first join window.
    fn join_request(
        &mut self,
        up: &Uplink,
        dev_eui: Eui,
        app_eui: Eui,
        dev_nonce: u16,
        mic_ok: impl Fn(&Key) -> bool,
    ) -> Option<Downlink> {
        let rejected = |reason| log::Rejected {
            event: "rejected",
            time_us: up.end_us,
            reason,
            dev_eui: Some(dev_eui.to_string()),
            dev_addr: None,
            fcnt: None,
            gateway: &up.gateway,
        };
        let Some(device) = self.otaa.iter_mut().find(|d| d.dev_eui == dev_eui && d.app_eui == app_eui) else {
            log::write(&mut self.log, &rejected("unknown device"));
            return None;
        };
        if !mic_ok(&device.app_key) {
            log::write(&mut self.log, &rejected("mic"));
            return None;
        }
        let heard_again = device
            .last_join
            .as_ref()
            .is_some_and(|(bytes, end)| *bytes == up.payload && up.end_us.abs_diff(*end) <= DEDUP_WINDOW_US);
        if heard_again {
            return None;
        }
        if device.used_dev_nonces.contains(&dev_nonce) {
            log::write(&mut self.log, &rejected("devnonce replay"));
            return None;
        }
        device.used_dev_nonces.push(dev_nonce);
        device.last_join = Some((up.payload.clone(), up.end_us));
        let app_key = device.app_key;
        let dev_addr = self.new_dev_addr();
        let app_nonce = (self.rng.next_u64() as u32).to_le_bytes();
        let app_nonce = [app_nonce[0], app_nonce[1], app_nonce[2]];
        let net_id = self.net_id.to_le_bytes();
        let net_id = [net_id[0], net_id[1], net_id[2]];
        let (nwk_skey, app_skey) = crypto::session_keys(&app_key, app_nonce, net_id, dev_nonce.to_le_bytes());
        self.sessions.retain(|s| s.dev_eui != Some(dev_eui));
        let mut session = Session::new(Some(dev_eui), dev_addr, nwk_skey, app_skey);
        session.heard(&up.gateway, up.end_us, self.region.join_accept_delay1_us());
        self.sessions.push(session);
        log::write(
            &mut self.log,
            &log::Join {
                event: "join",
                time_us: up.end_us,
                dev_eui: dev_eui.to_string(),
                dev_addr: dev_addr.to_string(),
                gateway: &up.gateway,
            },
        );
        let mut body = Vec::with_capacity(28);
        body.extend_from_slice(&app_nonce);
        body.extend_from_slice(&net_id);
        body.extend_from_slice(&dev_addr.to_air());
        body.push(self.region.rx2_default().1 & 0x0F);
        body.push(1);
        if self.region.has_dynamic_channels() && !self.cf_list.is_empty() {
            for index in 0..5 {
                let units = self.cf_list.get(index).copied().unwrap_or(0) / 100;
                body.extend_from_slice(&units.to_le_bytes()[..3]);
            }
            body.push(0);
        }
        let payload = crypto::seal_join_accept(&app_key, 0x20, &body);
        let delay = self.region.join_accept_delay1_us();
        let downlink = self.rx1_downlink(up, 0, delay, payload)?;
        let entry = log::Downlink::new(Some(dev_eui), dev_addr, "join_accept", &up.gateway);
        self.log_downlink(&downlink, entry);
        Some(downlink)
    }

    /// A data uplink: session, counter and MIC, duplicates and replays, then the answer.
    fn data_uplink(
        &mut self,
        up: &Uplink,
        data: lorawan::parser::EncryptedDataPayload<Vec<u8>, lorawan::default_crypto::DefaultFactory>,
    ) -> Option<Downlink> {
        let fhdr = data.fhdr();
        let dev_addr = DevAddr::from_air(fhdr.dev_addr().as_ref().try_into().ok()?);
        let fcnt16 = fhdr.fcnt();
        let flags = fhdr.fctrl().raw_value();
        let fopts = fhdr.data().to_vec();
        let confirmed = data.is_confirmed();
        let rejected = |reason, dev_eui: Option<Eui>, fcnt| log::Rejected {
            event: "rejected",
            time_us: up.end_us,
            reason,
            dev_eui: dev_eui.map(|e| e.to_string()),
            dev_addr: Some(dev_addr.to_string()),
            fcnt,
            gateway: &up.gateway,
        };
        let Some(index) = self.sessions.iter().position(|s| s.dev_addr == dev_addr) else {
            log::write(&mut self.log, &rejected("unknown device", None, None));
            return None;
        };
        let session = &self.sessions[index];
        let key = AES128(session.nwk_skey.0);
        let fcnt = match session.fcnt_up {
            None => u32::from(fcnt16),
            Some(last) => frame::extend_fcnt(last, fcnt16),
        };
        if !data.validate_mic(&key, fcnt) {
            // An old counter under a valid MIC is a replay; anything else a bad MIC.
            let old = session.fcnt_up.map(|last| (last & 0xFFFF_0000) | u32::from(fcnt16));
            let replay =
                old.into_iter().flat_map(|o| [o, o.wrapping_sub(0x1_0000)]).find(|&o| data.validate_mic(&key, o));
            let reason = if replay.is_some() { "replay" } else { "mic" };
            log::write(&mut self.log, &rejected(reason, session.dev_eui, replay));
            return None;
        }
        let repeat = session.fcnt_up == Some(fcnt);
        if repeat {
            let same_frame = session.last_frame.as_ref().is_some_and(|(bytes, _)| *bytes == up.payload);
            let heard_together =
                session.last_frame.as_ref().is_some_and(|(_, end)| up.end_us.abs_diff(*end) <= DEDUP_WINDOW_US);
            if same_frame && heard_together {
                return None;
            }
            if !(same_frame && confirmed) {
                log::write(&mut self.log, &rejected("replay", session.dev_eui, Some(fcnt)));
                return None;
            }
            // A confirmed uplink sent again (no ACK reached it): acknowledge it again.
        }
        let (nwk, app) = (AES128(session.nwk_skey.0), AES128(session.app_skey.0));
        let clear = data.decrypt(Some(&nwk), Some(&app), fcnt).ok()?;
        let port = clear.f_port();
        let (payload, port0_commands) = match clear.frm_payload() {
            FRMPayload::Data(bytes) => (bytes.to_vec(), Vec::new()),
            FRMPayload::MACCommands(commands) => (Vec::new(), commands.data().to_vec()),
            FRMPayload::None => (Vec::new(), Vec::new()),
        };
        let session = &mut self.sessions[index];
        session.fcnt_up = Some(fcnt);
        session.last_frame = Some((up.payload.clone(), up.end_us));
        session.heard(&up.gateway, up.end_us, self.region.receive_delay1_us());
        let dev_eui = session.dev_eui;
        if !repeat {
            log::write(
                &mut self.log,
                &log::Uplink {
                    event: "uplink",
                    time_us: up.end_us,
                    dev_eui: dev_eui.map(|e| e.to_string()),
                    dev_addr: dev_addr.to_string(),
                    fcnt,
                    port,
                    data: log::hex(&payload),
                    confirmed,
                    rssi: up.rssi_dbm,
                    snr: up.snr_db,
                    sf: up.sf,
                    frequency: up.frequency_hz,
                    gateway: &up.gateway,
                    phy_payload: log::hex(&up.payload),
                },
            );
        }
        let mut answers = Vec::new();
        let link_check_requested = parse_uplink_mac_commands(&fopts)
            .chain(parse_uplink_mac_commands(&port0_commands))
            .any(|c| matches!(c, UplinkMacCommand::LinkCheckReq(_)));
        if link_check_requested {
            let margin = (up.snr_db - Region::demodulation_floor_db(up.sf)).clamp(0.0, 254.0) as u8;
            answers.extend_from_slice(&[LINK_CHECK, margin, 1]);
        }
        self.answer(up, index, confirmed, flags & FCTRL_ADR_ACK_REQ != 0, answers)
    }

    /// The RX1 answer to a session's uplink: the first queued downlink, or an empty frame when
    /// the uplink was confirmed, asked for an answer (ADRACKReq) or MAC answers are due.
    fn answer(
        &mut self,
        up: &Uplink,
        index: usize,
        ack: bool,
        answer_requested: bool,
        fopts: Vec<u8>,
    ) -> Option<Downlink> {
        let fopts = self.take_mac_commands(index, fopts);
        let queued = self.take_queued(index, up.end_us);
        if queued.is_none() && !ack && !answer_requested && fopts.is_empty() {
            return None;
        }
        let offset = self.sessions[index].rx1_dr_offset;
        let downlink = self.rx1_downlink(up, offset, self.region.receive_delay1_us(), Vec::new())?;
        Some(self.data_downlink(index, downlink, queued, ack, &fopts))
    }

    /// `fopts` with the MAC commands queued for session `index` that fit in a downlink's FOpts.
    fn take_mac_commands(&mut self, index: usize, mut fopts: Vec<u8>) -> Vec<u8> {
        let session = &self.sessions[index];
        for (device, commands) in std::mem::take(&mut self.mac_queue) {
            if matches(session, device) && fopts.len() + commands.len() <= MAX_FOPTS {
                fopts.extend_from_slice(&commands);
            } else {
                self.mac_queue.push((device, commands));
            }
        }
        fopts
    }

    /// The first downlink queued for session `index` by `now_us`, taken from the queue.
    fn take_queued(&mut self, index: usize, now_us: u64) -> Option<Queued> {
        let session = &self.sessions[index];
        let position = self.queue.iter().position(|q| q.from_us <= now_us && matches(session, q.device))?;
        Some(self.queue.remove(position))
    }

    /// `downlink` (timing and radio set) carrying a data frame for session `index`: the
    /// `queued` application data, an ACK if `ack`, `fopts`, FPending when more waits; logged.
    fn data_downlink(
        &mut self,
        index: usize,
        mut downlink: Downlink,
        queued: Option<Queued>,
        ack: bool,
        fopts: &[u8],
    ) -> Downlink {
        let session = &self.sessions[index];
        let more = self.queue.iter().any(|q| q.from_us <= downlink.at_us && matches(session, q.device));
        let session = &mut self.sessions[index];
        let (dev_eui, dev_addr) = (session.dev_eui, session.dev_addr);
        let fcnt = session.fcnt_down;
        session.fcnt_down = session.fcnt_down.wrapping_add(1);
        let mut flags = 0;
        if ack {
            flags |= FCTRL_ACK;
        }
        if more {
            flags |= FCTRL_PENDING;
        }
        let confirmed = queued.as_ref().is_some_and(|q| q.confirmed);
        let frame = DataFrame {
            uplink: false,
            confirmed,
            dev_addr,
            flags,
            fcnt,
            fopts,
            port_payload: queued.as_ref().map(|q| (q.port, q.payload.as_slice())),
        };
        downlink.payload = frame::build(&frame, &session.nwk_skey, &session.app_skey);
        let gateway = downlink.gateway.clone();
        let mut entry = log::Downlink::new(dev_eui, dev_addr, "data", &gateway);
        entry.fcnt = Some(fcnt);
        entry.port = queued.as_ref().map(|q| q.port);
        entry.data = queued.map(|q| log::hex(&q.payload)).unwrap_or_default();
        entry.confirmed = confirmed;
        entry.ack = ack;
        self.log_downlink(&downlink, entry);
        downlink
    }

    /// A downlink in the RX1 window of `up`, `delay_us` after its end.
    fn rx1_downlink(&self, up: &Uplink, rx1_dr_offset: u8, delay_us: u64, payload: Vec<u8>) -> Option<Downlink> {
        let up_dr = self.region.uplink_dr(up.sf, up.bandwidth_hz)?;
        let (frequency_hz, dr) = self.region.rx1(up.frequency_hz, up_dr, rx1_dr_offset);
        let rate = self.region.data_rate(dr)?;
        Some(Downlink {
            at_us: up.end_us + delay_us,
            frequency_hz,
            sf: rate.sf,
            bandwidth_hz: rate.bandwidth_hz,
            payload,
            power_dbm: self.region.max_eirp_dbm(),
            gateway: up.gateway.clone(),
        })
    }

    /// A fresh device address: the NwkID (NetID's low 7 bits) on top, the rest random.
    fn new_dev_addr(&mut self) -> DevAddr {
        loop {
            let addr = DevAddr((self.net_id & 0x7F) << 25 | (self.rng.next_u64() as u32 & 0x01FF_FFFF));
            if self.sessions.iter().all(|s| s.dev_addr != addr) {
                return addr;
            }
        }
    }

    /// Logs a downlink (`entry` filled in from `downlink`'s timing and radio settings).
    fn log_downlink(&mut self, downlink: &Downlink, mut entry: log::Downlink<'_>) {
        entry.time_us = downlink.at_us;
        entry.sf = downlink.sf;
        entry.frequency = downlink.frequency_hz;
        log::write(&mut self.log, &entry);
    }
}

/// Whether a session is the one `device` names.
fn matches(session: &Session, device: DeviceRef) -> bool {
    match device {
        DeviceRef::DevEui(eui) => session.dev_eui == Some(eui),
        DeviceRef::DevAddr(addr) => session.dev_addr == addr,
    }
}
