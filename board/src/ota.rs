//! Pycom's OTA updater (`updater.c`): writes a new firmware image into the
//! other app slot, a sector ahead of itself, and marks it for the bootloader
//! to check at the next boot. Like the firmware it checks neither that
//! `ota_start` came first nor that the image fits its slot; the emulator
//! reproduces what then happens and says so on the diagnostic output.

use pycom_flash::{Flash, FlashError, SECTOR_SIZE};
use pycom_formats::BootInfo;
use pycom_formats::boot_info::{Image, Status};

use crate::bootloader::{self, Slots};

/// Flash below this address (bootloader, partition table) is protected: a write
/// there aborts the firmware.
const PROTECTED_END: u32 = 0x8000;
/// What a differential (bsdiff) image starts with.
const BSDIFF_MAGIC: &[u8; 8] = b"BSDIFF40";
/// Printed by `ota_finish` for a full image.
pub const FULL_UPDATE_MESSAGE: &str = "Full Update Image detected. Restart the device to load the new firmware.";
/// Printed by `ota_finish` for a differential image when diff support is on.
pub const DIFF_PENDING_MESSAGE: &str = "Differential Update Image detected. Restart the device to apply the patch.";
/// Printed at boot when a pending patch was applied.
pub const PATCH_OK_MESSAGE: &str = "Patching SUCCESSFUL.";
/// Printed at boot when a pending patch could not be applied.
pub const PATCH_FAILED_MESSAGE: &str = "Patching FAILED. We will continue with the current firmware.";
/// Printed by `ota_finish` for a differential image on firmware without diff support.
pub const DIFF_DISABLED_MESSAGE: &str = "Differential Update Image detected. This feature is disabled in the build. \
                                         Enable DIFF_UPDATE_ENABLED in the build to use it.";

/// The updater's RAM state (cleared at every boot).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Updater {
    /// Where the next `ota_write` goes; 0 when no update is in progress.
    offset: u32,
    /// First byte of the image being written.
    start: u32,
    /// Bytes written since `ota_start`.
    size: u32,
    /// Bytes written since the last erase-ahead.
    chunk: u32,
    /// Whether the diagnostic about overrunning the slot was given.
    warned_overrun: bool,
}

/// What `ota_write` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OtaWrite {
    /// The data is in flash.
    Written,
    /// The write hit protected flash or the running firmware: the firmware aborts
    /// and the chip resets.
    Aborted(String),
}

