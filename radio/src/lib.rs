//! The air between virtual boards.
//!
//! - [`phy`]: LoRa time on air (Semtech's formula, as the firmware's SX1276
//!   driver computes it), receiver sensitivity and SNR limits per spreading
//!   factor.
//! - [`link`]: positions and the log-distance path loss model:
//!   `rssi = power - loss(1 m) - 10·n·log10(distance)`, with n = 2.7 and a
//!   40 dB loss at 1 m by default, and the thermal noise floor of a channel
//!   (-174 dBm/Hz + 10·log10(bandwidth) + 6 dB noise figure) for the SNR.
//! - [`medium`]: the shared air. A frame reaches a receiver that listened to
//!   its channel, spreading factor, bandwidth and IQ polarity from early in
//!   its preamble (at most 4 symbols before the preamble's end) to its end
//!   without transmitting, when it arrives at or above the sensitivity and
//!   SNR limit, and when no other frame on the same channel and spreading
//!   factor overlapped it, unless it was at least 6 dB stronger (capture).
//!   Different spreading factors do not collide.
//! - [`fsk`]: FSK frames between Sigfox radios in `Sigfox.FSK` mode (1.2
//!   kbps, up to 64 bytes), on a medium of their own with the same path
//!   loss, channel and collision rules.
//! - [`semtech_udp`]: both sides of Semtech's UDP packet forwarder protocol
//!   (v2): a gateway's, to hand uplinks to a real network server and take
//!   its downlinks, and a network server's, for gateways (a board's
//!   nano-gateway, a host's packet forwarder) to hand theirs to it.
//! - [`sigfox`]: Sigfox uplink durations and a virtual backend that logs
//!   messages as JSON lines and answers downlink requests.
//!
//! Everything is deterministic and runs on the caller's device time; the
//! crate reads no wall clock and draws no random numbers. Nothing here locks:
//! callers share a [`Medium`] behind their own mutex.

mod due;
pub mod fsk;
mod inbox;
pub mod link;
pub mod medium;
pub mod phy;
pub mod semtech_udp;
pub mod sigfox;

pub use link::{LinkModel, Position};
pub use medium::{
    Busy, CAPTURE_MARGIN_DB, DETECTION_SYMBOLS, Listen, Medium, RadioId, Reception, Transmission, TxReport,
};
pub use phy::{LoraPhy, sensitivity_dbm, snr_limit_db, time_on_air_ms, time_on_air_us};
