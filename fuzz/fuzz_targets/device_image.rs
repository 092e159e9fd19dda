//! A booted LoPy4 image with fuzzed bytes written over what the firmware reads at
//! boot (boot_info in otadata, the NVS partition, the config block, /flash),
//! then a hard boot and a look at /flash: never a panic. The input is a list
//! of patches: a region byte, a little-endian u16 offset into it, a length
//! byte, then that many bytes.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use pycom_board::{Board, BoardModel, BootKind, Clock, ClockMode, DeviceImage, ResetCause};
use pycom_flash::Flash;

/// (offset, size) of the regions the boot reads, on a LoPy4.
const REGIONS: [(u32, u32); 4] = [(0x1F_F000, 0x2000), (0x9000, 0x7000), (0x3F_F000, 0x1000), (0x38_0000, 0x10000)];

/// A new image after its first boot (NVS, boot_info, config block and /flash
/// written), made once.
fn booted_image() -> &'static DeviceImage {
    static IMAGE: OnceLock<DeviceImage> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let image = DeviceImage::in_memory(BoardModel::Lopy4).expect("a new image");
        let table = image.table.clone();
        let mut board = Board::new(BoardModel::Lopy4, image, Arc::new(Clock::new(ClockMode::Virtual)));
        board.boot(BootKind::Hard(ResetCause::PowerOn)).expect("a new image boots");
        let _ = board.fs().list("/");
        DeviceImage { flash: Flash::from_bytes(board.flash().contents().to_vec()), table, created: false }
    })
}

fuzz_target!(|data: &[u8]| {
    let booted = booted_image();
    let mut image =
        DeviceImage { flash: Flash::from_bytes(booted.flash.contents().to_vec()), table: booted.table.clone(), created: false };
    let mut rest = data;
    while let [region, lo, hi, len, tail @ ..] = rest {
        let (base, size) = REGIONS[usize::from(*region) % REGIONS.len()];
        let offset = u32::from(u16::from_le_bytes([*lo, *hi])) % size;
        let len = usize::from(*len).min(tail.len()).min((size - offset) as usize);
        let at = base + offset;
        let sector = at & !0xFFF;
        let mut bytes = vec![0; ((at + len as u32 - sector + 0xFFF) & !0xFFF) as usize];
        if image.flash.read(sector, &mut bytes).is_ok() {
            let from = (at - sector) as usize;
            bytes[from..from + len].copy_from_slice(&tail[..len]);
            let _ = image.flash.erase_and_write(sector, &bytes);
        }
        rest = &tail[len..];
    }
    let mut board = Board::new(BoardModel::Lopy4, image, Arc::new(Clock::new(ClockMode::Virtual)));
    if board.boot(BootKind::Hard(ResetCause::PowerOn)).is_ok() {
        let mut fs = board.fs();
        if let Ok(entries) = fs.list("/") {
            for entry in entries {
                let _ = fs.read(&format!("/{}", entry.name));
            }
        }
    }
});
