//! The board's timers as the firmware's `machine` module uses them: the alarm
//! timer, the RTC, sleeps and what wakes the chip from them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Board;
use crate::ClockMode;
use crate::alarms::AlarmsFull;
use crate::rtc::RtcMemoryTooLong;
use crate::sleep::{SleepEnd, WakePins, WakeReason};

/// Longest a real-time sleep blocks before it looks at the wake-up pins again.
const REALTIME_SLEEP_STEP_US: u64 = 10_000;

/// The device times of the next change on the pins while a pin interrupt is
/// armed, and of the next alarm, for a thread that watches device time.
#[derive(Clone, Debug)]
pub struct NextEvent {
    pins: Arc<AtomicU64>,
    alarms: Arc<AtomicU64>,
}

impl NextEvent {
    /// The earliest of them (`u64::MAX` for none).
    pub fn at_us(&self) -> u64 {
        self.pins.load(Ordering::Relaxed).min(self.alarms.load(Ordering::Relaxed))
    }
}

impl Board {
    /// Arms alarm `id` to fire `interval_us` from now (again every interval if `periodic`).
    pub fn arm_alarm(&mut self, id: u64, interval_us: u64, periodic: bool) -> Result<(), AlarmsFull> {
        let now = self.clock.now_us();
        self.alarms.arm(id, interval_us, periodic, now)
    }

    /// Disarms alarm `id`; returns whether it was armed.
    pub fn cancel_alarm(&mut self, id: u64) -> bool {
        self.alarms.cancel(id)
    }

    /// Whether alarm `id` is armed.
    pub fn alarm_armed(&self, id: u64) -> bool {
        self.alarms.is_armed(id)
    }

    /// Fires the earliest alarm due by now: its id, or `None`.
    pub fn fire_due_alarm(&mut self) -> Option<u64> {
        let now = self.clock.now_us();
        self.alarms.fire_due(now).map(|(id, _)| id)
    }

    /// Device time of the next event a sleep must stop at: the next alarm and,
    /// when `pins` (pin handlers are armed), the next change of a wired device.
    pub fn next_event_us(&self, pins: bool) -> Option<u64> {
        let pin = self.pins.next_event_us().filter(|_| pins);
        [pin, self.alarms.next_due_us()].into_iter().flatten().min()
    }

    /// [`Board::next_event_us`] (pins while an interrupt is armed on one) for a
    /// thread that watches device time.
    pub fn next_event_handle(&self) -> NextEvent {
        NextEvent { pins: self.pins.next_irq_event_handle(), alarms: self.alarms.next_due_handle() }
    }

    /// The RTC's time: microseconds since 1970.
    pub fn rtc_epoch_us(&mut self) -> i64 {
        self.answer_ntp();
        self.rtc.epoch_us(self.clock.now_us())
    }

    /// Sets the RTC's time (`RTC.init`).
    pub fn set_rtc_epoch_us(&mut self, epoch_us: i64) {
        let now = self.clock.now_us();
        self.rtc.set_epoch_us(epoch_us, now);
    }

    /// `RTC.memory()`.
    pub fn rtc_memory(&self) -> Vec<u8> {
        self.rtc.memory().to_vec()
    }

    /// `RTC.memory(data)`.
    pub fn set_rtc_memory(&mut self, data: &[u8]) -> Result<(), RtcMemoryTooLong> {
        self.rtc.set_memory(data)
    }

    /// `RTC.synced()`.
    pub fn rtc_synced(&mut self) -> bool {
        self.answer_ntp();
        self.rtc.synced()
    }

    /// SNTP's answer once the station is connected: the host's clock (no
    /// network time is asked for), as a server would give it.
    fn answer_ntp(&mut self) {
        if self.rtc.awaits_answer() && self.interfaces().station.is_some() {
            let host = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let now = self.clock.now_us();
            self.rtc.answered(i64::try_from(host.as_micros()).unwrap_or(i64::MAX), now);
        }
    }

    /// `RTC.ntp_sync(...)`: SNTP starts over; it is answered once the station
    /// is connected.
    pub fn start_rtc_sync(&mut self) {
        self.rtc.start_sync();
    }

    /// `machine.pin_sleep_wakeup(...)`.
    pub fn set_wake_pins(&mut self, pins: WakePins) {
        self.sleep.wake_pins = Some(pins);
    }

    /// `machine.wake_reason()`: why this boot woke, and the pins that woke it.
    pub fn wake_reason(&self) -> (WakeReason, u64) {
        self.sleep.woke.unwrap_or((WakeReason::PowerOn, 0))
    }

    /// `machine.remaining_sleep_time()`: ms the last timed sleep had left when
    /// the board woke (0 when it slept it out).
    pub fn remaining_sleep_ms(&self) -> u64 {
        self.sleep.remaining_ms
    }

    /// `machine.sleep([ms])`: light sleep for `duration_us` (until a wake-up
    /// pin without one), or until `deadline_us`. RAM is kept; the alarm timer
    /// is clock-gated, so armed alarms fire as much later as the sleep lasted.
    pub fn light_sleep(&mut self, duration_us: Option<u64>, deadline_us: Option<u64>) -> SleepEnd {
        let start = self.clock.now_us();
        let end = self.sleep_for(duration_us, deadline_us);
        self.alarms.postpone(self.clock.now_us() - start);
        end
    }

