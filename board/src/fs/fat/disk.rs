//! The byte stream fatfs mounts: a window of a [`Medium`] (a flash region or a
//! host image file) with a write-back cache of 4 KiB blocks.
//!
//! Writes stay in the cache until [`Disk::commit`], which the engine calls once
//! at the end of every operation: a block fatfs wrote several times (the FAT,
//! a directory, the boot sector's dirty flag set and cleared again) reaches the
//! medium once, and not at all if its bytes did not change.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// Size of a cached block: one flash sector.
pub const CACHE_BLOCK: u64 = 4096;

/// Where a FAT volume's bytes live.
pub trait Medium {
    /// Reads `buf.len()` bytes at `offset` (inside the medium).
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    /// Replaces the bytes at `offset` (the start of a cache block) with `data`
    /// (at most one block).
    fn write_block(&mut self, offset: u64, data: &[u8]) -> io::Result<()>;
}

/// The error fatfs gets when an operation reads far more than the volume holds:
/// a loop in a cluster chain of a damaged volume.
const LOOPING: &str = "read budget exhausted: a cluster chain loops";

/// A window `base..base+len` of a medium, as fatfs sees it.
pub struct Disk<M> {
    medium: M,
    base: u64,
    len: u64,
    pos: u64,
    dirty: BTreeMap<u64, Vec<u8>>,
    /// Bytes fatfs may still read in this operation.
    budget: u64,
    looped: bool,
}

impl<M: Medium> Disk<M> {
    /// The `len` bytes of `medium` from `base`.
    pub fn new(medium: M, base: u64, len: u64) -> Self {
        // Any sane operation reads each byte a handful of times at most.
        let budget = len.saturating_mul(16).saturating_add(64 << 20);
        Self { medium, base, len, pos: 0, dirty: BTreeMap::new(), budget, looped: false }
    }

    /// Size of the window in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The medium, e.g. to take the failure it recorded.
    pub fn medium_mut(&mut self) -> &mut M {
        &mut self.medium
    }

    /// Whether an operation ran out of its read budget (a looping chain).
    pub fn looped(&self) -> bool {
        self.looped
    }

    /// Rewinds to the start, as fatfs wants the stream it mounts or formats.
    pub fn rewind(&mut self) {
        self.pos = 0;
    }

    /// Forgets the cached writes.
    pub fn discard(&mut self) {
        self.dirty.clear();
    }

    /// Writes the cached blocks to the medium, from the highest address down:
    /// file data (at the end of the volume) before the directories and the FAT
    /// that point to it (at its start), the order in which FatFS's `f_write`
    /// then `f_sync` reach the disk.
    pub fn commit(&mut self) -> io::Result<()> {
        while let Some((block, data)) = self.dirty.pop_last() {
            self.medium.write_block(self.base + block * CACHE_BLOCK, &data)?;
        }
        Ok(())
    }

    /// The block `block` as it stands, for a partial write into it.
    fn block_mut(&mut self, block: u64) -> io::Result<&mut Vec<u8>> {
        if !self.dirty.contains_key(&block) {
            let start = block * CACHE_BLOCK;
            let size = CACHE_BLOCK.min(self.len - start) as usize;
            let mut data = vec![0; size];
            self.medium.read_at(self.base + start, &mut data)?;
            self.dirty.insert(block, data);
        }
        Ok(self.dirty.get_mut(&block).expect("inserted above"))
    }
}

impl<M: Medium> Read for Disk<M> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (buf.len() as u64).min(self.len.saturating_sub(self.pos));
        if want > self.budget {
            self.looped = true;
            return Err(io::Error::other(LOOPING));
        }
        self.budget -= want;
        let mut done = 0usize;
        while (done as u64) < want {
            let at = self.pos + done as u64;
            let (block, within) = (at / CACHE_BLOCK, at % CACHE_BLOCK);
            let n = ((CACHE_BLOCK - within).min(want - done as u64)) as usize;
            match self.dirty.get(&block) {
                Some(data) => buf[done..done + n].copy_from_slice(&data[within as usize..within as usize + n]),
                None => self.medium.read_at(self.base + at, &mut buf[done..done + n])?,
            }
            done += n;
        }
        self.pos += want;
        Ok(done)
    }
}

impl<M: Medium> Write for Disk<M> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let want = (buf.len() as u64).min(self.len.saturating_sub(self.pos));
        let mut done = 0usize;
        while (done as u64) < want {
            let at = self.pos + done as u64;
            let (block, within) = (at / CACHE_BLOCK, at % CACHE_BLOCK);
            let n = ((CACHE_BLOCK - within).min(want - done as u64)) as usize;
            let data = self.block_mut(block)?;
            data[within as usize..within as usize + n].copy_from_slice(&buf[done..done + n]);
            done += n;
        }
        self.pos += want;
        Ok(done)
    }

    /// Nothing: the cache reaches the medium at [`Disk::commit`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<M: Medium> Seek for Disk<M> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match target {
            Some(n) if n <= self.len => {
                self.pos = n;
                Ok(n)
            }
            _ => Err(io::Error::new(io::ErrorKind::InvalidInput, "seek outside the volume")),
        }
    }
}

/// A medium in memory, for unit tests.
#[cfg(test)]
impl Medium for Vec<u8> {
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        buf.copy_from_slice(&self[offset as usize..offset as usize + buf.len()]);
        Ok(())
    }

    fn write_block(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        self[offset as usize..offset as usize + data.len()].copy_from_slice(data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_reach_the_medium_at_commit_only() {
        let mut disk = Disk::new(vec![0u8; 3 * 4096 + 100], 100, 3 * 4096);
        disk.seek(SeekFrom::Start(4000)).unwrap();
        disk.write_all(&[7; 200]).unwrap();
        let mut back = [0; 200];
        disk.seek(SeekFrom::Start(4000)).unwrap();
        disk.read_exact(&mut back).unwrap();
        assert_eq!(back, [7; 200]);
        assert!(disk.medium_mut().iter().all(|b| *b == 0));
        disk.commit().unwrap();
        assert!(disk.medium_mut()[4100..4300].iter().all(|b| *b == 7));
        assert_eq!(disk.medium_mut().iter().filter(|b| **b == 7).count(), 200);
    }

    #[test]
    fn reading_past_the_budget_fails() {
        let mut disk = Disk::new(vec![0u8; 4096], 0, 4096);
        let mut buf = vec![0; 4096];
        let mut reads = 0;
        while disk.seek(SeekFrom::Start(0)).is_ok() && disk.read(&mut buf).is_ok() {
            reads += 1;
        }
        assert!(disk.looped());
        assert!(reads > 16);
    }
}
