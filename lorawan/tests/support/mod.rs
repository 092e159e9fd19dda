//! What the LoRaWAN tests share: a log buffer, LoRa time-on-air, and delivering a node's
//! planned frame to the server and the server's answer back to the node (no radio).

#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use pycom_lorawan::{Activation, DevAddr, Eui, Key, NetworkServer, Node, Received, Region, TxPlan, Uplink};

/// A log sink the test can read back.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// The log's lines, parsed as JSON.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.text().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }

    /// The log as written.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// LoRa time on air in µs (Semtech SX127x datasheet formula: explicit header, CRC on,
/// 8-symbol preamble, coding rate 4/5, low data rate optimisation at SF11/SF12 on 125 kHz).
pub fn time_on_air_us(sf: u8, bandwidth_hz: u32, payload_len: usize) -> u64 {
    let symbol_us = f64::from(1u32 << sf) * 1e6 / f64::from(bandwidth_hz);
    let low_rate = u8::from(sf >= 11 && bandwidth_hz == 125_000);
    let numerator = 8.0 * payload_len as f64 - 4.0 * f64::from(sf) + 28.0 + 16.0;
    let denominator = 4.0 * f64::from(sf - 2 * low_rate);
    let payload_symbols = 8.0 + ((numerator / denominator).ceil() * 5.0).max(0.0);
    ((8.0 + 4.25 + payload_symbols) * symbol_us) as u64
}

/// The test devices' identities.
pub const DEV_EUI: &str = "0004A30B001C0530";
pub const APP_EUI: &str = "70B3D57ED0000001";
pub const APP_KEY: &str = "2B7E151628AED2A6ABF7158809CF4F3C";

/// The OTAA credentials of the test device, with `app_key`.
pub fn otaa(app_key: &str) -> Activation {
    Activation::Otaa {
        dev_eui: DEV_EUI.parse().unwrap(),
        app_eui: APP_EUI.parse().unwrap(),
        app_key: app_key.parse().unwrap(),
    }
}

/// ABP credentials: address 26011BDA with fixed keys.
pub fn abp_keys() -> (DevAddr, Key, Key) {
    ("26011BDA".parse().unwrap(), Key([0x11; 16]), Key([0x22; 16]))
}

/// A server in `region` that knows the OTAA test device, and its log.
pub fn server(region: Region) -> (NetworkServer, LogBuffer) {
    let log = LogBuffer::default();
    let mut server = NetworkServer::new(region, 0x13, 99, Box::new(log.clone()));
    server.add_otaa(DEV_EUI.parse().unwrap(), APP_EUI.parse().unwrap(), APP_KEY.parse().unwrap());
    (server, log)
}

/// A node and a server that know each other by ABP.
pub fn abp_pair(region: Region) -> (Node, NetworkServer, LogBuffer) {
    let (mut server, log) = server(region);
    let (addr, nwk, app) = abp_keys();
    server.add_abp(addr, nwk, app, Some(DEV_EUI.parse::<Eui>().unwrap()));
    let mut node = Node::new(region, 1);
    assert_eq!(node.join(Activation::Abp { dev_addr: addr, nwk_skey: nwk, app_skey: app }, None).unwrap(), None);
    (node, server, log)
}

/// The uplink a gateway named `gateway` hears when `plan` is sent at `at_us`.
pub fn heard(plan: &TxPlan, at_us: u64, gateway: &str) -> Uplink {
    Uplink {
        payload: plan.payload.clone(),
        frequency_hz: plan.frequency_hz,
        sf: plan.sf,
        bandwidth_hz: plan.bandwidth_hz,
        rssi_dbm: -80.0,
        snr_db: 7.5,
        end_us: at_us + time_on_air_us(plan.sf, plan.bandwidth_hz, plan.payload.len()),
        gateway: gateway.to_string(),
    }
}

/// Sends `plan` at `at_us`: the node learns its time on air, the server hears it, and the
/// server's answer (checked to fall in the plan's RX1 window) goes back to the node.
pub fn deliver(node: &mut Node, server: &mut NetworkServer, plan: &TxPlan, at_us: u64) -> Option<Received> {
    let up = heard(plan, at_us, "gw1");
    node.transmitted(at_us, up.end_us);
    let down = server.uplink(&up)?;
    assert_eq!(down.at_us, up.end_us + plan.rx1.delay_us, "the answer comes in RX1");
    assert_eq!(
        (down.frequency_hz, down.sf, down.bandwidth_hz),
        (plan.rx1.frequency_hz, plan.rx1.sf, plan.rx1.bandwidth_hz)
    );
    Some(node.received(&down.payload))
}

/// A node joined to `server` by OTAA (asserts the join worked).
pub fn joined_node(region: Region, server: &mut NetworkServer) -> Node {
    let mut node = Node::new(region, 5);
    let plan = node.join(otaa(APP_KEY), None).unwrap().unwrap();
    assert_eq!(deliver(&mut node, server, &plan, 0), Some(Received::JoinAccepted));
    node
}
