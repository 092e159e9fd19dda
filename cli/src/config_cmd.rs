//! `pycom-emu config ...`: show and change the Pycom config block (1 KiB at flash
//! 0x3FF000) of a device image, and show the bootloader's `boot_info`.
//!
//! Values are shown as the firmware's `pycom.*` getters return them (an erased
//! block reads as "on" for every `*_on_boot` setting) and written as its setters
//! store them, with one difference: texts that do not fit their field are refused
//! instead of silently cut.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use clap::Subcommand;
use pycom_board::{Board, Config, DeviceImage};
use pycom_flash::Flash;
use pycom_formats::BootInfo;
use pycom_formats::ConfigBlock;
use pycom_formats::boot_info::{BOOT_INFO_LEN, Image, SAFE_BOOT_HW, SAFE_BOOT_OFF, SAFE_BOOT_SW, Status};
use pycom_formats::config_block::{CONFIG_OFFSET, StoredWifiMode, TextField};
use serde_json::{Map, Value, json};

use crate::DeviceArgs;
use crate::config_setting::{Change, Setting, apply, erased_value, parse_value};

/// What `config show` says when otadata holds no valid `boot_info`.
const BOOT_INFO_UNSET: &str = "not initialised (the bootloader writes it at the next boot)";

/// The `config` subcommands.
#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print every config block setting as the board's `pycom.*` getters return
    /// it (with the raw bytes), and the bootloader's boot_info.
    Show {
        #[command(flatten)]
        device: DeviceArgs,
        /// Print one JSON object: getter values, `raw` field bytes and `boot_info`.
        #[arg(long)]
        json: bool,
    },
    /// Change a setting as the `pycom` function of the same name would; flash is
    /// rewritten only if a byte changes.
    ///
    /// Values: booleans true/false/1/0/on/off; wdt_on_boot_timeout in ms (>= 5000);
    /// wifi_mode_on_boot none/sta/ap/apsta or the WLAN constant 0-3; Wi-Fi ssids up
    /// to 32 bytes and passwords up to 64; boot_fs_type fat/littlefs; sigfox_id 8 hex
    /// digits, sigfox_pac 16, sigfox keys 32 (replaces a stored value, unlike
    /// `pycom.sigfox_info` without force=True).
    Set {
        #[command(flatten)]
        device: DeviceArgs,
        /// Setting to change.
        #[arg(value_enum)]
        name: Setting,
        /// New value.
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Erase a setting back to erased flash (0xFF), its factory default.
    ///
    /// Wi-Fi ssids and passwords read None again (as after `pycom.wifi_ssid_sta(None)`),
    /// sigfox credentials "not set", wdt_on_boot_timeout 4294967295, boot_fs_type
    /// LittleFS and wifi_mode_on_boot none. Booleans cannot be unset: erased they
    /// read true, so set them true.
    Unset {
        #[command(flatten)]
        device: DeviceArgs,
        /// Setting to erase.
        #[arg(value_enum)]
        name: Setting,
    },
}

/// The Python value of the WLAN mode constant for a stored mode
/// (`pycom.wifi_mode_on_boot()`), and the name `config set` takes for it.
fn wlan_mode(mode: StoredWifiMode) -> (u8, &'static str, &'static str) {
    match mode {
        StoredWifiMode::None => (0, "none", "none"),
        StoredWifiMode::Sta => (1, "sta", "WLAN.STA"),
        StoredWifiMode::Ap => (2, "ap", "WLAN.AP"),
        StoredWifiMode::ApSta => (3, "apsta", "WLAN.STA_AP"),
    }
}

fn fs_type_name(raw: u8) -> &'static str {
    // The getter (`bootmgr()[1]`) says FAT only for 0; LittleFS builds treat the
    // erased 0xFF (and anything else) as LittleFS.
    if raw == 0 { "FAT" } else { "LittleFS" }
}

/// The text a getter returns, lossily decoded; `None` when erased.
fn text_value(block: &ConfigBlock, field: TextField) -> Option<String> {
    block.text(field).map(|t| String::from_utf8_lossy(t).into_owned())
}

