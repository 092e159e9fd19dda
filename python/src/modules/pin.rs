//! `machine.Pin`: one object per named pin, as the firmware's static pin
//! objects, with its cached mode, pull, output value and callback.

use pycom_board::pins::{Level, PinMode, Pull, RTC_GPIOS, Trigger};
use rustpython_vm::builtins::{PyStr, PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Callable, Constructor, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine, pyclass};

use crate::args::{get_int, method_arity, optional_arg, parse_args};
use crate::state::{self, board, lock};

/// `Pin.IN` (`GPIO_MODE_INPUT`).
const IN: i32 = 1;
/// `Pin.OUT` (`GPIO_MODE_OUTPUT`).
const OUT: i32 = 2;
/// `Pin.OPEN_DRAIN` (`GPIO_MODE_INPUT_OUTPUT_OD`).
const OPEN_DRAIN: i32 = 7;
/// `Pin.PULL_UP`.
const PULL_UP: i32 = 1;
/// `Pin.PULL_DOWN`.
const PULL_DOWN: i32 = 2;
/// The firmware's text for every bad pin argument.
pub(crate) const INVALID: &str = "invalid argument(s) value";

/// The firmware's RAM copy of a pin's settings.
#[derive(Debug)]
struct Settings {
    mode: i32,
    pull: i32,
    value: bool,
    alt: i32,
    hold: bool,
    callback: Option<Callback>,
}

/// A registered `callback` (or `irq`) handler.
#[derive(Debug, Clone)]
pub(crate) struct Callback {
    /// Called with `arg`.
    pub handler: PyObjectRef,
    /// What the handler receives; the pin itself unless given.
    pub arg: Option<PyObjectRef>,
}

/// A pin object. There is one per GPIO for the whole boot: `Pin('P10') is
/// Pin('G17')`.
#[pyclass(module = "machine", name = "Pin")]
#[derive(Debug, PyPayload)]
pub(crate) struct Pin {
    gpio: u8,
    name: &'static str,
    settings: PyMutex<Settings>,
}

fn board_mode(mode: i32) -> PinMode {
    match mode {
        OUT => PinMode::Output,
        OPEN_DRAIN => PinMode::OpenDrain,
        _ => PinMode::Input,
    }
}

fn board_pull(pull: i32) -> Option<Pull> {
    match pull {
        PULL_UP => Some(Pull::Up),
        PULL_DOWN => Some(Pull::Down),
        _ => None,
    }
}

fn check_mode(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
    match get_int(obj, vm)? {
        mode @ (IN | OUT | OPEN_DRAIN) => Ok(mode),
        _ => Err(vm.new_value_error(INVALID)),
    }
}

/// `None`, `PULL_UP` or `PULL_DOWN` (stored as 0, 1, 2).
fn check_pull(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
    if vm.is_none(obj) {
        return Ok(0);
    }
    match get_int(obj, vm)? {
        pull @ (PULL_UP | PULL_DOWN) => Ok(pull),
        _ => Err(vm.new_value_error(INVALID)),
    }
}

/// The pin `id` names: a pin object, or an expansion-board or module name.
pub(crate) fn find(id: &PyObjectRef, vm: &VirtualMachine) -> PyResult<PyRef<Pin>> {
    if let Some(pin) = id.downcast_ref_if_exact::<Pin>(vm) {
        return Ok(pin.to_owned());
    }
    let name = id.downcast_ref::<PyStr>().and_then(|s| s.to_str().map(str::to_owned)).unwrap_or_default();
    let found = lock(&board()).find_pin(&name).ok_or_else(|| vm.new_value_error(INVALID))?;
    object(found, vm)
}

/// The pin object of GPIO `gpio` (`ValueError` if the board has no pin on it).
pub(crate) fn by_gpio(gpio: u8, vm: &VirtualMachine) -> PyResult<PyRef<Pin>> {
    let model = lock(&board()).model();
    let found = pycom_board::pins::pin_names(model).iter().find(|p| p.gpio == gpio);
    object(*found.ok_or_else(|| vm.new_value_error(INVALID))?, vm)
}

