//! The network's MAC commands to the device (LoRaWAN 1.0.2 §5) as LoRaMac's
//! `ProcessMacCommands` applies and answers them. Parsing stops at the first unknown command.

use lorawan::maccommands::{DownlinkMacCommand, parse_downlink_mac_commands};

use super::Node;
use crate::region::{Channel, Region};

/// LinkCheckReq/LinkCheckAns.
pub(crate) const LINK_CHECK: u8 = 0x02;
/// LinkADRReq/LinkADRAns.
const LINK_ADR: u8 = 0x03;
/// DutyCycleReq/DutyCycleAns.
const DUTY_CYCLE: u8 = 0x04;
/// RXParamSetupReq/RXParamSetupAns.
const RX_PARAM_SETUP: u8 = 0x05;
/// DevStatusReq/DevStatusAns.
const DEV_STATUS: u8 = 0x06;
/// NewChannelReq/NewChannelAns.
const NEW_CHANNEL: u8 = 0x07;
/// RXTimingSetupReq/RXTimingSetupAns.
const RX_TIMING_SETUP: u8 = 0x08;
/// TxParamSetupReq/TxParamSetupAns (AS923 only).
const TX_PARAM_SETUP: u8 = 0x09;
/// DlChannelReq/DlChannelAns.
const DL_CHANNEL: u8 = 0x0A;

/// One LinkADRReq's fields.
struct LinkAdr {
    dr: u8,
    tx_power: u8,
    mask: u16,
    mask_control: u8,
    nb_rep: u8,
}

impl Node {
    /// Applies the MAC commands in `bytes` and queues their answers for the next uplink.
    pub(super) fn apply_mac_commands(&mut self, bytes: &[u8]) {
        let commands: Vec<DownlinkMacCommand<'_>> = parse_downlink_mac_commands(bytes).collect();
        let mut index = 0;
        while index < commands.len() {
            match &commands[index] {
                DownlinkMacCommand::LinkADRReq(_) => {
                    // Consecutive LinkADRReqs form one block with one status (LoRaMac).
                    let block: Vec<LinkAdr> = commands[index..]
                        .iter()
                        .map_while(|c| match c {
                            DownlinkMacCommand::LinkADRReq(req) => Some(req.bytes()),
                            _ => None,
                        })
                        .map(|b| LinkAdr {
                            dr: b[0] >> 4,
                            tx_power: b[0] & 0x0F,
                            mask: u16::from_le_bytes([b[1], b[2]]),
                            mask_control: (b[3] >> 4) & 0x07,
                            nb_rep: b[3] & 0x0F,
                        })
                        .collect();
                    let status = self.link_adr(&block);
                    for _ in &block {
                        self.mac_answers.extend_from_slice(&[LINK_ADR, status]);
                    }
                    index += block.len();
                    continue;
                }
                DownlinkMacCommand::LinkCheckAns(ans) => {
                    self.link_check = Some((ans.margin(), ans.gateway_count()));
                }
                DownlinkMacCommand::DutyCycleReq(req) => {
                    self.duty_cycle.set_max_dcycle(req.max_duty_cycle_raw());
                    self.mac_answers.push(DUTY_CYCLE);
                }
                DownlinkMacCommand::RXParamSetupReq(req) => {
                    let b = req.bytes();
                    let status = self.rx_param_setup((b[0] >> 4) & 0x07, b[0] & 0x0F, frequency(&b[1..4]));
                    self.sticky_answers.extend_from_slice(&[RX_PARAM_SETUP, status]);
                }
                DownlinkMacCommand::DevStatusReq(_) => {
                    let margin = (self.downlink_snr_db.round().clamp(-32.0, 31.0) as i8) as u8 & 0x3F;
                    self.mac_answers.extend_from_slice(&[DEV_STATUS, self.battery, margin]);
                }
                DownlinkMacCommand::NewChannelReq(req) => {
                    let b = req.bytes();
                    let status = self.new_channel(usize::from(b[0]), frequency(&b[1..4]), b[4] & 0x0F, b[4] >> 4);
                    self.mac_answers.extend_from_slice(&[NEW_CHANNEL, status]);
                }
                DownlinkMacCommand::RXTimingSetupReq(req) => {
                    self.rx_delay_s = (req.bytes()[0] & 0x0F).max(1);
                    self.sticky_answers.push(RX_TIMING_SETUP);
                }
                DownlinkMacCommand::TXParamSetupReq(_) => {
                    if self.region == Region::As923 {
                        self.mac_answers.push(TX_PARAM_SETUP);
                    }
                }
                DownlinkMacCommand::DlChannelReq(req) => {
                    let b = req.bytes();
                    let status = self.dl_channel(usize::from(b[0]), frequency(&b[1..4]));
                    self.sticky_answers.extend_from_slice(&[DL_CHANNEL, status]);
                }
                DownlinkMacCommand::DeviceTimeAns(_) => {}
            }
            index += 1;
        }
    }

