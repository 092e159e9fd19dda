//! The settings `pycom-emu config set` changes: their names (those of the
//! `pycom` functions), where they live in the config block, and parsing their
//! values from the command line.

use anyhow::{Result, bail};
use clap::ValueEnum;
use pycom_formats::ConfigBlock;
use pycom_formats::config_block as cfg;
use pycom_formats::config_block::{
    SigfoxField, StoredWifiMode, TextField, WIFI_PWD_AP, WIFI_PWD_STA, WIFI_SSID_AP, WIFI_SSID_STA,
};

/// The firmware refuses shorter on-boot watchdog timeouts.
const WDT_MIN_MS: u32 = 5000;

/// A setting `config set` can change, named like its `pycom` function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Setting {
    /// Bit 0 of byte 152.
    HeartbeatOnBoot,
    /// Bit 0 of byte 53.
    WifiOnBoot,
    /// Bits 1-2 of byte 53.
    WifiModeOnBoot,
    /// Bytes 54..87.
    WifiSsidSta,
    /// Bytes 87..152.
    WifiPwdSta,
    /// Bytes 536..569.
    WifiSsidAp,
    /// Bytes 569..634.
    WifiPwdAp,
    /// Bit 3 of byte 53 (Pybytes firmware only).
    SmartConfigOnBoot,
    /// Byte 512.
    WdtOnBoot,
    /// Bytes 516..520, little-endian.
    WdtOnBootTimeout,
    /// Byte 520.
    #[value(name = "lte_modem_en_on_boot", alias = "lte_modem_on_boot")]
    LteModemOnBoot,
    /// Byte 498 (Pybytes firmware only).
    PybytesOnBoot,
    /// Byte 533 (`pycom.bootmgr(fs_type=)`).
    BootFsType,
    /// Bytes 8..12.
    SigfoxId,
    /// Bytes 12..20.
    SigfoxPac,
    /// Bytes 36..52.
    SigfoxPublicKey,
    /// Bytes 20..36.
    SigfoxPrivateKey,
    /// Byte 52: the region `LoRa()` uses when given none.
    LoraRegion,
}

impl Setting {
    /// Every setting, in `config show` order.
    pub(crate) const ALL: [Self; 18] = [
        Self::HeartbeatOnBoot,
        Self::WifiOnBoot,
        Self::WifiModeOnBoot,
        Self::WifiSsidSta,
        Self::WifiPwdSta,
        Self::WifiSsidAp,
        Self::WifiPwdAp,
        Self::SmartConfigOnBoot,
        Self::WdtOnBoot,
        Self::WdtOnBootTimeout,
        Self::LteModemOnBoot,
        Self::PybytesOnBoot,
        Self::BootFsType,
        Self::SigfoxId,
        Self::SigfoxPac,
        Self::SigfoxPublicKey,
        Self::SigfoxPrivateKey,
        Self::LoraRegion,
    ];

