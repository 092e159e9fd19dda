//! The fleet's network server on a host UDP port: gateways that speak
//! Semtech's packet forwarder protocol (a board running a nano-gateway over
//! its Wi-Fi, or a program on the host) hand it their uplinks as PUSH_DATA,
//! and it answers a join or an uplink as a real server does: a PULL_RESP to
//! the gateway that heard it, timed for RX1 on that gateway's counter
//! (`tmst` + the region's delay).
//!
//! A board's datagram to the server is handled before the board's `sendto`
//! returns ([`LocalService`]), at the board's device time when it sent it, so
//! a fleet with a nano-gateway runs the same way every time. A datagram
//! from a program on the host is handled when it comes, at the fleet's
//! device time then.

use std::collections::{HashMap, VecDeque};
use std::net::{SocketAddr, SocketAddrV4};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use pycom_lorawan::{NetworkServer, Uplink};
use pycom_radio::LoraPhy;
use pycom_radio::semtech_udp::{Downlink, PacketServer, RxPacket, ServerEvent};

use crate::Clock;
use crate::net::LocalService;
use crate::timeline::Timeline;

/// How long (wall time) the server waits for a datagram before looking
/// whether the fleet has stopped.
const RECEIVE_SLICE: Duration = Duration::from_millis(50);
/// How long (wall time) a board waits for the server to handle its
/// datagram: longer means the datagram was lost on the host.
const HANDLE_WAIT: Duration = Duration::from_secs(2);

/// The network server behind a UDP port.
pub struct UdpNetworkServer {
    packets: Mutex<PacketServer>,
    address: SocketAddr,
    server: Arc<Mutex<NetworkServer>>,
    timeline: Arc<Timeline>,
    /// The device times of the boards' datagrams on their way, by sender.
    expected: Mutex<HashMap<SocketAddr, VecDeque<u64>>>,
    handled: Condvar,
}

impl UdpNetworkServer {
    /// `server` listening on UDP `addr` (port 0: any free one, see
    /// [`address`](Self::address)), on the fleet's `timeline`.
    pub fn bind(
        addr: SocketAddr,
        server: Arc<Mutex<NetworkServer>>,
        timeline: Arc<Timeline>,
    ) -> std::io::Result<Arc<Self>> {
        let packets = PacketServer::bind(addr)?;
        let address = packets.local_addr()?;
        Ok(Arc::new(Self {
            packets: Mutex::new(packets),
            address,
            server,
            timeline,
            expected: Mutex::default(),
            handled: Condvar::new(),
        }))
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// What a board with `clock` tells the server about its datagrams (for
    /// [`HostNet::add_service`](crate::net::HostNet::add_service)).
    pub fn for_board(self: &Arc<Self>, clock: Arc<Clock>) -> Arc<dyn LocalService> {
        Arc::new(BoardLink { server: self.clone(), clock })
    }

    /// Handles datagrams until the fleet's timeline halts.
    pub fn run(&self) {
        while !self.timeline.halted() {
            let mut packets = lock(&self.packets);
            let Ok(Some((from, event))) = packets.receive(RECEIVE_SLICE) else { continue };
            let sent_at = lock(&self.expected).get(&from).and_then(|times| times.front().copied());
            let now = sent_at.unwrap_or_else(|| self.timeline.now_us());
            if let ServerEvent::Uplinks { gateway, packets: frames } = event {
                for frame in frames {
                    self.uplink(&mut packets, gateway, frame, now);
                }
            }
            drop(packets);
            // Handled, answers sent: the board that sent it goes on.
            if let Some(times) = lock(&self.expected).get_mut(&from) {
                times.pop_front();
            }
            self.handled.notify_all();
        }
    }

    /// Hands one frame gateway `gateway` heard to the network server at
    /// device time `now`, and its answer back to the gateway.
    fn uplink(&self, packets: &mut PacketServer, gateway: [u8; 8], frame: RxPacket, now: u64) {
        let up = Uplink {
            payload: frame.payload,
            frequency_hz: frame.phy.frequency_hz,
            sf: frame.phy.sf,
            bandwidth_hz: frame.phy.bandwidth_hz,
            rssi_dbm: frame.rssi_dbm,
            snr_db: frame.snr_db,
            end_us: now,
            gateway: gateway.iter().map(|b| format!("{b:02X}")).collect(),
        };
        let Some(down) = lock(&self.server).uplink(&up) else { return };
        // On the gateway's counter, as long after the frame as the server's answer is after `now`.
        let delay = down.at_us.saturating_sub(now) as u32;
        let downlink = Downlink {
            immediate: false,
            tmst_us: Some(frame.tmst_us.wrapping_add(delay)),
            // Downlinks carry no payload CRC.
            phy: LoraPhy { crc: false, ..LoraPhy::lorawan(down.frequency_hz, down.sf, down.bandwidth_hz) },
            iq_inverted: true,
            power_dbm: down.power_dbm,
            payload: down.payload,
        };
        // A gateway that never pulled has no downlink path: the answer is lost, as with a real server.
        let _ = packets.send_downlink(gateway, &downlink);
    }
}

impl std::fmt::Debug for UdpNetworkServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpNetworkServer").field("address", &self.address).finish_non_exhaustive()
    }
}

/// One board's side of the server: its datagrams carry its device time.
#[derive(Debug)]
struct BoardLink {
    server: Arc<UdpNetworkServer>,
    clock: Arc<Clock>,
}

impl LocalService for BoardLink {
    fn serves(&self, to: SocketAddrV4) -> bool {
        let at = self.server.address;
        at.port() == to.port() && (at.ip().is_unspecified() || at.ip() == std::net::IpAddr::V4(*to.ip()))
    }

    fn sending(&self, from: SocketAddr) {
        lock(&self.server.expected).entry(from).or_default().push_back(self.clock.now_us());
    }

    fn sent(&self, from: SocketAddr, delivered: bool) {
        let mut expected = lock(&self.server.expected);
        if !delivered {
            expected.get_mut(&from).map(VecDeque::pop_back);
            return;
        }
        let deadline = Instant::now() + HANDLE_WAIT;
        while expected.get(&from).is_some_and(|times| !times.is_empty()) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                // Lost on the host: forget it, so later datagrams keep their own times.
                expected.remove(&from);
                break;
            }
            expected = self.server.handled.wait_timeout(expected, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
