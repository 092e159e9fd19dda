//! A whole device image, and the booted board the other bodies start from.

use std::sync::{Arc, OnceLock};

use pycom_board::{Board, BoardModel, BootKind, Clock, ClockMode, DeviceImage, ResetCause};
use pycom_flash::Flash;

/// The model every body's board is.
const MODEL: BoardModel = BoardModel::Lopy4;

/// (offset, size) of the regions the boot reads, on a LoPy4: boot_info in
/// otadata, the NVS partition, the config block, /flash.
const REGIONS: [(u32, u32); 4] = [(0x1F_F000, 0x2000), (0x9000, 0x7000), (0x3F_F000, 0x1000), (0x38_0000, 0x10000)];

/// A copy of a new LoPy4 image after its first boot (NVS, boot_info, config
/// block and /flash written), which is made once.
pub(crate) fn booted_image() -> DeviceImage {
    static IMAGE: OnceLock<DeviceImage> = OnceLock::new();
    let booted = IMAGE.get_or_init(|| {
        let image = DeviceImage::in_memory(MODEL).expect("a new image");
        let table = image.table.clone();
        let mut board = board_on(image);
        board.boot(BootKind::Hard(ResetCause::PowerOn)).expect("a new image boots");
        let _ = board.fs().list("/");
        DeviceImage { flash: Flash::from_bytes(board.flash().contents().to_vec()), table, created: false }
    });
    DeviceImage {
        flash: Flash::from_bytes(booted.flash.contents().to_vec()),
        table: booted.table.clone(),
        created: false,
    }
}

/// A powered-off LoPy4 with `image`, on a virtual clock.
pub(crate) fn board_on(image: DeviceImage) -> Board {
    Board::new(MODEL, image, Arc::new(Clock::new(ClockMode::Virtual)))
}

/// A booted image with fuzzed bytes written over what the firmware reads at
/// boot, then a hard boot and a look at /flash: never a panic. The input is a
/// list of patches: a region byte, a little-endian u16 offset into it, a
/// length byte, then that many bytes.
pub fn device_image(data: &[u8]) {
    let mut image = booted_image();
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
    let mut board = board_on(image);
    if board.boot(BootKind::Hard(ResetCause::PowerOn)).is_ok() {
        let mut fs = board.fs();
        if let Ok(entries) = fs.list("/") {
            for entry in entries {
                let _ = fs.read(&format!("/{}", entry.name));
            }
        }
    }
}
