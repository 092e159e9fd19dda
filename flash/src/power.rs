/// A scheduled power cut: the chip performs `ops` more operations and then loses
/// power.
///
/// Operations are counted byte by byte: programming `n` bytes is `n`
/// operations, erasing a sector is one. A cut in the middle of a write leaves the
/// bytes before it programmed and the rest untouched; an erase is all or nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PowerCut {
    remaining: Option<u64>,
    tripped: bool,
}

impl PowerCut {
    /// Power that never fails.
    pub fn never() -> Self {
        Self::default()
    }

    /// Power that fails after `ops` more byte-programs or sector erases.
    pub fn after(ops: u64) -> Self {
        Self { remaining: Some(ops), tripped: false }
    }

    /// Whether the cut has already happened.
    pub fn has_tripped(&self) -> bool {
        self.tripped
    }

    /// Asks for up to `wanted` operations; returns how many may run before the cut.
    /// Trips the cut when fewer than `wanted` are left.
    pub(crate) fn take(&mut self, wanted: u64) -> u64 {
        if self.tripped {
            return 0;
        }
        match &mut self.remaining {
            None => wanted,
            Some(left) if *left >= wanted => {
                *left -= wanted;
                wanted
            }
            Some(left) => {
                let granted = *left;
                *left = 0;
                self.tripped = true;
                granted
            }
        }
    }
}
