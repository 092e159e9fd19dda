//! The pin bank: every GPIO's configuration and level, the devices on the
//! lines, edge interrupts and the pulse capture, simulated event by event on
//! device time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::capture::Capture;
use super::device::{Device, Reading};
use super::line::{Drive, Level, Pull, resolve};
use super::pwm::{PwmOutput, SharedSquare, Square};

/// GPIOs of an ESP32 (0..=39).
pub const GPIO_COUNT: usize = 40;
/// How often one instant may bounce between a line and its devices before the
/// bank stops settling it (an oscillating circuit).
const SETTLE_LIMIT: usize = 16;
/// No event pending.
const NONE: u64 = u64::MAX;

/// How the chip drives a pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinMode {
    /// Input only.
    Input,
    /// Push-pull output.
    Output,
    /// Open drain: drives low, releases for high.
    OpenDrain,
}

/// When a pin interrupts (values of ESP-IDF's `gpio_int_type_t`, which are
/// `machine.Pin.IRQ_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// No interrupt.
    Disabled = 0,
    /// Low to high.
    Rising = 1,
    /// High to low.
    Falling = 2,
    /// Either edge.
    AnyEdge = 3,
    /// Entering the low level.
    LowLevel = 4,
    /// Entering the high level.
    HighLevel = 5,
}

impl Trigger {
    /// The trigger of a `gpio_int_type_t` value.
    pub fn from_bits(bits: u32) -> Option<Self> {
        Some(match bits {
            0 => Self::Disabled,
            1 => Self::Rising,
            2 => Self::Falling,
            3 => Self::AnyEdge,
            4 => Self::LowLevel,
            5 => Self::HighLevel,
            _ => return None,
        })
    }

    fn fires(self, from: bool, to: bool) -> bool {
        match self {
            Self::Disabled => false,
            Self::Rising | Self::HighLevel => !from && to,
            Self::Falling | Self::LowLevel => from && !to,
            Self::AnyEdge => from != to,
        }
    }
}

/// One pin interrupt waiting for its handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinIrq {
    /// The GPIO that interrupted.
    pub gpio: u8,
    /// Device time of the edge.
    pub time_us: u64,
}

/// A line changed level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinEvent {
    /// Device time of the change.
    pub time_us: u64,
    /// The GPIO.
    pub gpio: u8,
    /// The level from then on.
    pub level: Level,
}

/// Receives every level change of every pin.
pub type PinTrace = Box<dyn FnMut(PinEvent) + Send>;

/// What the chip does with one pin.
#[derive(Clone, Copy, Debug)]
struct PinState {
    mode: PinMode,
    pull: Option<Pull>,
    latch: bool,
    /// The pad state frozen by `hold()`: mode, pull and latch.
    pad: Option<(PinMode, Option<Pull>, bool)>,
    trigger: Trigger,
    level: Level,
}

impl Default for PinState {
    fn default() -> Self {
        Self {
            mode: PinMode::Input,
            pull: None,
            latch: false,
            pad: None,
            trigger: Trigger::Disabled,
            level: Level::Floating,
        }
    }
}

impl PinState {
    /// Mode, pull and latch as the pad applies them (frozen while held).
    fn applied(&self) -> (PinMode, Option<Pull>, bool) {
        self.pad.unwrap_or((self.mode, self.pull, self.latch))
    }

    fn drive(&self) -> Drive {
        let (mode, _, latch) = self.applied();
        match (mode, latch) {
            (PinMode::Input, _) | (PinMode::OpenDrain, true) => Drive::Released,
            (_, false) => Drive::Low,
            (PinMode::Output, true) => Drive::High,
        }
    }
}

struct Wired {
    gpio: u8,
    device: Box<dyn Device>,
    /// What the device did to its line when last asked, as counted in [`Line`].
    drive: Drive,
    pull: Option<Pull>,
    /// Its next change as queued in `PinBank::events`.
    next_us: Option<u64>,
}

/// The devices on one line and how many of them drive or pull it each way, so
/// settling a line costs the same however many devices share it.
#[derive(Default)]
struct Line {
    devices: Vec<usize>,
    low: usize,
    high: usize,
    up: usize,
    down: usize,
}

