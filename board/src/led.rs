//! The RGB LED (a WS2812 on GPIO0) and the firmware's heartbeat.
//!
//! The heartbeat is a schedule, not a thread: its flashes are derived from the
//! time it was enabled, so advancing the clock by an hour costs nothing unless a
//! trace wants every transition.

/// Colour of a heartbeat flash (`MPERROR_HEARTBEAT_COLOR`, dim blue).
pub const HEARTBEAT_COLOUR: u32 = 0x00_0050;
/// How long a heartbeat flash lasts.
pub const HEARTBEAT_ON_US: u64 = 80_000;
/// How long the LED stays dark between flashes.
pub const HEARTBEAT_OFF_US: u64 = 3_920_000;
const HEARTBEAT_PERIOD_US: u64 = HEARTBEAT_ON_US + HEARTBEAT_OFF_US;
const RGB_MASK: u32 = 0xFF_FFFF;

/// The LED showing `rgb` (0xRRGGBB) from `time_us` of device time on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedEvent {
    /// Device time of the change, in microseconds.
    pub time_us: u64,
    /// Colour shown from then on, 0xRRGGBB.
    pub rgb: u32,
}

/// Why the LED refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LedError {
    /// `rgbled` while the heartbeat owns the LED.
    #[error("the requested operation is not possible")]
    HeartbeatActive,
}

/// Receives every colour change of the LED.
pub type LedTrace = Box<dyn FnMut(LedEvent) + Send>;

/// The LED with its heartbeat state.
#[derive(Default)]
pub struct Led {
    colour: u32,
    heartbeat_since: Option<u64>,
    shown: Option<u32>,
    advanced_to: u64,
    traces: Vec<LedTrace>,
}

impl std::fmt::Debug for Led {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Led")
            .field("colour", &self.colour)
            .field("heartbeat_since", &self.heartbeat_since)
            .finish_non_exhaustive()
    }
}

impl Led {
    /// Sends every later colour change to `trace` too.
    pub fn add_trace(&mut self, trace: LedTrace) {
        self.traces.push(trace);
    }

    /// What the firmware does at every boot and soft reset (`mperror_init0`): LED
    /// off, then the heartbeat as configured.
    pub fn reset(&mut self, heartbeat: bool, now: u64) {
        self.advance(now);
        self.heartbeat_since = None;
        self.colour = 0;
        self.show(now, 0);
        if heartbeat {
            self.set_heartbeat(true, now);
        }
    }

    /// Whether the heartbeat is on.
    pub fn heartbeat(&self) -> bool {
        self.heartbeat_since.is_some()
    }

    /// `pycom.heartbeat(on)`: turning it on starts a flash at once; turning it off
    /// always blanks the LED, whatever colour was set.
    pub fn set_heartbeat(&mut self, on: bool, now: u64) {
        self.advance(now);
        match (on, self.heartbeat_since) {
            (true, Some(_)) => {}
            (true, None) => {
                self.heartbeat_since = Some(now);
                self.colour = HEARTBEAT_COLOUR;
                self.show(now, HEARTBEAT_COLOUR);
            }
            (false, _) => {
                self.heartbeat_since = None;
                self.colour = 0;
                self.show(now, 0);
            }
        }
    }

    /// `pycom.rgbled()`: the colour last set, unless the heartbeat owns the LED.
    pub fn rgb(&self) -> Result<u32, LedError> {
        match self.heartbeat_since {
            Some(_) => Err(LedError::HeartbeatActive),
            None => Ok(self.colour),
        }
    }

    /// `pycom.rgbled(colour)`: keeps the low 24 bits, refused while the heartbeat runs.
    pub fn set_rgb(&mut self, colour: u32, now: u64) -> Result<(), LedError> {
        self.advance(now);
        if self.heartbeat_since.is_some() {
            return Err(LedError::HeartbeatActive);
        }
        self.colour = colour & RGB_MASK;
        self.show(now, self.colour);
        Ok(())
    }

    /// The colour on the LED at `now` (which must not be before the last change).
    pub fn shown_at(&self, now: u64) -> u32 {
        match self.heartbeat_since {
            Some(start) if (now.saturating_sub(start)) % HEARTBEAT_PERIOD_US < HEARTBEAT_ON_US => HEARTBEAT_COLOUR,
            Some(_) => 0,
            None => self.colour,
        }
    }

    /// Brings the heartbeat up to `now`, tracing each flash on the way.
    pub fn advance(&mut self, now: u64) {
        let from = self.advanced_to;
        if now <= from {
            return;
        }
        self.advanced_to = now;
        let Some(start) = self.heartbeat_since else { return };
        if self.traces.is_empty() {
            self.shown = Some(self.shown_at(now));
            return;
        }
        let first_beat = from.saturating_sub(start) / HEARTBEAT_PERIOD_US;
        for beat in first_beat.. {
            let on = start + beat * HEARTBEAT_PERIOD_US;
            let off = on + HEARTBEAT_ON_US;
            if on > now {
                break;
            }
            if on > from {
                self.show(on, HEARTBEAT_COLOUR);
            }
            if off > from && off <= now {
                self.show(off, 0);
            }
        }
    }

    /// The bootloader's safe-boot signal: `colour` on and off every `half_period_us`
    /// from `from_us` until `until_us`, then dark. The heartbeat is not running yet.
    pub fn blink(&mut self, colour: u32, half_period_us: u64, from_us: u64, until_us: u64) {
        let mut t = from_us;
        let mut on = true;
        while t < until_us {
            self.show(t, if on { colour } else { 0 });
            on = !on;
            t += half_period_us.max(1);
        }
        self.show(until_us, 0);
        self.advanced_to = self.advanced_to.max(until_us);
    }

    fn show(&mut self, time_us: u64, rgb: u32) {
        if self.shown == Some(rgb) {
            return;
        }
        self.shown = Some(rgb);
        for trace in &mut self.traces {
            trace(LedEvent { time_us, rgb });
        }
    }
}
