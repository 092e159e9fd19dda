//! The network side of a fleet: LoRaWAN gateways in the air and the network
//! server behind them, as one participant of the fleet's timeline.
//!
//! A gateway hears every spreading factor on its region's channels. What
//! it hears goes to the built-in [`NetworkServer`] or, for a gateway that
//! forwards, over Semtech's UDP protocol to a network server on the host
//! (ChirpStack's gateway bridge, TTN's stack); the downlinks either
//! answers are sent by the gateway at their time. Downlinks the built-in
//! server has for class C devices go when they are due, without an uplink.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pycom_lorawan::{NetworkServer, Uplink};
use pycom_radio::semtech_udp::Forwarder;
use pycom_radio::{Listen, LoraPhy, Position, RadioId, Reception, Transmission};

use super::air::Air;
use crate::timeline::Pace;

/// How long (wall time) a forwarding gateway waits for the host's network
/// server to answer an uplink before device time goes on: its RX1 answer
/// must be scheduled before the window opens.
const FORWARD_ANSWER_WAIT: Duration = Duration::from_millis(500);

/// A gateway of the fleet.
pub struct Gateway {
    /// Its name, in the network server's log.
    pub name: String,
    /// Where it stands.
    pub position: Position,
    /// A network server on the host it forwards to, instead of the built-in one.
    pub forward: Option<SocketAddr>,
}

/// A gateway in the air.
struct GatewayRadio {
    name: String,
    radio: RadioId,
    forwarder: Option<Forwarder>,
}

/// A downlink waiting for its time.
struct Scheduled {
    radio: RadioId,
    tx: Transmission,
}

/// The gateways and the network server, on the fleet's timeline.
pub struct LoraNetwork {
    air: Arc<Air>,
    pace: Pace,
    gateways: Vec<GatewayRadio>,
    server: Option<Arc<Mutex<NetworkServer>>>,
    downlinks: BTreeMap<(u64, u64), Scheduled>,
    sent: u64,
}

impl LoraNetwork {
    /// Puts `gateways` in `air`, listening on `channels` (centre frequency
    /// and bandwidth, Hz),
    /// with `server` behind them (shared with its UDP port, if it has one);
    /// `pace` is the network's place on the timeline.
    pub fn new(
        air: Arc<Air>,
        pace: Pace,
        gateways: Vec<Gateway>,
        channels: Vec<(u32, u32)>,
        server: Option<Arc<Mutex<NetworkServer>>>,
    ) -> std::io::Result<Self> {
        let participant = pace.index();
        let mut radios = Vec::new();
        for (index, gateway) in gateways.into_iter().enumerate() {
            let radio = air.add_radio(gateway.position, Some(participant));
            air.listen(radio, 0, Listen::Gateway { channels: channels.clone() });
            let forwarder = gateway
                .forward
                .map(|server| {
                    let mut eui = [0xAA, 0x55, 0x5A, 0x00, 0, 0, 0, 0];
                    eui[4..].copy_from_slice(&(index as u32).to_be_bytes());
                    let mut forwarder = Forwarder::new(eui, server)?;
                    forwarder.pull()?;
                    Ok::<_, std::io::Error>(forwarder)
                })
                .transpose()?;
            radios.push(GatewayRadio { name: gateway.name, radio, forwarder });
        }
        Ok(Self { air, pace, gateways: radios, server, downlinks: BTreeMap::new(), sent: 0 })
    }