impl Line {
    fn count(&mut self, drive: Drive, pull: Option<Pull>, add: bool) {
        let counters = [
            (drive == Drive::Low, &mut self.low),
            (drive == Drive::High, &mut self.high),
            (pull == Some(Pull::Up), &mut self.up),
            (pull == Some(Pull::Down), &mut self.down),
        ];
        for (applies, counter) in counters {
            if applies {
                *counter = if add { *counter + 1 } else { *counter - 1 };
            }
        }
    }
}

/// Every GPIO and what is wired to it.
pub struct PinBank {
    pins: [PinState; GPIO_COUNT],
    devices: Vec<Wired>,
    lines: [Line; GPIO_COUNT],
    /// Devices' next changes, earliest (then lowest index) first; an entry is
    /// stale unless it is still its device's `next_us`.
    events: BinaryHeap<Reverse<(u64, usize)>>,
    now_us: u64,
    traces: Vec<PinTrace>,
    irqs: Vec<PinIrq>,
    capture: Option<Capture>,
    fights: u64,
    notes: Vec<String>,
    next_event: Arc<AtomicU64>,
    /// `next_event` while an interrupt is armed on some pin, else none.
    next_irq_event: Arc<AtomicU64>,
    /// The LEDC outputs wired so far: GPIO, device index, settings.
    pwm: Vec<(u8, usize, SharedSquare)>,
    /// For each GPIO, the GPIOs jumper wires join it to (bit `n` for GPIO
    /// `n`, its own bit included): one electrical line.
    nets: [u64; GPIO_COUNT],
}

impl std::fmt::Debug for PinBank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinBank").field("now_us", &self.now_us).field("devices", &self.devices.len()).finish()
    }
}

impl Default for PinBank {
    fn default() -> Self {
        Self {
            pins: [PinState::default(); GPIO_COUNT],
            devices: Vec::new(),
            lines: std::array::from_fn(|_| Line::default()),
            events: BinaryHeap::new(),
            now_us: 0,
            traces: Vec::new(),
            irqs: Vec::new(),
            capture: None,
            fights: 0,
            notes: Vec::new(),
            next_event: Arc::new(AtomicU64::new(NONE)),
            next_irq_event: Arc::new(AtomicU64::new(NONE)),
            pwm: Vec::new(),
            nets: std::array::from_fn(|gpio| 1 << gpio),
        }
    }
}

/// The GPIOs of a net's bit mask, lowest first.
fn members(mut net: u64) -> impl Iterator<Item = u8> {
    std::iter::from_fn(move || {
        (net != 0).then(|| {
            let gpio = net.trailing_zeros() as u8;
            net &= net - 1;
            gpio
        })
    })
}

impl PinBank {
    /// Wires `device` to `gpio`.
    pub fn attach(&mut self, gpio: u8, device: Box<dyn Device>) {
        let index = self.devices.len();
        self.devices.push(Wired { gpio, device, drive: Drive::Released, pull: None, next_us: None });
        self.lines[usize::from(gpio)].devices.push(index);
        self.refresh(index);
        self.settle(gpio);
        self.publish_next_event();
    }

    /// Joins the lines of `a` and `b` with a jumper wire from `now_us`: from
    /// then on they are one line, driven and pulled by both pins and the
    /// devices on either.
    pub fn join(&mut self, a: u8, b: u8, now_us: u64) {
        self.advance(now_us);
        let net = self.nets[usize::from(a)] | self.nets[usize::from(b)];
        for gpio in members(net) {
            self.nets[usize::from(gpio)] = net;
        }
        self.settle(a);
        self.publish_next_event();
    }

    /// Drives `gpio` with a PWM wave from `now_us` (the chip's pad driver
    /// released, as the LEDC takes the pin over), or stops it (`None`).
    pub fn set_pwm(&mut self, gpio: u8, square: Option<Square>, now_us: u64) {
        self.advance(now_us);
        let index = match self.pwm.iter().find(|(g, _, _)| *g == gpio) {
            Some(&(_, index, ref settings)) => {
                *settings.lock().unwrap_or_else(|p| p.into_inner()) = square.map(|s| (s, self.now_us));
                index
            }
            None => {
                let settings: SharedSquare = Arc::new(std::sync::Mutex::new(square.map(|s| (s, self.now_us))));
                self.pwm.push((gpio, self.devices.len(), settings.clone()));
                self.attach(gpio, Box::new(PwmOutput::new(settings)));
                self.devices.len() - 1
            }
        };
        if square.is_some() {
            self.pins[usize::from(gpio)].mode = PinMode::Input;
        }
        self.refresh(index);
        self.settle(gpio);
        self.publish_next_event();
    }

