//! Board files (TOML: devices on pins).

use pycom_board::BoardModel;
use pycom_board::pins::PinMode;
use pycom_emu::board_file;

use crate::device::{board_on, booted_image};

/// Device time a board file's devices are run for, in steps.
const RUN_STEPS: u64 = 50;
const STEP_US: u64 = 20_000;

/// Any text as a board file, checked for every model; one that a LoPy4 takes
/// is wired to a LoPy4 whose clock then runs for a second, each device's pin
/// read on the way and read as a DHT sensor is (start pulse, then the pulses
/// back): never a panic, never a hang.
pub fn board_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for model in BoardModel::ALL {
        let _ = board_file::parse(&text, model);
    }
    let Ok(devices) = board_file::parse(&text, BoardModel::Lopy4) else { return };
    let mut board = board_on(booted_image());
    let gpios = devices.attach(&mut board).expect("a checked board file attaches");
    for _ in 0..RUN_STEPS {
        board.wait_us(STEP_US);
        for &gpio in &gpios {
            let _ = board.pin_level(gpio);
        }
    }
    for &gpio in &gpios {
        board.pin_configure(gpio, PinMode::OpenDrain, None);
        board.pin_write(gpio, false);
        board.wait_us(18_000);
        board.pin_write(gpio, true);
        board.pin_configure(gpio, PinMode::Input, None);
        let _ = board.pulses_get(gpio, 10);
    }
}
