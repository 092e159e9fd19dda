//! Pycom's 1 KiB config block (partition `config`, flash 0x3FF000).
//!
//! No magic, no CRC: erased flash (`0xFF`) is the default of every field, and
//! bitfields are packed least significant bit first, as GCC lays out the
//! firmware's `pycom_config_t`.

/// Flash offset of the config block on every Pycom layout.
pub const CONFIG_OFFSET: u32 = 0x3FF000;
/// Size of the block in bytes.
pub const CONFIG_LEN: usize = 1024;
const RGBLED_BYTE: usize = 152;
const HEARTBEAT_ON_BOOT_BIT: u8 = 0x01;

/// The raw config block with typed accessors for its fields.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigBlock {
    bytes: [u8; CONFIG_LEN],
}

impl std::fmt::Debug for ConfigBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigBlock").field("heartbeat_on_boot", &self.heartbeat_on_boot()).finish()
    }
}

impl Default for ConfigBlock {
    /// The erased block: every field at its `0xFF` default.
    fn default() -> Self {
        Self { bytes: [0xFF; CONFIG_LEN] }
    }
}

impl ConfigBlock {
    /// The block read from flash.
    pub fn from_bytes(bytes: [u8; CONFIG_LEN]) -> Self {
        Self { bytes }
    }

    /// The block as stored in flash.
    pub fn as_bytes(&self) -> &[u8; CONFIG_LEN] {
        &self.bytes
    }

    /// `heartbeat_on_boot`: bit 0 of byte 152 (erased reads as on).
    pub fn heartbeat_on_boot(&self) -> bool {
        self.bytes[RGBLED_BYTE] & HEARTBEAT_ON_BOOT_BIT != 0
    }

    /// Sets `heartbeat_on_boot`, leaving the other bits of its byte alone.
    pub fn set_heartbeat_on_boot(&mut self, on: bool) {
        let byte = &mut self.bytes[RGBLED_BYTE];
        *byte = if on { *byte | HEARTBEAT_ON_BOOT_BIT } else { *byte & !HEARTBEAT_ON_BOOT_BIT };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erased_block_has_heartbeat_on_boot() {
        assert!(ConfigBlock::default().heartbeat_on_boot());
    }

    #[test]
    fn heartbeat_on_boot_is_bit_0_of_byte_152() {
        let mut cfg = ConfigBlock::default();
        cfg.set_heartbeat_on_boot(false);
        assert_eq!(cfg.as_bytes()[152], 0xFE);
        assert!(cfg.as_bytes().iter().enumerate().all(|(i, b)| i == 152 || *b == 0xFF));
        cfg.set_heartbeat_on_boot(true);
        assert_eq!(cfg, ConfigBlock::default());
    }
}
