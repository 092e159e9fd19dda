//! `pycom`: the heartbeat LED, NVS and boot settings (the rest of the module lands
//! with the boot-config and OTA work).

pub(crate) use pycom::module_def;

#[rustpython_vm::pymodule]
mod pycom {
    use pycom_board::nvs::{NvsError, PycomValue};
    use pycom_board::{Board, BootKind, BootmgrRequest, OtaFinish, OtaWrite, ResetCause};
    use pycom_formats::ConfigBlock;
    use pycom_formats::config_block::{
        StoredWifiMode, TextField, WIFI_PWD_AP, WIFI_PWD_STA, WIFI_SSID_AP, WIFI_SSID_STA,
    };
    use rustpython_vm::builtins::PyBaseExceptionRef;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use crate::args::{arity, get_int, keyword_only, optional_arg, truthy};
    use crate::config_args::{self, SIGFOX_FIELDS, WDT_MIN_TIMEOUT_MS};
    use crate::nvs_args::{self, NvsInput};
    use crate::state::{self, board, lock};

    /// `pycom.FACTORY`: the factory app slot for `bootmgr`.
    #[pyattr]
    const FACTORY: u8 = 0;
    /// `pycom.OTA_0`: the OTA app slot for `bootmgr`.
    #[pyattr]
    const OTA_0: u8 = 1;
    /// `pycom.FAT`: FAT `/flash` for `bootmgr(fs_type=)`.
    #[pyattr]
    const FAT: u8 = 0;
    /// `pycom.LittleFS`: LittleFS `/flash` for `bootmgr(fs_type=)`.
    #[pyattr(name = "LittleFS")]
    const LITTLE_FS: u8 = 1;

    fn os_error(msg: &str, vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
        vm.new_os_error(msg.to_owned())
    }

    /// A `name([on])` function: with no argument returns the setting, with one sets
    /// it from the argument's truthiness and returns None.
    fn bool_setting(
        args: FuncArgs,
        vm: &VirtualMachine,
        get: impl FnOnce(&Board) -> bool,
        set: impl FnOnce(&mut Board, bool) -> PyResult<()>,
    ) -> PyResult {
        let board = board();
        match optional_arg(args, vm)? {
            None => Ok(vm.ctx.new_bool(get(&lock(&board))).into()),
            Some(on) => {
                let on = truthy(on, vm)?;
                set(&mut lock(&board), on)?;
                Ok(vm.ctx.none())
            }
        }
    }

    fn write_failed(vm: &VirtualMachine) -> PyBaseExceptionRef {
        os_error("the requested operation failed", vm)
    }

    /// Changes the config block (rewritten only if a byte changes).
    fn update_config(change: impl FnOnce(&mut ConfigBlock), vm: &VirtualMachine) -> PyResult<()> {
        lock(&board()).update_config(change).map(drop).map_err(|_| write_failed(vm))
    }

    /// A boolean config-block setting as a `name([on])` function.
    fn config_flag(
        args: FuncArgs,
        vm: &VirtualMachine,
        get: fn(&ConfigBlock) -> bool,
        set: fn(&mut ConfigBlock, bool),
    ) -> PyResult {
        bool_setting(
            args,
            vm,
            |b| get(b.config()),
            |b, on| b.update_config(|c| set(c, on)).map(drop).map_err(|_| write_failed(vm)),
        )
    }

    /// A Wi-Fi SSID or password: `None` erases it, a str is copied over the whole
    /// field (a longer one loses its terminator, as on the board, and the
    /// emulator says so), anything else is ignored.
    fn text_setting(args: FuncArgs, vm: &VirtualMachine, field: TextField, name: &str) -> PyResult {
        match optional_arg(args, vm)? {
            None => Ok(match lock(&board()).config().text(field) {
                Some(text) => vm.ctx.new_str(String::from_utf8_lossy(text).into_owned()).into(),
                None => vm.ctx.none(),
            }),
            Some(value) if vm.is_none(&value) => {
                update_config(
                    |c| {
                        c.set_text(field, None);
                    },
                    vm,
                )?;
                Ok(vm.ctx.none())
            }
            Some(value) => {
                if let Some(text) = value.downcast_ref::<rustpython_vm::builtins::PyStr>() {
                    let text = text.as_bytes().to_vec();
                    let mut cut = false;
                    update_config(|c| cut = c.set_text(field, Some(&text)), vm)?;
                    if cut {
                        eprintln!(
                            "[pycom-emu] {name}: {} bytes do not fit the {}-byte field; the firmware stores the \
                             first {} without a terminator, so reading it back runs into the next field",
                            text.len(),
                            field.len,
                            field.len
                        );
                    }
                }
                Ok(vm.ctx.none())
            }
        }
    }