/// The setting's value as the board's getter returns it, as JSON.
fn getter_json(setting: Setting, block: &ConfigBlock) -> Value {
    if setting.is_bool() {
        return Value::Bool(setting.get_bool(block));
    }
    if let Some(field) = setting.text_field() {
        return text_value(block, field).map_or(Value::Null, Value::String);
    }
    if let Some(field) = setting.sigfox_field() {
        return if block.sigfox_is_set(field) { Value::String(hex::encode(block.sigfox(field))) } else { Value::Null };
    }
    match setting {
        Setting::WifiModeOnBoot => json!(wlan_mode(block.wifi_mode()).0),
        Setting::WdtOnBootTimeout => json!(block.wdt_on_boot_timeout()),
        Setting::BootFsType => json!(fs_type_name(block.boot_fs_type())),
        Setting::LoraRegion => region_name(block.lora_region()).map_or(Value::Null, |name| json!(name)),
        _ => unreachable!(),
    }
}

/// Where a setting lives and what is stored there, for `config show`'s text.
fn raw_text(setting: Setting, block: &ConfigBlock) -> String {
    let (at, bytes) = setting.raw(block);
    if let Some(field) = setting.text_field() {
        let stored = &block.as_bytes()[field.offset..field.offset + field.len];
        let summary = match stored.iter().position(|&b| b == 0) {
            _ if stored.iter().all(|&b| b == 0xFF) => "erased".to_owned(),
            Some(n) => format!("{n} bytes + NUL"),
            None => "no NUL".to_owned(),
        };
        return format!("{at}: {summary}");
    }
    if setting == Setting::WifiModeOnBoot {
        let stored = match block.wifi_mode() {
            StoredWifiMode::Sta => "0 STA",
            StoredWifiMode::Ap => "1 AP",
            StoredWifiMode::ApSta => "2 APSTA",
            StoredWifiMode::None => "3 NONE",
        };
        return format!("{at}: {bytes}, stored {stored}");
    }
    format!("{at}: {bytes}")
}

/// The setting's value for people.
fn getter_text(setting: Setting, block: &ConfigBlock) -> String {
    if setting.is_bool() {
        return setting.get_bool(block).to_string();
    }
    if let Some(field) = setting.text_field() {
        return match text_value(block, field) {
            None => "None (erased)".into(),
            Some(text) => {
                let quoted = serde_json::to_string(&text).unwrap_or_default();
                if text.len() >= field.len {
                    format!("{quoted} (no NUL in the field: the board reads on into the next field)")
                } else {
                    quoted
                }
            }
        };
    }
    if let Some(field) = setting.sigfox_field() {
        return if block.sigfox_is_set(field) { hex::encode(block.sigfox(field)) } else { "not set".into() };
    }
    match setting {
        Setting::WifiModeOnBoot => {
            let (value, _, constant) = wlan_mode(block.wifi_mode());
            format!("{value} ({constant})")
        }
        Setting::WdtOnBootTimeout => {
            let ms = block.wdt_on_boot_timeout();
            if ms == u32::MAX { format!("{ms} (erased: the board starts no watchdog)") } else { ms.to_string() }
        }
        Setting::BootFsType => {
            let raw = block.boot_fs_type();
            match raw {
                0 | 1 => fs_type_name(raw).into(),
                0xFF => "LittleFS (erased)".into(),
                _ => format!("LittleFS (unknown byte {raw})"),
            }
        }
        Setting::LoraRegion => region_name(block.lora_region()).unwrap_or("not set").into(),
        _ => unreachable!(),
    }
}

/// The name of the region byte's value (`EU868`), if it is one.
fn region_name(raw: u8) -> Option<&'static str> {
    pycom_lorawan::Region::from_firmware_id(raw).map(pycom_lorawan::Region::name)
}

fn wifi_auth_text(auth: u8) -> String {
    let name = match auth {
        0 => "open",
        1 => "WEP",
        2 => "WPA",
        3 => "WPA2",
        4 => "WPA/WPA2",
        5 => "WPA2-Enterprise",
        _ => "invalid; the board stores 3 WPA2 at boot",
    };
    format!("{auth} ({name})")
}

/// Runs a `config` subcommand and returns the exit status.
pub fn run(command: ConfigCommand) -> Result<i32> {
    match command {
        ConfigCommand::Show { device, json } => show(&device, json),
        ConfigCommand::Set { device, name, value } => {
            let change = parse_value(name, &value)?;
            set(&device, name, change)
        }
        ConfigCommand::Unset { device, name } => {
            let change = erased_value(name)?;
            set(&device, name, change)
        }
    }
}

/// Opens an existing image (a missing one is an error, not created).
fn open(device: &DeviceArgs) -> Result<DeviceImage> {
    crate::device::open_image(device, false)
}

