//! The LoRaWAN side of the LoRa task: joins, uplinks and their two receive
//! windows, retransmissions of confirmed uplinks, and class C's RX2
//! between them, on device time.

use std::collections::VecDeque;

use pycom_lorawan::{Activation, Node, Received as MacReceived, RxWindow, TxPlan};
use pycom_radio::{Listen, LoraPhy, RadioId, Transmission};

use super::air::Air;
use super::rx_timing;
use super::settings::{DeviceClass, LoraSettings};
use super::{LoraError, Received};

/// Time between join attempts of an OTAA join that got no accept
/// (`OVER_THE_AIR_ACTIVATION_DUTYCYCLE`).
const JOIN_RETRY_US: u64 = 10_000_000;
/// Time after the receive windows before a confirmed uplink without an ACK
/// goes out again (LoRaMac's `ACK_TIMEOUT`; the firmware adds up to ±1 s at
/// random, the emulator none, so runs repeat).
const ACK_TIMEOUT_US: u64 = 2_000_000;

/// A send waiting in the command queue.
#[derive(Debug)]
struct Uplink {
    ticket: u64,
    port: u8,
    data: Vec<u8>,
    confirmed: bool,
    dr: u8,
}

/// Where an operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The frame is on the air until `end`.
    Sending { end: u64 },
    /// Receive window `window` (1 or 2) opens at `at`.
    Opening { window: u8, at: u64 },
    /// Receive window `window` closes at `at` unless a frame is coming.
    Open { window: u8, at: u64 },
    /// A frame heard in window `window` ends at `at`.
    Receiving { window: u8, at: u64 },
    /// A confirmed uplink without ACK goes out again at `at`.
    AckTimeout { at: u64 },
    /// The next join attempt starts at `at`.
    JoinRetry { at: u64 },
}

impl Phase {
    fn at(self) -> u64 {
        match self {
            Phase::Sending { end } => end,
            Phase::Opening { at, .. }
            | Phase::Open { at, .. }
            | Phase::Receiving { at, .. }
            | Phase::AckTimeout { at }
            | Phase::JoinRetry { at } => at,
        }
    }
}

/// What is on the air or awaited.
#[derive(Debug)]
enum Work {
    /// An OTAA join request; attempts start every [`JOIN_RETRY_US`]
    /// while `retry` holds.
    Join { started: u64, retry: bool },
    /// An uplink with its ticket.
    Data { ticket: u64, confirmed: bool, acked: bool },
}

impl Work {
    fn is_join(&self) -> bool {
        matches!(self, Work::Join { .. })
    }
}

/// The operation in progress.
#[derive(Debug)]
struct Operation {
    work: Work,
    plan: TxPlan,
    tx_end: u64,
    /// An uplink's last transmission, for `lora.stats()` once it went well.
    sent: Option<Sent>,
    phase: Phase,
    trials: u8,
}

/// What a frame sent looked like, for `lora.stats()`.
#[derive(Debug)]
pub(super) struct Sent {
    pub dr: u8,
    pub time_on_air_us: u64,
    pub frequency_hz: u32,
    pub counter: u32,
    pub trials: u8,
    pub power_dbm: i8,
}

/// A frame heard in a window.
#[derive(Debug)]
pub(super) struct Heard {
    pub end_us: u64,
    pub rssi_dbm: f64,
    pub snr_db: f64,
    pub dr: u8,
    /// The application data it carried, if any.
    pub data: Option<Received>,
}

/// What one step did.
#[derive(Debug, Default)]
pub(super) struct StepOutcome {
    /// The receiver's new setting.
    pub listen: Option<Listen>,
    /// A frame went on the air.
    pub sent: Option<Sent>,
    /// Frames heard.
    pub received: Vec<Heard>,
    /// A send is over: its ticket and whether it went well.
    pub finished: Option<(u64, bool)>,
}

/// The LoRaWAN stack of the radio.
#[derive(Debug)]
pub(super) struct Wan {
    node: Node,
    class: DeviceClass,
    power_dbm: i8,
    operation: Option<Operation>,
    queue: VecDeque<Uplink>,
    /// The join asked for, to start once the radio is free.
    join_asked: Option<(Activation, u8)>,
}

impl Wan {
    /// A stack for `settings`, unjoined, or with the `restored` session.
    pub fn new(settings: &LoraSettings, seed: u64, restored: Option<Vec<u8>>) -> Self {
        let node = restored
            .and_then(|bytes| Node::restore(settings.region, &bytes, seed).ok())
            .unwrap_or_else(|| Node::new(settings.region, seed));
        let mut wan = Self {
            node,
            class: settings.device_class,
            power_dbm: settings.tx_power,
            operation: None,
            queue: VecDeque::new(),
            join_asked: None,
        };
        wan.node.set_adr(settings.adr);
        wan.node.set_tx_retries(settings.tx_retries);
        wan
    }

