//! `network.LoRa` (modlora.c): the LoPy4's and FiPy's LoRa radio, raw or
//! LoRaWAN, on the air the board shares with a fleet's other boards.

use pycom_board::lora::{Bandwidth, DeviceClass, LoraSettings, PowerMode, StackMode};
use pycom_lorawan::{Activation, DevAddr, Eui, Key, Region};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_array, get_int, get_int_truncated, method_arity, parse_args, truthy};
use crate::buffer::read_bytes;
use crate::state::{self, board, lock};

/// `OSError` text of a request the mode does not allow.
const NOT_POSSIBLE: &str = "the requested operation is not possible";
/// `OSError` text of a radio the board does not have, or an id other than 0.
const NOT_AVAILABLE: &str = "resource not available";
/// How often a `join` with a timeout looks whether the device joined (`LORA_JOIN_WAIT_MS`).
const JOIN_WAIT_MS: u64 = 50;
/// Lowest and highest transmit power, dBm.
const TX_POWER_MIN: i32 = 2;
const TX_POWER_MAX: i32 = 20;
/// The class constants.
const CONSTANTS: &[(&str, i64)] = &[
    ("LORA", 0),
    ("LORAWAN", 1),
    ("OTAA", 0),
    ("ABP", 1),
    ("ALWAYS_ON", 0),
    ("TX_ONLY", 1),
    ("SLEEP", 2),
    ("BW_125KHZ", 0),
    ("BW_250KHZ", 1),
    ("BW_500KHZ", 2),
    ("CODING_4_5", 1),
    ("CODING_4_6", 2),
    ("CODING_4_7", 3),
    ("CODING_4_8", 4),
    ("RX_PACKET_EVENT", pycom_board::lora::RX_PACKET_EVENT as i64),
    ("TX_PACKET_EVENT", pycom_board::lora::TX_PACKET_EVENT as i64),
    ("TX_FAILED_EVENT", pycom_board::lora::TX_FAILED_EVENT as i64),
    ("CLASS_A", 0),
    ("CLASS_C", 2),
    ("AS923", 0),
    ("AU915", 1),
    ("CN470", 2),
    ("EU868", 5),
    ("IN865", 7),
    ("US915", 8),
];
/// The keyword arguments of the constructor and `init()`.
const INIT_KEYWORDS: &[&str] = &[
    "mode",
    "frequency",
    "tx_power",
    "bandwidth",
    "sf",
    "preamble",
    "coding_rate",
    "power_mode",
    "tx_iq",
    "rx_iq",
    "adr",
    "public",
    "tx_retries",
    "device_class",
    "region",
];

/// The LoRa radio (the firmware has one `LoRa` object).
#[pyclass(module = "network", name = "LoRa")]
#[derive(Debug, PyPayload)]
pub(crate) struct Lora {}

/// The `network.LoRa` type.
pub(crate) fn class() -> PyTypeRef {
    Lora::make_static_type()
}

impl Constructor for Lora {
    type Args = FuncArgs;

    /// `LoRa(id=0, *, mode=LoRa.LORA, region, frequency, tx_power, bandwidth,
    /// sf=7, preamble=8, coding_rate, power_mode, tx_iq, rx_iq, adr,
    /// public=True, tx_retries=2, device_class)`: sets the radio up when
    /// keywords are given or it is not set up since boot.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        if !lock(&board()).model().has(pycom_board::Radio::LoRa) {
            return Err(vm.new_import_error("cannot import name 'LoRa'".to_owned(), vm.ctx.new_str("network")));
        }
        let keywords = !args.kwargs.is_empty();
        let mut parsed = parse_args(args, &["id"], INIT_KEYWORDS, vm)?;
        if parsed.remove("id").map(|id| get_int(&id, vm)).transpose()?.unwrap_or(0) != 0 {
            return Err(vm.new_os_error(NOT_AVAILABLE.to_owned()));
        }
        let set_up = lock(&board()).lora().settings().is_some();
        if keywords || !set_up {
            init(parsed, vm)?;
        }
        Ok(Self {})
    }
}

