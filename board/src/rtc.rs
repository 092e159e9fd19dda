//! The RTC: the system time (`time.time()`, `RTC.now()`) on the board's clock,
//! and the RTC slow memory behind `RTC.memory()`. Both live in the RTC domain:
//! they keep going through deep sleep; the time restarts at 1970-01-01 on every
//! other hard boot (`rtc_init0`).

/// Bytes `RTC.memory()` holds (`MEM_USER_MAXLEN`).
pub const RTC_MEMORY_MAX: usize = 2048;

/// More than [`RTC_MEMORY_MAX`] bytes for the RTC memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("buffer too long")]
pub struct RtcMemoryTooLong;

/// The RTC's time base and memory.
#[derive(Debug, Default)]
pub struct Rtc {
    /// Microseconds since 1970 minus device time.
    offset_us: i64,
    memory: Vec<u8>,
    synced: bool,
    /// `ntp_sync` was called and SNTP keeps asking its server.
    syncing: bool,
}

impl Rtc {
    /// Microseconds since 1970 at device time `now_us`.
    pub fn epoch_us(&self, now_us: u64) -> i64 {
        (now_us as i64).saturating_add(self.offset_us)
    }

    /// Sets the time to `epoch_us` (microseconds since 1970) at device time `now_us`.
    pub fn set_epoch_us(&mut self, epoch_us: i64, now_us: u64) {
        self.offset_us = epoch_us.saturating_sub(now_us as i64);
        self.synced = false;
    }

    /// `RTC.memory()`.
    pub fn memory(&self) -> &[u8] {
        &self.memory
    }

    /// `RTC.memory(data)`.
    pub fn set_memory(&mut self, data: &[u8]) -> Result<(), RtcMemoryTooLong> {
        if data.len() > RTC_MEMORY_MAX {
            return Err(RtcMemoryTooLong);
        }
        self.memory = data.to_vec();
        Ok(())
    }

    /// `RTC.synced()`: whether an SNTP answer set the time since `ntp_sync`.
    pub fn synced(&self) -> bool {
        self.synced
    }

    /// `RTC.ntp_sync(...)`: forgets the last sync until a server answers.
    pub fn start_sync(&mut self) {
        self.synced = false;
        self.syncing = true;
    }

    /// The chip restarted: SNTP (in RAM) is gone.
    pub fn stop_sync(&mut self) {
        self.syncing = false;
        self.synced = false;
    }

    /// Whether SNTP waits for its first answer.
    pub fn awaits_answer(&self) -> bool {
        self.syncing && !self.synced
    }

    /// An SNTP server answered `epoch_us` at device time `now_us`.
    pub fn answered(&mut self, epoch_us: i64, now_us: u64) {
        self.set_epoch_us(epoch_us, now_us);
        self.synced = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_set_keeps_running_with_the_clock() {
        let mut rtc = Rtc::default();
        assert_eq!(rtc.epoch_us(5_000_000), 5_000_000);
        rtc.set_epoch_us(1_600_000_000_000_000, 5_000_000);
        assert_eq!(rtc.epoch_us(6_500_000), 1_600_000_001_500_000);
        assert_eq!(rtc.set_memory(&[0; RTC_MEMORY_MAX + 1]), Err(RtcMemoryTooLong));
        rtc.set_memory(b"10101010").unwrap();
        assert_eq!(rtc.memory(), b"10101010");
    }
}
