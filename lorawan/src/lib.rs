//! LoRaWAN 1.0.2 for the virtual Pycom board: regional parameters ([`region`]), identifiers
//! and keys ([`keys`]), the device's MAC as the firmware's LoRaMac behaves ([`node`]) and a
//! network + application server that logs what it hears as JSON lines ([`server`]).
//!
//! Everything is deterministic: no wall clock (times are the caller's device-time µs) and
//! random choices come from caller-given seeds.

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
