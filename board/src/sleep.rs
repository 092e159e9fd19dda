//! Sleep and wake-up: what the RTC controller keeps through deep sleep (the
//! wake-up pins, the expected wake-up time, why the chip woke), as
//! `mpsleep` and `modmachine.c` report it.

use crate::pins::RTC_GPIOS;

/// Why the chip woke (`machine.wake_reason()[0]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum WakeReason {
    /// Not from a sleep (`machine.PWRON_WAKE`).
    PowerOn = 0,
    /// An ext1 wake-up pin (`machine.PIN_WAKE`).
    Pin = 1,
    /// The sleep timer ran out (`machine.RTC_WAKE`).
    Rtc = 2,
    /// The ULP co-processor (`machine.ULP_WAKE`; never on the virtual board).
    Ulp = 3,
}

/// When the ext1 wake-up pins wake the chip (`machine.WAKEUP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum WakeMode {
    /// Every selected pin is low (`ESP_EXT1_WAKEUP_ALL_LOW`).
    AllLow = 0,
    /// Any selected pin is high (`ESP_EXT1_WAKEUP_ANY_HIGH`).
    AnyHigh = 1,
}

impl WakeMode {
    /// The mode of `machine.pin_sleep_wakeup`'s `mode` argument.
    pub fn from_value(value: i64) -> Option<Self> {
        match value {
            0 => Some(Self::AllLow),
            1 => Some(Self::AnyHigh),
            _ => None,
        }
    }
}

/// A bad `machine.pin_sleep_wakeup` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WakeError {
    /// A pin outside the RTC domain cannot wake the chip.
    #[error("deepsleep wake up is not supported on the selected pin(s)")]
    NotRtcPin,
}

/// The ext1 wake-up source: which GPIOs, and when they wake the chip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WakePins {
    /// Bit `n` set: GPIO `n` is watched.
    pub mask: u64,
    /// When they wake the chip.
    pub mode: WakeMode,
    /// The RTC peripherals stay powered in deep sleep (`enable_pull=True`),
    /// keeping the pins' internal pull resistors; otherwise the pads lose
    /// them and only what the board drives them with is left.
    pub keep_pulls: bool,
}

impl WakePins {
    /// Checks that every pin of `mask` is an RTC GPIO.
    pub fn new(mask: u64, mode: WakeMode, keep_pulls: bool) -> Result<Self, WakeError> {
        let rtc = RTC_GPIOS.iter().fold(0u64, |m, &gpio| m | 1 << gpio);
        if mask & !rtc != 0 {
            return Err(WakeError::NotRtcPin);
        }
        Ok(Self { mask, mode, keep_pulls })
    }

    /// The watched GPIOs.
    pub fn gpios(&self) -> impl Iterator<Item = u8> + '_ {
        (0..64u8).filter(|gpio| self.mask & 1 << gpio != 0)
    }

    /// The pins that wake the chip given `high(gpio)`, or `None` if it sleeps on.
    /// For `AllLow` every watched pin must be low (the status lists them all).
    pub fn waking(&self, mut high: impl FnMut(u8) -> bool) -> Option<u64> {
        if self.mask == 0 {
            return None;
        }
        let gpios = self.gpios();
        match self.mode {
            WakeMode::AnyHigh => Some(gpios.filter(|&g| high(g)).fold(0, |m, g| m | 1 << g)).filter(|&m| m != 0),
            WakeMode::AllLow => {
                let all_low = gpios.into_iter().all(|g| !high(g));
                all_low.then_some(self.mask)
            }
        }
    }
}

/// How a sleep ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SleepEnd {
    /// The sleep's time ran out.
    Timer,
    /// Wake-up pins woke the chip: bit `n` for GPIO `n`.
    Pins(u64),
    /// The caller's deadline came first (the run's `--timeout`).
    Deadline,
    /// Nothing will ever wake the chip: no timer, and no wake-up pin that
    /// changes.
    Never,
}

/// What the RTC controller keeps about sleeping.
#[derive(Debug, Default)]
pub struct SleepState {
    /// `machine.pin_sleep_wakeup` settings.
    pub wake_pins: Option<WakePins>,
    /// Why the deep sleep in progress ended, for the boot that follows it.
    pub pending_wake: Option<(WakeReason, u64)>,
    /// Why this boot woke, and the pins that woke it (bit `n` for GPIO `n`).
    pub woke: Option<(WakeReason, u64)>,
    /// RTC time (µs since 1970) the last timed sleep was to end at.
    pub expected_wakeup_us: Option<i64>,
    /// `machine.remaining_sleep_time()` in ms, computed at boot.
    pub remaining_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rtc_pins_wake_and_the_modes_read_their_levels() {
        assert_eq!(WakePins::new(1 << 5, WakeMode::AnyHigh, false), Err(WakeError::NotRtcPin));
        let pins = WakePins::new(1 << 13 | 1 << 4, WakeMode::AnyHigh, false).unwrap();
        assert_eq!(pins.waking(|g| g == 13), Some(1 << 13));
        assert_eq!(pins.waking(|_| false), None);
        let pins = WakePins { mode: WakeMode::AllLow, ..pins };
        assert_eq!(pins.waking(|g| g == 13), None);
        assert_eq!(pins.waking(|_| false), Some(1 << 13 | 1 << 4));
    }
}
