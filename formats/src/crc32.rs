//! The CRC-32 variant of the ESP32 ROM (`esp_rom_crc32_le(0xFFFFFFFF, ..)`), used by
//! NVS, otadata and Pycom's boot_info.
//!
//! Reflected polynomial 0x04C11DB7 with register init 0 and output xor
//! 0xFFFFFFFF: the same as Python's `zlib.crc32(data, 0xFFFFFFFF)`.

use crc::{Algorithm, Crc};

/// The ESP ROM CRC-32 as used with a `0xFFFFFFFF` seed.
pub const ESP_CRC32: Algorithm<u32> = Algorithm {
    width: 32,
    poly: 0x04c1_1db7,
    init: 0,
    refin: true,
    refout: true,
    xorout: 0xffff_ffff,
    check: 0xd202_d277,
    residue: 0,
};

const ENGINE: Crc<u32> = Crc::<u32>::new(&ESP_CRC32);

/// CRC of `data` as the ESP32 firmware computes it for its flash structures.
pub fn esp_crc32(data: &[u8]) -> u32 {
    ENGINE.checksum(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_check_value() {
        assert_eq!(esp_crc32(b"123456789"), 0xD202_D277);
    }

    #[test]
    fn matches_otadata_reference_values() {
        // esp-idf-defs OtaDataSelectEntry: crc of the little-endian sequence number.
        assert_eq!(esp_crc32(&1u32.to_le_bytes()), 0x4743_989A);
        assert_eq!(esp_crc32(&2u32.to_le_bytes()), 0x55F6_3774);
        assert_eq!(esp_crc32(&5u32.to_le_bytes()), 0xC821_0FCD);
    }
}
