/// A scheduled power cut: the chip performs a number of operations and then loses
/// power.
///
/// With [`PowerCut::after`] operations are counted byte by byte: programming `n`
/// bytes is `n` operations, erasing a sector is one. With
/// [`PowerCut::after_calls`] each program or erase call is one operation and the
/// interrupted program keeps a prefix of its bytes. Either way a cut in the
/// middle of a write leaves the bytes before it programmed and the rest
/// untouched; an erase is all or nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PowerCut {
    remaining: Option<u64>,
    per_call: bool,
    tear_quarters: u8,
    tripped: bool,
}

impl PowerCut {
    /// Power that never fails.
    pub fn never() -> Self {
        Self::default()
    }

    /// Power that fails after `ops` more byte-programs or sector erases.
    pub fn after(ops: u64) -> Self {
        Self { remaining: Some(ops), per_call: false, tear_quarters: 0, tripped: false }
    }

    /// Power that fails during program or erase call number `calls + 1`. An
    /// interrupted program keeps the first `(calls % 4) / 4` of its bytes, so a
    /// sweep over `calls` sees torn writes of every kind.
    pub fn after_calls(calls: u64) -> Self {
        Self { remaining: Some(calls), per_call: true, tear_quarters: (calls % 4) as u8, tripped: false }
    }

    /// Power that fails during the next program or erase call: an
    /// interrupted program keeps the first `kept_quarters / 4` of its bytes
    /// (at most all of them).
    pub fn at_next_call(kept_quarters: u8) -> Self {
        Self { remaining: Some(0), per_call: true, tear_quarters: kept_quarters.min(4), tripped: false }
    }

    /// Whether a cut is scheduled and has not happened yet.
    pub fn is_pending(&self) -> bool {
        self.remaining.is_some() && !self.tripped
    }

    /// Whether the cut has already happened.
    pub fn has_tripped(&self) -> bool {
        self.tripped
    }

    /// Asks to program `wanted` bytes (or erase, with `wanted` 1); returns how many
    /// may be done before the cut. Trips the cut when not all of them can.
    pub(crate) fn take(&mut self, wanted: u64) -> u64 {
        if self.tripped {
            return 0;
        }
        if self.per_call {
            return self.take_call(wanted);
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

    fn take_call(&mut self, wanted: u64) -> u64 {
        match &mut self.remaining {
            None => wanted,
            Some(0) => {
                self.tripped = true;
                wanted * u64::from(self.tear_quarters) / 4
            }
            Some(left) => {
                *left -= 1;
                wanted
            }
        }
    }
}