/// The one object of a named pin, made at its first use in this boot.
fn object(found: pycom_board::pins::PinName, vm: &VirtualMachine) -> PyResult<PyRef<Pin>> {
    if let Some(pin) = state::with(|s| s.pins.get(&found.gpio).cloned()) {
        return Ok(pin);
    }
    let (mode, pull) = lock(&board()).pin_mode(found.gpio);
    let settings = Settings {
        mode: match mode {
            PinMode::Input => IN,
            PinMode::Output => OUT,
            PinMode::OpenDrain => OPEN_DRAIN,
        },
        pull: match pull {
            Some(Pull::Up) => PULL_UP,
            Some(Pull::Down) => PULL_DOWN,
            None => 0,
        },
        value: false,
        alt: -1,
        hold: false,
        callback: None,
    };
    Pin::make_static_type();
    let pin = Pin { gpio: found.gpio, name: found.module, settings: PyMutex::new(settings) }.into_ref(&vm.ctx);
    state::with(|s| s.pins.insert(found.gpio, pin.clone()));
    Ok(pin)
}

impl Pin {
    /// The ESP32 GPIO number.
    pub(crate) fn gpio(&self) -> u8 {
        self.gpio
    }

    /// The registered handler, if any.
    pub(crate) fn registered(&self) -> Option<Callback> {
        self.settings.lock().callback.clone()
    }

    /// `pin_obj_configure`: output latch first, then direction and pull.
    fn configure(&self) {
        let (mode, pull, value) = {
            let s = self.settings.lock();
            (s.mode, s.pull, s.value)
        };
        let board = board();
        let mut board = lock(&board);
        board.pin_write(self.gpio, value);
        board.pin_configure(self.gpio, board_mode(mode), board_pull(pull));
    }

    fn write(&self, value: bool) {
        self.settings.lock().value = value;
        lock(&board()).pin_write(self.gpio, value);
    }

    fn read(&self) -> bool {
        let (mode, value) = {
            let s = self.settings.lock();
            (s.mode, s.value)
        };
        if mode == OUT { value } else { lock(&board()).pin_level(self.gpio) == Level::High }
    }

    fn set_trigger(&self, trigger: u32) {
        let trigger = Trigger::from_bits(trigger).unwrap_or(Trigger::Disabled);
        lock(&board()).set_pin_trigger(self.gpio, trigger);
    }

    /// `value([x])` and `pin([x])`.
    fn get_or_set(&self, value: Option<PyObjectRef>, vm: &VirtualMachine) -> PyResult<Option<u8>> {
        let result = match value {
            None => Some(u8::from(self.read())),
            Some(v) => {
                self.write(v.try_to_bool(vm)?);
                None
            }
        };
        crate::irq_task::run_pending(vm)?;
        Ok(result)
    }

    /// `pin_obj_init_helper`: `(mode=IN, pull=None, *, value, alt)`. Disables
    /// the interrupt (the handler stays registered).
    fn init_helper(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["mode", "pull"], &["value", "alt"], vm)?;
        let mode = args.remove("mode").map(|m| check_mode(&m, vm)).transpose()?.unwrap_or(IN);
        let pull = args.remove("pull").map(|p| check_pull(&p, vm)).transpose()?.unwrap_or(0);
        let value = args.remove("value").map(|v| v.try_to_bool(vm)).transpose()?;
        let alt = match args.remove("alt") {
            Some(alt) if !vm.is_none(&alt) => get_int(&alt, vm)?,
            _ => -1,
        };
        if alt > 255 {
            return Err(vm.new_value_error(INVALID));
        }
        {
            let mut s = self.settings.lock();
            (s.mode, s.pull, s.alt) = (mode, pull, alt);
            if let Some(value) = value {
                s.value = value;
            }
        }
        self.set_trigger(0);
        self.configure();
        crate::irq_task::run_pending(vm)
    }

    fn register(&self, trigger: u32, callback: Option<Callback>, vm: &VirtualMachine) -> PyResult<()> {
        self.set_trigger(0);
        match callback {
            Some(callback) if trigger != 0 => {
                self.settings.lock().callback = Some(callback);
                self.configure();
                self.set_trigger(trigger);
            }
            _ => self.settings.lock().callback = None,
        }
        crate::irq_task::run_pending(vm)
    }
}

