//! A Pycom shield's coprocessor as the module's power switch: a command on
//! its I2C bus cuts the module's power, and its timer, its button or an
//! interrupt line the script enabled powers the module on again. That is a
//! power cycle, not a deep sleep: RAM, the RTC's time and memory and the
//! wake-up settings are lost, flash is kept, and the module boots with
//! `PWRON_RESET`.

use super::Board;
use crate::bus::shields::{Coprocessor, ShieldValues, WATCHED_PINS};
use crate::pins::{DeviceError, DeviceSpec, Level, find_pin};
use crate::rtc::Rtc;
use crate::sleep::{SleepEnd, SleepState};

/// The shield wired to the board.
#[derive(Debug)]
pub(super) struct ShieldLink {
    coprocessor: Coprocessor,
    /// The shield's values a hand may set.
    pub(super) values: ShieldValues,
    /// SCL's GPIO, which the coprocessor drives to calibrate its clock.
    scl: u8,
    /// The GPIOs of [`WATCHED_PINS`].
    watched: [u8; 2],
}

impl Board {
    /// Wires a shield's coprocessor: its output on `scl` and its hold on the
    /// module's power; keeps the shield's `values` for a hand to set.
    pub(super) fn attach_shield(
        &mut self,
        coprocessor: Coprocessor,
        values: ShieldValues,
        scl: u8,
        spec: &DeviceSpec,
    ) -> Result<(), DeviceError> {
        let gpio = |name: &str| find_pin(self.model, name).map(|p| p.gpio);
        let (Some(ra5), Some(rc1)) = (gpio(WATCHED_PINS[0]), gpio(WATCHED_PINS[1])) else {
            return Err(spec.invalid("the shield's interrupt lines need P13 and P9".to_owned()));
        };
        self.pins.advance(self.clock.now_us());
        self.pins.attach(scl, coprocessor.scl_driver());
        self.shield = Some(ShieldLink { coprocessor, values, scl, watched: [ra5, rc1] });
        Ok(())
    }

    /// After an I2C transaction: the coprocessor may have started driving SCL.
    pub(super) fn shield_heard_command(&mut self) {
        if let Some(link) = &self.shield {
            let now = self.clock.now_us();
            self.pins.refresh_line(link.scl, now);
        }
    }

    /// Whether the shield's coprocessor cut the module's power in the I2C
    /// transactions since the last call.
    pub fn module_power_cut(&mut self) -> bool {
        self.shield.as_ref().is_some_and(|link| link.coprocessor.take_power_cut())
    }

    /// The module is off from now (the shield cut its power): the LED is dark,
    /// the pins released, the RTC domain lost, until the coprocessor powers
    /// the module again ([`SleepEnd::Timer`], whatever woke it: the
    /// coprocessor tells why) or `deadline_us` comes. [`SleepEnd::Never`]
    /// when nothing will ever power it again.
    pub fn shield_power_off(&mut self, deadline_us: Option<u64>) -> SleepEnd {
        let Some(link) = self.shield.as_ref() else { return SleepEnd::Never };
        let (coprocessor, watched) = (link.coprocessor.clone(), link.watched);
        self.cpu_off();
        let now = self.clock.now_us();
        self.pins.reset(now, []);
        self.rtc = Rtc::default();
        self.sleep = SleepState::default();
        let lines = |board: &mut Self, now: u64| watched.map(|gpio| board.pins.level(gpio, now) == Level::High);
        let at_start = lines(self, now);
        coprocessor.fall_asleep(now, at_start);
        let woken = |board: &mut Self, now: u64| coprocessor.wakes(now, lines(board, now)).then_some(SleepEnd::Timer);
        let next_look = |board: &mut Self, now: u64| {
            let line_change = board.pins.next_event_us().filter(|_| coprocessor.watches_lines());
            [coprocessor.next_look_us(now), line_change].into_iter().flatten().min()
        };
        self.sleep_until(deadline_us, woken, next_look)
    }
}
