//! The config block as the firmware holds it: read once at boot, rewritten with a
//! sector erase only when a setter changes it.

use pycom_flash::{Flash, FlashError};
use pycom_formats::ConfigBlock;
use pycom_formats::config_block::{CONFIG_LEN, CONFIG_OFFSET};

/// The RAM copy of the config block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    block: ConfigBlock,
}

impl Config {
    /// Reads the block from flash (`config_init0`).
    pub fn load(flash: &mut Flash) -> Result<Self, FlashError> {
        let mut bytes = [0u8; CONFIG_LEN];
        flash.read(CONFIG_OFFSET, &mut bytes)?;
        Ok(Self { block: ConfigBlock::from_bytes(bytes) })
    }

    /// The current values.
    pub fn block(&self) -> &ConfigBlock {
        &self.block
    }

    /// Applies `change`; if any byte differs, erases the config sector and writes
    /// the block back (`config_write`). Returns whether flash was written.
    pub fn update(&mut self, flash: &mut Flash, change: impl FnOnce(&mut ConfigBlock)) -> Result<bool, FlashError> {
        let mut next = self.block.clone();
        change(&mut next);
        if next == self.block {
            return Ok(false);
        }
        flash.erase_and_write(CONFIG_OFFSET, next.as_bytes())?;
        self.block = next;
        Ok(true)
    }
}