    /// The name on the command line and in `config show`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::HeartbeatOnBoot => "heartbeat_on_boot",
            Self::WifiOnBoot => "wifi_on_boot",
            Self::WifiModeOnBoot => "wifi_mode_on_boot",
            Self::WifiSsidSta => "wifi_ssid_sta",
            Self::WifiPwdSta => "wifi_pwd_sta",
            Self::WifiSsidAp => "wifi_ssid_ap",
            Self::WifiPwdAp => "wifi_pwd_ap",
            Self::SmartConfigOnBoot => "smart_config_on_boot",
            Self::WdtOnBoot => "wdt_on_boot",
            Self::WdtOnBootTimeout => "wdt_on_boot_timeout",
            Self::LteModemOnBoot => "lte_modem_en_on_boot",
            Self::PybytesOnBoot => "pybytes_on_boot",
            Self::BootFsType => "boot_fs_type",
            Self::SigfoxId => "sigfox_id",
            Self::SigfoxPac => "sigfox_pac",
            Self::SigfoxPublicKey => "sigfox_public_key",
            Self::SigfoxPrivateKey => "sigfox_private_key",
            Self::LoraRegion => "lora_region",
        }
    }

    /// The config-block text field of a Wi-Fi SSID or password setting.
    pub(crate) fn text_field(self) -> Option<TextField> {
        match self {
            Self::WifiSsidSta => Some(WIFI_SSID_STA),
            Self::WifiPwdSta => Some(WIFI_PWD_STA),
            Self::WifiSsidAp => Some(WIFI_SSID_AP),
            Self::WifiPwdAp => Some(WIFI_PWD_AP),
            _ => None,
        }
    }

    /// The config-block field of a Sigfox credential setting.
    pub(crate) fn sigfox_field(self) -> Option<SigfoxField> {
        match self {
            Self::SigfoxId => Some(SigfoxField::Id),
            Self::SigfoxPac => Some(SigfoxField::Pac),
            Self::SigfoxPublicKey => Some(SigfoxField::PublicKey),
            Self::SigfoxPrivateKey => Some(SigfoxField::PrivateKey),
            _ => None,
        }
    }

    /// Whether the setting is a boolean flag.
    pub(crate) fn is_bool(self) -> bool {
        matches!(
            self,
            Self::HeartbeatOnBoot
                | Self::WifiOnBoot
                | Self::SmartConfigOnBoot
                | Self::WdtOnBoot
                | Self::LteModemOnBoot
                | Self::PybytesOnBoot
        )
    }

    /// The getter's value of a boolean setting.
    pub(crate) fn get_bool(self, block: &ConfigBlock) -> bool {
        match self {
            Self::HeartbeatOnBoot => block.heartbeat_on_boot(),
            Self::WifiOnBoot => block.wifi_on_boot(),
            Self::SmartConfigOnBoot => block.smart_config_on_boot(),
            Self::WdtOnBoot => block.wdt_on_boot(),
            Self::LteModemOnBoot => block.lte_modem_on_boot(),
            Self::PybytesOnBoot => block.pybytes_on_boot(),
            _ => unreachable!("{} is not a boolean", self.name()),
        }
    }

    /// Where the setting lives, and its raw bytes (bitfields: the whole byte).
    pub(crate) fn raw(self, block: &ConfigBlock) -> (String, String) {
        let bytes = block.as_bytes();
        let range = |r: std::ops::Range<usize>| (format!("bytes {}..{}", r.start, r.end), hex::encode(&bytes[r]));
        let byte = |at: usize| (format!("byte {at}"), format!("{:02x}", bytes[at]));
        let bit = |at: usize, bits: &str| (format!("byte {at} {bits}"), format!("{:02x}", bytes[at]));
        match self {
            Self::HeartbeatOnBoot => bit(cfg::RGBLED_BYTE, "bit 0"),
            Self::WifiOnBoot => bit(cfg::WIFI_BYTE, "bit 0"),
            Self::WifiModeOnBoot => bit(cfg::WIFI_BYTE, "bits 1-2"),
            Self::SmartConfigOnBoot => bit(cfg::WIFI_BYTE, "bit 3"),
            Self::WdtOnBoot => byte(cfg::WDT_ON_BOOT),
            Self::WdtOnBootTimeout => range(cfg::WDT_ON_BOOT_TIMEOUT..cfg::WDT_ON_BOOT_TIMEOUT + 4),
            Self::LteModemOnBoot => byte(cfg::LTE_MODEM_ON_BOOT),
            Self::PybytesOnBoot => byte(cfg::PYBYTES_ON_BOOT),
            Self::BootFsType => byte(cfg::BOOT_FS_TYPE),
            Self::LoraRegion => byte(LORA_REGION_BYTE),
            _ => match (self.text_field(), self.sigfox_field()) {
                (Some(f), _) => range(f.offset..f.offset + f.len),
                (_, Some(f)) => range(f.range()),
                _ => unreachable!(),
            },
        }
    }
}

