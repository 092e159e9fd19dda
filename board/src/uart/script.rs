//! A scripted device on a UART: bytes at set times (a GPS's sentences every
//! second) and replies to requests (a modem's `OK` to `AT`).

use super::frame::Frame;
use super::peer::UartPeer;
use super::spec::{UartSpec, payload};
use crate::pins::ms_to_us;

#[derive(Debug)]
struct Scheduled {
    next_us: u64,
    every_us: Option<u64>,
    bytes: Vec<u8>,
}

#[derive(Debug)]
struct Reply {
    expect: Vec<u8>,
    delay_us: u64,
    bytes: Vec<u8>,
}

/// Plays a [`UartSpec`]'s `send` and `replies`.
#[derive(Debug)]
pub struct ScriptedPeer {
    sends: Vec<Scheduled>,
    replies: Vec<Reply>,
    /// What the board sent since the last request was answered, with the
    /// time each byte finished arriving.
    heard: Vec<(u64, u8)>,
    answers: Vec<(u64, Vec<u8>)>,
}

impl ScriptedPeer {
    /// The device of a checked `spec`.
    pub fn new(spec: &UartSpec) -> Self {
        let bytes = |text: &Option<String>, hex: &Option<String>| payload(text, hex).unwrap_or_default();
        Self {
            sends: spec
                .send
                .iter()
                .map(|s| Scheduled {
                    next_us: ms_to_us(s.at_ms),
                    every_us: s.every_ms.map(|ms| ms_to_us(ms).max(1)),
                    bytes: bytes(&s.text, &s.hex),
                })
                .collect(),
            replies: spec
                .replies
                .iter()
                .map(|r| Reply {
                    expect: r.expect.as_bytes().to_vec(),
                    delay_us: ms_to_us(r.delay_ms),
                    bytes: bytes(&r.text, &r.hex),
                })
                .collect(),
            heard: Vec::new(),
            answers: Vec::new(),
        }
    }
}

impl UartPeer for ScriptedPeer {
    fn hear(&mut self, bytes: &[u8], start_us: u64, frame: &Frame) {
        for (i, &byte) in bytes.iter().enumerate() {
            let end_us = start_us + frame.chars_us(i as u64 + 1);
            self.heard.push((end_us, byte));
            let heard: Vec<u8> = self.heard.iter().map(|(_, b)| *b).collect();
            if let Some(reply) = self.replies.iter().find(|r| heard.ends_with(&r.expect)) {
                self.answers.push((end_us + reply.delay_us, reply.bytes.clone()));
                self.heard.clear();
            }
        }
    }

    fn speak(&mut self, _now_us: u64, until_us: u64) -> Vec<(u64, Vec<u8>)> {
        let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
        for send in &mut self.sends {
            while send.next_us <= until_us {
                out.push((send.next_us, send.bytes.clone()));
                match send.every_us {
                    Some(every) => send.next_us += every,
                    None => send.next_us = u64::MAX,
                }
            }
        }
        let later = self.answers.iter().position(|(at, _)| *at > until_us).unwrap_or(self.answers.len());
        out.extend(self.answers.drain(..later));
        out.sort_by_key(|(at, _)| *at);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uart::{ReplySpec, SendSpec};

    fn spec() -> UartSpec {
        UartSpec {
            uart: 1,
            loopback: false,
            send: vec![SendSpec { at_ms: 1000.0, every_ms: Some(1000.0), text: Some("$GP\r\n".into()), hex: None }],
            replies: vec![ReplySpec { expect: "AT\r".into(), delay_ms: 5.0, text: Some("OK\r\n".into()), hex: None }],
            bridge: None,
        }
    }

    #[test]
    fn repeated_sends_come_every_period() {
        let mut peer = ScriptedPeer::new(&spec());
        let starts: Vec<u64> = peer.speak(0, 3_000_000).into_iter().map(|(at, _)| at).collect();
        assert_eq!(starts, [1_000_000, 2_000_000, 3_000_000]);
    }

    #[test]
    fn a_request_is_answered_after_its_last_byte_and_the_delay() {
        let mut peer = ScriptedPeer::new(&UartSpec { send: vec![], ..spec() });
        peer.hear(b"AT\r", 0, &Frame::default());
        assert_eq!(peer.speak(0, 10_000_000), vec![(3125 + 5000, b"OK\r\n".to_vec())]);
    }
}