    /// Runs until the fleet's timeline halts: hears uplinks at their end,
    /// hands them on, and sends the downlinks at their time.
    pub fn run(mut self) {
        let mut now = self.pace.start();
        while !self.pace.timeline().halted() {
            let mut heard: Vec<(usize, Reception)> = (0..self.gateways.len())
                .flat_map(|index| {
                    self.air.take_received(self.gateways[index].radio, now).into_iter().map(move |f| (index, f))
                })
                .collect();
            // A frame several gateways heard reaches the network server from
            // each; it keeps the first and answers through that gateway, so
            // the best (SNR, then RSSI) comes first, as a network server picks it.
            heard.sort_by(|(a_gw, a), (b_gw, b)| {
                b.snr_db.total_cmp(&a.snr_db).then(b.rssi_dbm.total_cmp(&a.rssi_dbm)).then(a_gw.cmp(b_gw))
            });
            for (index, frame) in heard {
                self.uplink(index, &frame, now);
            }
            let class_c = self
                .server
                .as_ref()
                .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).class_c_downlinks(now, |g| self.has_gateway(g)));
            for down in class_c.into_iter().flatten() {
                self.send_from_server(down, None);
            }
            while let Some(entry) = self.downlinks.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                let ((at, _), scheduled) = entry.remove_entry();
                // A downlink whose gateway is busy sending another is lost, as on a real gateway.
                let _ = self.air.transmit(scheduled.radio, at, scheduled.tx);
            }
            now = self.pace.wait_until(self.next_due().unwrap_or(u64::MAX));
        }
        self.pace.leave();
    }

    fn next_due(&self) -> Option<u64> {
        let arrivals = self.gateways.iter().filter_map(|g| self.air.next_arrival_us(g.radio));
        let downlink = self.downlinks.keys().next().map(|(at, _)| *at);
        let class_c = self
            .server
            .as_ref()
            .and_then(|s| s.lock().unwrap_or_else(|p| p.into_inner()).next_class_c_us(|g| self.has_gateway(g)));
        arrivals.chain(downlink).chain(class_c).min()
    }

    /// Whether `name` is one of the fleet's gateways (not a packet
    /// forwarder behind the server's UDP port).
    fn has_gateway(&self, name: &str) -> bool {
        self.gateways.iter().any(|g| g.name == name)
    }

    /// An uplink gateway `index` heard at `now`.
    fn uplink(&mut self, index: usize, frame: &Reception, now: u64) {
        let radio = self.gateways[index].radio;
        if let Some(forwarder) = self.gateways[index].forwarder.as_mut() {
            let answers = forward(forwarder, frame);
            for downlink in answers {
                let at =
                    if downlink.immediate { now } else { downlink.tmst_us.map_or(now, |tmst| from_tmst(tmst, now)) };
                let tx = Transmission {
                    phy: downlink.phy,
                    iq_inverted: downlink.iq_inverted,
                    power_dbm: downlink.power_dbm,
                    payload: downlink.payload,
                };
                self.schedule(at, radio, tx);
            }
            return;
        }
        let Some(server) = self.server.as_ref() else { return };
        let up = Uplink {
            payload: frame.payload.clone(),
            frequency_hz: frame.phy.frequency_hz,
            sf: frame.phy.sf,
            bandwidth_hz: frame.phy.bandwidth_hz,
            rssi_dbm: frame.rssi_dbm,
            snr_db: frame.snr_db,
            end_us: frame.end_us,
            gateway: self.gateways[index].name.clone(),
        };
        let answer = server.lock().unwrap_or_else(|p| p.into_inner()).uplink(&up);
        if let Some(down) = answer {
            self.send_from_server(down, Some(radio));
        }
    }

    /// Schedules a downlink of the built-in server on the gateway it names
    /// (else on `fallback`).
    fn send_from_server(&mut self, down: pycom_lorawan::Downlink, fallback: Option<RadioId>) {
        let Some(radio) = self.gateways.iter().find(|g| g.name == down.gateway).map(|g| g.radio).or(fallback) else {
            return;
        };
        // Downlinks carry no payload CRC.
        let phy = LoraPhy { crc: false, ..LoraPhy::lorawan(down.frequency_hz, down.sf, down.bandwidth_hz) };
        let tx = Transmission { phy, iq_inverted: true, power_dbm: down.power_dbm, payload: down.payload };
        self.schedule(down.at_us, radio, tx);
    }

    fn schedule(&mut self, at: u64, radio: RadioId, tx: Transmission) {
        self.sent += 1;
        self.downlinks.insert((at, self.sent), Scheduled { radio, tx });
    }
}

/// Sends `frame` to the host's network server and waits (wall time) for
/// its answers.
fn forward(forwarder: &mut Forwarder, frame: &Reception) -> Vec<pycom_radio::semtech_udp::Downlink> {
    if forwarder.push_uplink(frame, frame.end_us as u32, None).is_err() {
        return Vec::new();
    }
    let started = Instant::now();
    let mut answers = Vec::new();
    while started.elapsed() < FORWARD_ANSWER_WAIT && answers.is_empty() {
        answers.extend(forwarder.poll().unwrap_or_default());
        if answers.is_empty() {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    answers
}

/// The device time of a gateway counter value `tmst` near `now`.
fn from_tmst(tmst: u32, now: u64) -> u64 {
    let base = now & !0xFFFF_FFFF;
    let at = base | u64::from(tmst);
    if at + (1 << 31) < now { at + (1 << 32) } else { at }
}
