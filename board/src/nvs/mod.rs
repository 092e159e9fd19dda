//! The NVS engine: ESP-IDF 3.3's non-volatile storage on the `nvs` partition,
//! byte-compatible with what the firmware and Espressif's tools write, and with
//! the same recovery after a power cut.

mod error;
mod page;
mod pages;
mod pycom;
mod storage;
mod value;

pub use error::NvsError;
pub use pycom::{PYCOM_NAMESPACE, PycomNvs, PycomValue};
pub use storage::{Entry, Nvs, NvsStats};
pub use value::Value;