/// A parsed new value for one setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Bool(bool),
    TimeoutMs(u32),
    WifiMode(StoredWifiMode),
    /// `None` erases the field to 0xFF.
    Text(Option<Vec<u8>>),
    FsType(u8),
    Sigfox(Vec<u8>),
    /// The firmware's region number; 0xFF erases it.
    Region(u8),
}

fn parse_bool(name: &str, text: &str) -> Result<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" => Ok(true),
        "false" | "0" | "off" => Ok(false),
        _ => bail!("invalid value {text:?} for {name}: expected true/false, 1/0 or on/off"),
    }
}

fn parse_timeout(text: &str) -> Result<u32> {
    let Ok(ms) = text.trim().parse::<i128>() else {
        bail!("invalid value {text:?} for wdt_on_boot_timeout: expected a whole number of milliseconds");
    };
    if ms < i128::from(WDT_MIN_MS) {
        bail!("WDT on boot timeout must be >= {WDT_MIN_MS} ms");
    }
    u32::try_from(ms).map_err(|_| anyhow::anyhow!("WDT on boot timeout must be <= {} ms (a 32-bit field)", u32::MAX))
}

fn parse_wifi_mode(text: &str) -> Result<StoredWifiMode> {
    Ok(match text.to_ascii_lowercase().as_str() {
        "0" | "none" => StoredWifiMode::None,
        "1" | "sta" => StoredWifiMode::Sta,
        "2" | "ap" => StoredWifiMode::Ap,
        "3" | "apsta" | "sta_ap" => StoredWifiMode::ApSta,
        _ => bail!(
            "invalid value {text:?} for wifi_mode_on_boot: expected none, sta, ap or apsta \
             (or the WLAN constant 0-3: 1 STA, 2 AP, 3 STA_AP, 0 none)"
        ),
    })
}

fn parse_text(setting: Setting, field: TextField, text: &str) -> Result<Vec<u8>> {
    let bytes = text.as_bytes();
    let max = field.len - 1;
    if bytes.contains(&0) {
        bail!("{} cannot contain a NUL character", setting.name());
    }
    if bytes.len() > max {
        bail!(
            "{} holds at most {max} bytes (its field is {} bytes with the NUL); {text:?} is {} bytes. \
             The board's setter would cut it and drop the NUL, so the CLI refuses it",
            setting.name(),
            field.len,
            bytes.len()
        );
    }
    Ok(bytes.to_vec())
}

fn parse_fs_type(text: &str) -> Result<u8> {
    match text.to_ascii_lowercase().as_str() {
        "fat" | "0" => Ok(0),
        "littlefs" | "1" => Ok(1),
        _ => bail!(
            "invalid value {text:?} for boot_fs_type: expected fat or littlefs (or pycom.FAT 0 / pycom.LittleFS 1)"
        ),
    }
}

/// Byte 52 of the config block.
const LORA_REGION_BYTE: usize = 52;

/// A region by name (`EU868`) or by the firmware's number (`LoRa.EU868` is 5).
fn parse_region(text: &str) -> Result<u8> {
    if let Ok(region) = text.parse::<pycom_lorawan::Region>() {
        return Ok(region.firmware_id());
    }
    match text.parse::<u8>().ok().and_then(pycom_lorawan::Region::from_firmware_id) {
        Some(region) => Ok(region.firmware_id()),
        None => bail!("invalid value {text:?} for lora_region: expected EU868, US915, AS923, AU915, CN470 or IN865"),
    }
}

/// Hex pairs, big-endian as `sigfox_info` parses them ("1A2B3C4D" -> 1A 2B 3C 4D).
fn parse_sigfox(setting: Setting, field: SigfoxField, text: &str) -> Result<Vec<u8>> {
    let len = field.range().len();
    if text.len() != len * 2 {
        bail!(
            "{} must be {} hex digits ({len} bytes), got {} characters",
            setting.name(),
            len * 2,
            text.chars().count()
        );
    }
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("{} must only contain hexadecimal digits, got {text:?}", setting.name());
    }
    Ok(hex::decode(text).expect("checked hex digits"))
}