    pub fn joined(&self) -> bool {
        self.node.has_joined()
    }

    pub fn queued(&self) -> usize {
        self.queue.len() + usize::from(self.operation.is_some())
    }

    pub fn save(&self) -> Vec<u8> {
        self.node.save()
    }

    /// Starts a join: ABP is done now, OTAA sends its request once the
    /// radio is free (at once: a join drops what was in progress).
    pub fn join(&mut self, activation: Activation, dr: u8) {
        self.operation = None;
        self.queue.clear();
        self.join_asked = match activation {
            Activation::Otaa { .. } => Some((activation, dr)),
            Activation::Abp { .. } => {
                let _ = self.node.join(activation, Some(dr));
                None
            }
        };
    }

    /// `lora.add_channel(...)` / `remove_channel(...)`: the MAC's channel
    /// plan; the firmware ignores a channel its region refuses.
    pub fn node(&mut self) -> &mut Node {
        &mut self.node
    }

    /// Stops the join's retries (the firmware stops its retry timer when
    /// `join(timeout=...)` runs out): an attempt under way may still join.
    pub fn stop_join_retries(&mut self) {
        let Some(op) = self.operation.as_mut() else { return };
        let Work::Join { retry, .. } = &mut op.work else { return };
        *retry = false;
        if let Phase::JoinRetry { .. } = op.phase {
            self.operation = None;
            self.join_asked = None;
        }
    }

    pub fn queue_uplink(
        &mut self,
        ticket: u64,
        port: u8,
        data: &[u8],
        confirmed: bool,
        dr: u8,
    ) -> Result<(), LoraError> {
        if !self.node.has_joined() {
            return Err(LoraError::NotJoined);
        }
        if self.queue.len() >= super::TX_QUEUE_LEN {
            return Err(LoraError::Busy);
        }
        // The firmware checks the length against the socket's data rate
        // (`ValidatePayloadLength`, pending MAC answers not counted).
        if data.len() > self.node.region().max_payload(dr) {
            return Err(LoraError::TooLong);
        }
        self.queue.push_back(Uplink { ticket, port, data: data.to_vec(), confirmed, dr });
        Ok(())
    }

    /// The receiver between operations: class C listens in RX2.
    pub fn idle_listen(&self) -> Listen {
        if self.class == DeviceClass::C
            && let Some(window) = self.rx2_window()
        {
            return window_listen(&window);
        }
        Listen::Off
    }

    /// The region's RX2 channel (class C listens there between uplinks).
    fn rx2_window(&self) -> Option<RxWindow> {
        let region = self.node.region();
        let (frequency_hz, dr) = region.rx2_default();
        let rate = region.data_rate(dr)?;
        Some(RxWindow { delay_us: 0, frequency_hz, sf: rate.sf, bandwidth_hz: rate.bandwidth_hz })
    }

    /// Device time of the operation's next step: an open window's also
    /// when a frame it hears ends.
    pub fn next_due_us(&self, air: &Air, radio: RadioId) -> Option<u64> {
        let op = self.operation.as_ref()?;
        let arrival = matches!(op.phase, Phase::Open { .. }).then(|| air.next_arrival_us(radio)).flatten();
        Some(arrival.map_or(op.phase.at(), |arrival| arrival.min(op.phase.at())))
    }

    /// Whether the radio is free and a join or an uplink waits for it.
    pub fn has_work(&self) -> bool {
        self.operation.is_none() && (self.join_asked.is_some() || !self.queue.is_empty())
    }

    /// Carries out the step due at `at`.
    pub fn step(&mut self, at: u64, air: &Air, radio: RadioId) -> StepOutcome {
        let mut out = StepOutcome::default();
        if let Some(op) = self.operation.take() {
            self.operation = self.advance_operation(op, at, air, radio, &mut out);
        }
        out
    }