fn value_error(text: String, vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_value_error(text)
}

/// `lora_init_helper`: checks the settings as the firmware does and restarts the radio.
fn init(mut args: std::collections::HashMap<String, PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
    let mut int = |name: &str, default: i64| -> PyResult<i64> {
        args.remove(name).map_or(Ok(default), |v| get_int_truncated(&v, vm))
    };
    let mode_id = int("mode", 0)?;
    let mode = StackMode::from_id(mode_id).ok_or_else(|| value_error(format!("invalid mode {mode_id}"), vm))?;
    let region_id = match args.remove("region").filter(|r| !vm.is_none(r)) {
        Some(r) => get_int_truncated(&r, vm)?,
        None => {
            let stored = lock(&board()).config().lora_region();
            if stored == 0xFF {
                return Err(vm.new_value_error("no region specified and no default found in config block"));
            }
            i64::from(stored)
        }
    };
    let region = u8::try_from(region_id)
        .ok()
        .and_then(Region::from_firmware_id)
        .filter(|r| !matches!(r, Region::Cn470) || lock(&board()).model() == pycom_board::BoardModel::Lopy4)
        .ok_or_else(|| value_error(format!("invalid region {region_id}"), vm))?;
    let mut take = |name: &str| args.remove(name).filter(|v| !vm.is_none(v));
    let frequency = match take("frequency") {
        Some(f) => {
            let f = get_int_truncated(&f, vm)?;
            check_frequency(region, f, vm)?
        }
        None => default_frequency(region),
    };
    let tx_power = match take("tx_power") {
        Some(p) => check_tx_power(get_int_truncated(&p, vm)?, vm)?,
        None => default_tx_power(region),
    };
    let mut int = |name: &str, default: i64| -> PyResult<i64> {
        args.remove(name).map_or(Ok(default), |v| get_int_truncated(&v, vm))
    };
    let bandwidth_id = int("bandwidth", 0)?;
    let bandwidth = Bandwidth::from_id(bandwidth_id)
        .ok_or_else(|| value_error(format!("bandwidth {bandwidth_id} not supported"), vm))?;
    let sf = check_sf(int("sf", 7)?, vm)?;
    let preamble = int("preamble", 8)? as u8;
    let coding_rate = check_coding_rate(int("coding_rate", 1)?, vm)?;
    let power_id = int("power_mode", 0)?;
    let power_mode =
        PowerMode::from_id(power_id).ok_or_else(|| value_error(format!("invalid power mode {power_id}"), vm))?;
    let tx_retries = int("tx_retries", 2)? as u8;
    let class_id = int("device_class", 0)?;
    let device_class =
        DeviceClass::from_id(class_id).ok_or_else(|| value_error(format!("invalid device_class {class_id}"), vm))?;
    let mut flag =
        |name: &str, default: bool| -> PyResult<bool> { args.remove(name).map_or(Ok(default), |v| truthy(v, vm)) };
    let settings = LoraSettings {
        mode,
        region,
        frequency_hz: frequency,
        tx_power,
        bandwidth,
        sf,
        preamble: u16::from(preamble),
        coding_rate,
        power_mode,
        tx_iq: flag("tx_iq", false)?,
        rx_iq: flag("rx_iq", false)?,
        adr: flag("adr", false)?,
        public: flag("public", true)?,
        tx_retries,
        device_class,
    };
    let restore = state::with(|s| std::mem::take(&mut s.lora_restore));
    lock(&board()).lora_init(settings, restore);
    Ok(())
}

fn default_frequency(region: Region) -> u32 {
    match region {
        Region::As923 => 923_000_000,
        Region::Au915 | Region::Us915 => 915_000_000,
        Region::Eu868 => 868_000_000,
        // The firmware's switch falls through from CN470 to IN865.
        Region::Cn470 | Region::In865 => 865_000_000,
    }
}

fn default_tx_power(region: Region) -> i8 {
    match region {
        Region::Eu868 | Region::Cn470 => 14,
        _ => 20,
    }
}

