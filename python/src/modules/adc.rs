//! `machine.ADC` and its channels (pybadc.c): ADC 1's eight channels on
//! P13..P20, reading the voltage the board model has on the pin (a board
//! file's analog source, else the pin's logic level).

use pycom_board::analog::{VREF_NOMINAL_MV, adc_millivolts, adc_raw};
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Callable, Constructor, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine, pyclass};

use crate::args::{arity, get_int, method_arity, parse_args};
use crate::modules::pin::INVALID;
use crate::state::{board, lock};

/// ADC 1's channels by number: the module pin of each.
const CHANNEL_PINS: [&str; 8] = ["P13", "P14", "P15", "P16", "P19", "P20", "P18", "P17"];
/// GPIOs that can output the reference (`vref_to_pin`).
const VREF_GPIOS: [u8; 3] = [25, 26, 27];
const NOT_AVAILABLE: &str = "resource not available";
const NOT_POSSIBLE: &str = "the requested operation is not possible";

#[derive(Debug, Clone, Copy)]
struct AdcSettings {
    bits: u8,
    vref_mv: u32,
    enabled: bool,
}

/// The ADC block.
#[pyclass(module = "machine", name = "ADC")]
#[derive(Debug, PyPayload)]
pub(crate) struct Adc {
    settings: PyMutex<AdcSettings>,
}

/// One channel of the ADC.
#[pyclass(module = "machine", name = "ADCChannel")]
#[derive(Debug, PyPayload)]
pub(crate) struct AdcChannel {
    adc: PyRef<Adc>,
    channel: u8,
    gpio: u8,
    attn: u8,
    enabled: PyMutex<bool>,
}

fn check_bits(value: Option<&PyObjectRef>, vm: &VirtualMachine) -> PyResult<u8> {
    match value.map(|b| get_int(b, vm)).transpose()?.unwrap_or(12) {
        bits @ 9..=12 => Ok(bits as u8),
        _ => Err(vm.new_value_error(INVALID)),
    }
}

impl Constructor for Adc {
    type Args = FuncArgs;

    /// `ADC(id=0, *, bits=12)`.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        let args = parse_args(args, &["id"], &["bits"], vm)?;
        if args.get("id").map(|id| get_int(id, vm)).transpose()?.unwrap_or(0) != 0 {
            return Err(vm.new_os_error(NOT_AVAILABLE.to_owned()));
        }
        let bits = check_bits(args.get("bits"), vm)?;
        Ok(Self { settings: PyMutex::new(AdcSettings { bits, vref_mv: VREF_NOMINAL_MV, enabled: true }) })
    }
}

impl Representable for Adc {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        let s = *zelf.settings.lock();
        Ok(if s.enabled { format!("ADC(0, bits={})", s.bits) } else { "ADC(0)".to_owned() })
    }
}

#[pyclass(with(Constructor, Representable))]
impl Adc {
    #[pyattr(name = "ATTN_0DB")]
    fn attn_0db(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(0).into()
    }

    #[pyattr(name = "ATTN_2_5DB")]
    fn attn_2_5db(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(1).into()
    }

    #[pyattr(name = "ATTN_6DB")]
    fn attn_6db(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(2).into()
    }

    #[pyattr(name = "ATTN_11DB")]
    fn attn_11db(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(3).into()
    }