impl Constructor for Pin {
    type Args = FuncArgs;

    /// `Pin(id, mode=IN, pull=None, *, value, alt)`: the pin's one object,
    /// re-initialised.
    fn slot_new(_cls: PyTypeRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        if args.args.is_empty() {
            return Err(vm.new_type_error("function missing 1 required positional arguments"));
        }
        let id = args.args.remove(0);
        let pin = find(&id, vm)?;
        pin.init_helper(args, vm)?;
        Ok(pin.into())
    }

    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        Err(vm.new_type_error("cannot create 'Pin' instances"))
    }
}

impl Callable for Pin {
    type Args = FuncArgs;

    /// `pin()` reads, `pin(x)` writes.
    fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let value = optional_arg(args, vm)?;
        Ok(zelf.get_or_set(value, vm)?.map_or_else(|| vm.ctx.none(), |v| vm.ctx.new_int(v).into()))
    }
}

impl Representable for Pin {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        let s = zelf.settings.lock();
        let mode = match s.mode {
            IN => "IN",
            OUT => "OUT",
            _ => "OPEN_DRAIN",
        };
        let pull = match s.pull {
            PULL_UP => "Pin.PULL_UP",
            PULL_DOWN => "Pin.PULL_DOWN",
            _ => "None",
        };
        Ok(format!("Pin('{}', mode=Pin.{mode}, pull={pull}, alt={})", zelf.name, s.alt))
    }
}

#[pyclass(with(Constructor, Callable, Representable))]
impl Pin {
    #[pyattr(name = "IN")]
    fn in_(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(IN).into()
    }

    #[pyattr(name = "OUT")]
    fn out(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(OUT).into()
    }

    #[pyattr(name = "OPEN_DRAIN")]
    fn open_drain(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(OPEN_DRAIN).into()
    }

    #[pyattr(name = "PULL_UP")]
    fn pull_up(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(PULL_UP).into()
    }

    #[pyattr(name = "PULL_DOWN")]
    fn pull_down(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(PULL_DOWN).into()
    }

    #[pyattr(name = "IRQ_RISING")]
    fn irq_rising(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(Trigger::Rising as u8).into()
    }

    #[pyattr(name = "IRQ_FALLING")]
    fn irq_falling(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(Trigger::Falling as u8).into()
    }

    #[pyattr(name = "IRQ_LOW_LEVEL")]
    fn irq_low_level(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(Trigger::LowLevel as u8).into()
    }

    #[pyattr(name = "IRQ_HIGH_LEVEL")]
    fn irq_high_level(ctx: &rustpython_vm::Context) -> PyObjectRef {
        ctx.new_int(Trigger::HighLevel as u8).into()
    }

    /// `init(mode=IN, pull=None, *, value, alt)`.
    #[pymethod]
    fn init(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        zelf.init_helper(args, vm)
    }