    /// Moves `op` on by its step due at `at`; `None` once it is over.
    fn advance_operation(
        &mut self,
        mut op: Operation,
        at: u64,
        air: &Air,
        radio: RadioId,
        out: &mut StepOutcome,
    ) -> Option<Operation> {
        match op.phase {
            Phase::Sending { .. } => {
                let at = rx_timing::opens_at_us(op.tx_end, &op.plan.rx1, 1, op.work.is_join());
                op.phase = Phase::Opening { window: 1, at };
                Some(op)
            }
            Phase::Opening { window, at: open } => {
                let rx = if window == 1 { op.plan.rx1 } else { op.plan.rx2 };
                out.listen = Some(window_listen(&rx));
                op.phase = Phase::Open { window, at: open + rx_timing::timeout_us(&rx) };
                Some(op)
            }
            Phase::Open { window, at: close } => {
                // A frame that ended while the window was open ends it there
                // (the radio's RxDone comes before its timeout).
                let heard = air.take_received(radio, at);
                if !heard.is_empty() {
                    return self.window_heard(op, window, at, heard, out);
                }
                if at < close {
                    // Woken by a frame that did not make it.
                    return Some(op);
                }
                match air.receiving_until_us(radio, close) {
                    Some(end) => {
                        op.phase = Phase::Receiving { window, at: end.max(close) };
                        Some(op)
                    }
                    None => self.window_over(op, window, close, out),
                }
            }
            Phase::Receiving { window, at: end } => {
                let heard = air.take_received(radio, end);
                self.window_heard(op, window, end, heard, out)
            }
            Phase::AckTimeout { at: due } => {
                // No more retries (or none possible): the send failed.
                let Some(plan) = self.node.retransmit(due).ok().flatten() else {
                    return self.fail(op, out);
                };
                op.trials += 1;
                let Some((plan, end, sent)) = self.transmit(plan, due, op.trials, air, radio, out) else {
                    return self.fail(op, out);
                };
                op.plan = plan;
                op.tx_end = end;
                op.sent = Some(sent);
                op.phase = Phase::Sending { end };
                Some(op)
            }
            Phase::JoinRetry { .. } => {
                self.start_next(at, air, radio, out);
                self.operation.take()
            }
        }
    }

    /// Class C between operations: the frames heard in RX2 by `now_us`
    /// go to the MAC, their data to the receive queue.
    pub fn hear_idle(&mut self, now_us: u64, air: &Air, radio: RadioId) -> StepOutcome {
        let mut out = StepOutcome::default();
        if self.class == DeviceClass::C && self.operation.is_none() {
            self.hear(None, air.take_received(radio, now_us), &mut out);
        }
        out
    }

    /// Hands the frames heard in a window to the MAC (an ACK counts for
    /// `work`); whether one of them was for this device (the window's work
    /// is done).
    fn hear(
        &mut self,
        mut work: Option<&mut Work>,
        frames: Vec<pycom_radio::Reception>,
        out: &mut StepOutcome,
    ) -> bool {
        let mut done = false;
        for frame in frames {
            let dr = downlink_dr(self.node.region(), frame.phy.sf, frame.phy.bandwidth_hz);
            self.node.set_downlink_snr(frame.snr_db);
            let data = match self.node.received(&frame.payload) {
                MacReceived::JoinAccepted => None,
                MacReceived::Data { port, payload, ack, .. } => {
                    if let Some(Work::Data { acked, .. }) = work.as_deref_mut() {
                        *acked |= ack;
                    }
                    port.filter(|p| (1..224).contains(p) && !payload.is_empty())
                        .map(|port| Received { data: payload, port })
                }
                MacReceived::Ignored(_) => continue,
            };
            done = true;
            out.received.push(Heard { end_us: frame.end_us, rssi_dbm: frame.rssi_dbm, snr_db: frame.snr_db, dr, data });
        }
        done
    }

    /// The frames `heard` in window `window` by `at`: the operation is over
    /// if one was for this device, else the window is.
    fn window_heard(
        &mut self,
        mut op: Operation,
        window: u8,
        at: u64,
        heard: Vec<pycom_radio::Reception>,
        out: &mut StepOutcome,
    ) -> Option<Operation> {
        if self.hear(Some(&mut op.work), heard, out) {
            self.finish(op, at, out)
        } else {
            self.window_over(op, window, at, out)
        }
    }

    /// Window `window` passed without a frame for this device.
    fn window_over(&mut self, mut op: Operation, window: u8, at: u64, out: &mut StepOutcome) -> Option<Operation> {
        out.listen = Some(Listen::Off);
        op.phase = match (&op.work, window) {
            (work, 1) => Phase::Opening {
                window: 2,
                at: rx_timing::opens_at_us(op.tx_end, &op.plan.rx2, 2, work.is_join()).max(at),
            },
            (Work::Join { retry: false, .. }, _) => return self.finish(op, at, out),
            (Work::Join { started, .. }, _) => Phase::JoinRetry { at: (started + JOIN_RETRY_US).max(at) },
            (Work::Data { confirmed: true, acked: false, .. }, _) => Phase::AckTimeout { at: at + ACK_TIMEOUT_US },
            (Work::Data { .. }, _) => return self.finish(op, at, out),
        };
        Some(op)
    }

