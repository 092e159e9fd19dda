use std::path::Path;

use crate::cells::Cells;
use crate::image_file::{Existing, ImageFile};
use crate::{FlashError, PowerCut};

/// Size of an erase sector in bytes (ESP32 SPI flash).
pub const SECTOR_SIZE: usize = 4096;

/// Largest flash chip (and image file) the ESP32 addresses: 16 MiB.
pub const MAX_IMAGE_SIZE: usize = 16 << 20;

/// Counts of the operations a [`Flash`] has performed since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlashStats {
    /// Bytes read.
    pub bytes_read: u64,
    /// Bytes programmed.
    pub bytes_written: u64,
    /// Program calls (each may program many bytes).
    pub program_calls: u64,
    /// Sectors erased.
    pub sectors_erased: u64,
}

/// A NOR flash chip, optionally written through to an image file.
#[derive(Debug)]
pub struct Flash {
    data: Cells,
    backing: Option<ImageFile>,
    erase_counts: Vec<u32>,
    power: PowerCut,
    stats: FlashStats,
}

impl Flash {
    /// An erased chip of `size` bytes held in memory.
    ///
    /// # Panics
    /// If `size` is not a whole number of sectors (a programming error).
    pub fn erased(size: usize) -> Self {
        assert!(size.is_multiple_of(SECTOR_SIZE), "flash size must be a multiple of 4096");
        Self::from_vec(vec![0xFF; size])
    }

    /// A chip holding `data` in memory, e.g. a copy of another chip's contents.
    ///
    /// # Panics
    /// If the length is not a whole number of sectors (a programming error).
    pub fn from_bytes(data: Vec<u8>) -> Self {
        assert!(data.len().is_multiple_of(SECTOR_SIZE), "flash size must be a multiple of 4096");
        Self::from_vec(data)
    }

    fn from_vec(data: Vec<u8>) -> Self {
        Self::from_cells(Cells::Memory(data))
    }

    fn from_cells(data: Cells) -> Self {
        let sectors = data.len() / SECTOR_SIZE;
        Self {
            data,
            backing: None,
            erase_counts: vec![0; sectors],
            power: PowerCut::never(),
            stats: FlashStats::default(),
        }
    }

    /// Opens an existing image file under an exclusive lock, held until the
    /// chip is dropped (another process on it gets [`FlashError::Locked`]);
    /// every later write and erase goes through to the file.
    /// A regular file is mapped, not read (see `cells`).
    pub fn open_file(path: &Path) -> Result<Self, FlashError> {
        let (file, cells) = ImageFile::open(path)?;
        let mut flash = Self::from_cells(cells);
        flash.backing = Some(file);
        Ok(flash)
    }

    /// A copy in memory of the image file at `path`, taken without a lock (for
    /// looking at an image another process may have open).
    pub fn read_file(path: &Path) -> Result<Self, FlashError> {
        let mut file = std::fs::File::open(path).map_err(|source| FlashError::Io { path: path.to_owned(), source })?;
        let data = crate::image_file::read_image(&mut file, path)?;
        Self::from_image_bytes(path, data)
    }

    fn from_image_bytes(path: &Path, data: Vec<u8>) -> Result<Self, FlashError> {
        check_image_size(path, data.len() as u64)?;
        Ok(Self::from_vec(data))
    }

    /// Writes this chip's contents as the image file at `path` in one atomic
    /// step (a crash leaves no file or a whole one; see [`Existing`] for a path
    /// that is taken) and returns the chip written through to it, locked as by
    /// [`Flash::open_file`].
    pub fn save_as(mut self, path: &Path, existing: Existing) -> Result<Self, FlashError> {
        self.backing = Some(ImageFile::write_new(path, &self.data, existing)?);
        Ok(self)
    }

    /// Replaces the whole contents of the chip with `data` (same size) in one
    /// atomic step: an image file is replaced by a new one (see
    /// [`Flash::save_as`]), so a crash leaves the old contents or the new ones.
    pub fn replace_contents(&mut self, data: Vec<u8>) -> Result<(), FlashError> {
        if data.len() != self.data.len() {
            return Err(FlashError::OutOfBounds { offset: 0, len: data.len(), size: self.data.len() });
        }
        if let Some(file) = &mut self.backing {
            file.replace(&data)?;
        }
        self.data = Cells::Memory(data);
        Ok(())
    }

    /// Size of the chip in bytes.
    pub fn size(&self) -> usize {
        self.data.len()
    }

    /// The whole chip contents.
    pub fn contents(&self) -> &[u8] {
        &self.data
    }

    /// Operation counts since the chip was opened.
    pub fn stats(&self) -> FlashStats {
        self.stats
    }