fn check_frequency(region: Region, frequency: i64, vm: &VirtualMachine) -> PyResult<u32> {
    let range = match region {
        Region::As923 | Region::Au915 => 915_000_000..=928_000_000,
        Region::Us915 => 902_000_000..=928_000_000,
        Region::Cn470 => 470_000_000..=510_000_000,
        Region::In865 => 865_000_000..=867_000_000,
        Region::Eu868 => 863_000_000..=870_000_000,
    };
    u32::try_from(frequency)
        .ok()
        .filter(|f| range.contains(f))
        .ok_or_else(|| value_error(format!("frequency {frequency} out of range"), vm))
}

fn check_channel(region: Region, index: i64, vm: &VirtualMachine) -> PyResult<usize> {
    usize::try_from(index)
        .ok()
        .filter(|i| *i < region.max_channels())
        .ok_or_else(|| value_error(format!("channel {index} out of range"), vm))
}

fn check_tx_power(power: i64, vm: &VirtualMachine) -> PyResult<i8> {
    // The firmware takes the power as a byte before it checks it.
    let byte = power as u8;
    i8::try_from(byte)
        .ok()
        .filter(|p| (TX_POWER_MIN..=TX_POWER_MAX).contains(&i32::from(*p)))
        .ok_or_else(|| value_error(format!("Tx power {byte} out of range"), vm))
}

fn check_sf(sf: i64, vm: &VirtualMachine) -> PyResult<u8> {
    let byte = sf as u8;
    if (6..=12).contains(&byte) {
        Ok(byte)
    } else {
        Err(value_error(format!("spreading factor {byte} out of range"), vm))
    }
}

fn check_coding_rate(rate: i64, vm: &VirtualMachine) -> PyResult<u8> {
    let byte = rate as u8;
    if (1..=4).contains(&byte) { Ok(byte) } else { Err(value_error(format!("coding rate {byte} out of range"), vm)) }
}

/// The settings, once the radio is set up.
fn settings(vm: &VirtualMachine) -> PyResult<LoraSettings> {
    lock(&board()).lora().settings().cloned().ok_or_else(|| vm.new_os_error(NOT_POSSIBLE.to_owned()))
}

/// `lora.x()` reads a setting, `lora.x(value)` checks it and restarts the radio with it.
fn setting(
    args: FuncArgs,
    vm: &VirtualMachine,
    get: impl FnOnce(&LoraSettings) -> i64,
    set: impl FnOnce(&mut LoraSettings, i64, &VirtualMachine) -> PyResult<()>,
) -> PyResult {
    method_arity(&args, 0, 1, vm)?;
    let mut current = settings(vm)?;
    match args.args.first() {
        None => Ok(vm.ctx.new_int(get(&current)).into()),
        Some(value) => {
            let value = get_int_truncated(value, vm)?;
            set(&mut current, value, vm)?;
            lock(&board()).lora_init(current, false);
            Ok(vm.ctx.none())
        }
    }
}

