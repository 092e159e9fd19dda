//! A UART device in a board file: what is wired to UART 1 or 2.

use serde::Deserialize;

/// The shortest period of a repeated send: a device cannot send faster than
/// its line carries, and a faster one would queue without end.
const MIN_EVERY_MS: f64 = 1.0;

/// A `kind = "uart"` entry: one of a loopback, a scripted device (`send`
/// and/or `replies`) or a `bridge` to the host.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UartSpec {
    /// The UART (1 or 2).
    pub uart: u8,
    /// TX wired to RX.
    #[serde(default)]
    pub loopback: bool,
    /// Bytes the device sends at set device times.
    #[serde(default)]
    pub send: Vec<SendSpec>,
    /// Answers the device gives to what the board sends.
    #[serde(default)]
    pub replies: Vec<ReplySpec>,
    /// A program on the host: `pty` or `tcp:HOST:PORT`.
    #[serde(default)]
    pub bridge: Option<String>,
}

/// Bytes sent at a time, once or every `every_ms`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendSpec {
    /// When, in ms of device time since power-on.
    pub at_ms: f64,
    /// Sent again this often, for ever.
    #[serde(default)]
    pub every_ms: Option<f64>,
    /// The bytes as UTF-8 text ...
    #[serde(default)]
    pub text: Option<String>,
    /// ... or as hex digits.
    #[serde(default)]
    pub hex: Option<String>,
}

/// An answer to a request.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplySpec {
    /// The request, as text; each time the board has sent it the reply follows.
    pub expect: String,
    /// How long after the request's last byte the reply starts.
    #[serde(default)]
    pub delay_ms: f64,
    /// The reply as UTF-8 text ...
    #[serde(default)]
    pub text: Option<String>,
    /// ... or as hex digits.
    #[serde(default)]
    pub hex: Option<String>,
}

/// Why a UART device description is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UartSpecError {
    /// Not UART 1 or 2.
    #[error("uart device on UART {0}: only UART 1 and 2 take devices (UART 0 is the console)")]
    NoSuchUart(u8),
    /// None or several of loopback, script and bridge.
    #[error("uart device on UART {0}: give exactly one of loopback = true, send/replies, or bridge")]
    Ambiguous(u8),
    /// Asked for as a pin device.
    #[error("uart device on UART {0}: it is wired to the UART, not to one pin")]
    NotOnAPin(u8),
    /// Bytes given wrongly.
    #[error("uart device on UART {uart}: {problem}")]
    Invalid {
        /// The UART.
        uart: u8,
        /// What is wrong.
        problem: String,
    },
}

/// The bytes of a `text` or `hex` field pair.
pub(crate) fn payload(text: &Option<String>, hex: &Option<String>) -> Result<Vec<u8>, String> {
    match (text, hex) {
        (Some(text), None) => Ok(text.as_bytes().to_vec()),
        (None, Some(hex)) => {
            let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            if !digits.len().is_multiple_of(2) {
                return Err(format!("hex {hex:?} has an odd number of digits"));
            }
            digits
                .chunks(2)
                .map(|pair| {
                    std::str::from_utf8(pair)
                        .ok()
                        .and_then(|p| u8::from_str_radix(p, 16).ok())
                        .ok_or_else(|| format!("hex {hex:?} is not hex digits"))
                })
                .collect()
        }
        _ => Err("give the bytes as one of text or hex".to_owned()),
    }
}

impl UartSpec {
    /// Checks the description.
    pub fn check(&self) -> Result<(), UartSpecError> {
        let uart = self.uart;
        if !(1..=2).contains(&uart) {
            return Err(UartSpecError::NoSuchUart(uart));
        }
        let scripted = !self.send.is_empty() || !self.replies.is_empty();
        if [self.loopback, scripted, self.bridge.is_some()].iter().filter(|&&x| x).count() != 1 {
            return Err(UartSpecError::Ambiguous(uart));
        }
        let invalid = |problem: String| UartSpecError::Invalid { uart, problem };
        for send in &self.send {
            payload(&send.text, &send.hex).map_err(invalid)?;
            if send.every_ms.is_some_and(|ms| ms.is_nan() || ms < MIN_EVERY_MS) {
                return Err(invalid(format!("every_ms must be at least {MIN_EVERY_MS}")));
            }
        }
        for reply in &self.replies {
            payload(&reply.text, &reply.hex).map_err(invalid)?;
            if reply.expect.is_empty() {
                return Err(invalid("a reply's expect must not be empty".to_owned()));
            }
        }
        Ok(())
    }
}