    /// A LinkADRReq block: the channel mask of each request in turn, then the last request's
    /// data rate, power and repetitions, all applied only if all three are acceptable
    /// (`Region*LinkAdrReq`, `RegionCommonLinkAdrReqVerifyParams`). Returns the answer status.
    fn link_adr(&mut self, block: &[LinkAdr]) -> u8 {
        let mut enabled = self.enabled.clone();
        let mut status = 0x07u8;
        for req in block {
            if !self.apply_channel_mask(&mut enabled, req.mask_control, req.mask) {
                status &= !0x01;
            }
        }
        if !enabled.iter().any(|&on| on) {
            status &= !0x01;
        }
        let Some(last) = block.last() else { return 0 };
        let (mut dr, mut tx_power, mut nb_rep) = (last.dr, last.tx_power, last.nb_rep);
        if !self.adr {
            if last.dr != 0x0F || last.tx_power != 0x0F {
                status = 0;
                nb_rep = self.nb_rep;
            }
            dr = self.dr;
            tx_power = self.tx_power;
        }
        if status != 0 {
            let dr_ok = dr <= self.region.max_uplink_dr()
                && self.region.data_rate(dr).is_some()
                && self.channels.iter().zip(&enabled).any(|(c, &on)| on && c.is_some_and(|c| c.allows(dr)));
            if !dr_ok {
                status &= !0x02;
            }
            if tx_power > self.region.min_tx_power_index() {
                status &= !0x04;
            }
        }
        if status == 0x07 {
            self.enabled = enabled;
            self.dr = dr;
            self.tx_power = tx_power;
            self.nb_rep = if nb_rep == 0 { 1 } else { nb_rep };
        }
        status
    }

    /// Applies one ChMaskCntl/ChMask pair to `enabled`; false if the pair is not acceptable.
    fn apply_channel_mask(&self, enabled: &mut [bool], control: u8, mask: u16) -> bool {
        let bit = |i: usize| mask & (1 << i) != 0;
        match self.region {
            Region::Eu868 | Region::As923 | Region::In865 => match control {
                0 => {
                    if (0..16).any(|i| bit(i) && self.channels[i].is_none()) {
                        return false;
                    }
                    (0..16).for_each(|i| enabled[i] = bit(i));
                    true
                }
                6 => {
                    (0..16).for_each(|i| enabled[i] = self.channels[i].is_some());
                    true
                }
                _ => false,
            },
            Region::Us915 | Region::Au915 => match control {
                0..=4 => {
                    let base = usize::from(control) * 16;
                    let width = if control == 4 { 8 } else { 16 };
                    (0..width).for_each(|i| enabled[base + i] = bit(i));
                    true
                }
                6 | 7 => {
                    (0..64).for_each(|i| enabled[i] = control == 6);
                    (0..8).for_each(|i| enabled[64 + i] = bit(i));
                    true
                }
                _ => false,
            },
            Region::Cn470 => match control {
                0..=5 => {
                    let base = usize::from(control) * 16;
                    (0..16).for_each(|i| enabled[base + i] = bit(i));
                    true
                }
                6 => {
                    enabled.iter_mut().for_each(|on| *on = true);
                    true
                }
                _ => false,
            },
        }
    }

    /// RXParamSetupReq: RX1 offset, RX2 data rate and frequency, all or nothing.
    fn rx_param_setup(&mut self, rx1_dr_offset: u8, rx2_dr: u8, frequency_hz: u32) -> u8 {
        let mut status = 0x07u8;
        if !self.region.frequency_allowed(frequency_hz) {
            status &= !0x01;
        }
        if self.region.data_rate(rx2_dr).is_none() {
            status &= !0x02;
        }
        if rx1_dr_offset > self.region.max_rx1_dr_offset() {
            status &= !0x04;
        }
        if status == 0x07 {
            self.rx1_dr_offset = rx1_dr_offset;
            self.rx2 = (frequency_hz, rx2_dr);
        }
        status
    }

    /// NewChannelReq (dynamic channel plans only): defines, changes or (frequency 0) removes a
    /// channel. A default channel keeps its frequency and must allow DR0 up to DR5 or more,
    /// and cannot be removed (RegionEU868.c `RegionEU868ChannelAdd`).
    fn new_channel(&mut self, index: usize, frequency_hz: u32, min_dr: u8, max_dr: u8) -> u8 {
        if !self.region.has_dynamic_channels() || index >= self.channels.len() {
            return 0;
        }
        let default = self.region.default_channels().get(index).copied();
        if frequency_hz == 0 {
            if default.is_some() {
                return 0;
            }
            self.channels[index] = None;
            self.enabled[index] = false;
            return 0x03;
        }
        let max_allowed = self.region.max_uplink_dr();
        let mut dr_ok = min_dr <= max_dr && max_dr <= max_allowed;
        let mut frequency_ok = self.region.frequency_allowed(frequency_hz);
        if let Some(default) = default {
            dr_ok &= min_dr == 0 && max_dr >= 5;
            frequency_ok &= frequency_hz == default.frequency_hz;
        }
        let status = u8::from(dr_ok) << 1 | u8::from(frequency_ok);
        if status == 0x03 {
            self.channels[index] = Some(Channel { frequency_hz, min_dr, max_dr });
            self.enabled[index] = true;
            self.rx1_frequencies[index] = None;
        }
        status
    }

    /// DlChannelReq: a separate RX1 frequency for an existing uplink channel.
    fn dl_channel(&mut self, index: usize, frequency_hz: u32) -> u8 {
        if !self.region.has_dynamic_channels() || index >= self.channels.len() {
            return 0;
        }
        let mut status = 0x03u8;
        if !self.region.frequency_allowed(frequency_hz) {
            status &= !0x01;
        }
        if self.channels[index].is_none() {
            status &= !0x02;
        }
        if status == 0x03 {
            self.rx1_frequencies[index] = Some(frequency_hz);
        }
        status
    }
}

/// A 24-bit little-endian frequency field in units of 100 Hz.
fn frequency(bytes: &[u8]) -> u32 {
    bytes.iter().rev().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) * 100
}
