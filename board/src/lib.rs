//! The virtual Pycom board, with no Python in it.
//!
//! A [`Board`] owns the device's flash image and everything the firmware keeps
//! in RAM: the virtual clock, the RGB LED with its heartbeat, the config block
//! read at boot and the reset bookkeeping. The Python bindings call into it;
//! tests can drive it directly.

pub mod alarms;
pub mod analog;
mod app_slots;
mod board;
mod bootloader;
mod bootmgr;
pub mod bus;
mod clock;
mod clock_control;
mod config;
pub mod diff;
mod efuse;
mod error;
pub mod fs;
mod image;
mod led;
pub mod lora;
mod model;
pub mod net;
pub mod nvs;
mod ota;
pub mod pins;
pub mod rtc;
pub mod rx_queue;
pub mod sigfox;
pub mod sleep;
mod timeline;
pub mod uart;
mod watchdog;
pub mod wifi;

pub use app_slots::{AppSlot, app_slots};
pub use board::{Board, BootKind, NextEvent, ResetCause};
pub use bootloader::ROLLBACK_MESSAGE;
pub use bootmgr::{BootmgrError, BootmgrRequest, BootmgrState};
pub use clock::{Clock, ClockMode};
pub use clock_control::{ClockControl, Speed};
pub use config::Config;
pub use error::BoardError;
pub use image::{DeviceImage, FACTORY_FIRMWARE_VERSION, FIRMWARE_BUILD_DATE};
pub use led::{HEARTBEAT_COLOUR, HEARTBEAT_OFF_US, HEARTBEAT_ON_US, Led, LedError, LedEvent, LedTrace};
pub use model::{BoardModel, Radio};
pub use ota::{
    DIFF_DISABLED_MESSAGE, DIFF_PENDING_MESSAGE, FULL_UPDATE_MESSAGE, OtaFinish, OtaWrite, PATCH_FAILED_MESSAGE,
    PATCH_OK_MESSAGE,
};
pub use timeline::{Pace, Timeline};
pub use watchdog::WatchdogDeadline;