fn key_arg<const N: usize>(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<[u8; N]> {
    let bytes = read_bytes(obj, vm)?;
    let mut out = [0; N];
    let n = bytes.len().min(N);
    out[..n].copy_from_slice(&bytes[..n]);
    Ok(out)
}

#[pyclass(with(Constructor))]
impl Lora {
    /// The class constants.
    #[extend_class]
    fn add_constants(ctx: &rustpython_vm::Context, class: &'static Py<PyType>) {
        crate::class_constants::add(ctx, class, CONSTANTS);
        class.set_attr(ctx.intern_str("timeout"), ctx.exceptions.timeout_error.to_owned().into());
    }

    /// `init(*, mode, region, frequency, ...)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let parsed = parse_args(args, &[], INIT_KEYWORDS, vm)?;
        init(parsed, vm)
    }

    /// `join(activation, *, auth, dr=None, timeout=None)`: OTAA joins in the
    /// background (or within `timeout` ms, else `TimeoutError`), ABP at once.
    #[pymethod]
    fn join(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let settings = settings(vm)?;
        if settings.mode != StackMode::Lorawan {
            return Err(vm.new_os_error(NOT_POSSIBLE.to_owned()));
        }
        let mut args = parse_args(args, &["activation"], &["auth", "dr", "timeout"], vm)?;
        let activation =
            args.remove("activation").ok_or_else(|| vm.new_type_error("'activation' argument required"))?;
        let activation = get_int_truncated(&activation, vm)?;
        let auth = args.remove("auth").ok_or_else(|| vm.new_type_error("'auth' argument required"))?;
        let activation = match activation {
            0 => {
                let auth = get_array(&auth, vm)?;
                let (dev_eui, app_eui, app_key) = match auth.as_slice() {
                    [app_eui, app_key] => (lock(&board()).lpwan_mac(), key_arg(app_eui, vm)?, key_arg(app_key, vm)?),
                    [dev_eui, app_eui, app_key, ..] => {
                        (key_arg(dev_eui, vm)?, key_arg(app_eui, vm)?, key_arg(app_key, vm)?)
                    }
                    _ => return Err(vm.new_index_error("tuple index out of range")),
                };
                Activation::Otaa { dev_eui: Eui(dev_eui), app_eui: Eui(app_eui), app_key: Key(app_key) }
            }
            1 => {
                let [dev_addr, nwk_skey, app_skey] = crate::args::get_array_fixed::<3>(&auth, vm)?;
                let dev_addr = get_int_truncated(&dev_addr, vm)? as u32;
                Activation::Abp {
                    dev_addr: DevAddr(dev_addr),
                    nwk_skey: Key(key_arg(&nwk_skey, vm)?),
                    app_skey: Key(key_arg(&app_skey, vm)?),
                }
            }
            other => return Err(value_error(format!("invalid activation type {other}"), vm)),
        };
        let dr = match args.remove("dr").filter(|d| !vm.is_none(d)) {
            None => settings.region.default_join_dr(),
            Some(dr) => {
                let dr = get_int_truncated(&dr, vm)?;
                u8::try_from(dr)
                    .ok()
                    .filter(|d| settings.region.join_dr_allowed(*d))
                    .ok_or_else(|| value_error(format!("invalid join data rate {dr}"), vm))?
            }
        };
        let timeout_ms =
            args.remove("timeout").filter(|t| !vm.is_none(t)).map(|t| get_int_truncated(&t, vm)).transpose()?;
        {
            let board = board();
            let mut b = lock(&board);
            let now = b.now_us();
            b.lora().join(activation, dr, now).map_err(|_| vm.new_os_error(NOT_POSSIBLE.to_owned()))?;
        }
        // As the firmware: no timeout waits up to INT32_MAX ms; the join is
        // looked at every 50 ms, and a wait that used up its time fails even
        // if the last look saw the device joined.
        let mut left = timeout_ms.unwrap_or(i64::from(i32::MAX));
        if left > 0 {
            while left >= 0 && !lock(&board()).lora().has_joined() {
                crate::modules::time::device_sleep(JOIN_WAIT_MS * 1000, vm)?;
                left -= JOIN_WAIT_MS as i64;
            }
            if left <= 0 {
                lock(&board()).lora().stop_join_retries();
                return Err(crate::modules::usocket::timed_out(vm));
            }
        }
        Ok(())
    }

    /// `has_joined()`.
    #[pymethod]
    fn has_joined(&self) -> bool {
        lock(&board()).lora().has_joined()
    }

    /// `tx_power([dbm])`.
    #[pymethod]
    fn tx_power(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        setting(
            args,
            vm,
            |s| i64::from(s.tx_power),
            |s, v, vm| {
                s.tx_power = check_tx_power(v, vm)?;
                Ok(())
            },
        )
    }

    /// `frequency([hz])`.
    #[pymethod]
    fn frequency(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        setting(
            args,
            vm,
            |s| i64::from(s.frequency_hz),
            |s, v, vm| {
                s.frequency_hz = check_frequency(s.region, v, vm)?;
                Ok(())
            },
        )
    }

    /// `sf([sf])`.
    #[pymethod]
    fn sf(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        setting(
            args,
            vm,
            |s| i64::from(s.sf),
            |s, v, vm| {
                s.sf = check_sf(v, vm)?;
                Ok(())
            },
        )
    }

    /// `bandwidth([bw])`.
    #[pymethod]
    fn bandwidth(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        setting(
            args,
            vm,
            |s| s.bandwidth.id(),
            |s, v, vm| {
                s.bandwidth =
                    Bandwidth::from_id(v).ok_or_else(|| value_error(format!("bandwidth {v} not supported"), vm))?;
                Ok(())
            },
        )
    }

    /// `coding_rate([rate])`.
    #[pymethod]
    fn coding_rate(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        setting(
            args,
            vm,
            |s| i64::from(s.coding_rate),
            |s, v, vm| {
                s.coding_rate = check_coding_rate(v, vm)?;
                Ok(())
            },
        )
    }

    /// `preamble([symbols])`.
    #[pymethod]
    fn preamble(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        setting(
            args,
            vm,
            |s| i64::from(s.preamble),
            |s, v, _| {
                s.preamble = u16::from(v as u8);
                Ok(())
            },
        )
    }

    /// `power_mode([mode])`: the receiver wakes or sleeps.
    #[pymethod]
    fn power_mode(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let current = settings(vm)?;
        match args.args.first() {
            None => Ok(vm.ctx.new_int(current.power_mode.id()).into()),
            Some(value) => {
                let id = get_int_truncated(value, vm)?;
                let mode = PowerMode::from_id(id).ok_or_else(|| value_error(format!("invalid power mode {id}"), vm))?;
                let board = board();
                let mut b = lock(&board);
                let now = b.now_us();
                b.lora().set_power_mode(mode, now);
                Ok(vm.ctx.none())
            }
        }
    }

    /// `stats()`: `(rx_timestamp, rssi, snr, sfrx, sftx, tx_trials, tx_power,
    /// tx_time_on_air, tx_counter, tx_frequency)` as a named tuple.
    #[pymethod]
    fn stats(&self, vm: &VirtualMachine) -> PyResult {
        let s = lock(&board()).lora().stats();
        crate::prelude::attrtuple(
            vec![
                ("rx_timestamp", vm.ctx.new_int(s.rx_timestamp).into()),
                ("rssi", vm.ctx.new_int(s.rssi).into()),
                ("snr", vm.ctx.new_float(s.snr).into()),
                ("sfrx", vm.ctx.new_int(s.sfrx).into()),
                ("sftx", vm.ctx.new_int(s.sftx).into()),
                ("tx_trials", vm.ctx.new_int(s.tx_trials).into()),
                ("tx_power", vm.ctx.new_int(s.tx_power).into()),
                ("tx_time_on_air", vm.ctx.new_int(s.tx_time_on_air).into()),
                ("tx_counter", vm.ctx.new_int(s.tx_counter).into()),
                ("tx_frequency", vm.ctx.new_int(s.tx_frequency).into()),
            ],
            vm,
        )
    }

    /// `add_channel(index, *, frequency, dr_min, dr_max)`.
    #[pymethod]
    fn add_channel(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["index"], &["frequency", "dr_min", "dr_max"], vm)?;
        let mut required = |name: &str| {
            args.remove(name)
                .ok_or_else(|| vm.new_type_error(format!("'{name}' argument required")))
                .and_then(|v| get_int_truncated(&v, vm))
        };
        let (index, frequency) = (required("index")?, required("frequency")?);
        let (dr_min, dr_max) = (required("dr_min")?, required("dr_max")?);
        let region = settings(vm)?.region;
        let index = check_channel(region, index, vm)?;
        // The firmware checks the data rates, not the frequency (the MAC ignores one its region refuses).
        let top = if region == Region::Us915 { 4 } else { 6 };
        if dr_min > dr_max || !(0..=top).contains(&dr_min) || !(0..=top).contains(&dr_max) {
            return Err(vm.new_value_error("invalid argument(s) value"));
        }
        let frequency = u32::try_from(frequency).unwrap_or(0);
        lock(&board()).lora().add_channel(index, frequency, dr_min as u8, dr_max as u8);
        Ok(())
    }

    /// `remove_channel(index)`.
    #[pymethod]
    fn remove_channel(&self, index: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let region = settings(vm)?.region;
        let index = check_channel(region, get_int_truncated(&index, vm)?, vm)?;
        lock(&board()).lora().remove_channel(index);
        Ok(())
    }

    /// `mac()`: the DevEUI, 8 bytes.
    #[pymethod]
    fn mac(&self, vm: &VirtualMachine) -> PyObjectRef {
        vm.ctx.new_bytes(lock(&board()).lpwan_mac().to_vec()).into()
    }

    /// `callback(trigger, handler=None, arg=None)`: `handler(arg)` runs when
    /// one of the `trigger` events happens; `arg` defaults to the LoRa object.
    #[pymethod]
    fn callback(zelf: rustpython_vm::PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut args = parse_args(args, &["trigger", "handler", "arg"], &[], vm)?;
        let trigger = args.remove("trigger").ok_or_else(|| vm.new_type_error("'trigger' argument required"))?;
        let handler = args.remove("handler").filter(|h| !vm.is_none(h));
        let arg = args.remove("arg").filter(|a| !vm.is_none(a));
        match (vm.is_none(&trigger), handler) {
            (false, Some(handler)) => {
                let trigger = get_int_truncated(&trigger, vm)? as u8;
                let arg = arg.unwrap_or_else(|| zelf.into());
                state::with(|s| s.lora_callback = Some((handler, arg)));
                lock(&board()).lora().set_trigger(trigger);
            }
            _ => {
                state::with(|s| s.lora_callback = None);
                lock(&board()).lora().set_trigger(0);
            }
        }
        Ok(())
    }

    /// `events()`: the events since the last call, cleared.
    #[pymethod]
    fn events(&self) -> u8 {
        lock(&board()).lora().take_events()
    }

    /// `ischannel_free(rssi_threshold, time_ms)`: listens for `time_ms`.
    #[pymethod]
    fn ischannel_free(&self, threshold: PyObjectRef, time_ms: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
        let threshold = get_int(&threshold, vm)?;
        let ms = u64::try_from(get_int(&time_ms, vm)?).unwrap_or(0);
        let start = lock(&board()).now_us();
        crate::modules::time::device_sleep(ms * 1000, vm)?;
        let board = board();
        let mut b = lock(&board);
        let end = b.now_us();
        Ok(b.lora().channel_free(threshold, start, end))
    }

    /// `set_battery_level(level)`: what DevStatusAns reports.
    #[pymethod]
    fn set_battery_level(&self, level: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        get_int(&level, vm)?;
        Ok(())
    }

    /// `airtime(length)`: ms on air of a frame of `length` bytes.
    #[pymethod]
    fn airtime(&self, length: PyObjectRef, vm: &VirtualMachine) -> PyResult<u64> {
        let length = usize::try_from(get_int(&length, vm)?).unwrap_or(0);
        Ok(lock(&board()).lora().airtime_ms(length))
    }

    /// `nvram_save()`: the LoRaWAN session goes to NVS.
    #[pymethod]
    fn nvram_save(&self, vm: &VirtualMachine) -> PyResult<()> {
        lock(&board()).lora_nvram_save().map_err(|_| vm.new_os_error("the requested operation failed".to_owned()))
    }

    /// `nvram_restore()`: the next `LoRa(mode=LoRa.LORAWAN)` setup (now,
    /// if the radio is set up) brings back the saved session.
    #[pymethod]
    fn nvram_restore(&self) {
        state::with(|s| s.lora_restore = true);
        let current = lock(&board()).lora().settings().cloned();
        if let Some(current) = current.filter(|s| s.mode == StackMode::Lorawan) {
            state::with(|s| s.lora_restore = false);
            lock(&board()).lora_init(current, true);
        }
    }

    /// `nvram_erase()`.
    #[pymethod]
    fn nvram_erase(&self, vm: &VirtualMachine) -> PyResult<()> {
        lock(&board()).lora_nvram_erase().map_err(|_| vm.new_os_error("the requested operation failed".to_owned()))
    }
}
