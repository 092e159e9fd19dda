//! `machine.DAC` (pybdac.c): the two 8-bit DACs on P22 and P21, a level or
//! the cosine generator's tone, as a voltage on the pin in the board model.

use pycom_board::analog::{DacOutput, SUPPLY_V};
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Constructor, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_float, get_int, parse_args};
use crate::state::{board, lock};

/// The DACs' GPIOs (DAC 1 on P22, DAC 2 on P21).
const DAC_GPIOS: [u8; 2] = [25, 26];
/// The cosine generator's clock (`tone_freq = 8 MHz / 2**16 * (step + 1)`).
const TONE_CLOCK_HZ: f64 = 8_000_000.0;

#[derive(Debug, Clone, Copy)]
struct DacState {
    enabled: bool,
    output: DacOutput,
}

/// One DAC.
#[pyclass(module = "machine", name = "DAC")]
#[derive(Debug, PyPayload)]
pub(crate) struct Dac {
    gpio: u8,
    state: PyMutex<DacState>,
}

impl Dac {
    fn apply(&self) {
        let state = *self.state.lock();
        lock(&board()).set_dac(self.gpio, state.enabled.then_some(state.output));
    }
}

impl Constructor for Dac {
    type Args = FuncArgs;

    /// `DAC(pin)`: P22 or P21.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        let args = parse_args(args, &["pin"], &[], vm)?;
        let not_available = || vm.new_os_error("resource not available".to_owned());
        let pin = args.get("pin").filter(|p| !vm.is_none(p)).ok_or_else(not_available)?;
        let gpio = crate::modules::pin::find(pin, vm)?.gpio();
        if !DAC_GPIOS.contains(&gpio) {
            return Err(not_available());
        }
        let dac = Self { gpio, state: PyMutex::new(DacState { enabled: true, output: DacOutput::Level(0.0) }) };
        dac.apply();
        Ok(dac)
    }
}

impl Representable for Dac {
    /// The firmware prints the DAC's number as a qstr, which shows as nothing.
    fn repr_str(_zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok("DAC()".to_owned())
    }
}

#[pyclass(with(Constructor, Representable))]
impl Dac {
    /// `init()`: turns the DAC on again.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        parse_args(args, &[], &[], vm)?;
        self.state.lock().enabled = true;
        self.apply();
        Ok(())
    }

    /// `deinit()`: the DAC stops driving its pin.
    #[pymethod]
    fn deinit(&self) {
        *self.state.lock() = DacState { enabled: false, output: DacOutput::Level(0.0) };
        self.apply();
    }

    /// `write(value)`: 0..1 of the supply (clamped), in 8-bit steps.
    #[pymethod]
    fn write(&self, value: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let value = get_float(&value, vm)?.clamp(0.0, 1.0);
        let code = (255.0 * value) as u8;
        self.state.lock().output = DacOutput::Level(SUPPLY_V * f64::from(code) / 255.0);
        self.apply();
        Ok(())
    }

    /// `tone(frequency, scale)`: a tone of 125..20000 Hz, its amplitude
    /// halved `scale` (0..3) times.
    #[pymethod]
    fn tone(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let args = parse_args(args, &["freq", "scale"], &[], vm)?;
        let required = |name: &str| {
            args.get(name)
                .ok_or_else(|| vm.new_type_error(format!("'{name}' argument required")))
                .and_then(|v| get_int(v, vm))
        };
        let freq = required("freq")? as u16;
        let scale = required("scale")?;
        if !(125..=20000).contains(&freq) {
            return Err(vm.new_value_error("tone frequency out of range"));
        }
        let step = (u32::from(freq + 125) << 16) / TONE_CLOCK_HZ as u32 - 1;
        let scale = u8::try_from(scale)
            .ok()
            .filter(|s| *s <= 3)
            .ok_or_else(|| vm.new_value_error("tone scale out of range"))?;
        let frequency_hz = TONE_CLOCK_HZ * f64::from(step + 1) / 65536.0;
        self.state.lock().output = DacOutput::Tone { frequency_hz, scale };
        self.apply();
        Ok(())
    }
}

/// `machine.DAC`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    Dac::make_static_type()
}
