//! The ESP32 partition table (one 4 KiB sector at 0x8000) and Pycom's layouts.

use md5::{Digest, Md5};
use serde::Serialize;

/// Flash offset of the partition table.
pub const TABLE_OFFSET: u32 = 0x8000;
/// Bytes the table may occupy (entries, MD5 row and end marker).
pub const TABLE_MAX_LEN: usize = 0xC00;
/// Lowest offset a partition may have: the bootloader (0x1000) and the table
/// (0x8000, in its own sector) come before it.
pub const FIRST_PARTITION_OFFSET: u32 = 0x9000;
const ENTRY_LEN: usize = 32;
const MAGIC: [u8; 2] = [0xAA, 0x50];
const MD5_MAGIC: [u8; 2] = [0xEB, 0xEB];
const FLAG_ENCRYPTED: u32 = 1;
const FLAG_READONLY: u32 = 2;

/// What a partition holds: the entry's type byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartitionKind {
    /// An application image (type 0x00).
    App,
    /// Data (type 0x01).
    Data,
    /// Any other type byte.
    Other(u8),
}

impl PartitionKind {
    fn from_byte(b: u8) -> Self {
        match b {
            0x00 => Self::App,
            0x01 => Self::Data,
            other => Self::Other(other),
        }
    }

    fn byte(self) -> u8 {
        match self {
            Self::App => 0x00,
            Self::Data => 0x01,
            Self::Other(b) => b,
        }
    }
}

/// One partition table entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Partition {
    /// Name, at most 16 bytes.
    pub label: String,
    /// Type byte.
    #[serde(rename = "type")]
    pub kind: PartitionKind,
    /// Subtype byte.
    pub subtype: u8,
    /// Flash offset in bytes.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// The `encrypted` flag (bit 0).
    pub encrypted: bool,
    /// The `readonly` flag (bit 1).
    pub readonly: bool,
}

impl Partition {
    /// Human name of the subtype: ESP-IDF's names, and Pycom's meaning of data
    /// subtypes 5 (`/flash` filesystem), 6 (config block) and 7 (dummy).
    pub fn subtype_name(&self) -> String {
        match (self.kind, self.subtype) {
            (PartitionKind::App, 0x00) => "factory".into(),
            (PartitionKind::App, s @ 0x10..=0x1F) => format!("ota_{}", s - 0x10),
            (PartitionKind::App, 0x20) => "test".into(),
            (PartitionKind::Data, 0x00) => "ota".into(),
            (PartitionKind::Data, 0x01) => "phy".into(),
            (PartitionKind::Data, 0x02) => "nvs".into(),
            (PartitionKind::Data, 0x03) => "coredump".into(),
            (PartitionKind::Data, 0x04) => "nvs_keys".into(),
            (PartitionKind::Data, 0x05) => "5 (pycom fs)".into(),
            (PartitionKind::Data, 0x06) => "6 (pycom config)".into(),
            (PartitionKind::Data, 0x07) => "7 (pycom dummy)".into(),
            (_, s) => format!("{s:#04x}"),
        }
    }

    /// First byte past the partition.
    pub fn end(&self) -> u64 {
        u64::from(self.offset) + u64::from(self.size)
    }

    fn encode(&self) -> Result<[u8; ENTRY_LEN], PartitionTableError> {
        let label = self.label.as_bytes();
        if label.len() > 16 {
            return Err(PartitionTableError::LabelTooLong(self.label.clone()));
        }
        let mut e = [0u8; ENTRY_LEN];
        e[0..2].copy_from_slice(&MAGIC);
        e[2] = self.kind.byte();
        e[3] = self.subtype;
        e[4..8].copy_from_slice(&self.offset.to_le_bytes());
        e[8..12].copy_from_slice(&self.size.to_le_bytes());
        e[12..12 + label.len()].copy_from_slice(label);
        let flags = u32::from(self.encrypted) * FLAG_ENCRYPTED + u32::from(self.readonly) * FLAG_READONLY;
        e[28..32].copy_from_slice(&flags.to_le_bytes());
        Ok(e)
    }

