//! Pycom's 1 KiB config block (partition `config`, flash 0x3FF000).
//!
//! No magic, no CRC: erased flash (`0xFF`) is the default of every field, and
//! bitfields are packed least significant bit first, as GCC lays out the
//! firmware's `pycom_config_t`. Boolean bytes read as true when non-zero, so an
//! erased block says "on" for every `*_on_boot` setting.

/// Flash offset of the config block on every Pycom layout.
pub const CONFIG_OFFSET: u32 = 0x3FF000;
/// Size of the block in bytes.
pub const CONFIG_LEN: usize = 1024;

/// A bit range of one byte: `width` bits from bit `shift`.
#[derive(Clone, Copy)]
struct Bits {
    byte: usize,
    shift: u8,
    width: u8,
}

impl Bits {
    const fn mask(self) -> u8 {
        (((1u16 << self.width) - 1) as u8) << self.shift
    }
}

/// A fixed-size text field (Wi-Fi SSID or password).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextField {
    /// Offset in the block.
    pub offset: usize,
    /// Size of the field, terminating NUL included.
    pub len: usize,
}

/// The Wi-Fi bitfield byte: on-boot bit 0, mode bits 1-2, smart config bit 3,
/// auth bits 4-6, antenna bit 7.
pub const WIFI_BYTE: usize = 53;
/// The byte whose bit 0 is `heartbeat_on_boot`.
pub const RGBLED_BYTE: usize = 152;
const WIFI_ON_BOOT: Bits = Bits { byte: WIFI_BYTE, shift: 0, width: 1 };
const WIFI_MODE: Bits = Bits { byte: WIFI_BYTE, shift: 1, width: 2 };
const WIFI_SMART_CONFIG: Bits = Bits { byte: WIFI_BYTE, shift: 3, width: 1 };
const WIFI_AUTH: Bits = Bits { byte: WIFI_BYTE, shift: 4, width: 3 };
const WIFI_ANTENNA: Bits = Bits { byte: WIFI_BYTE, shift: 7, width: 1 };
const HEARTBEAT_ON_BOOT: Bits = Bits { byte: RGBLED_BYTE, shift: 0, width: 1 };
const LPWAN_MAC: usize = 0;
const SIGFOX_ID: usize = 8;
const SIGFOX_PAC: usize = 12;
const SIGFOX_PRIVATE_KEY: usize = 20;
const SIGFOX_PUBLIC_KEY: usize = 36;
const LORA_REGION: usize = 52;
const PYBYTES_FORCE_UPDATE: usize = 497;
/// Offset of `pybytes_on_boot` (Pybytes `auto_start`).
pub const PYBYTES_ON_BOOT: usize = 498;
/// Offset of `wdt_on_boot`.
pub const WDT_ON_BOOT: usize = 512;
/// Offset of `wdt_on_boot_timeout`, a little-endian u32.
pub const WDT_ON_BOOT_TIMEOUT: usize = 516;
/// Offset of `lte_modem_en_on_boot`.
pub const LTE_MODEM_ON_BOOT: usize = 520;
/// Offset of `boot_fs_type` (0 FAT, 1 LittleFS).
pub const BOOT_FS_TYPE: usize = 533;

/// `wifi_sta` SSID: 32 characters and a NUL.
pub const WIFI_SSID_STA: TextField = TextField { offset: 54, len: 33 };
/// `wifi_sta` password: 64 characters and a NUL.
pub const WIFI_PWD_STA: TextField = TextField { offset: 87, len: 65 };
/// `wifi_ap` SSID.
pub const WIFI_SSID_AP: TextField = TextField { offset: 536, len: 33 };
/// `wifi_ap` password.
pub const WIFI_PWD_AP: TextField = TextField { offset: 569, len: 65 };

/// The Wi-Fi mode as the config block stores it (2 bits at byte 53).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StoredWifiMode {
    /// Station (0).
    Sta,
    /// Access point (1).
    Ap,
    /// Both (2).
    ApSta,
    /// No Wi-Fi (3, also the erased value).
    None,
}

/// The Sigfox credentials of a LoPy4, SiPy or FiPy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigfoxField {
    /// Device id, 4 bytes at 8.
    Id,
    /// PAC, 8 bytes at 12.
    Pac,
    /// Public key, 16 bytes at 36.
    PublicKey,
    /// Private key, 16 bytes at 20.
    PrivateKey,
}