    /// Sends every later level change to `trace` too, starting with the
    /// level of every pin now.
    pub fn add_trace(&mut self, mut trace: PinTrace) {
        for (gpio, pin) in self.pins.iter().enumerate() {
            trace(PinEvent { time_us: self.now_us, gpio: gpio as u8, level: pin.level });
        }
        self.traces.push(trace);
    }

    /// The readings of the sensors on `gpio` at `now_us`.
    pub fn readings(&self, gpio: u8, now_us: u64) -> Vec<Reading> {
        let line = &self.lines[usize::from(gpio)];
        line.devices.iter().flat_map(|&index| self.devices[index].device.readings(now_us)).collect()
    }

    /// A hand sets `quantity` of the sensors on `gpio` to `value` from
    /// `now_us` on; whether one has that quantity.
    pub fn set_reading(&mut self, gpio: u8, quantity: &str, value: f64, now_us: u64) -> bool {
        self.advance(now_us);
        let mut found = false;
        for position in 0..self.lines[usize::from(gpio)].devices.len() {
            let index = self.lines[usize::from(gpio)].devices[position];
            found |= self.devices[index].device.set_reading(quantity, value);
        }
        found
    }

    /// A boot at `now_us`: interrupts are off, and pins not held go back to
    /// inputs, pulled down if listed in `pulled_down`.
    pub fn reset(&mut self, now_us: u64, pulled_down: impl IntoIterator<Item = u8>) {
        self.advance(now_us);
        self.irqs.clear();
        let mut pull_down = [false; GPIO_COUNT];
        for gpio in pulled_down {
            pull_down[usize::from(gpio)] = true;
        }
        for gpio in 0..GPIO_COUNT as u8 {
            let pin = &mut self.pins[usize::from(gpio)];
            pin.trigger = Trigger::Disabled;
            if pin.pad.is_none() {
                pin.mode = PinMode::Input;
                pin.pull = pull_down[usize::from(gpio)].then_some(Pull::Down);
                pin.latch = false;
            }
            self.settle(gpio);
        }
        self.publish_next_event();
    }

    /// Runs the devices up to `to_us`.
    pub fn advance(&mut self, to_us: u64) {
        while let Some((index, at)) = self.next_device_change().filter(|&(_, at)| at <= to_us) {
            self.now_us = self.now_us.max(at);
            self.devices[index].device.step(at);
            self.refresh(index);
            let gpio = self.devices[index].gpio;
            self.settle(gpio);
        }
        self.now_us = self.now_us.max(to_us);
        self.publish_next_event();
    }

    /// A hand presses or lets go of the devices on `gpio` that can be
    /// pressed (buttons) at `now_us`; whether there was one.
    pub fn press(&mut self, gpio: u8, pressed: bool, now_us: u64) -> bool {
        self.advance(now_us);
        let mut found = false;
        for position in 0..self.lines[usize::from(gpio)].devices.len() {
            let index = self.lines[usize::from(gpio)].devices[position];
            if self.devices[index].device.press(pressed) {
                self.refresh(index);
                found = true;
            }
        }
        self.settle(gpio);
        self.publish_next_event();
        found
    }

    /// Asks the devices on `gpio` again how they drive it and when they
    /// change next, after something outside the bank changed them at `now_us`
    /// (a command on a bus).
    pub fn refresh_line(&mut self, gpio: u8, now_us: u64) {
        self.advance(now_us);
        for position in 0..self.lines[usize::from(gpio)].devices.len() {
            let index = self.lines[usize::from(gpio)].devices[position];
            self.refresh(index);
        }
        self.settle(gpio);
        self.publish_next_event();
    }

    /// Device time the bank has been simulated to.
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    /// Sets how the chip drives `gpio` (at device time `now_us`).
    pub fn configure(&mut self, gpio: u8, mode: PinMode, pull: Option<Pull>, now_us: u64) {
        self.advance(now_us);
        let pin = &mut self.pins[usize::from(gpio)];
        pin.mode = mode;
        pin.pull = pull;
        self.settle(gpio);
        self.publish_next_event();
    }