fn load(image: &mut DeviceImage, path: &Path) -> Result<Config> {
    Config::load(&mut image.flash)
        .with_context(|| format!("cannot read the config block at {CONFIG_OFFSET:#x} of {}", path.display()))
}

/// The `boot_info` at the start of `otadata`, with the partition's offset.
fn boot_info(image: &mut DeviceImage, path: &Path) -> Result<Option<(u32, BootInfo)>> {
    let otadata = image.table.find("otadata").map(|p| p.offset);
    boot_info_at(&mut image.flash, otadata).with_context(|| format!("cannot read boot_info of {}", path.display()))
}

/// The `boot_info` of the `otadata` partition at `offset`, if there is one.
fn boot_info_at(flash: &mut Flash, offset: Option<u32>) -> Result<Option<(u32, BootInfo)>> {
    let Some(offset) = offset else { return Ok(None) };
    let mut bytes = [0u8; BOOT_INFO_LEN];
    flash.read(offset, &mut bytes).with_context(|| format!("cannot read boot_info at {offset:#x}"))?;
    Ok(Some((offset, BootInfo::decode(&bytes))))
}

/// The running board's `boot_info` as `config show --json` gives it (also
/// shown by the web view).
pub fn board_boot_info_json(board: &mut Board) -> Value {
    let otadata = board.partition_table().find("otadata").map(|p| p.offset);
    match boot_info_at(board.flash(), otadata) {
        Ok(found) => boot_info_json(found),
        Err(e) => json!({ "initialised": false, "note": format!("{e:#}") }),
    }
}

fn image_name(n: u32) -> &'static str {
    match Image::from_number(n) {
        Image::Factory => "Factory",
        Image::Ota0 => "ota_0",
    }
}

fn status_name(info: &BootInfo) -> &'static str {
    match info.status() {
        Some(Status::Check) => "Check",
        Some(Status::Ready) => "Ready",
        Some(Status::Patch) => "Patch",
        None => "unknown",
    }
}

fn safeboot_name(raw: u32) -> &'static str {
    match raw {
        SAFE_BOOT_OFF => "off",
        SAFE_BOOT_HW => "hardware: this boot is a safe boot",
        SAFE_BOOT_SW => "software: requested by bootmgr(safeboot=True)",
        _ => "unknown",
    }
}

fn boot_info_json(found: Option<(u32, BootInfo)>) -> Value {
    match found {
        None => json!({ "initialised": false, "note": "the image has no otadata partition" }),
        Some((offset, info)) if !info.is_valid() => {
            json!({ "initialised": false, "otadata_offset": offset, "note": BOOT_INFO_UNSET })
        }
        Some((offset, info)) => json!({
            "initialised": true,
            "otadata_offset": offset,
            "active": info.active,
            "active_image": image_name(info.active),
            "status": info.status,
            "status_name": status_name(&info),
            "previous": info.previous,
            "previous_image": image_name(info.previous),
            "safeboot": info.safeboot,
            "size": info.size,
        }),
    }
}

fn boot_info_rows(found: Option<(u32, BootInfo)>) -> Vec<(String, String, String)> {
    let row = |name: &str, value: String, raw: String| (name.to_owned(), value, raw);
    match found {
        None => vec![row("boot_info", "none (the image has no otadata partition)".into(), String::new())],
        Some((offset, info)) if !info.is_valid() => {
            vec![row("boot_info", BOOT_INFO_UNSET.into(), format!("otadata {offset:#x}"))]
        }
        Some((offset, info)) => vec![
            row(
                "boot_info.active_image",
                format!("{} ({})", image_name(info.active), info.active),
                format!("otadata {offset:#x}"),
            ),
            row("boot_info.status", format!("{} ({})", status_name(&info), info.status), String::new()),
            row(
                "boot_info.previous_image",
                format!("{} ({})", image_name(info.previous), info.previous),
                String::new(),
            ),
            row("boot_info.safeboot", format!("{} ({})", info.safeboot, safeboot_name(info.safeboot)), String::new()),
            row("boot_info.size", format!("{} bytes", info.size), String::new()),
        ],
    }
}

