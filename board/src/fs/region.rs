//! Where the `/flash` filesystem lives on the chip.

use pycom_formats::PartitionTable;

use crate::BoardModel;

/// Size of a LittleFS block: one flash sector.
pub const BLOCK_SIZE: u32 = 4096;

/// Start of the filesystem on 8 MB boards, whose table has no `fs` partition:
/// the firmware uses the whole upper half of the chip.
const UPPER_HALF: u32 = 0x40_0000;

/// Where the filesystem lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FsRegion {
    /// First byte of the region on the chip.
    pub offset: u32,
    /// Size of the region in bytes.
    pub size: u32,
}

impl FsRegion {
    /// The region the firmware mounts as `/flash`: the `fs` partition when the
    /// table has one (4 MB boards: 0x380000, 127 blocks), otherwise the upper
    /// 4 MB of an 8 MB chip (0x400000, 1024 blocks).
    pub fn for_table(table: &PartitionTable, model: BoardModel) -> Self {
        match table.find("fs") {
            Some(fs) => Self { offset: fs.offset, size: fs.size },
            None => {
                let end = u32::try_from(model.flash_size()).unwrap_or(u32::MAX);
                Self { offset: UPPER_HALF, size: end.saturating_sub(UPPER_HALF) }
            }
        }
    }

    /// Number of whole blocks in the region.
    pub fn blocks(&self) -> u32 {
        self.size / BLOCK_SIZE
    }
}