    /// `init(*, bits=12)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let args = parse_args(args, &[], &["bits"], vm)?;
        let bits = check_bits(args.get("bits"), vm)?;
        let mut s = self.settings.lock();
        s.bits = bits;
        s.enabled = true;
        Ok(())
    }

    /// `deinit()`: channels cannot be made until `init`.
    #[pymethod]
    fn deinit(&self) {
        self.settings.lock().enabled = false;
    }

    /// `vref([mv])`: the reference `voltage()` converts with.
    #[pymethod]
    fn vref(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<u32>> {
        method_arity(&args, 0, 1, vm)?;
        match args.args.first() {
            None => Ok(Some(self.settings.lock().vref_mv)),
            Some(mv) => {
                self.settings.lock().vref_mv = get_int(mv, vm)? as u32;
                Ok(None)
            }
        }
    }

    /// `vref_to_pin(pin)`: routes the reference to P6, P21 or P22 (for
    /// measuring it); the emulated chip's reference is the nominal one.
    #[pymethod]
    fn vref_to_pin(&self, pin: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let pin = crate::modules::pin::find(&pin, vm)?;
        if !VREF_GPIOS.contains(&pin.gpio()) {
            return Err(vm.new_value_error("only pins P6, P21 and P22 are able to output VREF"));
        }
        Ok(())
    }

    /// `channel(id, *, attn=ATTN_0DB, pin)`: a channel by number or by pin.
    #[pymethod]
    fn channel(zelf: PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<AdcChannel> {
        let args = parse_args(args, &["id"], &["attn", "pin"], vm)?;
        let pin = args.get("pin").filter(|p| !vm.is_none(p));
        let channel = match args.get("id") {
            Some(id) => {
                let id = get_int(id, vm)?;
                let channel = usize::try_from(id)
                    .ok()
                    .filter(|&c| c < CHANNEL_PINS.len())
                    .ok_or_else(|| vm.new_value_error(NOT_AVAILABLE))?;
                if let Some(pin) = pin {
                    let wanted = crate::modules::pin::find(&vm.ctx.new_str(CHANNEL_PINS[channel]).into(), vm)?;
                    if crate::modules::pin::find(pin, vm)?.gpio() != wanted.gpio() {
                        return Err(vm.new_value_error(INVALID));
                    }
                }
                channel
            }
            None => {
                let given = crate::modules::pin::find(pin.unwrap_or(&vm.ctx.none()), vm)?;
                let board = board();
                let board = lock(&board);
                CHANNEL_PINS
                    .iter()
                    .position(|name| board.find_pin(name).is_some_and(|p| p.gpio == given.gpio()))
                    .ok_or_else(|| vm.new_os_error(NOT_AVAILABLE.to_owned()))?
            }
        };
        let attn = args.get("attn").map(|a| get_int(a, vm)).transpose()?.unwrap_or(0);
        if !(0..=3).contains(&attn) {
            return Err(vm.new_value_error(INVALID));
        }
        if !zelf.settings.lock().enabled {
            return Err(vm.new_os_error(NOT_POSSIBLE.to_owned()));
        }
        let gpio = crate::modules::pin::find(&vm.ctx.new_str(CHANNEL_PINS[channel]).into(), vm)?.gpio();
        Ok(AdcChannel { adc: zelf, channel: channel as u8, gpio, attn: attn as u8, enabled: PyMutex::new(true) })
    }
}

impl AdcChannel {
    fn check(&self, vm: &VirtualMachine) -> PyResult<AdcSettings> {
        if !*self.enabled.lock() {
            return Err(vm.new_os_error(NOT_POSSIBLE.to_owned()));
        }
        Ok(*self.adc.settings.lock())
    }

    fn read(&self, vm: &VirtualMachine) -> PyResult<u32> {
        let settings = self.check(vm)?;
        let volts = lock(&board()).pin_volts(self.gpio);
        Ok(adc_raw(volts, self.attn, settings.bits))
    }
}

impl Callable for AdcChannel {
    type Args = FuncArgs;

    /// `channel()`: `value()`.
    fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        Ok(vm.ctx.new_int(zelf.read(vm)?).into())
    }
}

impl Representable for AdcChannel {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(if *zelf.enabled.lock() {
            format!("ADCChannel({}, pin={}, attn={})", zelf.channel, CHANNEL_PINS[usize::from(zelf.channel)], zelf.attn)
        } else {
            format!("ADCChannel({})", zelf.channel)
        })
    }
}

#[pyclass(with(Callable, Representable))]
impl AdcChannel {
    /// `init()`: enables the channel again.
    #[pymethod]
    fn init(&self, vm: &VirtualMachine) -> PyResult<()> {
        if !self.adc.settings.lock().enabled {
            return Err(vm.new_os_error(NOT_POSSIBLE.to_owned()));
        }
        *self.enabled.lock() = true;
        Ok(())
    }

    /// `deinit()`.
    #[pymethod]
    fn deinit(&self) {
        *self.enabled.lock() = false;
    }

    /// `value()`: the raw reading, 0 to 2**bits - 1.
    #[pymethod]
    fn value(&self, vm: &VirtualMachine) -> PyResult<u32> {
        self.read(vm)
    }

    /// `voltage()`: the reading in mV, converted with the ADC's `vref`.
    #[pymethod]
    fn voltage(&self, vm: &VirtualMachine) -> PyResult<i64> {
        let raw = self.read(vm)?;
        let s = self.check(vm)?;
        Ok(adc_millivolts(i64::from(raw), self.attn, s.bits, s.vref_mv))
    }

    /// `value_to_voltage(value)`: a reading in mV.
    #[pymethod]
    fn value_to_voltage(&self, value: PyObjectRef, vm: &VirtualMachine) -> PyResult<i64> {
        let s = self.check(vm)?;
        Ok(adc_millivolts(i64::from(get_int(&value, vm)?), self.attn, s.bits, s.vref_mv))
    }
}

/// `machine.ADC`, registered by the `machine` module (with the type of its
/// channels).
pub(crate) fn class() -> PyTypeRef {
    AdcChannel::make_static_type();
    Adc::make_static_type()
}