    fn decode(e: &[u8]) -> Self {
        let word = |at: usize| u32::from_le_bytes(e[at..at + 4].try_into().expect("4 bytes"));
        let label = &e[12..28];
        let label_len = label.iter().position(|b| *b == 0).unwrap_or(16);
        let flags = word(28);
        Self {
            label: String::from_utf8_lossy(&label[..label_len]).into_owned(),
            kind: PartitionKind::from_byte(e[2]),
            subtype: e[3],
            offset: word(4),
            size: word(8),
            encrypted: flags & FLAG_ENCRYPTED != 0,
            readonly: flags & FLAG_READONLY != 0,
        }
    }
}

/// Why a partition table could not be encoded or decoded.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PartitionTableError {
    /// Fewer bytes than a table needs.
    #[error("partition table needs {TABLE_MAX_LEN} bytes, got {0}")]
    TooShort(usize),
    /// The first entry is erased flash: there is no table.
    #[error("no partition table (the sector is erased)")]
    Missing,
    /// An entry that is neither a partition, the MD5 row nor the end marker.
    #[error("partition {index} has invalid magic {magic:02x?}")]
    BadMagic {
        /// Zero-based entry index.
        index: usize,
        /// The two magic bytes found.
        magic: [u8; 2],
    },
    /// The MD5 row does not match the entries before it.
    #[error("partition table MD5 mismatch: stored {stored}, computed {computed}")]
    Md5Mismatch {
        /// Hex digest stored in the table.
        stored: String,
        /// Hex digest of the entries.
        computed: String,
    },
    /// The table fills its area without an end marker.
    #[error("partition table has no end marker")]
    NoEndMarker,
    /// A label longer than the 16 bytes an entry holds.
    #[error("partition label {0:?} is longer than 16 bytes")]
    LabelTooLong(String),
    /// An entry that starts below [`FIRST_PARTITION_OFFSET`], over the
    /// bootloader or the table itself.
    #[error(
        "partition {label:?} at {offset:#x} overlaps the bootloader and partition table (partitions start at 0x9000)"
    )]
    OverBootArea {
        /// The entry's label.
        label: String,
        /// Its offset.
        offset: u32,
    },
    /// Two entries that share flash.
    #[error("partitions {first:?} and {second:?} overlap")]
    Overlap {
        /// The entry that starts first.
        first: String,
        /// The entry that starts inside it.
        second: String,
    },
    /// An entry that reaches past the end of the chip.
    #[error("partition {label:?} ends at {end:#x}, past the end of the {flash_size:#x}-byte flash")]
    PastFlashEnd {
        /// The entry's label.
        label: String,
        /// First byte past it.
        end: u64,
        /// Size of the chip in bytes.
        flash_size: u64,
    },
}

/// The flash-size variants of Pycom's partition layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FlashLayout {
    /// `esp32/lib/partitions.csv`: 4 MB boards (WiPy 2, SiPy, LoPy).
    Pycom4Mb,
    /// `esp32/lib/partitions_8MB.csv`: 8 MB boards (WiPy 3, LoPy4, GPy, FiPy).
    Pycom8Mb,
}

impl FlashLayout {
    /// Flash size the layout is made for, in bytes.
    pub fn flash_size(self) -> usize {
        match self {
            Self::Pycom4Mb => 4 << 20,
            Self::Pycom8Mb => 8 << 20,
        }
    }

    /// The layout for a flash of `size` bytes, if Pycom has one.
    pub fn for_flash_size(size: usize) -> Option<Self> {
        [Self::Pycom4Mb, Self::Pycom8Mb].into_iter().find(|l| l.flash_size() == size)
    }
}

/// A decoded partition table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionTable {
    /// Entries in table order.
    pub partitions: Vec<Partition>,
    /// Whether the table carries an MD5 row (checked when present).
    pub has_md5: bool,
}

fn part(label: &str, kind: PartitionKind, subtype: u8, offset: u32, size: u32, encrypted: bool) -> Partition {
    Partition { label: label.into(), kind, subtype, offset, size, encrypted, readonly: false }
}

