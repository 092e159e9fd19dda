//! Pycom's `boot_info_t`: 40 bytes at the start of the `otadata` partition, read
//! and written by Pycom's own second-stage bootloader and updater (not ESP-IDF's
//! `esp_ota_select_entry_t`).

use crate::crc32::esp_crc32;

/// Encoded size.
pub const BOOT_INFO_LEN: usize = 40;

/// Which app slot an image number names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Image {
    /// The factory slot at 0x10000 (0; also 2, `UPDATE2`, while that image
    /// waits for its check).
    Factory,
    /// The `ota_0` slot (1).
    Ota0,
}

impl Image {
    /// The stored number.
    pub fn number(self) -> u32 {
        match self {
            Self::Factory => 0,
            Self::Ota0 => 1,
        }
    }

    /// The slot the bootloader loads for a stored number
    /// (`pycom_bootloader_utility_get_selected_boot_partition`): 0 is the
    /// factory slot, every other number `ota_0`.
    pub fn from_number(n: u32) -> Self {
        if n == 0 { Self::Factory } else { Self::Ota0 }
    }

    /// The number `ota_finish` stores for a new image written to this slot:
    /// `UPDATE2` (2) for the factory slot, `UPDATE1` (1) for `ota_0`.
    pub fn update_number(self) -> u32 {
        match self {
            Self::Factory => 2,
            Self::Ota0 => 1,
        }
    }

    /// The other app slot.
    pub fn other(self) -> Self {
        match self {
            Self::Factory => Self::Ota0,
            Self::Ota0 => Self::Factory,
        }
    }
}

/// Update status of the active image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    /// A new image waits for the bootloader to verify it (0).
    Check,
    /// The active image is verified (1).
    Ready,
    /// A differential patch waits to be applied (2).
    Patch,
}

/// `boot_info.safeboot`: why the next boot is a safe boot.
pub const SAFE_BOOT_OFF: u32 = 0;
/// Safe boot requested by holding P12 high (or the second boot after `bootmgr(safeboot=True)`).
pub const SAFE_BOOT_HW: u32 = 1;
/// Safe boot requested by `bootmgr(safeboot=True)`.
pub const SAFE_BOOT_SW: u32 = 2;

/// A decoded `boot_info_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootInfo {
    /// Active image number (0 factory, 1 ota_0, 2 factory again).
    pub active: u32,
    /// Raw status (0 CHECK, 1 READY, 2 PATCH).
    pub status: u32,
    /// Previous image number.
    pub previous: u32,
    /// Bytes of the last update written.
    pub size: u32,
    /// Safe-boot state (`SAFE_BOOT_*`).
    pub safeboot: u32,
    /// Unused signature bytes.
    pub signature: [u8; 16],
    /// Stored CRC of bytes 0..36.
    pub crc: u32,
}

impl BootInfo {
    /// What the bootloader writes when it finds no valid boot_info: factory,
    /// ready, no safe boot.
    pub fn initial() -> Self {
        Self { active: 0, status: 1, previous: 0, size: 0, safeboot: SAFE_BOOT_OFF, signature: [0xFF; 16], crc: 0 }
            .sealed()
    }

    /// Decodes the first 40 bytes of `otadata`.
    pub fn decode(bytes: &[u8; BOOT_INFO_LEN]) -> Self {
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        Self {
            active: word(0),
            status: word(4),
            previous: word(8),
            size: word(12),
            safeboot: word(16),
            signature: bytes[20..36].try_into().expect("16 bytes"),
            crc: word(36),
        }
    }

    /// Encodes the structure as stored.
    pub fn encode(&self) -> [u8; BOOT_INFO_LEN] {
        let mut out = [0u8; BOOT_INFO_LEN];
        for (i, word) in [self.active, self.status, self.previous, self.size, self.safeboot].into_iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
        }
        out[20..36].copy_from_slice(&self.signature);
        out[36..40].copy_from_slice(&self.crc.to_le_bytes());
        out
    }

    /// The CRC the structure should carry.
    pub fn expected_crc(&self) -> u32 {
        esp_crc32(&self.encode()[..36])
    }

    /// The structure with its CRC filled in.
    pub fn sealed(mut self) -> Self {
        self.crc = self.expected_crc();
        self
    }

    /// Whether the bootloader accepts it: a status that is not erased and a matching CRC.
    pub fn is_valid(&self) -> bool {
        self.status != u32::MAX && self.crc == self.expected_crc()
    }

    /// The slot the bootloader checks and loads: an image numbered 2 that
    /// waits for its check is in the factory slot (the bootloader stores 0 for
    /// it), otherwise [`Image::from_number`].
    pub fn active_image(&self) -> Image {
        if self.status() == Some(Status::Check) && self.active == 2 {
            Image::Factory
        } else {
            Image::from_number(self.active)
        }
    }

    /// The slot the next update goes to (`updater_ota_next_slot_address`): an
    /// image still waiting for its check is overwritten in place, otherwise
    /// the slot that does not boot. Both cases follow [`Self::active_image`],
    /// so an update never goes to the slot the bootloader runs.
    pub fn update_image(&self) -> Image {
        let active = self.active_image();
        if self.status() == Some(Status::Check) { active } else { active.other() }
    }

    /// The status, `None` for values the firmware does not define.
    pub fn status(&self) -> Option<Status> {
        match self.status {
            0 => Some(Status::Check),
            1 => Some(Status::Ready),
            2 => Some(Status::Patch),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_record_round_trips_with_a_valid_crc() {
        let info = BootInfo::initial();
        assert!(info.is_valid());
        assert_eq!(BootInfo::decode(&info.encode()), info);
        assert_eq!(info.encode()[..20], [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(info.crc, esp_crc32(&info.encode()[..36]));
    }

    #[test]
    fn erased_flash_is_not_a_valid_record() {
        assert!(!BootInfo::decode(&[0xFF; BOOT_INFO_LEN]).is_valid());
        let mut info = BootInfo::initial();
        info.safeboot = SAFE_BOOT_SW;
        assert!(!info.is_valid(), "a changed field needs a new CRC");
        assert!(info.sealed().is_valid());
    }

    fn with(active: u32, status: u32) -> BootInfo {
        BootInfo { active, status, ..BootInfo::initial() }.sealed()
    }

    #[test]
    fn image_two_is_the_factory_slot_only_while_it_waits_for_its_check() {
        assert_eq!(with(2, 0).active_image(), Image::Factory);
        assert_eq!(with(2, 1).active_image(), Image::Ota0, "the bootloader loads ota_0 for any number but 0");
        assert_eq!(with(1, 1).active_image(), Image::Ota0);
        assert_eq!(with(0, 1).active_image(), Image::Factory);
    }

    #[test]
    fn an_update_never_goes_to_the_slot_that_boots() {
        for active in 0..=3 {
            for status in 0..=2 {
                let info = with(active, status);
                let pending = status == 0;
                assert_eq!(
                    info.update_image() == info.active_image(),
                    pending,
                    "active {active}, status {status}: only a pending image is overwritten in place"
                );
            }
        }
    }
}
