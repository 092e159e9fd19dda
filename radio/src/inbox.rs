//! A radio's inbox: the frames it received and nobody took yet, in the order
//! they ended (the LoRa and the FSK media each keep one per radio).

/// A received frame, as an inbox orders it.
pub(crate) trait Ended {
    /// Device time the frame ended, in µs.
    fn end_us(&self) -> u64;
}

/// Receptions in end-time order.
#[derive(Debug)]
pub(crate) struct Inbox<T>(Vec<T>);

impl<T> Default for Inbox<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Ended> Inbox<T> {
    /// Adds `reception` after every one that ended no later.
    pub fn put(&mut self, reception: T) {
        let at = self.0.partition_point(|r| r.end_us() <= reception.end_us());
        self.0.insert(at, reception);
    }

    /// Takes the receptions that ended by `now_us`.
    pub fn take_ended_by(&mut self, now_us: u64) -> Vec<T> {
        let due = self.0.partition_point(|r| r.end_us() <= now_us);
        self.0.drain(..due).collect()
    }

    /// When the first waiting reception ended.
    pub fn first_end_us(&self) -> Option<u64> {
        self.0.first().map(Ended::end_us)
    }
}