    /// How many times the sector containing `addr` has been erased since the chip
    /// was opened.
    pub fn erase_count(&self, addr: u32) -> u32 {
        self.erase_counts.get(addr as usize / SECTOR_SIZE).copied().unwrap_or(0)
    }

    /// Schedules (or with [`PowerCut::never`] cancels) a power cut.
    pub fn set_power_cut(&mut self, cut: PowerCut) {
        self.power = cut;
    }

    /// The power cut scheduled (or [`PowerCut::never`]).
    pub fn power_cut(&self) -> PowerCut {
        self.power
    }

    /// Whether an injected power cut has happened.
    pub fn power_lost(&self) -> bool {
        self.power.has_tripped()
    }

    fn check_range(&self, offset: u32, len: usize) -> Result<std::ops::Range<usize>, FlashError> {
        let start = offset as usize;
        match start.checked_add(len) {
            Some(end) if end <= self.data.len() => Ok(start..end),
            _ => Err(FlashError::OutOfBounds { offset, len, size: self.data.len() }),
        }
    }

    /// Reads `buf.len()` bytes from `offset`.
    pub fn read(&mut self, offset: u32, buf: &mut [u8]) -> Result<(), FlashError> {
        let range = self.check_range(offset, buf.len())?;
        if self.power.has_tripped() {
            return Err(FlashError::PowerLost);
        }
        buf.copy_from_slice(&self.data[range]);
        self.stats.bytes_read += buf.len() as u64;
        Ok(())
    }

    /// Programs `bytes` at `offset`. Fails without changing anything if any bit
    /// would have to go from 0 to 1; a power cut may stop it part-way.
    pub fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let range = self.check_range(offset, bytes.len())?;
        let old = &self.data[range.clone()];
        if let Some(i) = old.iter().zip(bytes).position(|(o, n)| o & n != *n) {
            return Err(FlashError::NotErased { addr: offset + i as u32, old: old[i], new: bytes[i] });
        }
        self.program_unchecked(offset, bytes)
    }

    /// Programs `bytes` at `offset` as the chip does whatever is stored there:
    /// each bit can only be cleared, so the result is `old & new`. This is what
    /// firmware gets when it writes over flash it did not erase.
    pub fn program(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let range = self.check_range(offset, bytes.len())?;
        let merged: Vec<u8> = self.data[range].iter().zip(bytes).map(|(o, n)| o & n).collect();
        self.program_unchecked(offset, &merged)
    }

    fn program_unchecked(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let range = self.check_range(offset, bytes.len())?;
        let granted = self.power.take(bytes.len() as u64) as usize;
        self.stats.program_calls += 1;
        let done = &bytes[..granted];
        self.data[range.start..range.start + granted].copy_from_slice(done);
        self.stats.bytes_written += granted as u64;
        if let Some(backing) = &mut self.backing {
            backing.store(u64::from(offset), done)?;
        }
        if granted < bytes.len() { Err(FlashError::PowerLost) } else { Ok(()) }
    }

    /// Erases every sector in `from..to` (both sector-aligned) to `0xFF`.
    pub fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        let aligned = |a: u32| (a as usize).is_multiple_of(SECTOR_SIZE);
        if from > to || !aligned(from) || !aligned(to) {
            return Err(FlashError::Unaligned { from, to });
        }
        self.check_range(from, (to - from) as usize)?;
        for sector in (from..to).step_by(SECTOR_SIZE) {
            if self.power.take(1) == 0 {
                return Err(FlashError::PowerLost);
            }
            let range = sector as usize..sector as usize + SECTOR_SIZE;
            self.data[range.clone()].fill(0xFF);
            self.erase_counts[sector as usize / SECTOR_SIZE] += 1;
            self.stats.sectors_erased += 1;
            if let Some(backing) = &mut self.backing {
                backing.store(u64::from(sector), &self.data[range])?;
            }
        }
        Ok(())
    }

    /// Erases the sectors covering `offset..offset+bytes.len()` and programs `bytes`
    /// there: the read-modify-write a sector rewrite needs is the caller's job, this
    /// is the plain "erase then program" sequence.
    pub fn erase_and_write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let sector = SECTOR_SIZE as u32;
        let from = offset / sector * sector;
        let end = offset as u64 + bytes.len() as u64;
        let to = u32::try_from(end.div_ceil(u64::from(sector)) * u64::from(sector))
            .map_err(|_| FlashError::OutOfBounds { offset, len: bytes.len(), size: self.data.len() })?;
        self.erase(from, to)?;
        self.write(offset, bytes)
    }
}

/// An image file must hold a whole number of sectors, at least one.
pub(crate) fn check_image_size(path: &Path, size: u64) -> Result<(), FlashError> {
    if size == 0 || !size.is_multiple_of(SECTOR_SIZE as u64) {
        return Err(FlashError::BadImageSize { path: path.to_owned(), size });
    }
    Ok(())
}
