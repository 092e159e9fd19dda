//! The board: flash, clock, LED and config tied together, with the boot sequence.

use std::sync::Arc;

use pycom_flash::Flash;
use pycom_formats::PartitionTable;

use crate::nvs::PycomNvs;
use crate::{BoardError, BoardModel, Clock, Config, DeviceImage, Led, LedError};

/// Where the `nvs` partition is when the table does not say (every Pycom layout).
const DEFAULT_NVS: (u32, u32) = (0x9000, 0x7000);

/// Why the board last (re)started: the values of `machine.reset_cause()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ResetCause {
    /// Power applied (`machine.PWRON_RESET`).
    PowerOn = 0,
    /// `machine.reset()` (`machine.HARD_RESET`).
    Hard = 1,
    /// A watchdog expired (`machine.WDT_RESET`).
    Watchdog = 2,
    /// Wake from deep sleep (`machine.DEEPSLEEP_RESET`).
    DeepSleep = 3,
    /// Ctrl-D or `machine.soft_reset()` (`machine.SOFT_RESET`).
    Soft = 4,
    /// Supply dip (`machine.BROWN_OUT_RESET`).
    BrownOut = 5,
}

/// How the board starts running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootKind {
    /// The chip restarts: bootloader, config read from flash, tick counter from 0.
    Hard(ResetCause),
    /// Only the MicroPython runtime restarts (`PYB: soft reboot`).
    Soft,
}

/// The virtual board.
#[derive(Debug)]
pub struct Board {
    model: BoardModel,
    flash: Flash,
    table: PartitionTable,
    clock: Arc<Clock>,
    led: Led,
    config: Config,
    nvs: PycomNvs,
    diagnostics: Vec<String>,
    reset_cause: ResetCause,
    booted_at_us: u64,
    boots: u32,
}

impl Board {
    /// A powered-off board of `model` on `image`, keeping time with `clock`.
    pub fn new(model: BoardModel, image: DeviceImage, clock: Arc<Clock>) -> Self {
        let (nvs_offset, nvs_size) = image.table.find("nvs").map_or(DEFAULT_NVS, |p| (p.offset, p.size));
        Self {
            nvs: PycomNvs::new(nvs_offset, nvs_size),
            diagnostics: Vec::new(),
            model,
            flash: image.flash,
            table: image.table,
            clock,
            led: Led::default(),
            config: Config::default(),
            reset_cause: ResetCause::PowerOn,
            booted_at_us: 0,
            boots: 0,
        }
    }

    /// Runs the firmware's boot path up to the point where `main.py` would start.
    pub fn boot(&mut self, kind: BootKind) -> Result<(), BoardError> {
        self.clock.power_on();
        let now = self.clock.now_us();
        match kind {
            BootKind::Hard(cause) => {
                self.config = Config::load(&mut self.flash)?;
                let note = self.nvs.mount(&mut self.flash)?;
                self.diagnostics.extend(note);
                self.reset_cause = cause;
                self.booted_at_us = now;
            }
            BootKind::Soft => self.reset_cause = ResetCause::Soft,
        }
        let note = self.nvs.open_namespace(&mut self.flash)?;
        self.diagnostics.extend(note);
        self.boots += 1;
        self.led.reset(self.config.block().heartbeat_on_boot(), now);
        Ok(())
    }

    /// The board model.
    pub fn model(&self) -> BoardModel {
        self.model
    }

    /// The partition table of the image.
    pub fn partition_table(&self) -> &PartitionTable {
        &self.table
    }

    /// The flash chip.
    pub fn flash(&mut self) -> &mut Flash {
        &mut self.flash
    }

    /// The shared clock.
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Device time since the session's power-on, in microseconds.
    pub fn now_us(&self) -> u64 {
        self.clock.now_us()
    }

    /// Microseconds since the last hard boot (what `time.ticks_us()` counts).
    pub fn uptime_us(&self) -> u64 {
        self.clock.now_us().saturating_sub(self.booted_at_us)
    }

    /// Lets `us` of device time pass (a sleep), keeping the LED up to date.
    pub fn wait_us(&mut self, us: u64) {
        self.clock.wait_us(us);
        let now = self.clock.now_us();
        self.led.advance(now);
    }

    /// Brings time-driven devices (the heartbeat) up to the current device time.
    pub fn sync(&mut self) {
        let now = self.clock.now_us();
        self.led.advance(now);
    }

    /// Why the board last started.
    pub fn reset_cause(&self) -> ResetCause {
        self.reset_cause
    }

    /// Boots so far in this session, hard and soft.
    pub fn boots(&self) -> u32 {
        self.boots
    }

    /// The LED, for tracing and display.
    pub fn led(&mut self) -> &mut Led {
        &mut self.led
    }

    /// `pycom.heartbeat()`.
    pub fn heartbeat(&self) -> bool {
        self.led.heartbeat()
    }

    /// `pycom.heartbeat(on)`.
    pub fn set_heartbeat(&mut self, on: bool) {
        let now = self.clock.now_us();
        self.led.set_heartbeat(on, now);
    }

    /// `pycom.rgbled()`.
    pub fn rgbled(&mut self) -> Result<u32, LedError> {
        self.sync();
        self.led.rgb()
    }

    /// `pycom.rgbled(colour)`.
    pub fn set_rgbled(&mut self, colour: u32) -> Result<(), LedError> {
        let now = self.clock.now_us();
        self.led.set_rgb(colour, now)
    }

    /// `pycom.heartbeat_on_boot()`.
    pub fn heartbeat_on_boot(&self) -> bool {
        self.config.block().heartbeat_on_boot()
    }

    /// `pycom.heartbeat_on_boot(on)`: rewrites the config block if the value changes.
    pub fn set_heartbeat_on_boot(&mut self, on: bool) -> Result<(), BoardError> {
        self.config.update(&mut self.flash, |c| c.set_heartbeat_on_boot(on))?;
        Ok(())
    }

    /// Runs `f` on the firmware's NVS state and the flash it lives on.
    pub fn with_nvs<R>(&mut self, f: impl FnOnce(&mut PycomNvs, &mut Flash) -> R) -> R {
        f(&mut self.nvs, &mut self.flash)
    }

    /// Takes the notes the board has for the emulator's diagnostic output: things
    /// the real firmware does silently that lose or corrupt data.
    pub fn take_diagnostics(&mut self) -> Vec<String> {
        std::mem::take(&mut self.diagnostics)
    }
}
