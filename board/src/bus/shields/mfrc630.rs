//! NXP MFRC630 NFC frontend (address 0x28) after its datasheet, with the
//! ISO 14443A cards a board file holds in front of it. Registers: COMMAND
//! (0x00), FIFOCONTROL (0x02, bit 4 flushes), FIFOLENGTH (0x04), FIFODATA
//! (0x05: the register pointer stays on it), IRQ0/IRQ1 (0x06/0x07: bit 7 of a
//! write says set or clear the other bits; IRQ1 bit 6 is the global IRQ of
//! the bits IRQ0EN/IRQ1EN enable), ERROR (0x0A), timer 0 (0x0F-0x11,
//! 211.875 kHz or 13.56 MHz, started at the end of a transmission), VERSION
//! (0x7F, 0x18). TRANSCEIVE sends the FIFO (TXDATANUM's low 3 bits: bits of
//! the last byte, 0 for 8) to the card in the field, which answers at once:
//! REQA/WUPA with its ATQA, anticollision (NVB 0x20) with its UID part of the
//! cascade level and BCC, SELECT (NVB 0x70) with its SAK (CRCs are checked
//! and stripped by the chip, so the FIFO holds no CRC). Without an answer,
//! timer 0 runs out. SOFTRESET clears every register and turns the field
//! off (the card goes back to idle). HLTA (0x50 0x00) halts the card: only a
//! WUPA wakes it again.
//!
//! MIFARE Classic 1K cards (SAK 0x08) have a memory (see [`super::mifare`]).
//! LOADKEY (0x02) takes a key of 6 bytes from the FIFO; MFAUTHENT (0x03)
//! takes the key type (0x60 A, 0x61 B), the block and the UID's first 4
//! bytes, and with the right key for the block's sector turns STATUS's
//! (0x0B) Crypto1On (bit 5) on and ends with the IDLE IRQ; the chip then
//! encrypts and decrypts by itself, so the FIFO holds plain text: READ
//! (0x30) answers the block, WRITE (0xA0) the 4-bit ACK 0x0A, then the 16
//! bytes written and another ACK; a block of another sector gets a NAK
//! (0x04) and the card falls back to idle. A wrong key gets no answer (timer
//! 0 runs out) and the card falls back to idle. Writing STATUS without bit 5,
//! a HLTA, the card leaving the field and SOFTRESET end the authentication.
//! Crypto1 itself is not modelled.

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;

use super::knobs::Hand;
use super::mifare::{self, KeyType, Memory};
use super::registers::RegisterFile;

/// The frontend's address.
pub(super) const ADDRESS: u8 = 0x28;

const COMMAND: u8 = 0x00;
const FIFOCONTROL: u8 = 0x02;
const FIFOLENGTH: u8 = 0x04;
const FIFODATA: u8 = 0x05;
const IRQ0: u8 = 0x06;
const IRQ1: u8 = 0x07;
const IRQ0EN: u8 = 0x08;
const IRQ1EN: u8 = 0x09;
const ERROR: u8 = 0x0A;
const STATUS: u8 = 0x0B;
const T0CONTROL: u8 = 0x0F;
const T0RELOADHI: u8 = 0x10;
const T0RELOADLO: u8 = 0x11;
const TXDATANUM: u8 = 0x2E;
const VERSION: u8 = 0x7F;

const CMD_IDLE: u8 = 0x00;
const CMD_LOADKEY: u8 = 0x02;
const CMD_MFAUTHENT: u8 = 0x03;
const CMD_TRANSCEIVE: u8 = 0x07;
const CMD_SOFTRESET: u8 = 0x1F;

