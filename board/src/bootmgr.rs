//! `pycom.bootmgr(...)`: the boot partition and safe-boot request kept in
//! `boot_info`, and the `/flash` filesystem type kept in the config block.

use pycom_formats::BootInfo;
use pycom_formats::boot_info::SAFE_BOOT_SW;

/// A `bootmgr` call; `None` for an argument not given (255 after the firmware's
/// cast to `uint8_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BootmgrRequest {
    /// `boot_partition=` (0 factory, 1 ota_0).
    pub boot_partition: Option<u8>,
    /// `fs_type=` (0 FAT, 1 LittleFS).
    pub fs_type: Option<u8>,
    /// `safeboot=` (0 or 1).
    pub safeboot: Option<u8>,
    /// `reset=`.
    pub reset: bool,
}

impl BootmgrRequest {
    /// Whether the call only asks for the current state.
    pub fn is_query(&self) -> bool {
        self.boot_partition.is_none() && self.fs_type.is_none() && self.safeboot.is_none()
    }
}

/// What `bootmgr()` reports: the raw values its strings are made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootmgrState {
    /// `boot_info.ActiveImg` (0 shows as `Factory`, anything else as `ota_0`).
    pub active_image: u32,
    /// Whether `/flash` is FAT (config byte 533 is 0); LittleFS otherwise.
    pub fs_is_fat: bool,
    /// `boot_info.safeboot` is not 0.
    pub safe_boot: bool,
    /// `boot_info.Status`: 0 Check, 1 Ready, 2 Patch.
    pub status: u32,
}

/// Why `bootmgr` refused a request (the firmware's `ValueError` texts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BootmgrError {
    /// `boot_partition` not 0/1 or already active.
    #[error("Error invalid boot partition! or partition already active!")]
    InvalidPartition,
    /// `safeboot` not 0/1 or equal to the stored state.
    #[error("Error safeboot must be True or False!")]
    InvalidSafeboot,
    /// `fs_type` above 1.
    #[error("Error invalid filesystem type!")]
    InvalidFsType,
    /// Writing `boot_info` failed.
    #[error("Error writing bootloader information!")]
    WriteFailed,
}

/// The changes a valid request makes, checked in the firmware's order:
/// boot partition, safe boot, filesystem type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BootmgrPlan {
    /// `boot_info` to write, if the boot partition or safe boot changed.
    pub boot_info: Option<BootInfo>,
    /// New `boot_fs_type`, if it changes.
    pub fs_type: Option<u8>,
    /// Whether the board resets afterwards.
    pub reset: bool,
}

/// Plans `request` against the current `boot_info` and filesystem type
/// (`current_fs` as the getter reads it: 0 FAT, 1 LittleFS).
pub(crate) fn plan(request: BootmgrRequest, info: &BootInfo, current_fs: u8) -> Result<BootmgrPlan, BootmgrError> {
    let mut next = *info;
    let mut partition_changed = false;
    let mut safeboot_changed = false;
    if let Some(partition) = request.boot_partition {
        if partition > 1 || u32::from(partition) == info.active {
            return Err(BootmgrError::InvalidPartition);
        }
        next.previous = info.active;
        next.active = u32::from(partition);
        next.status = 0;
        partition_changed = true;
    }
    if let Some(safeboot) = request.safeboot {
        if safeboot > 1 || u32::from(safeboot) == info.safeboot {
            return Err(BootmgrError::InvalidSafeboot);
        }
        next.safeboot = if safeboot == 1 { SAFE_BOOT_SW } else { 0 };
        safeboot_changed = true;
    }
    let mut fs_type = None;
    if let Some(fs) = request.fs_type {
        if fs > 1 {
            return Err(BootmgrError::InvalidFsType);
        }
        if fs != current_fs {
            fs_type = Some(fs);
        }
    }
    let reset = partition_changed || ((fs_type.is_some() || safeboot_changed) && request.reset);
    Ok(BootmgrPlan { boot_info: (partition_changed || safeboot_changed).then_some(next), fs_type, reset })
}