impl SigfoxField {
    /// Offset and size in the block.
    pub fn range(self) -> std::ops::Range<usize> {
        let (at, len) = match self {
            Self::Id => (SIGFOX_ID, 4),
            Self::Pac => (SIGFOX_PAC, 8),
            Self::PublicKey => (SIGFOX_PUBLIC_KEY, 16),
            Self::PrivateKey => (SIGFOX_PRIVATE_KEY, 16),
        };
        at..at + len
    }
}

/// The raw config block with typed accessors for its fields.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigBlock {
    bytes: [u8; CONFIG_LEN],
}

impl std::fmt::Debug for ConfigBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigBlock")
            .field("heartbeat_on_boot", &self.heartbeat_on_boot())
            .field("wifi_on_boot", &self.wifi_on_boot())
            .field("wdt_on_boot", &self.wdt_on_boot())
            .field("wdt_on_boot_timeout", &self.wdt_on_boot_timeout())
            .finish_non_exhaustive()
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

    fn bits(&self, field: Bits) -> u8 {
        (self.bytes[field.byte] & field.mask()) >> field.shift
    }

    fn set_bits(&mut self, field: Bits, value: u8) {
        let byte = &mut self.bytes[field.byte];
        *byte = (*byte & !field.mask()) | ((value << field.shift) & field.mask());
    }

    fn flag(&self, at: usize) -> bool {
        self.bytes[at] != 0
    }

    fn set_flag(&mut self, at: usize, on: bool) {
        self.bytes[at] = u8::from(on);
    }

    /// `heartbeat_on_boot`: bit 0 of byte 152.
    pub fn heartbeat_on_boot(&self) -> bool {
        self.bits(HEARTBEAT_ON_BOOT) != 0
    }

    /// Sets `heartbeat_on_boot`, leaving the other bits of its byte alone.
    pub fn set_heartbeat_on_boot(&mut self, on: bool) {
        self.set_bits(HEARTBEAT_ON_BOOT, u8::from(on));
    }

    /// `wifi_on_boot`: bit 0 of byte 53.
    pub fn wifi_on_boot(&self) -> bool {
        self.bits(WIFI_ON_BOOT) != 0
    }

    /// Sets `wifi_on_boot`.
    pub fn set_wifi_on_boot(&mut self, on: bool) {
        self.set_bits(WIFI_ON_BOOT, u8::from(on));
    }

    /// The stored Wi-Fi mode: bits 1-2 of byte 53.
    pub fn wifi_mode(&self) -> StoredWifiMode {
        match self.bits(WIFI_MODE) {
            0 => StoredWifiMode::Sta,
            1 => StoredWifiMode::Ap,
            2 => StoredWifiMode::ApSta,
            _ => StoredWifiMode::None,
        }
    }

    /// Sets the stored Wi-Fi mode.
    pub fn set_wifi_mode(&mut self, mode: StoredWifiMode) {
        let value = match mode {
            StoredWifiMode::Sta => 0,
            StoredWifiMode::Ap => 1,
            StoredWifiMode::ApSta => 2,
            StoredWifiMode::None => 3,
        };
        self.set_bits(WIFI_MODE, value);
    }

    /// `smart_config_on_boot`: bit 3 of byte 53.
    pub fn smart_config_on_boot(&self) -> bool {
        self.bits(WIFI_SMART_CONFIG) != 0
    }

    /// Sets `smart_config_on_boot`.
    pub fn set_smart_config_on_boot(&mut self, on: bool) {
        self.set_bits(WIFI_SMART_CONFIG, u8::from(on));
    }

    /// The stored Wi-Fi authentication mode: bits 4-6 of byte 53 (7 when erased).
    pub fn wifi_auth(&self) -> u8 {
        self.bits(WIFI_AUTH)
    }

    /// Sets the stored Wi-Fi authentication mode.
    pub fn set_wifi_auth(&mut self, auth: u8) {
        self.set_bits(WIFI_AUTH, auth);
    }

    /// Whether the internal antenna is selected: bit 7 of byte 53.
    pub fn wifi_antenna_internal(&self) -> bool {
        self.bits(WIFI_ANTENNA) != 0
    }

    /// What the firmware's getter reads for a text field: `None` if the first
    /// byte is erased, else the bytes up to the first NUL, which may run past the
    /// field into the next one when a long value filled it.
    pub fn text(&self, field: TextField) -> Option<&[u8]> {
        let rest = &self.bytes[field.offset..];
        if rest[0] == 0xFF {
            return None;
        }
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        Some(&rest[..end])
    }

    /// The firmware's setter: `None` erases the field to `0xFF`; text fills the
    /// field with exactly its size of bytes: the text, a NUL and zeros, or the
    /// first `len` bytes of a longer text with no NUL at all. Returns whether the
    /// text was cut (and lost its terminator).
    pub fn set_text(&mut self, field: TextField, text: Option<&[u8]>) -> bool {
        let target = &mut self.bytes[field.offset..field.offset + field.len];
        match text {
            None => {
                target.fill(0xFF);
                false
            }
            Some(text) => {
                target.fill(0);
                let n = text.len().min(field.len);
                target[..n].copy_from_slice(&text[..n]);
                text.len() >= field.len
            }
        }
    }

    /// `wdt_on_boot`: byte 512.
    pub fn wdt_on_boot(&self) -> bool {
        self.flag(WDT_ON_BOOT)
    }

    /// Sets `wdt_on_boot`.
    pub fn set_wdt_on_boot(&mut self, on: bool) {
        self.set_flag(WDT_ON_BOOT, on);
    }

    /// `wdt_on_boot_timeout` in ms: little-endian u32 at 516 (`0xFFFFFFFF` erased).
    pub fn wdt_on_boot_timeout(&self) -> u32 {
        u32::from_le_bytes(self.bytes[WDT_ON_BOOT_TIMEOUT..WDT_ON_BOOT_TIMEOUT + 4].try_into().expect("4 bytes"))
    }

    /// Sets `wdt_on_boot_timeout`.
    pub fn set_wdt_on_boot_timeout(&mut self, ms: u32) {
        self.bytes[WDT_ON_BOOT_TIMEOUT..WDT_ON_BOOT_TIMEOUT + 4].copy_from_slice(&ms.to_le_bytes());
    }

    /// `lte_modem_en_on_boot`: byte 520.
    pub fn lte_modem_on_boot(&self) -> bool {
        self.flag(LTE_MODEM_ON_BOOT)
    }

    /// Sets `lte_modem_en_on_boot`.
    pub fn set_lte_modem_on_boot(&mut self, on: bool) {
        self.set_flag(LTE_MODEM_ON_BOOT, on);
    }

    /// `pybytes_on_boot` (Pybytes `auto_start`): byte 498.
    pub fn pybytes_on_boot(&self) -> bool {
        self.flag(PYBYTES_ON_BOOT)
    }

    /// Sets `pybytes_on_boot`.
    pub fn set_pybytes_on_boot(&mut self, on: bool) {
        self.set_flag(PYBYTES_ON_BOOT, on);
    }

    /// Pybytes `force_update`: byte 497 (erased reads as false).
    pub fn pybytes_force_update(&self) -> bool {
        self.bytes[PYBYTES_FORCE_UPDATE] == 1
    }

    /// The raw `boot_fs_type` byte 533: 0 FAT, 1 LittleFS, `0xFF` erased.
    pub fn boot_fs_type(&self) -> u8 {
        self.bytes[BOOT_FS_TYPE]
    }

    /// Sets `boot_fs_type`.
    pub fn set_boot_fs_type(&mut self, fs_type: u8) {
        self.bytes[BOOT_FS_TYPE] = fs_type;
    }

    /// A Sigfox credential's bytes.
    pub fn sigfox(&self, field: SigfoxField) -> &[u8] {
        &self.bytes[field.range()]
    }

    /// Whether a Sigfox credential is set (not all `0xFF`).
    pub fn sigfox_is_set(&self, field: SigfoxField) -> bool {
        self.sigfox(field).iter().any(|&b| b != 0xFF)
    }

    /// Stores a Sigfox credential; `bytes` must have the field's size.
    pub fn set_sigfox(&mut self, field: SigfoxField, bytes: &[u8]) {
        self.bytes[field.range()].copy_from_slice(bytes);
    }

    /// The LoRa/Sigfox MAC, bytes 0..8.
    pub fn lpwan_mac(&self) -> &[u8] {
        &self.bytes[LPWAN_MAC..LPWAN_MAC + 8]
    }

    /// The LoRa region byte 52 (`0xFF` erased).
    pub fn lora_region(&self) -> u8 {
        self.bytes[LORA_REGION]
    }

    /// Sets the LoRa region byte (`LoRa.EU868`... as the firmware numbers them;
    /// the Pycom firmware updater writes it when it flashes a LoRa board).
    pub fn set_lora_region(&mut self, region: u8) {
        self.bytes[LORA_REGION] = region;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only_changed(cfg: &ConfigBlock) -> Vec<usize> {
        cfg.as_bytes().iter().enumerate().filter(|(_, b)| **b != 0xFF).map(|(i, _)| i).collect()
    }

    #[test]
    fn an_erased_block_says_on_for_every_on_boot_setting() {
        let cfg = ConfigBlock::default();
        assert!(cfg.heartbeat_on_boot() && cfg.wifi_on_boot() && cfg.wdt_on_boot() && cfg.lte_modem_on_boot());
        assert!(cfg.smart_config_on_boot() && cfg.pybytes_on_boot() && !cfg.pybytes_force_update());
        assert_eq!(cfg.wdt_on_boot_timeout(), u32::MAX);
        assert_eq!(cfg.wifi_mode(), StoredWifiMode::None);
        assert_eq!(cfg.boot_fs_type(), 0xFF);
        assert_eq!(cfg.text(WIFI_SSID_STA), None);
    }

    #[test]
    fn heartbeat_on_boot_is_bit_0_of_byte_152() {
        let mut cfg = ConfigBlock::default();
        cfg.set_heartbeat_on_boot(false);
        assert_eq!(cfg.as_bytes()[152], 0xFE);
        assert_eq!(only_changed(&cfg), [152]);
        cfg.set_heartbeat_on_boot(true);
        assert_eq!(cfg, ConfigBlock::default());
    }

    #[test]
    fn wdt_timeout_is_a_little_endian_u32_at_516() {
        let mut cfg = ConfigBlock::default();
        cfg.set_wdt_on_boot_timeout(5000);
        assert_eq!(cfg.as_bytes()[516..520], [0x88, 0x13, 0x00, 0x00]);
        cfg.set_wdt_on_boot(false);
        assert_eq!(cfg.as_bytes()[512], 0);
        assert_eq!(only_changed(&cfg), [512, 516, 517, 518, 519]);
    }

    #[test]
    fn the_wifi_byte_packs_on_boot_mode_smart_config_auth_and_antenna_lsb_first() {
        let mut cfg = ConfigBlock::default();
        cfg.set_wifi_on_boot(false);
        assert_eq!(cfg.as_bytes()[53], 0xFE);
        cfg.set_wifi_mode(StoredWifiMode::Ap);
        assert_eq!(cfg.as_bytes()[53], 0b1111_1010);
        cfg.set_smart_config_on_boot(false);
        cfg.set_wifi_auth(3);
        assert_eq!(cfg.as_bytes()[53], 0b1011_0010);
        assert_eq!((cfg.wifi_mode(), cfg.wifi_auth(), cfg.wifi_antenna_internal()), (StoredWifiMode::Ap, 3, true));
        assert_eq!(only_changed(&cfg), [53]);
    }

    #[test]
    fn single_byte_settings_sit_at_their_offsets() {
        let mut cfg = ConfigBlock::default();
        cfg.set_lte_modem_on_boot(false);
        cfg.set_pybytes_on_boot(false);
        cfg.set_boot_fs_type(0);
        assert_eq!(only_changed(&cfg), [498, 520, 533]);
    }

    #[test]
    fn text_fields_copy_their_full_size_and_long_values_run_into_the_next_field() {
        let mut cfg = ConfigBlock::default();
        assert!(!cfg.set_text(WIFI_SSID_STA, Some(b"net")));
        assert_eq!(cfg.text(WIFI_SSID_STA), Some(&b"net"[..]));
        assert_eq!(cfg.as_bytes()[54..58], *b"net\0");
        assert!(cfg.as_bytes()[58..87].iter().all(|&b| b == 0));
        cfg.set_text(WIFI_PWD_STA, Some(b"secret"));
        let long = [b'x'; 40];
        assert!(cfg.set_text(WIFI_SSID_STA, Some(&long)));
        let read = cfg.text(WIFI_SSID_STA).unwrap();
        assert_eq!(read.len(), 33 + 6, "strlen runs on into the password");
        cfg.set_text(WIFI_SSID_STA, None);
        assert_eq!(cfg.text(WIFI_SSID_STA), None);
        assert!(cfg.as_bytes()[54..87].iter().all(|&b| b == 0xFF));
        assert_eq!((WIFI_SSID_AP.offset, WIFI_PWD_AP.offset), (536, 569));
    }

    #[test]
    fn sigfox_fields_follow_the_firmware_layout() {
        let mut cfg = ConfigBlock::default();
        assert!(!cfg.sigfox_is_set(SigfoxField::Id));
        cfg.set_sigfox(SigfoxField::Id, &[1, 2, 3, 4]);
        cfg.set_sigfox(SigfoxField::PrivateKey, &[0; 16]);
        assert_eq!(cfg.as_bytes()[8..12], [1, 2, 3, 4]);
        assert!(cfg.as_bytes()[20..36].iter().all(|&b| b == 0));
        assert_eq!(SigfoxField::PublicKey.range(), 36..52);
        assert_eq!(SigfoxField::Pac.range(), 12..20);
    }
}
