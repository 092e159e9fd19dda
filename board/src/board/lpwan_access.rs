//! The board's LPWAN radios: LoRa (LoPy4, FiPy) on the air it shares with
//! others, and Sigfox (SiPy, LoPy4, FiPy) to the fleet's backend.

use std::sync::Arc;

use pycom_radio::{Listen, Position};

use super::Board;
use crate::lora::air::Air;
use crate::lora::{LoraRadio, LoraSettings};
use crate::nvs::Value;
use crate::sigfox::{Mode as SigfoxMode, Sent, SigfoxError, SigfoxRadio};

/// The firmware's NVS namespace for the LoRaWAN session (`nvram_save`).
const NVS_NAMESPACE: &str = "LORA_NVM";
/// Whether a session was saved.
const NVS_JOINED: &[u8] = b"JOINED";
/// The region it was saved in (`LoRa.EU868`...).
const NVS_REGION: &[u8] = b"REGION";
/// The session itself: keys, address, counters, channels, MAC state.
const NVS_SESSION: &[u8] = b"MACPARAMS";

/// Where the board's radio is in the air.
#[derive(Debug, Clone)]
pub(super) struct AirSlot {
    air: Arc<Air>,
    radio: pycom_radio::RadioId,
}

impl Board {
    /// Puts the board's radio on `air` at `position`, its frames waking
    /// timeline participant `participant`. Without this the board has air of
    /// its own, with nobody else in it.
    pub fn attach_air(&mut self, air: Arc<Air>, position: Position, participant: Option<usize>) {
        let radio = air.add_radio(position, participant);
        self.air = Some(AirSlot { air, radio });
        self.lora = None;
    }

    /// The board's place in the air: the fleet's, or air of its own.
    fn air_slot(&mut self) -> AirSlot {
        self.air
            .get_or_insert_with(|| {
                let air = Air::alone();
                let radio = air.add_radio(Position::default(), None);
                AirSlot { air, radio }
            })
            .clone()
    }

    /// The LoRa radio (LoPy4, FiPy), as the boot left it until `LoRa()` sets it up.
    pub fn lora(&mut self) -> &mut LoraRadio {
        let slot = self.air_slot();
        let mac = self.lpwan_mac();
        self.lora.get_or_insert_with(|| LoraRadio::new(slot.air, slot.radio, mac))
    }

    /// `LoRa(...)`: the radio restarts with `settings`; `restore` brings
    /// back the session `nvram_save` kept, if it was saved in this region.
    pub fn lora_init(&mut self, settings: LoraSettings, restore: bool) {
        let now = self.clock.now_us();
        let session = if restore { self.saved_lora_session(settings.region.firmware_id()) } else { None };
        let seed = u64::from_le_bytes(self.lpwan_mac()) ^ now.rotate_left(17) ^ u64::from(self.boots);
        self.lora().init(settings, now, seed, session);
    }

    /// `lora.nvram_save()`: keeps the session (and that the device joined) in NVS.
    pub fn lora_nvram_save(&mut self) -> Result<(), crate::nvs::NvsError> {
        let lora = self.lora();
        let joined = lora.has_joined();
        let region = lora.region().map_or(0xFF, |r| r.firmware_id());
        let session = lora.saved_session();
        self.with_lora_nvs(|nvs, flash, ns| {
            nvs.set(flash, ns, NVS_REGION, &Value::U32(u32::from(region)))?;
            nvs.set(flash, ns, NVS_JOINED, &Value::U32(u32::from(joined)))?;
            if let Some(session) = session {
                nvs.set(flash, ns, NVS_SESSION, &Value::Blob(session))?;
            }
            Ok(())
        })
    }

    /// `lora.nvram_erase()`.
    pub fn lora_nvram_erase(&mut self) -> Result<(), crate::nvs::NvsError> {
        self.with_lora_nvs(|nvs, flash, ns| nvs.erase_namespace(flash, ns))
    }

    /// The session saved for `region`, if one was; like the firmware, a
    /// session is restored once: the saved "joined" mark is cleared until
    /// the next `nvram_save`.
    fn saved_lora_session(&mut self, region: u8) -> Option<Vec<u8>> {
        self.with_lora_nvs(|nvs, flash, ns| {
            let joined = nvs.get(flash, ns, NVS_JOINED, pycom_formats::nvs::ItemType::U32)?;
            let stored_region = nvs.get(flash, ns, NVS_REGION, pycom_formats::nvs::ItemType::U32)?;
            if joined != Value::U32(1) || stored_region != Value::U32(u32::from(region)) {
                return Ok(None);
            }
            let session = match nvs.get(flash, ns, NVS_SESSION, pycom_formats::nvs::ItemType::BlobIndex)? {
                Value::Blob(bytes) => bytes,
                _ => return Ok(None),
            };
            nvs.set(flash, ns, NVS_JOINED, &Value::U32(0))?;
            Ok(Some(session))
        })
        .ok()
        .flatten()
    }

