//! Pure encoders and decoders for the on-flash structures of a Pycom board.
//!
//! Nothing here touches a file or a flash chip: every function maps bytes to
//! values and back, so the layouts can be tested against independent tools.

pub mod app_image;
pub mod boot_info;
pub mod config_block;
pub mod crc32;
pub mod nvs;
pub mod partition_table;

pub use boot_info::BootInfo;
pub use config_block::ConfigBlock;
pub use partition_table::{FlashLayout, Partition, PartitionKind, PartitionTable, PartitionTableError};