    /// `gpio`'s mode and pull.
    pub fn mode(&self, gpio: u8) -> (PinMode, Option<Pull>) {
        let pin = &self.pins[usize::from(gpio)];
        (pin.mode, pin.pull)
    }

    /// Sets the output latch of `gpio`; it drives the line in output and
    /// open-drain modes.
    pub fn write(&mut self, gpio: u8, high: bool, now_us: u64) {
        self.advance(now_us);
        self.pins[usize::from(gpio)].latch = high;
        self.settle(gpio);
        self.publish_next_event();
    }

    /// The output latch of `gpio`.
    pub fn latch(&self, gpio: u8) -> bool {
        self.pins[usize::from(gpio)].latch
    }

    /// The level on `gpio`'s line at `now_us`.
    pub fn level(&mut self, gpio: u8, now_us: u64) -> Level {
        self.advance(now_us);
        self.pins[usize::from(gpio)].level
    }

    /// The level on `gpio`'s line as last simulated, without running the
    /// devices on (for an observer that must not move the board).
    pub fn settled_level(&self, gpio: u8) -> Level {
        self.pins[usize::from(gpio)].level
    }

    /// Freezes `gpio`'s pad as it is (mode, pull, output level), through later
    /// writes and resets, or frees it to follow its configuration again.
    pub fn set_hold(&mut self, gpio: u8, hold: bool, now_us: u64) {
        self.advance(now_us);
        let pin = &mut self.pins[usize::from(gpio)];
        let applied = pin.applied();
        pin.pad = hold.then_some(applied);
        self.settle(gpio);
        self.publish_next_event();
    }

    /// Whether `gpio` is held.
    pub fn hold(&self, gpio: u8) -> bool {
        self.pins[usize::from(gpio)].pad.is_some()
    }

    /// Arms `gpio`'s interrupt. A level trigger fires at once if the line is
    /// already at that level.
    pub fn set_trigger(&mut self, gpio: u8, trigger: Trigger, now_us: u64) {
        self.advance(now_us);
        let pin = &mut self.pins[usize::from(gpio)];
        pin.trigger = trigger;
        let high = pin.level.read();
        if (trigger == Trigger::HighLevel && high) || (trigger == Trigger::LowLevel && !high) {
            self.irqs.push(PinIrq { gpio, time_us: self.now_us });
        }
        self.publish_next_event();
    }

    /// Interrupts raised since the last call, oldest first.
    pub fn take_irqs(&mut self) -> Vec<PinIrq> {
        std::mem::take(&mut self.irqs)
    }

    /// Device time of the next change a device will make, if any.
    pub fn next_event_us(&self) -> Option<u64> {
        Some(self.next_event.load(Ordering::Relaxed)).filter(|&at| at != NONE)
    }

    /// The time of the next device change while an interrupt is armed on
    /// some pin (the next time a pin interrupt may be raised), shared with a
    /// thread that watches device time (`u64::MAX` for none).
    pub fn next_irq_event_handle(&self) -> Arc<AtomicU64> {
        self.next_irq_event.clone()
    }

    /// What the bank noticed that the user should know (drivers fighting).
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// Captures `gpio` with the RMT receiver from `start_us`, waiting at most
    /// `timeout_us` for a frame to end. Returns the frame (empty if none ended
    /// in time) and the device time the capture returns at.
    ///
    /// The receiver takes the pin over as an input: its output driver is off
    /// from then on, as `rmt_set_pin` leaves it.
    pub fn capture_pulses(&mut self, gpio: u8, start_us: u64, timeout_us: u64) -> (Vec<(u8, u16)>, u64) {
        self.advance(start_us);
        let start_us = self.now_us;
        self.pins[usize::from(gpio)].mode = PinMode::Input;
        self.settle(gpio);
        self.capture = Some(Capture::new(gpio));
        let deadline = start_us.saturating_add(timeout_us);
        loop {
            let frame_end = self.capture.as_ref().and_then(Capture::frame_end_us);
            let limit = frame_end.map_or(deadline, |end| end.min(deadline));
            match self.next_device_change() {
                Some((_, at)) if at < limit => self.advance(at),
                _ => {
                    self.advance(limit);
                    break;
                }
            }
        }
        let capture = self.capture.take().expect("capture armed above");
        match capture.frame_end_us() {
            Some(end) if end <= deadline => (capture.pulses(), end),
            _ => (Vec::new(), deadline),
        }
    }

