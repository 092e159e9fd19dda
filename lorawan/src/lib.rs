//! LoRaWAN 1.0.2 for the virtual Pycom board: regional parameters ([`region`]), identifiers
//! and keys ([`keys`]), the device's MAC as the firmware's LoRaMac behaves ([`node`]) and a
//! network + application server that logs what it hears as JSON lines ([`server`]).
//!
//! Everything is deterministic: no wall clock (times are the caller's device-time µs) and
//! random choices come from caller-given seeds.
//!
//! One join and one uplink, the radio left out (the caller carries the bytes and reckons
//! the time on air):
//!
//! ```
//! use pycom_lorawan::{Activation, NetworkServer, Node, Received, Region, Uplink};
//!
//! let (dev_eui, app_eui, app_key) =
//!     ("0004A30B001C0530".parse()?, "70B3D57ED0000001".parse()?, "2B7E151628AED2A6ABF7158809CF4F3C".parse()?);
//! let mut server = NetworkServer::new(Region::Eu868, 0x13, 1, Box::new(std::io::sink()));
//! server.add_otaa(dev_eui, app_eui, app_key);
//! let mut node = Node::new(Region::Eu868, 7);
//!
//! let heard = |payload: Vec<u8>, frequency_hz, sf, end_us| Uplink {
//!     payload, frequency_hz, sf, bandwidth_hz: 125_000, rssi_dbm: -90.0, snr_db: 5.0, end_us,
//!     gateway: "gw1".into(),
//! };
//! let join = node.join(Activation::Otaa { dev_eui, app_eui, app_key }, None)?.unwrap();
//! node.transmitted(0, 62_000);
//! let accept = server.uplink(&heard(join.payload, join.frequency_hz, join.sf, 62_000)).unwrap();
//! assert_eq!(accept.at_us, 62_000 + join.rx1.delay_us);
//! assert_eq!(node.received(&accept.payload), Received::JoinAccepted);
//!
//! let up = node.uplink(1, b"hello", false, None, 10_000_000)?;
//! node.transmitted(10_000_000, 10_050_000);
//! assert!(server.uplink(&heard(up.payload, up.frequency_hz, up.sf, 10_050_000)).is_none());
//! assert_eq!(node.frame_counters(), (1, 0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod crypto;
mod duty_cycle;
mod frame;
pub mod keys;
pub mod node;
pub mod region;
mod rng;
pub mod server;

pub use keys::{DevAddr, Eui, Key, ParseError};
pub use node::{Activation, IgnoreReason, MacError, Node, Received, RxWindow, TxPlan};
pub use region::{Channel, DataRate, Region, UnknownRegion};
pub use server::{DeviceRef, Downlink, NetworkServer, Uplink};
