//! Data frames (LoRaWAN 1.0.2 §4): building them with the `lorawan` crate's
//! `DataPayloadCreator`, and reading their 32-bit frame counter back from the 16 bits sent.

use lorawan::creator::DataPayloadCreator;
use lorawan::keys::{AppSKey, NewSKey};
use lorawan::maccommands::SerializableMacCommand;
use lorawan::parser::FCtrl;

use crate::keys::{DevAddr, Key};

/// FCtrl bit: adaptive data rate on.
pub(crate) const FCTRL_ADR: u8 = 0x80;
/// FCtrl bit (uplink): the device asks the network to answer (ADRACKReq).
pub(crate) const FCTRL_ADR_ACK_REQ: u8 = 0x40;
/// FCtrl bit: this frame acknowledges the last confirmed frame.
pub(crate) const FCTRL_ACK: u8 = 0x20;
/// FCtrl bit (downlink): the network has more frames queued (FPending).
pub(crate) const FCTRL_PENDING: u8 = 0x10;
/// The most MAC command bytes FOpts can carry.
pub(crate) const MAX_FOPTS: usize = 15;

/// What goes into one data frame.
pub(crate) struct DataFrame<'a> {
    /// Uplink (device to network) or downlink.
    pub uplink: bool,
    /// Confirmed (the receiver must acknowledge) or unconfirmed.
    pub confirmed: bool,
    /// The device's address.
    pub dev_addr: DevAddr,
    /// FCtrl flags (ADR, ADRACKReq, ACK, FPending); FOptsLen is filled in.
    pub flags: u8,
    /// The full 32-bit frame counter (the frame carries its low 16 bits).
    pub fcnt: u32,
    /// MAC commands carried in FOpts (at most 15 bytes).
    pub fopts: &'a [u8],
    /// FPort and FRMPayload, or None for a frame without payload.
    pub port_payload: Option<(u8, &'a [u8])>,
}

/// Already serialized MAC commands, handed to the crate's creator as one command: it writes
/// the first byte as "CID" and the rest as "payload", which reproduces the bytes.
struct SerializedCommands<'a>(&'a [u8]);

impl SerializableMacCommand for SerializedCommands<'_> {
    fn payload_bytes(&self) -> &[u8] {
        &self.0[1..]
    }

    fn cid(&self) -> u8 {
        self.0[0]
    }

    fn payload_len(&self) -> usize {
        self.0.len() - 1
    }
}

/// The frame's bytes: MHDR | FHDR | FPort | FRMPayload encrypted | MIC.
pub(crate) fn build(frame: &DataFrame<'_>, nwk_skey: &Key, app_skey: &Key) -> Vec<u8> {
    let mut creator = DataPayloadCreator::new();
    creator
        .set_uplink(frame.uplink)
        .set_confirmed(frame.confirmed)
        .set_dev_addr(&frame.dev_addr.to_air())
        .set_fctrl(&FCtrl::new(frame.flags & 0xF0, frame.uplink))
        .set_fcnt(frame.fcnt);
    let payload = match frame.port_payload {
        Some((port, payload)) => {
            creator.set_f_port(port);
            payload
        }
        None => &[],
    };
    let fopts = &frame.fopts[..frame.fopts.len().min(MAX_FOPTS)];
    let commands = SerializedCommands(fopts);
    let list: Vec<&dyn SerializableMacCommand> = if fopts.is_empty() { Vec::new() } else { vec![&commands] };
    let built = creator.build(payload, &list, &NewSKey::from(nwk_skey.0), &AppSKey::from(app_skey.0));
    // The only failures are FOpts over 15 bytes and payload without FPort, both ruled out above.
    built.map(<[u8]>::to_vec).unwrap_or_default()
}

/// The 32-bit counter closest above `last` whose low 16 bits are `fcnt16` (LoRaWAN 1.0.2 §4.3.1.5).
pub(crate) fn extend_fcnt(last: u32, fcnt16: u16) -> u32 {
    let candidate = (last & 0xFFFF_0000) | u32::from(fcnt16);
    if candidate < last { candidate.wrapping_add(0x1_0000) } else { candidate }
}