    /// `heartbeat([on])`.
    #[pyfunction]
    fn heartbeat(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        bool_setting(args, vm, Board::heartbeat, |b, on| {
            b.set_heartbeat(on);
            Ok(())
        })
    }

    /// `rgbled([colour])`: refused while the heartbeat runs, even as a getter.
    #[pyfunction]
    fn rgbled(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let board = board();
        if lock(&board).heartbeat() {
            return Err(os_error("the requested operation is not possible", vm));
        }
        let arg: Option<PyObjectRef> = optional_arg(args, vm)?;
        let mut b = lock(&board);
        match arg {
            None => {
                let colour = b.rgbled().map_err(|e| os_error(&e.to_string(), vm))?;
                Ok(vm.ctx.new_int(colour).into())
            }
            Some(colour) => {
                let colour = get_int(&colour, vm)? as u32;
                b.set_rgbled(colour).map_err(|e| os_error(&e.to_string(), vm))?;
                Ok(vm.ctx.none())
            }
        }
    }

    /// `heartbeat_on_boot([on])`: config byte 152 bit 0, applied at the next boot
    /// or soft reset.
    #[pyfunction]
    fn heartbeat_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        config_flag(args, vm, ConfigBlock::heartbeat_on_boot, ConfigBlock::set_heartbeat_on_boot)
    }

    /// `wifi_on_boot([on[, apply]])`: config byte 53 bit 0. `apply` would start or
    /// stop Wi-Fi now; the emulated board has no Wi-Fi yet.
    #[pyfunction]
    fn wifi_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 2, vm)?;
        let mut args = args;
        args.args.truncate(1);
        config_flag(args, vm, ConfigBlock::wifi_on_boot, ConfigBlock::set_wifi_on_boot)
    }

    /// `wifi_mode_on_boot([mode])`: the `WLAN` constant (0 none, 1 STA, 2 AP, 3
    /// STA_AP); other values are ignored.
    #[pyfunction]
    fn wifi_mode_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        match optional_arg(args, vm)? {
            None => {
                let mode = match lock(&board()).config().wifi_mode() {
                    StoredWifiMode::Sta => 1,
                    StoredWifiMode::Ap => 2,
                    StoredWifiMode::ApSta => 3,
                    StoredWifiMode::None => 0,
                };
                Ok(vm.ctx.new_int(mode).into())
            }
            Some(mode) => {
                let stored = match get_int(&mode, vm)? {
                    0 => Some(StoredWifiMode::None),
                    1 => Some(StoredWifiMode::Sta),
                    2 => Some(StoredWifiMode::Ap),
                    3 => Some(StoredWifiMode::ApSta),
                    _ => None,
                };
                if let Some(stored) = stored {
                    update_config(|c| c.set_wifi_mode(stored), vm)?;
                }
                Ok(vm.ctx.none())
            }
        }
    }

    /// `wifi_ssid_sta([ssid])`: config bytes 54..87.
    #[pyfunction]
    fn wifi_ssid_sta(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        text_setting(args, vm, WIFI_SSID_STA, "wifi_ssid_sta")
    }

    /// `wifi_pwd_sta([password])`: config bytes 87..152.
    #[pyfunction]
    fn wifi_pwd_sta(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        text_setting(args, vm, WIFI_PWD_STA, "wifi_pwd_sta")
    }

    /// `wifi_ssid_ap([ssid])`: config bytes 536..569.
    #[pyfunction]
    fn wifi_ssid_ap(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        text_setting(args, vm, WIFI_SSID_AP, "wifi_ssid_ap")
    }

    /// `wifi_pwd_ap([password])`: config bytes 569..634.
    #[pyfunction]
    fn wifi_pwd_ap(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        text_setting(args, vm, WIFI_PWD_AP, "wifi_pwd_ap")
    }

    /// `smart_config_on_boot([on])`: config byte 53 bit 3.
    #[pyfunction]
    fn smart_config_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        config_flag(args, vm, ConfigBlock::smart_config_on_boot, ConfigBlock::set_smart_config_on_boot)
    }

    /// `pybytes_on_boot([on])`: config byte 498.
    #[pyfunction]
    fn pybytes_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        config_flag(args, vm, ConfigBlock::pybytes_on_boot, ConfigBlock::set_pybytes_on_boot)
    }

    /// `lte_modem_en_on_boot([on])` (the firmware's name): config byte 520.
    #[pyfunction]
    fn lte_modem_en_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        config_flag(args, vm, ConfigBlock::lte_modem_on_boot, ConfigBlock::set_lte_modem_on_boot)
    }

    /// `lte_modem_on_boot([on])` (the documented name of `lte_modem_en_on_boot`).
    #[pyfunction]
    fn lte_modem_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        lte_modem_en_on_boot(args, vm)
    }

    /// `wdt_on_boot([on])`: config byte 512; the watchdog starts at the next hard boot.
    #[pyfunction]
    fn wdt_on_boot(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        config_flag(args, vm, ConfigBlock::wdt_on_boot, ConfigBlock::set_wdt_on_boot)
    }

    /// `wdt_on_boot_timeout([ms])`: config bytes 516..520 (u32); at least 5000 ms,
    /// negative values wrap to large ones as in C.
    #[pyfunction]
    fn wdt_on_boot_timeout(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        match optional_arg(args, vm)? {
            None => Ok(vm.ctx.new_int(lock(&board()).config().wdt_on_boot_timeout()).into()),
            Some(ms) => {
                let ms = get_int(&ms, vm)? as u32;
                if ms < WDT_MIN_TIMEOUT_MS {
                    return Err(vm.new_value_error(format!("WDT on boot timeout must be >= {WDT_MIN_TIMEOUT_MS} ms")));
                }
                update_config(|c| c.set_wdt_on_boot_timeout(ms), vm)?;
                Ok(vm.ctx.none())
            }
        }
    }

    /// `get_free_heap()`: free bytes of the ESP-IDF heap, internal and PSRAM
    /// (`'NO_EXT_RAM'` on boards without PSRAM).
    #[pyfunction]
    fn get_free_heap(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        let (internal, psram) = lock(&board()).model().idf_heap_free();
        let second: PyObjectRef = match psram {
            Some(free) => vm.ctx.new_int(free).into(),
            None => vm.ctx.new_str("NO_EXT_RAM").into(),
        };
        Ok(vm.ctx.new_tuple(vec![vm.ctx.new_int(internal).into(), second]).into())
    }

    /// `create_128bit_le_uuid_from_string(hex)`: a 16-byte bytearray, byte order reversed.
    #[pyfunction]
    fn create_128bit_le_uuid_from_string(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 1, vm)?;
        let text = crate::args::str_or_bytes(&args.args[0], vm)?;
        let bytes = config_args::uuid_from_hex(&text, vm)?;
        Ok(vm.ctx.new_bytearray(bytes).into())
    }

    /// `sigfox_info(*, id=, pac=, public_key=, private_key=, force=False)`: without
    /// credentials, whether all four are stored; with them, stores each (hex
    /// digits), refusing to overwrite without `force`. Only on Sigfox boards.
    #[pyfunction]
    fn sigfox_info(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let mut kwargs = keyword_only(args, &["id", "pac", "public_key", "private_key", "force"], vm)?;
        let force = match kwargs.remove("force") {
            Some(force) => truthy(force, vm)?,
            None => false,
        };
        if kwargs.is_empty() {
            let config = lock(&board()).config().clone();
            let all_set = SIGFOX_FIELDS.iter().all(|spec| config.sigfox_is_set(spec.field));
            return Ok(vm.ctx.new_bool(all_set).into());
        }
        for spec in &SIGFOX_FIELDS {
            let Some(value) = kwargs.get(spec.keyword).filter(|v| !vm.is_none(v)) else { continue };
            let already_set = lock(&board()).config().sigfox_is_set(spec.field);
            let bytes = spec.parse(value, already_set, force, vm)?;
            update_config(|c| c.set_sigfox(spec.field, &bytes), vm)
                .map_err(|_| vm.new_value_error(format!("Failed to write {}", spec.keyword)))?;
        }
        Ok(vm.ctx.new_bool(true).into())
    }

    /// `bootmgr(*, boot_partition=, fs_type=, safeboot=, reset=False)`: without
    /// arguments the tuple `(image, filesystem, 'SafeBoot: ...', 'Status: ...')`;
    /// with them, stores the boot partition (and resets), the safe-boot request
    /// or the filesystem type for the next boot.
    #[pyfunction]
    fn bootmgr(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let kwargs = keyword_only(args, &["boot_partition", "fs_type", "safeboot", "reset"], vm)?;
        let byte = |name: &str| -> PyResult<Option<u8>> {
            match kwargs.get(name) {
                Some(v) => Ok(Some(get_int(v, vm)? as u8).filter(|&b| b != 255)),
                None => Ok(None),
            }
        };
        let reset = match kwargs.get("reset") {
            Some(v) => truthy(v.clone(), vm)?,
            None => false,
        };
        let request = BootmgrRequest {
            boot_partition: byte("boot_partition")?,
            fs_type: byte("fs_type")?,
            safeboot: byte("safeboot")?,
            reset,
        };
        let board = board();
        if request.is_query() {
            let st = lock(&board).bootmgr_state();
            let status = match st.status {
                0 => "Status: Check",
                2 => "Status: Patch",
                _ => "Status: Ready",
            };
            let items = [
                if st.active_image == 0 { "Factory" } else { "ota_0" },
                if st.fs_is_fat { "FAT" } else { "LittleFS" },
                if st.safe_boot { "SafeBoot: True" } else { "SafeBoot: False" },
                status,
            ];
            return Ok(vm.ctx.new_tuple(items.iter().map(|s| vm.ctx.new_str(*s).into()).collect()).into());
        }
        let must_reset = lock(&board).bootmgr(request).map_err(|e| vm.new_value_error(e.to_string()))?;
        if must_reset {
            state::with(|s| s.reset = Some(BootKind::Hard(ResetCause::Hard)));
            return Err(state::unwind(vm));
        }
        Ok(vm.ctx.none())
    }

    /// `nvs_set(key, value)`: an int is stored as `u32`, a str or bytes as a string.
    #[pyfunction]
    fn nvs_set(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 2, 2, vm)?;
        let key = crate::args::str_or_bytes(&args.args[0], vm)?;
        let value = nvs_args::value(&args.args[1], vm)?;
        let board = board();
        let result = lock(&board).with_nvs(|nvs, flash| match &value {
            NvsInput::U32(v) => nvs.set_u32(flash, &key, *v),
            NvsInput::Str(s) => nvs.set_str(flash, &key, s),
        });
        result.map_err(|e| nvs_args::set_error(e, vm))?;
        Ok(vm.ctx.none())
    }

    /// `nvs_get(key[, default])`: the int (signed 32-bit) or string stored under
    /// `key`; without a default a missing key raises `ValueError`.
    #[pyfunction]
    fn nvs_get(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 2, vm)?;
        let key = crate::args::str_or_bytes(&args.args[0], vm)?;
        let board = board();
        let found = lock(&board).with_nvs(|nvs, flash| nvs.get(flash, &key));
        match found {
            Ok(PycomValue::Int(v)) => Ok(vm.ctx.new_int(v).into()),
            Ok(PycomValue::Str(bytes)) => Ok(nvs_args::stored_str(&bytes, vm)),
            Err(NvsError::NotFound) => match args.args.get(1) {
                Some(default) => Ok(default.clone()),
                None => Err(vm.new_value_error("No matching object for the provided key")),
            },
            Err(e) => Err(nvs_args::get_error(&e, vm)),
        }
    }

    /// `nvs_erase(key)`: `KeyError` if there is no such key; other errors are ignored.
    #[pyfunction]
    fn nvs_erase(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 1, vm)?;
        let key = crate::args::str_or_bytes(&args.args[0], vm)?;
        let board = board();
        let result = lock(&board).with_nvs(|nvs, flash| nvs.erase(flash, &key));
        match result {
            Err(NvsError::NotFound) => Err(vm.new_key_error(vm.ctx.new_str("key not found").into())),
            _ => Ok(vm.ctx.none()),
        }
    }

    /// `nvs_erase_all()`: erases every key of the `PY_NVM` namespace.
    #[pyfunction]
    fn nvs_erase_all(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        let board = board();
        let result = lock(&board).with_nvs(|nvs, flash| nvs.erase_all(flash));
        result.map_err(|_| os_error("the requested operation failed", vm))?;
        Ok(vm.ctx.none())
    }

    fn flash_failed(vm: &VirtualMachine) -> PyBaseExceptionRef {
        os_error("the requested operation failed", vm)
    }

    /// `ota_start()`: erases the start of the next app slot.
    #[pyfunction]
    fn ota_start(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        lock(&board()).ota_start().map_err(|_| flash_failed(vm))?;
        Ok(vm.ctx.none())
    }

    /// `ota_write(buffer)`: programs the next bytes of the image (no checks, as
    /// the firmware; the emulator warns where the board would misbehave).
    #[pyfunction]
    fn ota_write(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        use rustpython_vm::convert::TryFromBorrowedObject;
        arity(&args, 1, 1, vm)?;
        let buffer = rustpython_vm::protocol::PyBuffer::try_from_borrowed_object(vm, &args.args[0])
            .map_err(|_| vm.new_type_error("object with buffer protocol required"))?;
        let data = buffer.contiguous_or_collect(|bytes| bytes.to_vec());
        let board = board();
        let written = lock(&board).ota_write(&data);
        for note in lock(&board).take_diagnostics() {
            eprintln!("[pycom-emu] {note}");
        }
        match written.map_err(|_| flash_failed(vm))? {
            OtaWrite::Written => Ok(vm.ctx.none()),
            OtaWrite::Aborted(why) => {
                eprintln!("[pycom-emu] {why}");
                state::with(|s| s.reset = Some(BootKind::Hard(ResetCause::Hard)));
                Err(state::unwind(vm))
            }
        }
    }

    /// `ota_finish()`: marks the new image for the bootloader (no reset).
    #[pyfunction]
    fn ota_finish(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        match lock(&board()).ota_finish().map_err(|_| flash_failed(vm))? {
            OtaFinish::Nothing | OtaFinish::AlreadyMarked => Ok(vm.ctx.none()),
            OtaFinish::Marked(message) | OtaFinish::PatchPending(message) => {
                crate::console::write(&format!("{message}\n"), vm)?;
                Ok(vm.ctx.none())
            }
            OtaFinish::DiffDisabled(message) => {
                crate::console::write(&format!("{message}\n"), vm)?;
                Err(flash_failed(vm))
            }
        }
    }

    /// `pulses_get(pin, timeout)`: `(level, duration_us)` pulses the RMT
    /// receiver saw on `pin` (an object or a name) from its first edge until
    /// 65.5 ms without one, or `[]` if that frame did not end within
    /// `timeout` ms. The pin is an input afterwards, its output released.
    #[pyfunction]
    fn pulses_get(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<PyObjectRef>> {
        arity(&args, 2, 2, vm)?;
        let pin = crate::modules::pin::find(&args.args[0], vm)?;
        // FreeRTOS ticks are ms; a negative count is a huge unsigned one.
        let timeout_ms = get_int(&args.args[1], vm)? as u32;
        let (pulses, wait_us) = {
            let board = board();
            let mut b = lock(&board);
            let (pulses, returns_at) = b.pulses_get(pin.gpio(), timeout_ms);
            (pulses, returns_at.saturating_sub(b.now_us()))
        };
        crate::modules::time::device_sleep(wait_us, vm)?;
        Ok(pulses
            .into_iter()
            .map(|(level, us)| vm.ctx.new_tuple(vec![vm.ctx.new_int(level).into(), vm.ctx.new_int(us).into()]).into())
            .collect())
    }

    /// `ota_slot()`: the flash address the next update is written to.
    #[pyfunction]
    fn ota_slot(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u32> {
        arity(&args, 0, 0, vm)?;
        Ok(lock(&board()).ota_slot())
    }

    /// `ota_verify()`: whether the image written since `ota_start` verifies.
    #[pyfunction]
    fn ota_verify(args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        arity(&args, 0, 0, vm)?;
        Ok(lock(&board()).ota_verify())
    }

    /// `diff_update_enabled()`: whether the firmware applies bsdiff patches
    /// (off, as in the default build, unless `pycom-emu run --diff-update`).
    #[pyfunction]
    fn diff_update_enabled(args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        arity(&args, 0, 0, vm)?;
        Ok(lock(&board()).diff_update_enabled())
    }
}
