//! The chip's factory identity: the base MAC address an ESP32 carries in its
//! eFuses (`esp_efuse_mac_get_default`, `machine.unique_id()`, the Wi-Fi
//! station MAC). A device image has no eFuses, so the emulator keeps them in
//! the first flash sector (0x0000..0x1000), which an ESP32 never uses (the
//! bootloader starts at 0x1000): an 8-byte tag and the 6 MAC bytes at 0x0.
//! A new image gets a random MAC (Espressif's OUI 30:AE:A4); an image made
//! before this existed gets one at its first boot.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use pycom_flash::{Flash, FlashError};

/// Where the record is.
const OFFSET: u32 = 0x0;
/// What the record starts with.
const TAG: &[u8; 8] = b"EFUSEMAC";
/// Espressif's organisationally unique identifier.
const ESPRESSIF_OUI: [u8; 3] = [0x30, 0xAE, 0xA4];

/// The base MAC of the chip in `flash`, written there first if the image has none.
pub fn base_mac(flash: &mut Flash) -> Result<[u8; 6], FlashError> {
    let mut record = [0u8; 14];
    flash.read(OFFSET, &mut record)?;
    if &record[..8] == TAG {
        let mut mac = [0u8; 6];
        mac.copy_from_slice(&record[8..]);
        return Ok(mac);
    }
    let random = RandomState::new().build_hasher().finish().to_le_bytes();
    let mac = [ESPRESSIF_OUI[0], ESPRESSIF_OUI[1], ESPRESSIF_OUI[2], random[0], random[1], random[2]];
    flash.write(OFFSET, &[TAG.as_slice(), mac.as_slice()].concat())?;
    Ok(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_is_made_once_and_then_read_back() {
        let mut flash = Flash::erased(4 << 20);
        let mac = base_mac(&mut flash).unwrap();
        assert_eq!(mac[..3], ESPRESSIF_OUI);
        assert_eq!(base_mac(&mut flash).unwrap(), mac);
    }
}
