//! Power cuts during OTA: at any flash operation of `ota_write`, `ota_finish`,
//! the bootloader's `boot_info` rewrite and the application of a patch, the
//! board still boots a valid image (the old one, the new one or the factory
//! one), except in one window the firmware has too: `boot_info` is rewritten
//! by erasing its sector and then programming it, and a cut in between makes
//! the bootloader start over with the factory slot, which an update running
//! from `ota_0` has already overwritten. The test counts that window.

use std::sync::Arc;

use pycom_board::{Board, BoardError, BoardModel, BootKind, Clock, ClockMode, DeviceImage, ResetCause};
use pycom_flash::{Flash, PowerCut};
use pycom_formats::PartitionTable;
use pycom_formats::app_image::{BuildSpec, build};

const MODEL: BoardModel = BoardModel::Wipy2;

fn board_on(flash: Flash) -> Board {
    let image = DeviceImage { flash, table: PartitionTable::pycom(MODEL.flash_layout()), created: false };
    let mut board = Board::new(MODEL, image, Arc::new(Clock::new(ClockMode::Virtual)));
    board.enable_diff_update();
    board
}

fn app(version: &str) -> Vec<u8> {
    build(&BuildSpec {
        version: version.into(),
        project_name: "pycom".into(),
        idf_version: "v3.3.1".into(),
        size: Some(150_000),
    })
}

fn patch(old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    qbsdiff::Bsdiff::new(old, new).compare(std::io::Cursor::new(&mut out)).unwrap();
    out
}

/// Full update to 2.0.0, reboot, then a patch from 2.0.0 to 3.0.0 and reboot.
fn workload(board: &mut Board, full: &[u8], diff: &[u8]) -> Result<(), BoardError> {
    for image in [full, diff] {
        board.ota_start()?;
        for block in image.chunks(4096) {
            board.ota_write(block)?;
        }
        board.ota_finish()?;
        board.boot(BootKind::Hard(ResetCause::Hard))?;
    }
    Ok(())
}

#[test]
fn every_cut_during_an_update_leaves_a_bootable_valid_image() {
    let mut base = board_on(DeviceImage::in_memory(MODEL).unwrap().flash);
    base.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    let (v2, v3) = (app("2.0.0"), app("3.0.0"));
    let diff = patch(&v2, &v3);
    let before = base.flash().contents().to_vec();

    let mut probe = board_on(Flash::from_bytes(before.clone()));
    probe.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    let start = probe.flash().stats();
    workload(&mut probe, &v2, &diff).unwrap();
    assert_eq!(probe.running_app().map(|a| a.version).as_deref(), Some("3.0.0"));
    let end = probe.flash().stats();
    let calls = end.program_calls + end.sectors_erased - start.program_calls - start.sectors_erased;

    let mut versions = std::collections::BTreeMap::<String, usize>::new();
    for k in 0..calls {
        let mut cut = board_on(Flash::from_bytes(before.clone()));
        cut.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
        cut.flash().set_power_cut(PowerCut::after_calls(k));
        assert!(workload(&mut cut, &v2, &diff).is_err(), "cut {k} interrupts the update");
        let mut again = board_on(Flash::from_bytes(cut.flash().contents().to_vec()));
        again.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap_or_else(|e| panic!("cut {k}: no boot: {e}"));
        let state = again.bootmgr_state();
        let version = match again.running_app() {
            Some(app) => app.version,
            None => {
                // Only when boot_info was lost and the bootloader fell back to a
                // factory slot the update had already erased.
                assert_eq!((state.active_image, state.status), (0, 1), "cut {k}: no valid image, boot_info {state:?}");
                "none (boot_info lost, factory slot overwritten)".to_owned()
            }
        };
        *versions.entry(version).or_default() += 1;
    }
    println!("OTA power-cut sweep: {calls} cut points; running after the cut: {versions:?}");
    assert!(calls > 50);
    let bricked = versions.iter().filter(|(v, _)| v.starts_with("none")).map(|(_, n)| *n).sum::<usize>();
    assert!(bricked <= 2, "only the erase-then-program window of boot_info loses the firmware: {versions:?}");
}