    /// The earliest device change and its device (the lowest index among
    /// equals), dropping stale queue entries on the way.
    fn next_device_change(&mut self) -> Option<(usize, u64)> {
        while let Some(&Reverse((at, index))) = self.events.peek() {
            if self.devices[index].next_us == Some(at) {
                return Some((index, at));
            }
            self.events.pop();
        }
        None
    }

    fn publish_next_event(&mut self) {
        let next = self.next_device_change().map_or(NONE, |(_, at)| at);
        self.next_event.store(next, Ordering::Relaxed);
        let armed = self.pins.iter().any(|pin| pin.trigger != Trigger::Disabled);
        self.next_irq_event.store(if armed { next } else { NONE }, Ordering::Relaxed);
    }

    /// Asks device `index` again how it drives and pulls its line and when it
    /// changes next, after anything that may have changed it.
    fn refresh(&mut self, index: usize) {
        let wired = &mut self.devices[index];
        let (drive, pull, next_us) = (wired.device.drive(), wired.device.pull(), wired.device.next_change_us());
        let line = &mut self.lines[usize::from(wired.gpio)];
        line.count(wired.drive, wired.pull, false);
        line.count(drive, pull, true);
        (wired.drive, wired.pull) = (drive, pull);
        if next_us != wired.next_us {
            wired.next_us = next_us;
            if let Some(at) = next_us {
                self.events.push(Reverse((at, index)));
            }
        }
    }

    /// Brings `gpio`'s line (with the lines jumpered to it) up to date with
    /// its drivers, telling the trace, the interrupts, the capture and the
    /// devices on the line about changes.
    fn settle(&mut self, gpio: u8) {
        let net = self.nets[usize::from(gpio)];
        for _ in 0..SETTLE_LIMIT {
            let drives = members(net).flat_map(|g| {
                let line = &self.lines[usize::from(g)];
                [self.pins[usize::from(g)].drive()]
                    .into_iter()
                    .chain((line.low > 0).then_some(Drive::Low))
                    .chain((line.high > 0).then_some(Drive::High))
            });
            let pulls = members(net).flat_map(|g| {
                let line = &self.lines[usize::from(g)];
                self.pins[usize::from(g)]
                    .applied()
                    .1
                    .into_iter()
                    .chain((line.up > 0).then_some(Pull::Up))
                    .chain((line.down > 0).then_some(Pull::Down))
            });
            let (level, fight) = resolve(drives, pulls);
            if fight && self.fights & (1 << gpio) == 0 {
                self.fights |= 1 << gpio;
                self.notes.push(format!(
                    "GPIO{gpio}: one driver pulls the line high and another low at {} us (the line reads low); \
                     on a board this shorts the pin",
                    self.now_us
                ));
            }
            let mut changed = false;
            for g in members(net) {
                changed |= self.change_level(g, level);
            }
            if !changed {
                return;
            }
        }
    }

    /// Sets `gpio`'s level to `level`; if that is a change, tells the trace,
    /// the interrupt, the capture and the devices on the line, and says so.
    fn change_level(&mut self, gpio: u8, level: Level) -> bool {
        let pin = self.pins[usize::from(gpio)];
        if level == pin.level {
            return false;
        }
        self.pins[usize::from(gpio)].level = level;
        let now = self.now_us;
        for trace in &mut self.traces {
            trace(PinEvent { time_us: now, gpio, level });
        }
        let (from, to) = (pin.level.read(), level.read());
        if pin.trigger.fires(from, to) {
            self.irqs.push(PinIrq { gpio, time_us: now });
        }
        if from != to
            && let Some(capture) = self.capture.as_mut().filter(|c| c.gpio() == gpio)
        {
            capture.edge(now, to);
        }
        for position in 0..self.lines[usize::from(gpio)].devices.len() {
            let index = self.lines[usize::from(gpio)].devices[position];
            self.devices[index].device.line_changed(now, level);
            self.refresh(index);
        }
        true
    }
}
