//! A device's flash image on disk: created erased with the Pycom partition table,
//! or opened and checked against the board model.

use std::path::{Path, PathBuf};

use pycom_flash::{Existing, Flash, FlashError};
use pycom_formats::partition_table::{TABLE_MAX_LEN, TABLE_OFFSET};
use pycom_formats::{PartitionTable, app_image};

use crate::{BoardError, BoardModel};

/// Version of the firmware image a new device carries in its factory slot.
pub const FACTORY_FIRMWARE_VERSION: &str = "1.20.2.r6";
/// Build date the emulated firmware reports (REPL and Telnet banners,
/// `os.uname().version`).
pub const FIRMWARE_BUILD_DATE: &str = "2023-01-01";

/// The app image a new device carries in its factory slot, so the board always
/// has firmware: a valid ESP32 image whose app descriptor says 1.20.2.r6.
fn factory_firmware() -> Vec<u8> {
    app_image::build(&app_image::BuildSpec {
        version: FACTORY_FIRMWARE_VERSION.into(),
        project_name: "pycom".into(),
        idf_version: "v3.3.1".into(),
        size: None,
    })
}

/// An opened device image: the flash chip and its partition table, whose
/// entries are checked to fit the chip without overlapping each other or the
/// table.
#[derive(Debug)]
pub struct DeviceImage {
    /// The flash chip, written through to the image file if it has one.
    pub flash: Flash,
    /// The partition table read from (or written to) 0x8000.
    pub table: PartitionTable,
    /// Whether this call created the image.
    pub created: bool,
}

impl DeviceImage {
    /// Opens the image at `path`, creating a fresh one for `model` if there is no
    /// file yet (atomically: a crash leaves no image or a whole one).
    pub fn open_or_create(path: &Path, model: BoardModel) -> Result<Self, BoardError> {
        if path.exists() {
            return Self::open(path, model);
        }
        match Self::write_new(path, model, Existing::Keep) {
            Err(BoardError::Flash(FlashError::AlreadyExists { .. })) => Self::open(path, model),
            other => other,
        }
    }

    /// Creates (or replaces, unless another process has it open) the image at
    /// `path`: erased flash with the model's Pycom partition table at 0x8000
    /// and the factory firmware, written in one atomic step.
    pub fn create(path: &Path, model: BoardModel) -> Result<Self, BoardError> {
        Self::write_new(path, model, Existing::Replace)
    }

    fn write_new(path: &Path, model: BoardModel, existing: Existing) -> Result<Self, BoardError> {
        let image = Self::initialise(Flash::erased(model.flash_size()), model, path)?;
        Ok(Self { flash: image.flash.save_as(path, existing)?, ..image })
    }

    /// A fresh image that lives only in memory (for tests and throw-away runs).
    pub fn in_memory(model: BoardModel) -> Result<Self, BoardError> {
        Self::initialise(Flash::erased(model.flash_size()), model, Path::new("<memory>"))
    }

    fn initialise(mut flash: Flash, model: BoardModel, path: &Path) -> Result<Self, BoardError> {
        let table = PartitionTable::pycom(model.flash_layout());
        let bytes = table.encode().map_err(|source| BoardError::PartitionTable { path: path.to_owned(), source })?;
        flash.write(TABLE_OFFSET, &bytes)?;
        if let Some(factory) = table.find("factory") {
            flash.write(factory.offset, &factory_firmware())?;
        }
        crate::efuse::base_mac(&mut flash)?;
        Ok(Self { flash, table, created: true })
    }

    /// Opens an existing image under an exclusive lock (held while the image
    /// lives; a second opener gets [`FlashError::Locked`]) and checks it fits
    /// `model`.
    pub fn open(path: &Path, model: BoardModel) -> Result<Self, BoardError> {
        let mut flash = Flash::open_file(path)?;
        if flash.size() != model.flash_size() {
            return Err(BoardError::WrongFlashSize {
                path: path.to_owned(),
                model,
                actual: flash.size() >> 20,
                expected: model.flash_size() >> 20,
            });
        }
        let table = read_table(&mut flash, path)?;
        Ok(Self { flash, table, created: false })
    }

    /// Reads just the partition table of any image file, whatever its model,
    /// without a lock: it only reads, and may look at an image in use.
    pub fn inspect(path: &Path) -> Result<(usize, PartitionTable), BoardError> {
        let mut flash = Flash::read_file(path)?;
        let table = read_table(&mut flash, path)?;
        Ok((flash.size(), table))
    }
}

fn read_table(flash: &mut Flash, path: &Path) -> Result<PartitionTable, BoardError> {
    let mut bytes = vec![0u8; TABLE_MAX_LEN];
    flash.read(TABLE_OFFSET, &mut bytes)?;
    let path: PathBuf = path.to_owned();
    let table = PartitionTable::decode(&bytes)
        .and_then(|table| table.check_layout(flash.size() as u64).map(|()| table))
        .map_err(|source| BoardError::PartitionTable { path, source })?;
    Ok(table)
}