/// Parses VALUE of `config set NAME VALUE` for `setting`.
pub(crate) fn parse_value(setting: Setting, text: &str) -> Result<Change> {
    if setting.is_bool() {
        return parse_bool(setting.name(), text).map(Change::Bool);
    }
    if let Some(field) = setting.text_field() {
        return parse_text(setting, field, text).map(|t| Change::Text(Some(t)));
    }
    if let Some(field) = setting.sigfox_field() {
        return parse_sigfox(setting, field, text).map(Change::Sigfox);
    }
    match setting {
        Setting::WifiModeOnBoot => parse_wifi_mode(text).map(Change::WifiMode),
        Setting::WdtOnBootTimeout => parse_timeout(text).map(Change::TimeoutMs),
        Setting::BootFsType => parse_fs_type(text).map(Change::FsType),
        Setting::LoraRegion => parse_region(text).map(Change::Region),
        _ => unreachable!(),
    }
}

/// The change that puts a setting back to its erased (0xFF) state.
pub(crate) fn erased_value(setting: Setting) -> Result<Change> {
    if setting.is_bool() {
        bail!(
            "{0} is a boolean and cannot be unset; erased it reads as true, so use `config set {0} true`",
            setting.name()
        );
    }
    if setting.text_field().is_some() {
        return Ok(Change::Text(None));
    }
    if let Some(field) = setting.sigfox_field() {
        return Ok(Change::Sigfox(vec![0xFF; field.range().len()]));
    }
    Ok(match setting {
        Setting::WifiModeOnBoot => Change::WifiMode(StoredWifiMode::None),
        Setting::WdtOnBootTimeout => Change::TimeoutMs(u32::MAX),
        Setting::BootFsType => Change::FsType(0xFF),
        Setting::LoraRegion => Change::Region(0xFF),
        _ => unreachable!(),
    })
}

/// Writes `change` into the config block (in RAM).
pub(crate) fn apply(setting: Setting, change: &Change, block: &mut ConfigBlock) {
    match (setting, change) {
        (Setting::HeartbeatOnBoot, Change::Bool(on)) => block.set_heartbeat_on_boot(*on),
        (Setting::WifiOnBoot, Change::Bool(on)) => block.set_wifi_on_boot(*on),
        (Setting::SmartConfigOnBoot, Change::Bool(on)) => block.set_smart_config_on_boot(*on),
        (Setting::WdtOnBoot, Change::Bool(on)) => block.set_wdt_on_boot(*on),
        (Setting::LteModemOnBoot, Change::Bool(on)) => block.set_lte_modem_on_boot(*on),
        (Setting::PybytesOnBoot, Change::Bool(on)) => block.set_pybytes_on_boot(*on),
        (Setting::WdtOnBootTimeout, Change::TimeoutMs(ms)) => block.set_wdt_on_boot_timeout(*ms),
        (Setting::WifiModeOnBoot, Change::WifiMode(mode)) => block.set_wifi_mode(*mode),
        (Setting::BootFsType, Change::FsType(raw)) => block.set_boot_fs_type(*raw),
        (Setting::LoraRegion, Change::Region(region)) => block.set_lora_region(*region),
        (_, Change::Text(text)) => {
            let field = setting.text_field().expect("a text setting");
            let cut = block.set_text(field, text.as_deref());
            debug_assert!(!cut, "texts are checked to fit");
        }
        (_, Change::Sigfox(bytes)) => block.set_sigfox(setting.sigfox_field().expect("a sigfox setting"), bytes),
        _ => unreachable!("{change:?} is no value for {}", setting.name()),
    }
}
