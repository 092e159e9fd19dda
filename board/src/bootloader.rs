//! Pycom's second-stage bootloader: reads (or re-initialises) `boot_info` in
//! `otadata`, plays the safe-boot pin, and rolls back an update whose image does
//! not verify.

use pycom_flash::{Flash, FlashError, SECTOR_SIZE};
use pycom_formats::boot_info::{BOOT_INFO_LEN, Image, SAFE_BOOT_HW, SAFE_BOOT_SW, Status};
use pycom_formats::{BootInfo, PartitionTable};

use crate::{Clock, Led};

/// Colour of the safe-boot blinks.
const SAFE_BOOT_COLOUR: u32 = 0x2C_1200;
/// P12 must still be high after this long for a safe boot.
const PIN_DEBOUNCE_US: u64 = 100_000;
/// Holding P12 this long selects the previous image...
const PREVIOUS_IMAGE_US: u64 = 3_000_000;
/// ...and this long the factory image.
const FACTORY_IMAGE_US: u64 = 6_000_000;
/// The fast blink after release.
const RELEASE_BLINK_US: u64 = 1_500_000;
/// What the bootloader prints when the active image does not verify.
pub const ROLLBACK_MESSAGE: &str =
    "Cannot load Firmware img in the active partition! .. Defaulting back to previous partition";

/// Where the bootloader finds its data on the image.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slots {
    otadata: u32,
    factory: u32,
    ota_0: u32,
    slot_size: u32,
}

impl Slots {
    /// The Pycom layout's slots as the partition table gives them.
    pub fn from_table(table: &PartitionTable) -> Self {
        let at = |label: &str, default: u32| table.find(label).map_or(default, |p| p.offset);
        Self {
            otadata: at("otadata", 0x1F_F000),
            factory: at("factory", 0x1_0000),
            ota_0: at("ota_0", 0x21_0000),
            slot_size: table.find("factory").map_or(0x1E_F000, |p| p.size),
        }
    }

    /// Size of an app slot (both slots have the same size on Pycom layouts).
    pub fn slot_size(&self) -> u32 {
        self.slot_size
    }

    /// Flash address of an app slot.
    pub fn address(&self, image: Image) -> u32 {
        match image {
            Image::Factory => self.factory,
            Image::Ota0 => self.ota_0,
        }
    }
}

/// What a hard boot's bootloader decided.
#[derive(Clone, Debug)]
pub(crate) struct BootDecision {
    /// `boot_info` as it now stands in flash.
    pub info: BootInfo,
    /// The image that runs.
    pub running: Image,
    /// Whether this is a safe boot (boot.py and main.py skipped).
    pub safe_boot: bool,
    /// What the bootloader printed on the UART.
    pub messages: Vec<String>,
    /// Device time spent waiting on the safe-boot pin.
    pub waited_us: u64,
}

/// Reads `boot_info`, or `None` when the bootloader would find it invalid.
pub(crate) fn read_boot_info(flash: &mut Flash, slots: &Slots) -> Result<Option<BootInfo>, FlashError> {
    let mut raw = [0u8; BOOT_INFO_LEN];
    flash.read(slots.otadata, &mut raw)?;
    Ok(Some(BootInfo::decode(&raw)).filter(BootInfo::is_valid))
}

/// Writes `boot_info` as the firmware does: erase the otadata sector, program 40 bytes.
pub(crate) fn write_boot_info(flash: &mut Flash, slots: &Slots, info: &BootInfo) -> Result<(), FlashError> {
    let sealed = info.sealed();
    flash.erase(slots.otadata, slots.otadata + SECTOR_SIZE as u32)?;
    flash.write(slots.otadata, &sealed.encode())
}

/// Whether the image in the app slot at `address` verifies as `esp_image_verify`
/// checks it (magic, segments, checksum, appended SHA-256).
fn image_verifies(flash: &Flash, slots: &Slots, address: u32) -> bool {
    let start = address as usize;
    let end = (start + slots.slot_size() as usize).min(flash.size());
    flash.contents().get(start..end).is_some_and(|slot| pycom_formats::app_image::verify(slot).is_ok())
}

/// Runs the bootloader from device time `start`. `pin_hold_us` is how long P12 is
/// held high at power-on.
pub(crate) fn boot(
    flash: &mut Flash,
    slots: &Slots,
    pin_hold_us: Option<u64>,
    led: &mut Led,
    clock: &Clock,
    start: u64,
) -> Result<BootDecision, FlashError> {
    let mut messages = Vec::new();
    let stored = read_boot_info(flash, slots)?;
    let mut dirty = stored.is_none();
    let mut info = stored.unwrap_or_else(BootInfo::initial);
    if info.status() == Some(Status::Check) && info.active == 2 {
        info.active = 0;
    }
    let hold = pin_hold_us.filter(|&us| us >= PIN_DEBOUNCE_US);
    let pin = u32::from(hold.is_some());
    if pin != info.safeboot {
        info.safeboot = if info.safeboot == SAFE_BOOT_SW { SAFE_BOOT_HW } else { pin };
        dirty = true;
    }
    let mut running = info.active_image();
    let mut waited_us = 0;
    if let Some(hold) = hold {
        running = play_safe_boot_pin(hold, &info, led, start);
        waited_us = hold + RELEASE_BLINK_US;
        clock.wait_us(waited_us);
    }
    if info.status() == Some(Status::Check) {
        if !image_verifies(flash, slots, slots.address(info.active_image())) {
            messages.push(ROLLBACK_MESSAGE.to_owned());
            std::mem::swap(&mut info.active, &mut info.previous);
            running = info.active_image();
        }
        info.status = 1;
        dirty = true;
    }
    if dirty {
        write_boot_info(flash, slots, &info)?;
    }
    Ok(BootDecision { info: info.sealed(), running, safe_boot: info.safeboot != 0, messages, waited_us })
}

/// The LED blinks the choice while P12 is held from `start`: slow after 3 s
/// (previous image), fast after 6 s (factory), then a quick blink on release.
fn play_safe_boot_pin(hold_us: u64, info: &BootInfo, led: &mut Led, start: u64) -> Image {
    if hold_us > PREVIOUS_IMAGE_US {
        led.blink(SAFE_BOOT_COLOUR, 250_000, start + PREVIOUS_IMAGE_US, start + hold_us.min(FACTORY_IMAGE_US));
    }
    if hold_us > FACTORY_IMAGE_US {
        led.blink(SAFE_BOOT_COLOUR, 125_000, start + FACTORY_IMAGE_US, start + hold_us);
    }
    led.blink(SAFE_BOOT_COLOUR, 50_000, start + hold_us, start + hold_us + RELEASE_BLINK_US);
    match hold_us {
        us if us >= FACTORY_IMAGE_US => Image::Factory,
        us if us >= PREVIOUS_IMAGE_US => Image::from_number(info.previous),
        _ => info.active_image(),
    }
}