    /// The operation's work is done: its result, and the idle receiver.
    fn finish(&mut self, op: Operation, at: u64, out: &mut StepOutcome) -> Option<Operation> {
        out.listen = Some(self.idle_listen());
        match op.work {
            Work::Join { started, retry: true } if !self.node.has_joined() => {
                Some(Operation { phase: Phase::JoinRetry { at: (started + JOIN_RETRY_US).max(at) }, ..op })
            }
            Work::Join { .. } => {
                self.join_asked = None;
                None
            }
            Work::Data { ticket, confirmed, acked } => {
                let ok = !confirmed || acked;
                // As the firmware's McpsConfirm: the figures of a send that went well.
                if ok {
                    out.sent = op.sent;
                }
                out.finished = Some((ticket, ok));
                None
            }
        }
    }

    /// A confirmed uplink went unanswered every time.
    fn fail(&mut self, op: Operation, out: &mut StepOutcome) -> Option<Operation> {
        out.listen = Some(self.idle_listen());
        if let Work::Data { ticket, .. } = op.work {
            out.finished = Some((ticket, false));
        }
        None
    }

    /// Starts the asked-for join or the next queued uplink at `at`.
    pub fn start_next(&mut self, at: u64, air: &Air, radio: RadioId, out: &mut StepOutcome) {
        if let Some((activation, dr)) = self.join_asked.clone() {
            match self.node.join(activation, Some(dr)) {
                Ok(Some(plan)) => {
                    // A join leaves `lora.stats()` as it was (the firmware's MlmeConfirm).
                    if let Some((plan, end, _)) = self.transmit(plan, at, 1, air, radio, out) {
                        let work = Work::Join { started: at, retry: true };
                        let phase = Phase::Sending { end };
                        self.operation = Some(Operation { work, plan, tx_end: end, sent: None, phase, trials: 1 });
                    }
                }
                Ok(None) | Err(_) => self.join_asked = None,
            }
            if self.node.has_joined() {
                self.join_asked = None;
            }
            return;
        }
        let Some(up) = self.queue.pop_front() else { return };
        let started = self.node.uplink(up.port, &up.data, up.confirmed, Some(up.dr), at).ok();
        match started.and_then(|plan| self.transmit(plan, at, 1, air, radio, out)) {
            Some((plan, end, sent)) => {
                let work = Work::Data { ticket: up.ticket, confirmed: up.confirmed, acked: false };
                let (phase, sent) = (Phase::Sending { end }, Some(sent));
                self.operation = Some(Operation { work, plan, tx_end: end, sent, phase, trials: 1 });
            }
            None => out.finished = Some((up.ticket, false)),
        }
    }

    /// Puts `plan`'s frame on the air at `at`: the plan, the frame's end and
    /// what `lora.stats()` shows of it.
    fn transmit(
        &mut self,
        plan: TxPlan,
        at: u64,
        trials: u8,
        air: &Air,
        radio: RadioId,
        out: &mut StepOutcome,
    ) -> Option<(TxPlan, u64, Sent)> {
        let phy = LoraPhy::lorawan(plan.frequency_hz, plan.sf, plan.bandwidth_hz);
        let tx = Transmission {
            phy,
            iq_inverted: false,
            power_dbm: f64::from(self.power_dbm),
            payload: plan.payload.clone(),
        };
        out.listen = Some(Listen::Off);
        // No `Node::transmitted`: the firmware turns LoRaMac's duty-cycle
        // limit off (`LoRaMacTestSetDutyCycleOn(false)`), so nothing waits for it.
        let report = air.transmit(radio, at, tx)?;
        let sent = Sent {
            dr: plan.dr,
            time_on_air_us: report.time_on_air_us,
            frequency_hz: plan.frequency_hz,
            // The frame's FCnt (McpsConfirm's UpLinkCounter): the node has counted it already.
            counter: self.node.frame_counters().0.saturating_sub(1),
            trials,
            power_dbm: self.power_dbm,
        };
        Some((plan, report.end_us, sent))
    }
}

/// The data rate of a downlink at `sf` and `bandwidth_hz` (`lora.stats()`
/// `sfrx`, LoRaMac's `RxDatarate`): where an uplink and a downlink rate share
/// the settings (US915 DR4 and DR12) the downlink's, the higher index.
fn downlink_dr(region: pycom_lorawan::Region, sf: u8, bandwidth_hz: u32) -> u8 {
    let rate = pycom_lorawan::DataRate { sf, bandwidth_hz };
    (0..16).rev().find(|&dr| region.data_rate(dr) == Some(rate)).unwrap_or(0)
}

/// The receiver of a window: downlinks come with inverted IQ.
fn window_listen(rx: &RxWindow) -> Listen {
    Listen::Node { phy: LoraPhy::lorawan(rx.frequency_hz, rx.sf, rx.bandwidth_hz), iq_inverted: true }
}
