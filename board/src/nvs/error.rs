//! NVS errors, with the `esp_err_t` codes the firmware reports.

use pycom_flash::FlashError;

/// What an NVS operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum NvsError {
    /// No item with that key (and type) (`ESP_ERR_NVS_NOT_FOUND`).
    #[error("no matching item (ESP_ERR_NVS_NOT_FOUND)")]
    NotFound,
    /// The key is stored with another type (`ESP_ERR_NVS_TYPE_MISMATCH`).
    #[error("stored with another type (ESP_ERR_NVS_TYPE_MISMATCH)")]
    TypeMismatch,
    /// The partition cannot hold the item (`ESP_ERR_NVS_NOT_ENOUGH_SPACE`).
    #[error("not enough space in the NVS partition (ESP_ERR_NVS_NOT_ENOUGH_SPACE)")]
    NotEnoughSpace,
    /// The namespace handle could not be opened (`ESP_ERR_NVS_INVALID_HANDLE`).
    #[error("invalid NVS handle (ESP_ERR_NVS_INVALID_HANDLE)")]
    InvalidHandle,
    /// Namespace names are 1..=15 bytes (`ESP_ERR_NVS_INVALID_NAME`).
    #[error("invalid namespace name (ESP_ERR_NVS_INVALID_NAME)")]
    InvalidName,
    /// Keys are at most 15 bytes (`ESP_ERR_NVS_KEY_TOO_LONG`).
    #[error("key longer than 15 bytes (ESP_ERR_NVS_KEY_TOO_LONG)")]
    KeyTooLong,
    /// The current page cannot take the item (`ESP_ERR_NVS_PAGE_FULL`).
    #[error("page full (ESP_ERR_NVS_PAGE_FULL)")]
    PageFull,
    /// The value is larger than NVS can store (`ESP_ERR_NVS_VALUE_TOO_LONG`).
    #[error("value too long (ESP_ERR_NVS_VALUE_TOO_LONG)")]
    ValueTooLong,
    /// Every page is in use: the partition must be erased (`ESP_ERR_NVS_NO_FREE_PAGES`).
    #[error("no free NVS pages (ESP_ERR_NVS_NO_FREE_PAGES)")]
    NoFreePages,
    /// A page carries a newer format version (`ESP_ERR_NVS_NEW_VERSION_FOUND`).
    #[error("NVS partition has a newer format version (ESP_ERR_NVS_NEW_VERSION_FOUND)")]
    NewVersionFound,
    /// The flash chip failed (or lost power).
    #[error(transparent)]
    Flash(#[from] FlashError),
}

impl NvsError {
    /// The `esp_err_t` value the firmware sees.
    pub fn code(&self) -> i32 {
        match self {
            Self::NotFound => 0x1102,
            Self::TypeMismatch => 0x1103,
            Self::NotEnoughSpace => 0x1105,
            Self::InvalidName => 0x1106,
            Self::InvalidHandle => 0x1107,
            Self::KeyTooLong => 0x1109,
            Self::PageFull => 0x110A,
            Self::NoFreePages => 0x110D,
            Self::ValueTooLong => 0x110E,
            Self::NewVersionFound => 0x1110,
            Self::Flash(_) => 0x4001, // ESP_ERR_FLASH_OP_FAIL
        }
    }
}