/// What `ota_finish` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OtaFinish {
    /// No update was in progress: nothing happens.
    Nothing,
    /// The image is marked for the bootloader to check; prints the message.
    Marked(&'static str),
    /// A second finish before rebooting: `boot_info` stays as it is.
    AlreadyMarked,
    /// A differential image on firmware without diff support: prints the
    /// message, and `ota_finish` raises.
    DiffDisabled(&'static str),
    /// A differential image: marked `Status: Patch`, applied at the next boot.
    PatchPending(&'static str),
}

/// The slot the next update goes to (`updater_ota_next_slot_address`), from
/// `boot_info` as it stands in flash.
pub(crate) fn next_slot(flash: &mut Flash, slots: &Slots) -> u32 {
    match bootloader::read_boot_info(flash, slots) {
        Ok(Some(info)) => slot_for(&info, slots),
        _ => slots.address(Image::Ota0),
    }
}

/// The slot an update goes to given `info` ([`BootInfo::update_image`]).
fn slot_for(info: &BootInfo, slots: &Slots) -> u32 {
    slots.address(info.update_image())
}

/// The app slot that starts at `address`.
fn image_at(slots: &Slots, address: u32) -> Image {
    if address == slots.address(Image::Factory) { Image::Factory } else { Image::Ota0 }
}

impl Updater {
    /// `ota_start()`: erases the first two sectors of the next slot.
    pub fn start(&mut self, flash: &mut Flash, slots: &Slots) -> Result<(), FlashError> {
        let slot = next_slot(flash, slots);
        flash.erase(slot, slot + 2 * SECTOR_SIZE as u32)?;
        *self = Self { offset: slot, start: slot, ..Self::default() };
        Ok(())
    }

    /// `ota_write(data)`: programs at the current offset and erases one sector
    /// ahead once a sector's worth has been written. `notes` receives what the
    /// firmware would do silently (overrunning the slot).
    pub fn write(
        &mut self,
        flash: &mut Flash,
        slots: &Slots,
        running: Image,
        data: &[u8],
        notes: &mut Vec<String>,
    ) -> Result<OtaWrite, FlashError> {
        let (from, to) = (u64::from(self.offset), u64::from(self.offset) + data.len() as u64);
        let running_slot = u64::from(slots.address(running));
        let running_end = running_slot + u64::from(slots.slot_size());
        if from < u64::from(PROTECTED_END) || (from < running_end && to > running_slot) {
            let what = if self.offset == 0 { " (ota_write without ota_start writes at address 0)" } else { "" };
            return Ok(OtaWrite::Aborted(format!(
                "ota_write to {from:#x}..{to:#x} hits protected flash or the running firmware{what}: \
                 the firmware aborts and the board resets"
            )));
        }
        let slot_end = u64::from(self.start) + u64::from(slots.slot_size());
        if to > slot_end && !self.warned_overrun {
            self.warned_overrun = true;
            notes.push(format!(
                "ota_write past the end of the slot at {slot_end:#x}: the firmware does not check, and the \
                 data overwrites what follows the slot"
            ));
        }
        if to > flash.size() as u64 {
            return Err(FlashError::OutOfBounds { offset: self.offset, len: data.len(), size: flash.size() });
        }
        flash.program(self.offset, data)?;
        self.offset += data.len() as u32;
        self.size += data.len() as u32;
        self.chunk += data.len() as u32;
        if self.chunk >= SECTOR_SIZE as u32 {
            self.chunk -= SECTOR_SIZE as u32;
            let next = (self.offset / SECTOR_SIZE as u32 + 1) * SECTOR_SIZE as u32;
            if u64::from(next) + SECTOR_SIZE as u64 <= flash.size() as u64 {
                flash.erase(next, next + SECTOR_SIZE as u32)?;
            }
        }
        Ok(OtaWrite::Written)
    }

    /// `ota_finish()`: marks a full image for the bootloader to check, or (with
    /// `diff_update`) a patch to be applied at the next boot.
    pub fn finish(
        &mut self,
        flash: &mut Flash,
        slots: &Slots,
        info: &mut BootInfo,
        diff_update: bool,
    ) -> Result<OtaFinish, FlashError> {
        if self.offset == 0 {
            return Ok(OtaFinish::Nothing);
        }
        self.offset = 0;
        if info.status() == Some(Status::Check) {
            return Ok(OtaFinish::AlreadyMarked);
        }
        let mut head = [0u8; 8];
        flash.read(self.start, &mut head)?;
        let outcome = match (&head == BSDIFF_MAGIC, diff_update) {
            (true, false) => return Ok(OtaFinish::DiffDisabled(DIFF_DISABLED_MESSAGE)),
            (true, true) => {
                info.status = 2;
                OtaFinish::PatchPending(DIFF_PENDING_MESSAGE)
            }
            (false, _) => {
                info.previous = info.active;
                info.active = image_at(slots, self.start).update_number();
                info.status = 0;
                OtaFinish::Marked(FULL_UPDATE_MESSAGE)
            }
        };
        info.size = self.size;
        bootloader::write_boot_info(flash, slots, info)?;
        *info = info.sealed();
        Ok(outcome)
    }

    /// `ota_verify()`: whether the image written since the last `ota_start`
    /// verifies as the bootloader would check it.
    pub fn verify(&self, flash: &Flash) -> bool {
        if self.start == 0 {
            return false;
        }
        let start = self.start as usize;
        let end = (start + self.size as usize).min(flash.size());
        pycom_formats::app_image::verify(&flash.contents()[start..end]).is_ok()
    }
}

/// At boot with `Status: Patch` (`updater_patch`): applies the patch written to
/// the inactive slot to the running image, writes the result into that slot and
/// marks it for the bootloader (returns `true`: the board resets); on failure
/// goes back to `Status: Ready` on the current firmware.
pub(crate) fn apply_pending_patch(
    flash: &mut Flash,
    slots: &Slots,
    info: &mut BootInfo,
    running: Image,
    messages: &mut Vec<String>,
) -> Result<bool, FlashError> {
    let target = slot_for(info, slots);
    let slot_bytes = |at: u32, len: u32| {
        let start = at as usize;
        flash.contents()[start..(start + len as usize).min(flash.size())].to_vec()
    };
    let patch = slot_bytes(target, info.size.min(slots.slot_size()));
    let old = slot_bytes(slots.address(running), slots.slot_size());
    match crate::diff::apply_patch(&old, &patch) {
        Ok(new) if new.len() <= slots.slot_size() as usize => {
            let end = target + (new.len() as u32).div_ceil(SECTOR_SIZE as u32) * SECTOR_SIZE as u32;
            flash.erase(target, end)?;
            flash.write(target, &new)?;
            messages.push(PATCH_OK_MESSAGE.to_owned());
            info.previous = info.active;
            info.active = image_at(slots, target).update_number();
            info.status = 0;
            info.size = new.len() as u32;
            bootloader::write_boot_info(flash, slots, info)?;
            *info = info.sealed();
            Ok(true)
        }
        _ => {
            messages.push(PATCH_FAILED_MESSAGE.to_owned());
            info.status = 1;
            bootloader::write_boot_info(flash, slots, info)?;
            *info = info.sealed();
            Ok(false)
        }
    }
}