impl PartitionTable {
    /// The table Pycom firmware v1.20 flashes for `layout`, with the offsets
    /// `gen_esp32part` assigns to its auto-placed rows.
    pub fn pycom(layout: FlashLayout) -> Self {
        use PartitionKind::{App, Data};
        let partitions = match layout {
            FlashLayout::Pycom4Mb => vec![
                part("nvs", Data, 0x02, 0x9000, 0x7000, false),
                part("factory", App, 0x00, 0x10000, 0x1AE000, true),
                part("otadata", Data, 0x00, 0x1BE000, 0x1000, true),
                part("ota_0", App, 0x10, 0x1C0000, 0x1AE000, true),
                part("dummy", Data, 0x07, 0x36E000, 0x10000, false),
                part("fs", Data, 0x05, 0x380000, 0x7F000, true),
                part("config", Data, 0x06, 0x3FF000, 0x1000, false),
            ],
            FlashLayout::Pycom8Mb => vec![
                part("nvs", Data, 0x02, 0x9000, 0x7000, false),
                part("factory", App, 0x00, 0x10000, 0x1EF000, true),
                part("otadata", Data, 0x00, 0x1FF000, 0x2000, true),
                part("ota_0", App, 0x10, 0x210000, 0x1EF000, true),
                part("config", Data, 0x06, 0x3FF000, 0x1000, false),
            ],
        };
        Self { partitions, has_md5: true }
    }

    /// The partition called `label`.
    pub fn find(&self, label: &str) -> Option<&Partition> {
        self.partitions.iter().find(|p| p.label == label)
    }

    /// Binary form: the entries, the MD5 row if enabled, nothing after (the rest of
    /// the sector stays erased).
    pub fn encode(&self) -> Result<Vec<u8>, PartitionTableError> {
        let mut out = Vec::with_capacity((self.partitions.len() + 1) * ENTRY_LEN);
        for p in &self.partitions {
            out.extend_from_slice(&p.encode()?);
        }
        if self.has_md5 {
            let digest = Md5::digest(&out);
            out.extend_from_slice(&MD5_MAGIC);
            out.extend_from_slice(&[0xFF; 14]);
            out.extend_from_slice(&digest);
        }
        if out.len() + ENTRY_LEN > TABLE_MAX_LEN {
            return Err(PartitionTableError::NoEndMarker);
        }
        Ok(out)
    }

    /// Checks that the entries fit a chip of `flash_size` bytes: none over the
    /// bootloader or the table, none past the end, no two sharing flash. The
    /// firmware trusts its table; the emulator checks it so that a crafted
    /// table cannot make the board write over the table itself.
    pub fn check_layout(&self, flash_size: u64) -> Result<(), PartitionTableError> {
        let mut by_offset: Vec<&Partition> = self.partitions.iter().collect();
        by_offset.sort_by_key(|p| p.offset);
        for p in &by_offset {
            if p.offset < FIRST_PARTITION_OFFSET {
                return Err(PartitionTableError::OverBootArea { label: p.label.clone(), offset: p.offset });
            }
            if p.end() > flash_size {
                return Err(PartitionTableError::PastFlashEnd { label: p.label.clone(), end: p.end(), flash_size });
            }
        }
        match by_offset.windows(2).find(|pair| pair[0].end() > u64::from(pair[1].offset)) {
            Some(pair) => {
                Err(PartitionTableError::Overlap { first: pair[0].label.clone(), second: pair[1].label.clone() })
            }
            None => Ok(()),
        }
    }

    /// Decodes a table from the bytes at [`TABLE_OFFSET`], as ESP-IDF's
    /// `esp_partition_table_verify` reads it.
    pub fn decode(bytes: &[u8]) -> Result<Self, PartitionTableError> {
        if bytes.len() < TABLE_MAX_LEN {
            return Err(PartitionTableError::TooShort(bytes.len()));
        }
        let mut partitions = Vec::new();
        let mut has_md5 = false;
        for (index, e) in bytes[..TABLE_MAX_LEN].chunks_exact(ENTRY_LEN).enumerate() {
            let magic = [e[0], e[1]];
            match magic {
                MAGIC => partitions.push(Partition::decode(e)),
                MD5_MAGIC => {
                    let computed = Md5::digest(&bytes[..index * ENTRY_LEN]);
                    if computed.as_slice() != &e[16..32] {
                        return Err(PartitionTableError::Md5Mismatch {
                            stored: hex(&e[16..32]),
                            computed: hex(&computed),
                        });
                    }
                    has_md5 = true;
                }
                [0xFF, 0xFF] if index == 0 => return Err(PartitionTableError::Missing),
                [0xFF, 0xFF] => return Ok(Self { partitions, has_md5 }),
                _ => return Err(PartitionTableError::BadMagic { index, magic }),
            }
        }
        Err(PartitionTableError::NoEndMarker)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