const IRQ0_IDLE: u8 = 1 << 4;
const IRQ0_TX: u8 = 1 << 3;
const IRQ0_RX: u8 = 1 << 2;
const IRQ1_GLOBAL: u8 = 1 << 6;
const IRQ1_TIMER0: u8 = 1 << 0;
/// STATUS: the chip encrypts and decrypts with Crypto1.
const STATUS_CRYPTO1_ON: u8 = 1 << 5;
/// SAK of a MIFARE Classic 1K.
const CLASSIC_1K: u8 = 0x08;
/// MIFARE's 4-bit ACK and NAK.
const ACK: u8 = 0x0A;
const NAK: u8 = 0x04;
/// FIFO size (the 512-byte mode).
const FIFO_SIZE: usize = 512;

/// A card in a board file: its UID, and when it is held in front of the reader.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSpec {
    /// 4, 7 or 10 bytes.
    pub uid: Vec<i64>,
    /// From this ms of device time on (0 unless told).
    #[serde(default)]
    pub from_ms: f64,
    /// Until this ms of device time (for ever unless told).
    #[serde(default)]
    pub until_ms: Option<f64>,
    /// The SAK of the last cascade level (0x08, a MIFARE Classic 1K, for a
    /// 4-byte UID; 0x00, a MIFARE Ultralight, for a longer one, unless told).
    #[serde(default)]
    pub sak: Option<i64>,
    /// A MIFARE Classic 1K's blocks other than a blank card's: block number
    /// (1 to 63) -> 16 bytes in hex.
    #[serde(default)]
    pub blocks: BTreeMap<String, String>,
}

/// A card built from its description.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Card {
    uid: Vec<u8>,
    from_us: u64,
    until_us: Option<u64>,
    sak: u8,
    /// A MIFARE Classic 1K's memory, kept for the run.
    memory: Option<Memory>,
}

fn time_us(name: &str, ms: f64) -> Result<u64, String> {
    if ms.is_nan() || ms < 0.0 {
        return Err(format!("card {name} must be a time (0 or more), not {ms}"));
    }
    Ok((ms * 1000.0).round() as u64)
}

impl CardSpec {
    /// The card, or what is wrong with its description.
    pub(super) fn build(&self) -> Result<Card, String> {
        let uid = self
            .uid
            .iter()
            .map(|&b| u8::try_from(b).map_err(|_| format!("card uid byte {b} is out of range (0 to 255)")))
            .collect::<Result<Vec<u8>, _>>()?;
        if ![4, 7, 10].contains(&uid.len()) {
            return Err(format!("a card uid has 4, 7 or 10 bytes, not {}", uid.len()));
        }
        let sak = match self.sak {
            None if uid.len() == 4 => 0x08,
            None => 0x00,
            Some(s) => u8::try_from(s)
                .ok()
                .filter(|s| s & 0x04 == 0)
                .ok_or_else(|| format!("card sak must be a byte without the cascade bit 0x04, not {s:#x}"))?,
        };
        let from_us = time_us("from_ms", self.from_ms)?;
        let until_us = self.until_ms.map(|ms| time_us("until_ms", ms)).transpose()?;
        let memory = match <[u8; 4]>::try_from(uid.as_slice()) {
            Ok(uid4) if sak == CLASSIC_1K => Some(Memory::new(uid4, sak, &self.blocks)?),
            _ if self.blocks.is_empty() => None,
            _ => return Err("card blocks are for a MIFARE Classic 1K (a 4-byte uid, sak 0x08)".to_owned()),
        };
        Ok(Card { uid, from_us, until_us, sak, memory })
    }
}

/// The index of the card of `cards` in the reader's field at `now_us`, as
/// their time windows say (the first one in its window).
pub(super) fn card_in_field(cards: &[Card], now_us: u64) -> Option<usize> {
    cards.iter().position(|c| c.in_field(now_us))
}

impl Card {
    fn in_field(&self, now_us: u64) -> bool {
        now_us >= self.from_us && self.until_us.is_none_or(|until| now_us < until)
    }

    /// Cascade levels of its UID.
    fn levels(&self) -> usize {
        self.uid.len() / 3
    }

