//! The board's pins as `machine.Pin` and `pycom.pulses_get` use them, on the
//! board's clock.

use super::Board;
use crate::pins::{
    Built, DeviceError, DeviceSpec, Level, PinIrq, PinMode, PinName, PinTrace, Pull, Square, Trigger, find_pin,
};
use crate::uart::{Loopback, ScriptedPeer, UartPeer, UartSpecError};

/// Device time from a `pulses_get` call to its RMT receiver running.
pub const RMT_START_US: u64 = 10;

impl Board {
    /// Wires the device a board file describes to its pins or bus (returning
    /// the GPIO of [`DeviceSpec::pin`]) or to its UART (a loopback or a
    /// scripted device; a bridge to the host is made by the host and wired
    /// with [`Board::attach_uart_peer`]).
    pub fn attach_device(&mut self, spec: &DeviceSpec) -> Result<Option<u8>, DeviceError> {
        match spec {
            DeviceSpec::Analog(analog) => {
                spec.check_unbuilt()?;
                return self.attach_analog(analog).map(Some);
            }
            DeviceSpec::Uart(uart) => {
                spec.check_unbuilt()?;
                let peer: Box<dyn UartPeer> = match uart.bridge {
                    None if uart.loopback => Box::new(Loopback::default()),
                    None => Box::new(ScriptedPeer::new(uart)),
                    Some(_) => return Err(UartSpecError::Ambiguous(uart.uart).into()),
                };
                self.attach_uart_peer(uart.uart, peer)?;
                return Ok(None);
            }
            _ => {}
        }
        match spec.build(self.model)? {
            Built::Pin { gpio, device } => {
                self.pins.advance(self.clock.now_us());
                self.pins.attach(gpio, device);
                Ok(Some(gpio))
            }
            Built::I2c { sda, scl, targets, shield } => {
                for target in targets {
                    self.buses.attach_i2c(sda, scl, target).map_err(|e| spec.invalid(e.to_string()))?;
                }
                if let Some((coprocessor, values)) = shield {
                    self.attach_shield(coprocessor, values, scl, spec)?;
                }
                Ok(Some(sda))
            }
            Built::Spi(wires) => {
                let mosi = wires.mosi;
                self.buses.attach_spi(wires);
                Ok(Some(mosi))
            }
            Built::Jumper(a, b) => {
                self.pins.join(a, b, self.clock.now_us());
                Ok(Some(a))
            }
        }
    }

    /// Presses (`true`) or lets go of (`false`) the buttons wired to `gpio`
    /// now, as a hand on the board would; whether a button is there.
    pub fn press_button(&mut self, gpio: u8, pressed: bool) -> bool {
        let now = self.clock.now_us();
        self.pins.press(gpio, pressed, now)
    }

    /// The pin a name refers to: an expansion-board name (`G17`) first, then a
    /// module name (`P10`), as `pin_find` looks them up.
    pub fn find_pin(&self, name: &str) -> Option<PinName> {
        find_pin(self.model, name)
    }

    /// Sets how the chip drives `gpio`.
    pub fn pin_configure(&mut self, gpio: u8, mode: PinMode, pull: Option<Pull>) {
        let now = self.clock.now_us();
        self.pins.configure(gpio, mode, pull, now);
    }

    /// Drives `gpio` with the LEDC's PWM wave, or stops it (`None`).
    pub fn pin_pwm(&mut self, gpio: u8, square: Option<Square>) {
        let now = self.clock.now_us();
        self.pins.set_pwm(gpio, square, now);
    }

    /// `gpio`'s mode and pull.
    pub fn pin_mode(&self, gpio: u8) -> (PinMode, Option<Pull>) {
        self.pins.mode(gpio)
    }

    /// Sets `gpio`'s output latch.
    pub fn pin_write(&mut self, gpio: u8, high: bool) {
        let now = self.clock.now_us();
        self.pins.write(gpio, high, now);
    }

    /// Hands `gpio` to a peripheral as the firmware's `pin_config` does: its
    /// mode and pull, and the level its output starts at.
    pub fn pin_route(&mut self, gpio: u8, mode: PinMode, pull: Option<Pull>, high: bool) {
        let now = self.clock.now_us();
        self.pins.write(gpio, high, now);
        self.pins.configure(gpio, mode, pull, now);
    }

    /// The level on `gpio` as last simulated: what an observer sees without
    /// moving the board's devices on.
    pub fn pin_settled_level(&self, gpio: u8) -> Level {
        self.pins.settled_level(gpio)
    }

    /// `gpio`'s output latch.
    pub fn pin_latch(&self, gpio: u8) -> bool {
        self.pins.latch(gpio)
    }

    /// The level on `gpio`'s line now.
    pub fn pin_level(&mut self, gpio: u8) -> Level {
        let now = self.clock.now_us();
        self.pins.level(gpio, now)
    }

    /// Holds or frees `gpio`'s pad.
    pub fn set_pin_hold(&mut self, gpio: u8, hold: bool) {
        let now = self.clock.now_us();
        self.pins.set_hold(gpio, hold, now);
    }

    /// Whether `gpio` is held.
    pub fn pin_hold(&self, gpio: u8) -> bool {
        self.pins.hold(gpio)
    }

    /// Arms `gpio`'s interrupt.
    pub fn set_pin_trigger(&mut self, gpio: u8, trigger: Trigger) {
        let now = self.clock.now_us();
        self.pins.set_trigger(gpio, trigger, now);
    }

    /// Pin interrupts raised so far, oldest first. The pins are simulated up to
    /// the last pin operation or [`Board::sync`], not to the host's now, so a
    /// device's answer to the script stays in the future until it is waited for.
    pub fn take_pin_irqs(&mut self) -> Vec<PinIrq> {
        self.pins.take_irqs()
    }

    /// Sends every pin level change to `trace` too (a trace file, the web
    /// view's timeline), starting with every pin's level now.
    pub fn add_pin_trace(&mut self, trace: PinTrace) {
        self.pins.add_trace(trace);
    }

    /// `pycom.pulses_get(pin, timeout)`: captures `gpio` with the RMT receiver,
    /// which starts [`RMT_START_US`] after the call. Returns the pulses and the
    /// device time the call returns at (the end of the frame, or the timeout).
    pub fn pulses_get(&mut self, gpio: u8, timeout_ms: u32) -> (Vec<(u8, u16)>, u64) {
        let start = self.clock.now_us() + RMT_START_US;
        self.pins.capture_pulses(gpio, start, u64::from(timeout_ms) * 1000)
    }
}
