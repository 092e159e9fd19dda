//! `machine.PWM` (machpwm.c): the LEDC's four high-speed timers and eight
//! channels, each channel a square wave on its pin in the board model.

use pycom_board::pins::Square;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine, pyclass};

use crate::args::{get_float, get_int, parse_args};
use crate::state::{board, lock};

/// Highest timer number (`LEDC_TIMER_3`).
const LAST_TIMER: i32 = 3;
/// Highest channel number (`LEDC_CHANNEL_7`).
const LAST_CHANNEL: i32 = 7;
/// Highest frequency the firmware takes.
const MAX_FREQUENCY: i32 = 78_000;

/// One LEDC timer.
#[pyclass(module = "machine", name = "PWM")]
#[derive(Debug, PyPayload)]
pub(crate) struct Pwm {
    frequency: PyMutex<u32>,
    /// The channels made on this timer: GPIO and duty as the firmware scales it.
    channels: PyMutex<Vec<(u8, f64)>>,
}

/// One LEDC channel on a timer.
#[pyclass(module = "machine", name = "channel")]
#[derive(Debug, PyPayload)]
pub(crate) struct PwmChannel {
    timer: PyRef<Pwm>,
    gpio: u8,
}

/// The duty resolution the firmware picks for a frequency.
fn resolution_bits(frequency: u32) -> u32 {
    match frequency {
        0..4000 => 14,
        4000..8000 => 13,
        8000..16000 => 12,
        16000..32000 => 11,
        _ => 10,
    }
}

fn check_frequency(value: Option<&PyObjectRef>, vm: &VirtualMachine) -> PyResult<u32> {
    let value = value.ok_or_else(|| vm.new_type_error("'frequency' argument required"))?;
    match get_int(value, vm)? {
        f if !(0..=MAX_FREQUENCY).contains(&f) => Err(vm.new_value_error(format!("invalid frequency {f}"))),
        f => Ok(f as u32),
    }
}

/// A duty cycle as the LEDC gets it: clamped to 0..1, then scaled down to
/// the timer's resolution (0.999 and up is full on).
fn scaled_duty(duty: f64, frequency: u32) -> f64 {
    let max = f64::from((1u32 << resolution_bits(frequency)) - 1);
    let duty = duty.clamp(0.0, 1.0);
    if duty >= 0.999 { 1.0 } else { (max * duty).trunc() / (max + 1.0) }
}

impl Pwm {
    fn drive(&self, gpio: u8, duty: f64) {
        let frequency = *self.frequency.lock();
        let square = Square { frequency_hz: f64::from(frequency), duty: scaled_duty(duty, frequency) };
        lock(&board()).pin_pwm(gpio, Some(square));
    }
}

impl Constructor for Pwm {
    type Args = FuncArgs;

    /// `PWM(timer, frequency)`.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        let args = parse_args(args, &["timer", "frequency"], &[], vm)?;
        let timer = args.get("timer").ok_or_else(|| vm.new_type_error("'timer' argument required"))?;
        if !(0..=LAST_TIMER).contains(&get_int(timer, vm)?) {
            return Err(vm.new_os_error("resource not available".to_owned()));
        }
        let frequency = check_frequency(args.get("frequency"), vm)?;
        Ok(Self { frequency: PyMutex::new(frequency), channels: PyMutex::new(Vec::new()) })
    }
}

impl Representable for Pwm {
    fn repr_str(_zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok("<PWM>".to_owned())
    }
}

#[pyclass(with(Constructor, Representable))]
impl Pwm {
    /// `init(frequency)`: re-times the timer; its channels follow.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let args = parse_args(args, &["frequency"], &[], vm)?;
        *self.frequency.lock() = check_frequency(args.get("frequency"), vm)?;
        let channels = self.channels.lock().clone();
        for (gpio, duty) in channels {
            self.drive(gpio, duty);
        }
        Ok(())
    }

    /// `channel(id, *, pin, duty_cycle=0.5)`: starts channel `id` on `pin`.
    #[pymethod]
    fn channel(zelf: PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PwmChannel> {
        let args = parse_args(args, &["id"], &["pin", "duty_cycle"], vm)?;
        let id = args.get("id").ok_or_else(|| vm.new_type_error("'id' argument required"))?;
        if !(0..=LAST_CHANNEL).contains(&get_int(id, vm)?) {
            return Err(vm.new_os_error("resource not available".to_owned()));
        }
        let pin = args.get("pin").ok_or_else(|| vm.new_type_error("'pin' argument required"))?;
        let gpio = crate::modules::pin::find(pin, vm)?.gpio();
        let duty = args.get("duty_cycle").map(|d| get_float(d, vm)).transpose()?.unwrap_or(0.5);
        let mut channels = zelf.channels.lock();
        channels.retain(|(g, _)| *g != gpio);
        channels.push((gpio, duty));
        drop(channels);
        zelf.drive(gpio, duty);
        Ok(PwmChannel { timer: zelf, gpio })
    }
}

impl Representable for PwmChannel {
    fn repr_str(_zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok("<channel>".to_owned())
    }
}

#[pyclass(with(Representable))]
impl PwmChannel {
    /// `duty_cycle(value)`: 0..1 (clamped).
    #[pymethod]
    fn duty_cycle(&self, duty: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let duty = get_float(&duty, vm)?;
        for entry in self.timer.channels.lock().iter_mut().filter(|(g, _)| *g == self.gpio) {
            entry.1 = duty;
        }
        self.timer.drive(self.gpio, duty);
        Ok(())
    }
}

/// `machine.PWM`, registered by the `machine` module (with the type of its
/// channels).
pub(crate) fn class() -> PyTypeRef {
    PwmChannel::make_static_type();
    Pwm::make_static_type()
}