    /// The four UID bytes of cascade level `level` (1 to 3), with the cascade
    /// tag 0x88 in front of three UID bytes where more levels follow.
    fn level(&self, level: usize) -> [u8; 4] {
        let start = 3 * (level - 1);
        if level < self.levels() {
            [0x88, self.uid[start], self.uid[start + 1], self.uid[start + 2]]
        } else {
            [self.uid[start], self.uid[start + 1], self.uid[start + 2], self.uid[start + 3]]
        }
    }
}

/// Where a card is in ISO 14443-3's state machine, and MIFARE's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CardState {
    Idle,
    /// After a HLTA: only a WUPA wakes it.
    Halted,
    /// Answered a REQA; anticollision and select go on at this cascade level.
    Ready(usize),
    Active,
    /// Authenticated for this sector (Crypto1 on).
    Authenticated(usize),
    /// Acknowledged a WRITE to this block: its 16 bytes come next.
    Writing(usize),
}

impl CardState {
    /// The sector the card is authenticated for.
    fn sector(self) -> Option<usize> {
        match self {
            Self::Authenticated(sector) => Some(sector),
            Self::Writing(block) => Some(mifare::sector(block)),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub(super) struct Mfrc630 {
    cards: Vec<Card>,
    /// A hand holding a card to the reader: 0 none, N the Nth card.
    held: Hand,
    registers: [u8; 0x80],
    fifo: VecDeque<u8>,
    timer0_due: Option<u64>,
    /// The card in the field (its index) and its state.
    card: Option<(usize, CardState)>,
    /// The key LOADKEY loaded.
    key: Option<[u8; 6]>,
}

impl Mfrc630 {
    /// A frontend with these cards passing in front of it, unless the hand
    /// `held` holds one of them (or none) to it.
    pub(super) fn new(cards: Vec<Card>, held: Hand) -> Self {
        Self { cards, held, registers: [0; 0x80], fifo: VecDeque::new(), timer0_due: None, card: None, key: None }
    }

    /// The card in the field at `now_us` and its state: a card that came
    /// into the field starts idle.
    fn track_field(&mut self, now_us: u64) -> Option<(usize, CardState)> {
        let present = match self.held.get() {
            Some(number) => (number as usize).checked_sub(1).filter(|&i| i < self.cards.len()),
            None => card_in_field(&self.cards, now_us),
        };
        if present != self.card.map(|(i, _)| i) {
            self.card = present.map(|i| (i, CardState::Idle));
        }
        self.card
    }

    /// The command ends with the IDLE IRQ (and `irq0`).
    fn done(&mut self, irq0: u8) {
        self.registers[usize::from(ERROR)] = 0;
        self.raise(irq0 | IRQ0_IDLE);
        self.registers[usize::from(COMMAND)] = CMD_IDLE;
    }

    /// No answer comes: timer 0 runs out if it starts at the end of the transmission.
    fn no_answer(&mut self, now_us: u64) {
        if self.registers[usize::from(T0CONTROL)] & 0x10 != 0 {
            self.timer0_due = Some(now_us + self.timer0_us());
        }
    }

    /// MFAUTHENT with the FIFO's key type, block and UID: the new state of
    /// the card in the field, if the loaded key opens the block's sector.
    fn authenticate(&mut self, parameters: &[u8], now_us: u64) -> Option<CardState> {
        let (index, state) = self.track_field(now_us)?;
        let [command, block, ref uid @ ..] = *parameters else { return None };
        let (key_type, block) = (KeyType::from_command(command)?, usize::from(block));
        let card = &self.cards[index];
        let authenticated = matches!(state, CardState::Active | CardState::Authenticated(_))
            && block < mifare::BLOCKS
            && uid.get(..4) == Some(&card.uid[..4])
            && card.memory.as_ref().zip(self.key).is_some_and(|(memory, key)| memory.opens(block, key_type, &key));
        if !authenticated {
            self.card = Some((index, CardState::Idle));
            return None;
        }
        Some(CardState::Authenticated(mifare::sector(block)))
    }

    fn irq1(&self) -> u8 {
        let r = &self.registers;
        let global = r[usize::from(IRQ0)] & r[usize::from(IRQ0EN)] & 0x7F != 0
            || r[usize::from(IRQ1)] & r[usize::from(IRQ1EN)] & 0x3F != 0;
        r[usize::from(IRQ1)] & !IRQ1_GLOBAL | if global { IRQ1_GLOBAL } else { 0 }
    }

    fn raise(&mut self, irq0: u8) {
        self.registers[usize::from(IRQ0)] |= irq0;
    }

    /// Device time timer 0 takes to run down from its reload value.
    fn timer0_us(&self) -> u64 {
        let reload = u64::from(self.registers[usize::from(T0RELOADHI)]) << 8
            | u64::from(self.registers[usize::from(T0RELOADLO)]);
        let hz: u64 = if self.registers[usize::from(T0CONTROL)] & 0x03 == 0 { 13_560_000 } else { 211_875 };
        ((reload + 1) * 1_000_000).div_ceil(hz)
    }

    fn execute(&mut self, command: u8, now_us: u64) {
        self.registers[usize::from(COMMAND)] = command;
        match command {
            CMD_SOFTRESET => {
                *self = Self::new(std::mem::take(&mut self.cards), self.held.clone());
            }
            CMD_TRANSCEIVE => {
                let frame: Vec<u8> = self.fifo.drain(..).collect();
                let last_bits = self.registers[usize::from(TXDATANUM)] & 0x07;
                self.raise(IRQ0_TX);
                match self.answer(&frame, last_bits, now_us) {
                    Some(answer) => {
                        self.fifo.extend(answer);
                        self.done(IRQ0_RX);
                    }
                    None => self.no_answer(now_us),
                }
            }
            CMD_LOADKEY => {
                let key: Vec<u8> = self.fifo.drain(..).collect();
                self.key = key.get(..6).and_then(|k| k.try_into().ok());
                self.done(0);
            }
            CMD_MFAUTHENT => {
                let parameters: Vec<u8> = self.fifo.drain(..).collect();
                match self.authenticate(&parameters, now_us) {
                    Some(state) => {
                        self.card = self.card.map(|(index, _)| (index, state));
                        self.done(0);
                    }
                    None => self.no_answer(now_us),
                }
            }
            CMD_IDLE => {}
            _ => {
                self.fifo.clear();
                self.raise(IRQ0_IDLE);
                self.registers[usize::from(COMMAND)] = CMD_IDLE;
            }
        }
    }

    /// What the card in the field answers to `frame` (`last_bits` bits of
    /// its last byte, 0 for all 8), if anything.
    fn answer(&mut self, frame: &[u8], last_bits: u8, now_us: u64) -> Option<Vec<u8>> {
        let (index, state) = self.track_field(now_us)?;
        if let Some(sector) = state.sector() {
            return if last_bits == 0 { self.mifare(index, sector, frame, state) } else { None };
        }
        let card = &self.cards[index];
        let cascade = |level: usize| 0x91 + 2 * level as u8;
        let (next, answer) = match (frame, last_bits, state) {
            ([0x26 | 0x52], 7, CardState::Idle) | ([0x52], 7, CardState::Halted) => {
                (CardState::Ready(1), vec![0x04 | ((card.levels() as u8 - 1) << 6), 0x00])
            }
            ([0x50, 0x00], 0, CardState::Active) => {
                self.card = Some((index, CardState::Halted));
                return None;
            }
            ([0x30 | 0xA0, _], 0, CardState::Active) if card.memory.is_some() => {
                self.card = Some((index, CardState::Idle));
                return Some(vec![NAK]);
            }
            ([command, 0x20], 0, CardState::Ready(level)) if *command == cascade(level) => {
                let part = card.level(level);
                (state, [&part[..], &[part.iter().fold(0, |bcc, b| bcc ^ b)]].concat())
            }
            ([command, 0x70, rest @ ..], 0, CardState::Ready(level)) if *command == cascade(level) => {
                let part = card.level(level);
                let bcc = part.iter().fold(0, |bcc, b| bcc ^ b);
                if rest != [&part[..], &[bcc]].concat() {
                    return None;
                }
                if level < card.levels() {
                    (CardState::Ready(level + 1), vec![0x04])
                } else {
                    (CardState::Active, vec![card.sak])
                }
            }
            _ => return None,
        };
        self.card = Some((index, next));
        Some(answer)
    }

    /// What a MIFARE Classic authenticated for `sector` answers to `frame`
    /// (decrypted, as the chip hands it on).
    fn mifare(&mut self, index: usize, sector: usize, frame: &[u8], state: CardState) -> Option<Vec<u8>> {
        let memory = self.cards[index].memory.as_mut()?;
        let mine = |block: u8| usize::from(block) < mifare::BLOCKS && mifare::sector(usize::from(block)) == sector;
        let (next, answer) = match (state, frame) {
            (CardState::Writing(block), data) => match <[u8; 16]>::try_from(data) {
                Ok(data) => {
                    memory.write(block, data);
                    (CardState::Authenticated(sector), vec![ACK])
                }
                Err(_) => (CardState::Idle, vec![NAK]),
            },
            (_, [0x30, block]) if mine(*block) => (state, memory.read(usize::from(*block)).to_vec()),
            (_, [0xA0, block]) if mine(*block) && Memory::writable(usize::from(*block)) => {
                (CardState::Writing(usize::from(*block)), vec![ACK])
            }
            (_, [0x50, 0x00]) => {
                self.card = Some((index, CardState::Halted));
                return None;
            }
            _ => (CardState::Idle, vec![NAK]),
        };
        self.card = Some((index, next));
        Some(answer)
    }
}

impl RegisterFile for Mfrc630 {
    fn read_register(&mut self, reg: u8, now_us: u64) -> u8 {
        if self.timer0_due.is_some_and(|due| now_us >= due) {
            self.timer0_due = None;
            self.registers[usize::from(IRQ1)] |= IRQ1_TIMER0;
        }
        match reg {
            FIFOLENGTH => self.fifo.len().min(255) as u8,
            STATUS => {
                let crypto = self.track_field(now_us).and_then(|(_, state)| state.sector()).is_some();
                self.registers[usize::from(STATUS)] & !STATUS_CRYPTO1_ON | if crypto { STATUS_CRYPTO1_ON } else { 0 }
            }
            FIFODATA => self.fifo.pop_front().unwrap_or(0),
            IRQ1 => self.irq1(),
            VERSION => 0x18,
            _ => self.registers.get(usize::from(reg)).copied().unwrap_or(0),
        }
    }

    fn write_register(&mut self, reg: u8, value: u8, now_us: u64) {
        match reg {
            COMMAND => self.execute(value & 0x1F, now_us),
            FIFOCONTROL => {
                if value & 0x10 != 0 {
                    self.fifo.clear();
                }
                self.registers[usize::from(reg)] = value & !0x10;
            }
            FIFODATA if self.fifo.len() < FIFO_SIZE => self.fifo.push_back(value),
            STATUS => {
                if value & STATUS_CRYPTO1_ON == 0
                    && let Some((index, state)) = self.card
                    && state.sector().is_some()
                {
                    self.card = Some((index, CardState::Active));
                }
            }
            IRQ0 | IRQ1 => {
                let bits = value & 0x7F & if reg == IRQ1 { !IRQ1_GLOBAL } else { 0xFF };
                let r = &mut self.registers[usize::from(reg)];
                *r = if value & 0x80 != 0 { *r | bits } else { *r & !bits };
            }
            FIFOLENGTH | FIFODATA | ERROR | VERSION => {}
            _ => {
                if let Some(r) = self.registers.get_mut(usize::from(reg)) {
                    *r = value;
                }
            }
        }
    }

    fn advances(&self, reg: u8) -> bool {
        reg != FIFODATA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(uid: &[u8]) -> Mfrc630 {
        let card = Card { uid: uid.to_vec(), from_us: 0, until_us: None, sak: 0x00, memory: None };
        Mfrc630::new(vec![card], Hand::default())
    }

    fn transceive(nfc: &mut Mfrc630, frame: &[u8], last_bits: u8) -> Vec<u8> {
        nfc.write_register(TXDATANUM, last_bits | 0x08, 0);
        frame.iter().for_each(|&b| nfc.write_register(FIFODATA, b, 0));
        nfc.write_register(COMMAND, CMD_TRANSCEIVE, 0);
        nfc.fifo.drain(..).collect()
    }

    #[test]
    fn a_seven_byte_uid_takes_two_cascade_levels() {
        let mut nfc = reader(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(transceive(&mut nfc, &[0x26], 7), [0x44, 0x00]);
        assert_eq!(transceive(&mut nfc, &[0x93, 0x20], 0), [0x88, 1, 2, 3, 0x88 ^ 1 ^ 2 ^ 3]);
        assert_eq!(transceive(&mut nfc, &[0x93, 0x70, 0x88, 1, 2, 3, 0x88 ^ 1 ^ 2 ^ 3], 0), [0x04]);
        assert_eq!(transceive(&mut nfc, &[0x95, 0x20], 0), [4, 5, 6, 7, 4 ^ 5 ^ 6 ^ 7]);
        assert_eq!(transceive(&mut nfc, &[0x95, 0x70, 4, 5, 6, 7, 4 ^ 5 ^ 6 ^ 7], 0), [0x00]);
        assert_eq!(transceive(&mut nfc, &[0x26], 7), Vec::<u8>::new(), "an active card ignores REQA");
    }

    #[test]
    fn a_card_held_by_hand_answers_outside_its_window_and_none_held_none_does() {
        let card = Card { uid: vec![1, 2, 3, 4], from_us: 0, until_us: Some(1_000), sak: 0x08, memory: None };
        let held = Hand::default();
        let mut values = super::super::ShieldValues::default();
        values.other("card", "#", 0.0..=1.0, &held, std::sync::Arc::new(|_| 0.0));
        let mut nfc = Mfrc630::new(vec![card], held);
        assert_eq!(nfc.track_field(500).map(|(i, _)| i), Some(0));
        assert_eq!(nfc.track_field(2_000), None, "out of its window");
        values.set("card", 1.0).unwrap();
        assert_eq!(nfc.track_field(2_000).map(|(i, _)| i), Some(0));
        values.set("card", 0.0).unwrap();
        assert_eq!(nfc.track_field(500), None);
        assert!(values.set("card", 2.0).is_err(), "the board file has one card");
    }

    #[test]
    fn without_an_answer_timer_0_runs_out() {
        let mut nfc = Mfrc630::new(Vec::new(), Hand::default());
        nfc.write_register(T0CONTROL, 0x11, 0);
        nfc.write_register(T0RELOADHI, 0x03, 0);
        nfc.write_register(T0RELOADLO, 0xFF, 0);
        nfc.write_register(IRQ1EN, 0x01, 0);
        nfc.write_register(FIFODATA, 0x26, 0);
        nfc.write_register(COMMAND, CMD_TRANSCEIVE, 0);
        assert_eq!(nfc.read_register(IRQ1, 4_800), 0);
        assert_eq!(nfc.read_register(IRQ1, 4_834), IRQ1_GLOBAL | IRQ1_TIMER0);
    }
}
