//! The OTA updater and the bootloader's check of a new image: slot choice,
//! erase-ahead writing, `boot_info` marking, verification and rollback.

use std::sync::Arc;

use pycom_board::{
    Board, BoardModel, BootKind, Clock, ClockMode, DeviceImage, FULL_UPDATE_MESSAGE, OtaFinish, OtaWrite, ResetCause,
};
use pycom_formats::app_image::{BuildSpec, build};

fn booted(model: BoardModel) -> Board {
    let mut board = Board::new(model, DeviceImage::in_memory(model).unwrap(), Arc::new(Clock::new(ClockMode::Virtual)));
    board.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    board
}

fn image(version: &str) -> Vec<u8> {
    build(&BuildSpec {
        version: version.into(),
        project_name: "pycom".into(),
        idf_version: "v3.3.1".into(),
        size: Some(300_000),
    })
}

fn push(board: &mut Board, data: &[u8]) {
    board.ota_start().unwrap();
    for block in data.chunks(4096) {
        assert_eq!(board.ota_write(block).unwrap(), OtaWrite::Written);
    }
}

#[test]
fn a_full_update_runs_from_ota_0_after_the_next_boot() {
    let mut board = booted(BoardModel::Lopy4);
    assert_eq!(board.ota_slot(), 0x21_0000);
    assert!(!board.ota_verify(), "nothing written yet");
    push(&mut board, &image("1.20.2.r7"));
    assert_eq!(board.ota_finish().unwrap(), OtaFinish::Marked(FULL_UPDATE_MESSAGE));
    assert!(board.ota_verify());
    assert_eq!((board.bootmgr_state().active_image, board.bootmgr_state().status), (1, 0));
    board.boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    assert_eq!(board.running_app().map(|a| a.version).as_deref(), Some("1.20.2.r7"));
    assert_eq!((board.bootmgr_state().active_image, board.bootmgr_state().status), (1, 1));
    assert_eq!(board.ota_slot(), 0x1_0000, "the next update goes to the factory slot");
}

#[test]
fn a_corrupt_image_is_rolled_back_at_boot() {
    let mut board = booted(BoardModel::Wipy2);
    assert_eq!(board.ota_slot(), 0x1C_0000);
    let mut bad = image("2.0.0");
    bad[5000] ^= 0x40;
    push(&mut board, &bad);
    board.ota_finish().unwrap();
    assert!(!board.ota_verify());
    board.boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    assert_eq!(board.take_uart_output(), [pycom_board::ROLLBACK_MESSAGE]);
    assert_eq!((board.bootmgr_state().active_image, board.bootmgr_state().status), (0, 1));
}

#[test]
fn finish_without_start_does_nothing_and_a_diff_image_is_refused() {
    let mut board = booted(BoardModel::Lopy4);
    assert_eq!(board.ota_finish().unwrap(), OtaFinish::Nothing);
    push(&mut board, b"BSDIFF40\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    assert!(matches!(board.ota_finish().unwrap(), OtaFinish::DiffDisabled(_)));
    assert_eq!(board.bootmgr_state().status, 1, "boot_info unchanged");
}

#[test]
fn writing_without_start_aborts_like_the_firmware() {
    let mut board = booted(BoardModel::Lopy4);
    assert!(matches!(board.ota_write(&[0; 16]).unwrap(), OtaWrite::Aborted(_)));
}

#[test]
fn overrunning_the_slot_writes_on_and_says_so() {
    let mut board = booted(BoardModel::Wipy2);
    board.take_diagnostics();
    board.ota_start().unwrap();
    let block = [0u8; 4096];
    for _ in 0..(0x1AE000 / 4096 + 2) {
        assert_eq!(board.ota_write(&block).unwrap(), OtaWrite::Written);
    }
    let notes = board.take_diagnostics();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("past the end of the slot"), "{notes:?}");
}

/// Stores `boot_info` with `active` and `status` as another tool (or an older
/// firmware) may have left it.
fn store_boot_info(board: &mut Board, active: u32, status: u32) {
    let otadata = board.partition_table().find("otadata").unwrap().offset;
    let info = pycom_formats::BootInfo { active, status, ..pycom_formats::BootInfo::initial() }.sealed();
    board.flash().erase(otadata, otadata + 4096).unwrap();
    board.flash().write(otadata, &info.encode()).unwrap();
}

#[test]
fn with_active_image_2_the_bootloader_and_the_updater_agree_on_the_running_slot() {
    let mut board = booted(BoardModel::Lopy4);
    push(&mut board, &image("1.20.2.r7"));
    board.ota_finish().unwrap();
    board.boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    store_boot_info(&mut board, 2, 1);
    board.boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    assert_eq!(board.running_app().map(|a| a.version).as_deref(), Some("1.20.2.r7"), "any number but 0 boots ota_0");
    assert_eq!(board.ota_slot(), 0x1_0000, "the next update goes to the slot that is not running");
    push(&mut board, &image("1.20.2.r8"));
    assert_eq!(board.running_app().map(|a| a.version).as_deref(), Some("1.20.2.r7"), "the running image is intact");
    board.ota_finish().unwrap();
    board.boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    assert_eq!(board.take_uart_output(), Vec::<String>::new(), "no rollback");
    assert_eq!(board.running_app().map(|a| a.version).as_deref(), Some("1.20.2.r8"), "the new image runs");
}