/// Every setting of `block` as the board's getters return it, by name (the
/// values of `config show --json`, also shown by the web view).
pub fn settings_json(block: &ConfigBlock) -> Value {
    let mut out = Map::new();
    for setting in Setting::ALL {
        out.insert(setting.name().into(), getter_json(setting, block));
    }
    let mac_set = block.lpwan_mac().iter().any(|&b| b != 0xFF);
    out.insert("wifi_mode_on_boot_name".into(), json!(wlan_mode(block.wifi_mode()).1));
    out.insert("pybytes_force_update".into(), json!(block.pybytes_force_update()));
    out.insert("wifi_auth".into(), json!(block.wifi_auth()));
    out.insert("wifi_antenna".into(), json!(if block.wifi_antenna_internal() { "internal" } else { "external" }));
    out.insert("lpwan_mac".into(), if mac_set { json!(hex::encode(block.lpwan_mac())) } else { Value::Null });
    Value::Object(out)
}

fn show(device: &DeviceArgs, json: bool) -> Result<i32> {
    let mut image = open(device)?;
    let config = load(&mut image, &device.image)?;
    let found = boot_info(&mut image, &device.image)?;
    let block = config.block();
    let mac_set = block.lpwan_mac().iter().any(|&b| b != 0xFF);

    if json {
        let Value::Object(mut out) = settings_json(block) else { unreachable!("settings are an object") };
        let mut raw = Map::new();
        for setting in Setting::ALL {
            let (at, bytes) = setting.raw(block);
            raw.insert(setting.name().into(), json!({ "at": at, "bytes": bytes }));
        }
        out.insert("raw".into(), Value::Object(raw));
        out.insert("boot_info".into(), boot_info_json(found));
        println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
        return Ok(0);
    }

    let mut rows: Vec<(String, String, String)> =
        Setting::ALL.iter().map(|&s| (s.name().to_owned(), getter_text(s, block), raw_text(s, block))).collect();
    let bytes = block.as_bytes();
    rows.push((
        "pybytes_force_update".into(),
        block.pybytes_force_update().to_string(),
        format!("byte 497: {:02x}", bytes[497]),
    ));
    rows.push(("wifi_auth".into(), wifi_auth_text(block.wifi_auth()), format!("byte 53 bits 4-6: {:02x}", bytes[53])));
    rows.push((
        "wifi_antenna".into(),
        (if block.wifi_antenna_internal() { "internal" } else { "external" }).into(),
        format!("byte 53 bit 7: {:02x}", bytes[53]),
    ));
    rows.push((
        "lpwan_mac".into(),
        if mac_set { hex::encode(block.lpwan_mac()) } else { "not set".into() },
        format!("bytes 0..8: {}", hex::encode(block.lpwan_mac())),
    ));
    rows.extend(boot_info_rows(found));

    let name_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let value_width = rows.iter().filter(|r| !r.2.is_empty()).map(|r| r.1.chars().count()).max().unwrap_or(0).min(40);
    let mut text = format!("config block at {CONFIG_OFFSET:#x} of {}\n", device.image.display());
    for (name, value, raw) in rows {
        let line = if raw.is_empty() {
            format!("{name:<name_width$}  {value}")
        } else {
            format!("{name:<name_width$}  {value:<value_width$}  [{raw}]")
        };
        let _ = writeln!(text, "{}", line.trim_end());
    }
    print!("{text}");
    Ok(0)
}

fn set(device: &DeviceArgs, setting: Setting, change: Change) -> Result<i32> {
    let mut image = open(device)?;
    let mut config = load(&mut image, &device.image)?;
    let before = getter_text(setting, config.block());
    let overwrites = setting.sigfox_field().is_some_and(|f| config.block().sigfox_is_set(f))
        && !matches!(&change, Change::Sigfox(b) if b.iter().all(|&x| x == 0xFF));
    // The sector is erased and rewritten on a copy that replaces the image in
    // one atomic step: a kill between the erase and the write costs nothing.
    let mut work = pycom_flash::Flash::from_bytes(image.flash.contents().to_vec());
    let changed = config.update(&mut work, |block| apply(setting, &change, block)).with_context(|| {
        format!("cannot write the config block at {CONFIG_OFFSET:#x} of {}", device.image.display())
    })?;
    if changed {
        image
            .flash
            .replace_contents(work.contents().to_vec())
            .with_context(|| format!("cannot write device image {}", device.image.display()))?;
    }
    let after = getter_text(setting, config.block());
    let name = setting.name();
    if !changed {
        println!("{name}: {after} (unchanged)");
        return Ok(0);
    }
    println!("{name}: {before} -> {after}");
    if overwrites {
        println!("note: replaced the stored {name} (on the board, pycom.sigfox_info needs force=True for that)");
    }
    Ok(0)
}