    /// `machine.deepsleep([ms])`: the heartbeat stops, the watchdog and the
    /// CPU are off, and the board sleeps for `duration_us` (until a wake-up pin
    /// without one), or until `deadline_us`. The next boot is a
    /// `DEEPSLEEP_RESET` that reports how the sleep ended.
    pub fn deep_sleep(&mut self, duration_us: Option<u64>, deadline_us: Option<u64>) -> SleepEnd {
        self.cpu_off();
        self.release_wake_pin_pulls();
        let end = self.sleep_for(duration_us, deadline_us);
        self.sleep.pending_wake = match end {
            SleepEnd::Pins(mask) => Some((WakeReason::Pin, mask)),
            _ => Some((WakeReason::Rtc, 0)),
        };
        end
    }

    /// Without `enable_pull` the RTC peripherals power down in deep sleep
    /// (`ESP_PD_OPTION_AUTO`), and the wake-up pins' internal pulls with them
    /// (a held pad keeps its own).
    fn release_wake_pin_pulls(&mut self) {
        let Some(wake) = self.sleep.wake_pins.filter(|wake| !wake.keep_pulls) else { return };
        let now = self.clock.now_us();
        for gpio in wake.gpios() {
            let (mode, _) = self.pins.mode(gpio);
            self.pins.configure(gpio, mode, None, now);
        }
    }

    /// The CPU goes off: the heartbeat stops (the LED goes dark), and the
    /// watchdog, the alarms and the radios with it.
    pub(super) fn cpu_off(&mut self) {
        self.set_heartbeat(false);
        self.watchdog.stop();
        self.alarms.clear();
        self.reset_radios(self.clock.now_us());
    }

    /// A hard boot: a deep-sleep wake keeps the RTC and reports the wake
    /// reason, any other restarts the RTC at 1970 (`rtc_init0`). Both work out
    /// the time the last timed sleep had left (`machine_init0`).
    pub(super) fn wake_timers(&mut self, cause: crate::ResetCause, start: u64) {
        let pending = self.sleep.pending_wake.take();
        if cause == crate::ResetCause::DeepSleep {
            self.sleep.woke = pending;
        } else {
            self.sleep.woke = None;
            self.rtc.set_epoch_us(0, start);
        }
        self.rtc.stop_sync();
        let now = self.rtc.epoch_us(start);
        self.sleep.remaining_ms =
            self.sleep.expected_wakeup_us.map_or(0, |at| u64::try_from(at.saturating_sub(now) / 1000).unwrap_or(0));
    }

    /// Sleeps with the CPU off: until `duration_us` passes, a wake-up pin wakes
    /// the chip, or `deadline_us` comes (first, on a tie). Records when a timed
    /// sleep is expected to end, as the firmware does in RTC memory.
    fn sleep_for(&mut self, duration_us: Option<u64>, deadline_us: Option<u64>) -> SleepEnd {
        let start = self.clock.now_us();
        let until = duration_us.map(|us| start.saturating_add(us));
        self.sleep.expected_wakeup_us = duration_us.map(|us| self.rtc.epoch_us(start).saturating_add(us as i64));
        let wake_pins = self.sleep.wake_pins;
        let woken = |board: &mut Self, now: u64| {
            if until.is_some_and(|at| now >= at) {
                return Some(SleepEnd::Timer);
            }
            let pins = &mut board.pins;
            wake_pins.and_then(|wake| wake.waking(|gpio| pins.level(gpio, now).read())).map(SleepEnd::Pins)
        };
        let next_look = |board: &mut Self, _now: u64| {
            let pin_change = wake_pins.and(board.pins.next_event_us());
            [until, pin_change].into_iter().flatten().min()
        };
        self.sleep_until(deadline_us, woken, next_look)
    }

    /// Waits with the CPU off until `woken` tells how a sleep ended, looking
    /// at the device times `next_look` gives, or until `deadline_us` comes
    /// (first, on a tie): [`SleepEnd::Never`] once nothing is left to look at.
    pub(super) fn sleep_until(
        &mut self,
        deadline_us: Option<u64>,
        mut woken: impl FnMut(&mut Self, u64) -> Option<SleepEnd>,
        mut next_look: impl FnMut(&mut Self, u64) -> Option<u64>,
    ) -> SleepEnd {
        loop {
            self.sync();
            let now = self.clock.now_us();
            if deadline_us.is_some_and(|at| now >= at) {
                return SleepEnd::Deadline;
            }
            if let Some(end) = woken(self, now) {
                return end;
            }
            let Some(step_to) = [next_look(self, now), deadline_us].into_iter().flatten().min() else {
                return SleepEnd::Never;
            };
            let step = step_to.saturating_sub(now);
            match self.clock.mode() {
                ClockMode::Virtual => self.wait_us(step),
                ClockMode::Realtime => self.wait_us(step.min(REALTIME_SLEEP_STEP_US)),
            }
        }
    }
}
