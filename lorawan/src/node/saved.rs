//! The session as `LoRa.nvram_save()` keeps it (LoRaMac.c `LoRaMacNvsSave`: keys, DevAddr,
//! NetID, counters, data rate, channels and mask, RX settings, pending MAC answers, ADR
//! counter), as one versioned byte string with a CRC-32 the Python side stores as an NVS blob.
//!
//! Layout (integers little-endian): "PLWS" | version | region id | body | CRC-32 of all before.

use crc::{CRC_32_ISO_HDLC, Crc};

use super::{MacError, Node, Session};
use crate::keys::{DevAddr, Key};
use crate::region::{Channel, Region};

const MAGIC: &[u8; 4] = b"PLWS";
const VERSION: u8 = 1;
const CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);

/// Appends fields to the saved bytes.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, value: u8) {
        self.0.push(value);
    }
    fn u16(&mut self, value: u16) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn bytes(&mut self, value: &[u8]) {
        self.0.extend_from_slice(value);
    }
    /// A byte string of at most 255 bytes, length first.
    fn short(&mut self, value: &[u8]) {
        let value = &value[..value.len().min(255)];
        self.u8(value.len() as u8);
        self.bytes(value);
    }
}

/// Reads fields back; every read fails cleanly at the end of the bytes.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], MacError> {
        if self.0.len() < n {
            return Err(MacError::BadSavedState("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, MacError> {
        Ok(self.take(1)?[0])
    }
    fn flag(&mut self) -> Result<bool, MacError> {
        Ok(self.u8()? != 0)
    }
    fn u16(&mut self) -> Result<u16, MacError> {
        Ok(u16::from_le_bytes([self.u8()?, self.u8()?]))
    }
    fn u32(&mut self) -> Result<u32, MacError> {
        Ok(u32::from_le_bytes([self.u8()?, self.u8()?, self.u8()?, self.u8()?]))
    }
    fn key(&mut self) -> Result<Key, MacError> {
        let mut key = [0u8; 16];
        key.copy_from_slice(self.take(16)?);
        Ok(Key(key))
    }
    fn short(&mut self) -> Result<Vec<u8>, MacError> {
        let len = usize::from(self.u8()?);
        Ok(self.take(len)?.to_vec())
    }
}

impl Node {
    /// The session and MAC settings as one checked byte string (see [`Node::restore`]).
    pub fn save(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u8(VERSION);
        w.u8(self.region.firmware_id());
        match &self.session {
            Some(s) => {
                w.u8(1);
                w.u32(s.dev_addr.0);
                w.u32(s.net_id);
                w.bytes(&s.nwk_skey.0);
                w.bytes(&s.app_skey.0);
                w.u32(s.fcnt_up);
                w.u32(s.fcnt_down);
            }
            None => w.u8(0),
        }
        for value in [self.dr, self.tx_power, self.nb_rep, u8::from(self.adr)] {
            w.u8(value);
        }
        w.u32(self.adr_ack_counter);
        w.u8(self.rx1_dr_offset);
        w.u32(self.rx2.0);
        w.u8(self.rx2.1);
        w.u8(self.rx_delay_s);
        w.u8(self.duty_cycle.max_dcycle());
        w.u8(u8::from(self.ack_downlink));
        w.u8(self.tx_retries);
        w.u8(self.battery);
        w.u16(self.last_dev_nonce);
        w.u8(self.channels.len() as u8);
        for (index, channel) in self.channels.iter().enumerate() {
            w.u8(u8::from(channel.is_some()) | u8::from(self.enabled[index]) << 1);
            let channel = channel.unwrap_or(Channel { frequency_hz: 0, min_dr: 0, max_dr: 0 });
            w.u32(channel.frequency_hz);
            w.u8(channel.min_dr << 4 | channel.max_dr);
            w.u32(self.rx1_frequencies[index].unwrap_or(0));
        }
        w.short(&self.mac_answers);
        w.short(&self.sticky_answers);
        let crc = CRC32.checksum(&w.0);
        w.u32(crc);
        w.0
    }

    /// A node in `region` continuing the session [`Node::save`] wrote (counters go on from
    /// where they were); `seed` fixes its random choices from here on. Damaged bytes, another
    /// version or another region give [`MacError::BadSavedState`].
    pub fn restore(region: Region, bytes: &[u8], seed: u64) -> Result<Self, MacError> {
        let Some((body, crc)) = bytes.split_last_chunk::<4>() else {
            return Err(MacError::BadSavedState("truncated"));
        };
        if !body.starts_with(MAGIC) {
            return Err(MacError::BadSavedState("not a saved LoRaWAN session"));
        }
        if CRC32.checksum(body) != u32::from_le_bytes(*crc) {
            return Err(MacError::BadSavedState("checksum mismatch"));
        }
        let mut r = Reader(&body[MAGIC.len()..]);
        if r.u8()? != VERSION {
            return Err(MacError::BadSavedState("unknown version"));
        }
        if r.u8()? != region.firmware_id() {
            return Err(MacError::BadSavedState("saved for another region"));
        }
        let mut node = Node::new(region, seed);
        if r.flag()? {
            node.session = Some(Session {
                dev_addr: DevAddr(r.u32()?),
                net_id: r.u32()?,
                nwk_skey: r.key()?,
                app_skey: r.key()?,
                fcnt_up: r.u32()?,
                fcnt_down: r.u32()?,
            });
        }
        node.dr = r.u8()?;
        node.tx_power = r.u8()?;
        node.nb_rep = r.u8()?;
        node.adr = r.flag()?;
        node.adr_ack_counter = r.u32()?;
        node.rx1_dr_offset = r.u8()?;
        node.rx2 = (r.u32()?, r.u8()?);
        node.rx_delay_s = r.u8()?;
        node.duty_cycle.set_max_dcycle(r.u8()?);
        node.ack_downlink = r.flag()?;
        node.tx_retries = r.u8()?;
        node.battery = r.u8()?;
        node.last_dev_nonce = r.u16()?;
        if usize::from(r.u8()?) != node.channels.len() {
            return Err(MacError::BadSavedState("channel table size"));
        }
        for index in 0..node.channels.len() {
            let presence = r.u8()?;
            let frequency_hz = r.u32()?;
            let range = r.u8()?;
            let rx1 = r.u32()?;
            node.channels[index] =
                (presence & 1 != 0).then_some(Channel { frequency_hz, min_dr: range >> 4, max_dr: range & 0x0F });
            node.enabled[index] = presence & 2 != 0;
            node.rx1_frequencies[index] = (rx1 != 0).then_some(rx1);
        }
        node.mac_answers = r.short()?;
        node.sticky_answers = r.short()?;
        if !r.0.is_empty() {
            return Err(MacError::BadSavedState("trailing bytes"));
        }
        Ok(node)
    }
}
