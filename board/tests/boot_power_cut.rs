//! Power cuts during config-block and boot_info writes: after a cut at any
//! flash operation the board boots again, with every config byte old, new or
//! erased (the block has no CRC: a torn rewrite reads as a prefix of the new
//! block and defaults after it, as on the board) and boot_info valid or
//! re-initialised as the bootloader does.

use std::sync::Arc;

use pycom_board::{Board, BoardModel, BootKind, BootmgrRequest, Clock, ClockMode, DeviceImage, ResetCause};
use pycom_flash::{Flash, PowerCut};
use pycom_formats::{BootInfo, PartitionTable};

const MODEL: BoardModel = BoardModel::Wipy2;
const CONFIG: std::ops::Range<usize> = 0x3FF000..0x3FF400;
const OTADATA: usize = 0x1BE000;

fn board_on(flash: Flash) -> Board {
    let image = DeviceImage { flash, table: PartitionTable::pycom(MODEL.flash_layout()), created: false };
    Board::new(MODEL, image, Arc::new(Clock::new(ClockMode::Virtual)))
}

fn booted(flash: Flash) -> Board {
    let mut board = board_on(flash);
    board.boot(BootKind::Hard(ResetCause::PowerOn)).expect("the board boots after the cut");
    board
}

fn boot_info(board: &mut Board) -> BootInfo {
    BootInfo::decode(board.flash().contents()[OTADATA..OTADATA + 40].try_into().unwrap())
}

/// What one step of the workload does to a booted board.
type Step = fn(&mut Board) -> bool;

const STEPS: [(&str, Step); 6] = [
    ("heartbeat_on_boot(False)", |b| b.update_config(|c| c.set_heartbeat_on_boot(false)).is_ok()),
    ("wdt_on_boot_timeout(60000)", |b| b.update_config(|c| c.set_wdt_on_boot_timeout(60_000)).is_ok()),
    ("bootmgr(fs_type=FAT)", |b| b.bootmgr(BootmgrRequest { fs_type: Some(0), ..Default::default() }).is_ok()),
    ("bootmgr(safeboot=True)", |b| b.bootmgr(BootmgrRequest { safeboot: Some(1), ..Default::default() }).is_ok()),
    ("hard boot (safe boot consumed)", |b| b.boot(BootKind::Hard(ResetCause::Hard)).is_ok()),
    ("bootmgr(boot_partition=OTA_0) then rollback", |b| {
        b.bootmgr(BootmgrRequest { boot_partition: Some(1), ..Default::default() }).is_ok()
            && b.boot(BootKind::Hard(ResetCause::Hard)).is_ok()
    }),
];

#[test]
fn every_cut_during_config_and_boot_info_writes_leaves_a_bootable_board() {
    let mut base = booted(Flash::erased(MODEL.flash_size()));
    let mut cuts = 0;
    let mut lost_boot_info = 0;
    let mut torn_config = 0;
    for (name, step) in STEPS {
        let before = base.flash().contents().to_vec();
        let mut probe = booted(Flash::from_bytes(before.clone()));
        let ops = |f: &mut Flash| f.stats().bytes_written + f.stats().sectors_erased;
        let ops_before = ops(probe.flash());
        assert!(step(&mut probe), "{name} without a cut");
        let after_config = probe.flash().contents()[CONFIG].to_vec();
        let count = ops(probe.flash()) - ops_before;
        for k in 0..count {
            let mut cut = booted(Flash::from_bytes(before.clone()));
            cut.flash().set_power_cut(PowerCut::after(k));
            assert!(!step(&mut cut), "{name}: cut {k} interrupts it");
            let mut again = booted(Flash::from_bytes(cut.flash().contents().to_vec()));
            let config = &again.flash().contents()[CONFIG];
            let byte_ok = |i: usize| [before[CONFIG][i], after_config[i], 0xFF].contains(&config[i]);
            assert!((0..config.len()).all(byte_ok), "{name}: cut {k}: a config byte is neither old, new nor erased");
            if config != &before[CONFIG] && config != &after_config[..] {
                torn_config += 1;
            }
            let info = boot_info(&mut again);
            assert!(info.is_valid(), "{name}: cut {k}: the bootloader rewrites a damaged boot_info");
            if info == BootInfo::initial()
                && BootInfo::decode(before[OTADATA..OTADATA + 40].try_into().unwrap()) != info
            {
                lost_boot_info += 1;
            }
            cuts += 1;
        }
        base = probe;
    }
    println!(
        "config/boot_info power-cut sweep: {cuts} cut points, {torn_config} torn config blocks, \
         {lost_boot_info} lost boot_info (reinitialised)"
    );
    assert!(cuts > 3000, "{cuts} cut points");
    assert!(lost_boot_info > 0, "a cut between erase and write of otadata loses boot_info");
}

#[test]
fn a_cut_between_erasing_and_writing_otadata_forgets_a_pending_safe_boot() {
    let mut board = booted(Flash::erased(MODEL.flash_size()));
    // bootmgr writes boot_info as one erase and one program: cut right after the erase.
    board.flash().set_power_cut(PowerCut::after_calls(1));
    assert!(board.bootmgr(BootmgrRequest { safeboot: Some(1), ..Default::default() }).is_err());
    let mut again = booted(Flash::from_bytes(board.flash().contents().to_vec()));
    assert!(!again.safe_boot(), "the request was lost with the erased sector");
    assert_eq!(boot_info(&mut again), BootInfo::initial());
}
