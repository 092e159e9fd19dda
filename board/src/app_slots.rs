//! What each app slot of a flash image holds, as the bootloader would find
//! it, and which one `boot_info` selects (`image info`, the web view).

use pycom_formats::boot_info::{BOOT_INFO_LEN, Image};
use pycom_formats::{BootInfo, PartitionTable, app_image};
use serde::Serialize;

/// The firmware in one app slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppSlot {
    /// The partition's label (`factory`, `ota_0`).
    pub slot: String,
    /// Its flash address.
    pub offset: u32,
    /// Whether the slot holds an image that verifies.
    pub valid: bool,
    /// The app descriptor's version.
    pub version: Option<String>,
    /// The app descriptor's project name.
    pub project: Option<String>,
    /// Whether `boot_info` selects this slot.
    pub active: bool,
}

/// The app slots of the flash `bytes` laid out by `table`.
pub fn app_slots(bytes: &[u8], table: &PartitionTable) -> Vec<AppSlot> {
    let active = table.find("otadata").and_then(|p| {
        let raw: [u8; BOOT_INFO_LEN] =
            bytes.get(p.offset as usize..p.offset as usize + BOOT_INFO_LEN)?.try_into().ok()?;
        Some(BootInfo::decode(&raw)).filter(|info| info.is_valid()).map(|info| info.active_image())
    });
    let active = active.unwrap_or(Image::Factory);
    [("factory", Image::Factory), ("ota_0", Image::Ota0)]
        .into_iter()
        .filter_map(|(label, image)| {
            let part = table.find(label)?;
            let slot = bytes.get(part.offset as usize..(part.offset + part.size) as usize)?;
            let desc = app_image::verify(slot).ok();
            let app = desc.as_ref().and_then(|d| d.app_desc.clone());
            Some(AppSlot {
                slot: part.label.clone(),
                offset: part.offset,
                valid: desc.is_some(),
                version: app.as_ref().map(|a| a.version.clone()),
                project: app.map(|a| a.project_name),
                active: image == active,
            })
        })
        .collect()
}
