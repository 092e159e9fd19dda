//! What the device does with a frame heard in a receive window: a join accept completes the
//! pending join (decrypted with the AppKey, MIC checked, session keys derived, DLSettings,
//! RxDelay and CFList applied); a data downlink is checked (address, MIC with the 32-bit
//! FCntDown rebuilt from 16 bits, counter ahead and within MAX_FCNT_GAP), decrypted and its
//! MAC commands applied, as LoRaMac's `OnRadioRxDone`.

use lorawan::default_crypto::DefaultFactory;
use lorawan::keys::{AES128, AppKey};
use lorawan::parser::{
    CfList, DataHeader, DataPayload, EncryptedDataPayload, FRMPayload, JoinAcceptPayload, PhyPayload,
};

use super::{IgnoreReason, Node, Received, Session};
use crate::crypto;
use crate::frame::{FCTRL_ACK, FCTRL_PENDING};
use crate::keys::DevAddr;
use crate::region::Channel;

impl Node {
    /// Handles a frame heard in a receive window: a join accept completes a pending join; a
    /// data downlink for this device is checked (address, MIC with the 32-bit counter rebuilt
    /// from its 16 bits, counter ahead), decrypted and its MAC commands applied.
    pub fn received(&mut self, frame: &[u8]) -> Received {
        match lorawan::parser::parse(frame.to_vec()) {
            Ok(PhyPayload::JoinAccept(JoinAcceptPayload::Encrypted(accept))) => {
                let Some(join) = self.join.clone() else { return Received::Ignored(IgnoreReason::NoJoinPending) };
                let accept = accept.decrypt(&AppKey::from(join.app_key.0));
                if !accept.validate_mic(&AppKey::from(join.app_key.0)) {
                    return Received::Ignored(IgnoreReason::BadMic);
                }
                let app_nonce: [u8; 3] = accept.app_nonce().as_ref().try_into().unwrap_or_default();
                let net_id: [u8; 3] = accept.net_id().as_ref().try_into().unwrap_or_default();
                let dev_addr: [u8; 4] = accept.dev_addr().as_ref().try_into().unwrap_or_default();
                let (nwk_skey, app_skey) =
                    crypto::session_keys(&join.app_key, app_nonce, net_id, join.dev_nonce.to_le_bytes());
                let settings = accept.dl_settings();
                self.rx1_dr_offset = settings.rx1_dr_offset();
                self.rx2.1 = settings.rx2_data_rate();
                self.rx_delay_s = accept.rx_delay().max(1);
                if let Some(CfList::DynamicChannel(frequencies)) = accept.c_f_list()
                    && self.region.has_dynamic_channels()
                {
                    let first = self.region.default_channels().len();
                    for (index, frequency) in (first..).zip(frequencies.iter()) {
                        let frequency_hz = frequency.value();
                        if frequency_hz != 0 && self.region.frequency_allowed(frequency_hz) {
                            self.channels[index] = Some(Channel { frequency_hz, min_dr: 0, max_dr: 5 });
                            self.enabled[index] = true;
                        }
                    }
                }
                let mut net = [0u8; 4];
                net[..3].copy_from_slice(&net_id);
                self.session = Some(Session {
                    dev_addr: DevAddr::from_air(dev_addr),
                    net_id: u32::from_le_bytes(net),
                    nwk_skey,
                    app_skey,
                    fcnt_up: 0,
                    fcnt_down: 0,
                });
                self.join = None;
                Received::JoinAccepted
            }
            Ok(PhyPayload::Data(DataPayload::Encrypted(data))) => self.received_data(data),
            Ok(_) => Received::Ignored(IgnoreReason::NotADownlink),
            Err(_) => Received::Ignored(IgnoreReason::Malformed),
        }
    }

    /// A data frame: checks, counters, decryption and MAC commands.
    fn received_data(&mut self, data: EncryptedDataPayload<Vec<u8>, DefaultFactory>) -> Received {
        if data.is_uplink() {
            return Received::Ignored(IgnoreReason::NotADownlink);
        }
        let Some(session) = self.session.as_ref() else { return Received::Ignored(IgnoreReason::NotJoined) };
        let fhdr = data.fhdr();
        let addr: [u8; 4] = fhdr.dev_addr().as_ref().try_into().unwrap_or_default();
        if DevAddr::from_air(addr) != session.dev_addr {
            return Received::Ignored(IgnoreReason::WrongAddress);
        }
        let fctrl = fhdr.fctrl().raw_value();
        let fopts = fhdr.data().to_vec();
        let fcnt16 = fhdr.fcnt();
        let last = session.fcnt_down;
        let diff = fcnt16.wrapping_sub(last as u16);
        let fcnt = if diff < 0x8000 {
            last.wrapping_add(u32::from(diff))
        } else {
            last.wrapping_add(0x1_0000).wrapping_add_signed(i32::from(diff as i16))
        };
        if !data.validate_mic(&AES128(session.nwk_skey.0), fcnt) {
            return Received::Ignored(IgnoreReason::BadMic);
        }
        if u32::from(diff) >= self.region.max_fcnt_gap() {
            return Received::Ignored(IgnoreReason::CounterGap);
        }
        let confirmed = data.is_confirmed();
        let repeated = fcnt == last && last != 0;
        if confirmed {
            self.ack_downlink = true;
        }
        if repeated {
            return Received::Ignored(IgnoreReason::OldCounter);
        }
        let (nwk, app) = (session.nwk_skey, session.app_skey);
        let Ok(clear) = data.decrypt(Some(&AES128(nwk.0)), Some(&AES128(app.0)), fcnt) else {
            return Received::Ignored(IgnoreReason::Malformed);
        };
        if let Some(session) = self.session.as_mut() {
            session.fcnt_down = fcnt;
        }
        self.adr_ack_counter = 0;
        self.sticky_answers.clear();
        let ack = fctrl & FCTRL_ACK != 0;
        if ack {
            self.confirmed = None;
        }
        let port = clear.f_port();
        let (payload, port0_commands) = match clear.frm_payload() {
            FRMPayload::Data(bytes) => (bytes.to_vec(), Vec::new()),
            FRMPayload::MACCommands(commands) => (Vec::new(), commands.data().to_vec()),
            FRMPayload::None => (Vec::new(), Vec::new()),
        };
        self.apply_mac_commands(&fopts);
        self.apply_mac_commands(&port0_commands);
        Received::Data { port, payload, ack, pending: fctrl & FCTRL_PENDING != 0 }
    }
}
