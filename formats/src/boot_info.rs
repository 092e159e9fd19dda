//! Pycom's `boot_info_t`: 40 bytes at the start of the `otadata` partition, read
//! and written by Pycom's own second-stage bootloader and updater (not ESP-IDF's
//! `esp_ota_select_entry_t`).

use crate::crc32::esp_crc32;

/// Encoded size.
pub const BOOT_INFO_LEN: usize = 40;

/// Which app slot an image number names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Image {
    /// The factory slot at 0x10000 (0; also 2, `UPDATE2`, which the
    /// bootloader maps back to the factory slot).
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

    /// The slot a stored number selects.
    pub fn from_number(n: u32) -> Self {
        if n == 1 { Self::Ota0 } else { Self::Factory }
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

    /// The active slot.
    pub fn active_image(&self) -> Image {
        Image::from_number(self.active)
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

    #[test]
    fn image_two_is_the_factory_slot() {
        assert_eq!(Image::from_number(2), Image::Factory);
        assert_eq!(Image::from_number(1), Image::Ota0);
    }
}