    /// `value([x])`: an output reads back the value last written; inputs and
    /// open-drain pins read the line.
    #[pymethod]
    fn value(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<u8>> {
        method_arity(&args, 0, 1, vm)?;
        zelf.get_or_set(args.args.into_iter().next(), vm)
    }

    /// `toggle()`: inverts the value last written.
    #[pymethod]
    fn toggle(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        method_arity(&args, 0, 0, vm)?;
        let value = !zelf.settings.lock().value;
        zelf.write(value);
        crate::irq_task::run_pending(vm)
    }

    /// `id()`: the module name (`'P10'`), whatever name found the pin.
    #[pymethod]
    fn id(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<&'static str> {
        method_arity(&args, 0, 0, vm)?;
        Ok(zelf.name)
    }

    /// `mode([mode])`: setting it reconfigures the pin (and drives it again
    /// after `pulses_get` let it go).
    #[pymethod]
    fn mode(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<i32>> {
        method_arity(&args, 0, 1, vm)?;
        let Some(mode) = args.args.first() else { return Ok(Some(zelf.settings.lock().mode)) };
        zelf.settings.lock().mode = check_mode(mode, vm)?;
        zelf.configure();
        crate::irq_task::run_pending(vm)?;
        Ok(None)
    }

    /// `pull([pull])`: `None`, `PULL_UP` or `PULL_DOWN`.
    #[pymethod]
    fn pull(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
        method_arity(&args, 0, 1, vm)?;
        let Some(pull) = args.args.first() else {
            let pull = zelf.settings.lock().pull;
            return Ok(Some(if pull == 0 { vm.ctx.none() } else { vm.ctx.new_int(pull).into() }));
        };
        zelf.settings.lock().pull = check_pull(pull, vm)?;
        zelf.configure();
        crate::irq_task::run_pending(vm)?;
        Ok(None)
    }

    /// `hold([hold])`: freezes the pad (RTC-domain pins only). The firmware
    /// stores the request before it checks the pin, so the getter reports it
    /// even after the error.
    #[pymethod]
    fn hold(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Option<bool>> {
        method_arity(&args, 0, 1, vm)?;
        let Some(hold) = args.args.first() else { return Ok(Some(zelf.settings.lock().hold)) };
        let hold = hold.clone().try_to_bool(vm)?;
        zelf.settings.lock().hold = hold;
        if !RTC_GPIOS.contains(&zelf.gpio) {
            return Err(vm.new_os_error("the hold functionality is only available for GPIO pins in the RTC domain"));
        }
        lock(&board()).set_pin_hold(zelf.gpio, hold);
        Ok(None)
    }

    /// `callback(trigger, handler=None, arg=None)`: `handler(arg)` runs after
    /// each matching edge, with the pin as `arg` unless given; trigger 0 or no
    /// handler removes it.
    #[pymethod]
    fn callback(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["trigger", "handler", "arg"], &[], vm)?;
        let trigger = args.remove("trigger").map(|t| get_int(&t, vm)).transpose()?.unwrap_or(0);
        let handler = args.remove("handler").filter(|h| !vm.is_none(h));
        let arg = args.remove("arg").filter(|a| !vm.is_none(a));
        zelf.register(trigger as u32, handler.map(|handler| Callback { handler, arg }), vm)
    }

    /// `irq(handler=None, trigger=IRQ_FALLING | IRQ_RISING)`: MicroPython's
    /// name for `callback`, which firmware 1.20.2 does not have; the emulator
    /// accepts it and says so once.
    #[pymethod]
    fn irq(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["handler", "trigger"], &["priority", "wake", "hard"], vm)?;
        let trigger = args.remove("trigger").map(|t| get_int(&t, vm)).transpose()?.unwrap_or(Trigger::AnyEdge as i32);
        let handler = args.remove("handler").filter(|h| !vm.is_none(h));
        if !state::with(|s| std::mem::replace(&mut s.irq_alias_noted, true)) {
            eprintln!("[pycom-emu] Pin.irq() is MicroPython's; Pycom firmware 1.20.2 only has Pin.callback()");
        }
        zelf.register(trigger as u32, handler.map(|handler| Callback { handler, arg: None }), vm)
    }
}

/// `machine.Pin`, registered by the `machine` module.
pub(crate) fn class() -> PyTypeRef {
    Pin::make_static_type()
}