    fn with_lora_nvs<R>(
        &mut self,
        f: impl FnOnce(&mut crate::nvs::Nvs, &mut pycom_flash::Flash, u8) -> Result<R, crate::nvs::NvsError>,
    ) -> Result<R, crate::nvs::NvsError> {
        self.with_nvs(|pycom, flash| {
            let nvs = pycom.storage().ok_or(crate::nvs::NvsError::NotFound)?;
            let ns = nvs.open_namespace(flash, NVS_NAMESPACE, true)?;
            f(nvs, flash, ns)
        })
    }

    /// The LoRa MAC (DevEUI) from the config block; a board whose block has
    /// none (a new image) gets one made from its base MAC in Pycom's
    /// 70:B3:D5:49 block.
    pub fn lpwan_mac(&self) -> [u8; 8] {
        let stored: [u8; 8] = self.config.block().lpwan_mac().try_into().unwrap_or([0xFF; 8]);
        if stored != [0xFF; 8] {
            return stored;
        }
        let m = self.base_mac;
        [0x70, 0xB3, 0xD5, 0x49, m[2] ^ m[3], m[3], m[4], m[5]]
    }

    /// Whether the LoRa callback is due (the request is cleared).
    pub fn lora_irq(&mut self) -> bool {
        self.lora.as_mut().is_some_and(LoraRadio::take_irq)
    }

    /// Device time of the radio task's next step (a frame's end, a receive
    /// window, a retry), which a sleep stops at whatever the interrupts do.
    pub fn radio_next_due_us(&self) -> Option<u64> {
        let sigfox = self.air.as_ref().and_then(|slot| self.sigfox.next_due_us(&slot.air, slot.radio));
        self.lora.as_ref().and_then(LoraRadio::next_due_us).into_iter().chain(sigfox).min()
    }

    /// Brings the radios' tasks up to `now_us`.
    pub(super) fn advance_radios(&mut self, now_us: u64) {
        if let Some(lora) = &mut self.lora {
            lora.advance(now_us);
        }
        if let Some(slot) = &self.air {
            self.sigfox.advance(now_us, &slot.air, slot.radio);
        }
    }

    /// Lets the board's Sigfox messages reach `backend` (a fleet's `[sigfox]`).
    pub fn attach_sigfox_backend(&mut self, backend: crate::sigfox::SharedBackend) {
        self.sigfox_backend = Some(backend);
    }

    /// The Sigfox radio.
    pub fn sigfox(&mut self) -> &mut SigfoxRadio {
        &mut self.sigfox
    }

    /// `Sigfox(mode=...)`: the radio restarts in `mode` now.
    pub fn sigfox_init(&mut self, mode: SigfoxMode) {
        let slot = self.air_slot();
        let now = self.clock.now_us();
        self.sigfox.init(mode, &slot.air, slot.radio, now);
    }

    /// Sends a Sigfox message (as the device id in the config block) or an
    /// FSK frame now.
    pub fn sigfox_send(&mut self, payload: &[u8], downlink: bool) -> Result<Sent, SigfoxError> {
        let id = self.config.block().sigfox(pycom_formats::config_block::SigfoxField::Id);
        let device_id = u32::from_be_bytes(id.try_into().unwrap_or([0xFF; 4]));
        let now = self.clock.now_us();
        let slot = self.air_slot();
        self.sigfox.send(device_id, payload, downlink, now, self.sigfox_backend.as_ref(), (&slot.air, slot.radio))
    }

    /// At boot the radios' RAM state is gone: they are off until `LoRa()`
    /// or `Sigfox()`.
    pub(super) fn reset_radios(&mut self, at_us: u64) {
        if let Some(slot) = &self.air {
            slot.air.listen(slot.radio, at_us, Listen::Off);
            slot.air.take_received(slot.radio, at_us);
            self.sigfox.power_off(&slot.air, slot.radio, at_us);
        }
        self.lora = None;
        self.sigfox = SigfoxRadio::default();
    }
}
