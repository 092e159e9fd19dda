//! The coprocessor's sleep with the module's power off (`CMD_GO_SLEEP`, or
//! `CMD_GO_NAP` with `FIPY_OFF`): it powers the module again when the time
//! `CMD_SETUP_SLEEP` set has passed (whole seconds of its clock, none for 0),
//! when the shield's button is pressed, or on an edge the script enabled of
//! RA5 (interrupt-on-change, `IOCAP`/`IOCAN` bit 5: the LIS2HH12's INT1, the
//! module's P13) or RC1 (the `INT` pin, `INTCON`'s INTE with `OPTION_REG`'s
//! INTEDG: the module's P9). Why it woke and the whole seconds it had left
//! go to `WAKE_REASON_ADDR` (0x064C) and the three bytes after it, least
//! significant first.

/// Wake reasons (`WAKE_REASON_*`).
const ACCELEROMETER: u8 = 1;
const PUSH_BUTTON: u8 = 2;
const TIMER: u8 = 4;
const INT_PIN: u8 = 8;

/// The inputs the sleeping coprocessor watches, as they read at one time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Inputs {
    /// The shield's button is pressed.
    pub button: bool,
    /// RA5 (the accelerometer's interrupt) is high.
    pub accelerometer: bool,
    /// RC1 (the INT pin) is high.
    pub int_pin: bool,
}

/// The edges the script enabled as wake-up sources.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Edges {
    /// RA5 rising (`IOCAP` bit 5).
    pub accelerometer_rising: bool,
    /// RA5 falling (`IOCAN` bit 5).
    pub accelerometer_falling: bool,
    /// RC1 rising (`Some(true)`) or falling, if INTE is set.
    pub int_pin: Option<bool>,
}

/// The sleep timer and the module's power.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Nap {
    /// Seconds `CMD_SETUP_SLEEP` set.
    seconds: u32,
    /// The module's power was cut and the board has not been told yet.
    cut_pending: bool,
    /// While the module is off: when the sleep started and the inputs last seen.
    asleep: Option<(u64, Inputs)>,
}

/// Why the module is powered again, and the seconds the timer had left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Wake {
    /// `WAKE_REASON_*`.
    pub reason: u8,
    /// Whole seconds of the sleep not yet over.
    pub remaining_s: u32,
}

impl Nap {
    /// `CMD_SETUP_SLEEP`.
    pub(super) fn set_seconds(&mut self, seconds: u32) {
        self.seconds = seconds;
    }

    /// `CMD_GO_SLEEP` or `CMD_GO_NAP` with `FIPY_OFF`: the module's power goes off.
    pub(super) fn cut(&mut self) {
        self.cut_pending = true;
    }

    /// Whether the power was cut since the last call.
    pub(super) fn take_cut(&mut self) -> bool {
        std::mem::take(&mut self.cut_pending)
    }

    /// The module is off from `now_us`, with the inputs reading `inputs`.
    pub(super) fn fall_asleep(&mut self, now_us: u64, inputs: Inputs) {
        self.asleep = Some((now_us, inputs));
    }

    fn timer_end_us(&self) -> Option<u64> {
        let (start, _) = self.asleep?;
        (self.seconds > 0).then(|| start + u64::from(self.seconds) * 1_000_000)
    }

    /// The inputs read `inputs` at `now_us`: whether that wakes the module
    /// (a button press, an enabled edge, or the timer's end).
    pub(super) fn wakes(&mut self, now_us: u64, inputs: Inputs, edges: Edges) -> Option<Wake> {
        let (start, last) = self.asleep?;
        let rose = |was: bool, is: bool| !was && is;
        let reason = if rose(last.button, inputs.button) {
            Some(PUSH_BUTTON)
        } else if (edges.accelerometer_rising && rose(last.accelerometer, inputs.accelerometer))
            || (edges.accelerometer_falling && rose(inputs.accelerometer, last.accelerometer))
        {
            Some(ACCELEROMETER)
        } else if edges.int_pin.is_some_and(|rising| {
            if rising { rose(last.int_pin, inputs.int_pin) } else { rose(inputs.int_pin, last.int_pin) }
        }) {
            Some(INT_PIN)
        } else if self.timer_end_us().is_some_and(|end| now_us >= end) {
            Some(TIMER)
        } else {
            None
        };
        self.asleep = Some((start, inputs));
        let reason = reason?;
        self.asleep = None;
        let elapsed_s = u32::try_from((now_us - start) / 1_000_000).unwrap_or(u32::MAX);
        let remaining_s = if reason == TIMER { 0 } else { self.seconds.saturating_sub(elapsed_s) };
        Some(Wake { reason, remaining_s })
    }

    /// When the timer runs out, while the module is off.
    pub(super) fn next_timer_us(&self) -> Option<u64> {
        self.timer_end_us()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asleep(seconds: u32) -> Nap {
        let mut nap = Nap::default();
        nap.set_seconds(seconds);
        nap.fall_asleep(1_000_000, Inputs::default());
        nap
    }

    #[test]
    fn the_timer_wakes_after_its_seconds_and_the_button_before_with_the_seconds_left() {
        let mut nap = asleep(300);
        assert_eq!(nap.next_timer_us(), Some(301_000_000));
        assert_eq!(nap.wakes(300_999_999, Inputs::default(), Edges::default()), None);
        assert_eq!(
            nap.wakes(301_000_000, Inputs::default(), Edges::default()),
            Some(Wake { reason: TIMER, remaining_s: 0 })
        );
        let mut nap = asleep(300);
        let pressed = Inputs { button: true, ..Inputs::default() };
        assert_eq!(
            nap.wakes(11_500_000, pressed, Edges::default()),
            Some(Wake { reason: PUSH_BUTTON, remaining_s: 290 })
        );
    }

    #[test]
    fn an_edge_wakes_only_when_enabled_and_no_timer_for_zero_seconds() {
        let mut nap = asleep(0);
        assert_eq!(nap.next_timer_us(), None);
        let high = Inputs { accelerometer: true, int_pin: true, ..Inputs::default() };
        assert_eq!(nap.wakes(2_000_000, high, Edges::default()), None);
        let falling = Edges { accelerometer_falling: true, ..Edges::default() };
        assert_eq!(nap.wakes(3_000_000, high, falling), None);
        let wake = nap.wakes(4_000_000, Inputs { int_pin: true, ..Inputs::default() }, falling);
        assert_eq!(wake, Some(Wake { reason: ACCELEROMETER, remaining_s: 0 }));
        let mut nap = asleep(0);
        let int_rising = Edges { int_pin: Some(true), ..Edges::default() };
        assert_eq!(
            nap.wakes(2_000_000, Inputs { int_pin: true, ..Inputs::default() }, int_rising).map(|w| w.reason),
            Some(INT_PIN)
        );
    }
}
