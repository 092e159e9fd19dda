//! The board: flash, clock, LED and config tied together, with the boot sequence.

use std::sync::Arc;

use pycom_flash::Flash;
use pycom_formats::boot_info::Image;
use pycom_formats::config_block::StoredWifiMode;
use pycom_formats::{BootInfo, ConfigBlock, PartitionTable};

use crate::alarms::Alarms;
use crate::bootloader::{self, Slots};
use crate::bootmgr::{self, BootmgrError, BootmgrRequest, BootmgrState};
use crate::bus::{Buses, WireTraces};
use crate::fs::{Fs, FsError, FsKind, FsRegion, SdCard, Volume};
use crate::nvs::PycomNvs;
use crate::ota::{OtaFinish, OtaWrite, Updater};
use crate::pins::PinBank;
use crate::rtc::Rtc;
use crate::sleep::SleepState;
use crate::uart::UartPort;
use crate::watchdog::{Watchdog, WatchdogDeadline};
use crate::{BoardError, BoardModel, Clock, Config, DeviceImage, Led, LedError};

mod analog_access;
mod bus_access;
mod lpwan_access;
mod net_access;
mod pin_access;
mod power_cut;
mod shield_power;
mod shield_values;
mod timekeeping;
mod uart_access;

pub use timekeeping::NextEvent;

/// Where the `nvs` partition is when the table does not say (every Pycom layout).
const DEFAULT_NVS: (u32, u32) = (0x9000, 0x7000);
/// First Wi-Fi auth mode ESP-IDF 3.3 does not know (`WIFI_AUTH_MAX`).
const WIFI_AUTH_MAX: u8 = 6;
/// `WIFI_AUTH_WPA2_PSK`.
const WIFI_AUTH_WPA2_PSK: u8 = 3;

/// Why the board last (re)started: the values of `machine.reset_cause()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ResetCause {
    /// Power applied (`machine.PWRON_RESET`).
    PowerOn = 0,
    /// `machine.reset()` (`machine.HARD_RESET`).
    Hard = 1,
    /// A watchdog expired (`machine.WDT_RESET`).
    Watchdog = 2,
    /// Wake from deep sleep (`machine.DEEPSLEEP_RESET`).
    DeepSleep = 3,
    /// Ctrl-D or `machine.soft_reset()` (`machine.SOFT_RESET`).
    Soft = 4,
    /// Supply dip (`machine.BROWN_OUT_RESET`).
    BrownOut = 5,
}

/// How the board starts running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootKind {
    /// The chip restarts: bootloader, config read from flash, tick counter from 0.
    Hard(ResetCause),
    /// Only the MicroPython runtime restarts (`PYB: soft reboot`).
    Soft,
}

/// The virtual board.
#[derive(Debug)]
pub struct Board {
    model: BoardModel,
    flash: Flash,
    table: PartitionTable,
    clock: Arc<Clock>,
    led: Led,
    config: Config,
    nvs: PycomNvs,
    slots: Slots,
    fs_region: FsRegion,
    fs_kind: FsKind,
    sd_card: Option<SdCard>,
    sd_mount: Option<String>,
    boot_info: BootInfo,
    running: Image,
    safe_boot: bool,
    safe_boot_pin_us: Option<u64>,
    watchdog: Watchdog,
    pins: PinBank,
    uarts: [UartPort; 2],
    analog: Vec<(u8, crate::analog::AnalogSpec)>,
    dac: crate::analog::DacOutputs,
    buses: Buses,
    /// What the buses and UARTs report their traffic to.
    wire_traces: WireTraces,
    wifi: crate::wifi::Wifi,
    servers: crate::net::servers::Servers,
    host_net: Arc<crate::net::HostNet>,
    updater: Updater,
    diff_update: bool,
    uart_output: Vec<String>,
    boot_messages: Vec<String>,
    diagnostics: Vec<String>,
    reset_cause: ResetCause,
    booted_at_us: u64,
    boots: u32,
    alarms: Alarms,
    rtc: Rtc,
    sleep: SleepState,
    base_mac: [u8; 6],
    air: Option<lpwan_access::AirSlot>,
    lora: Option<crate::lora::LoraRadio>,
    sigfox: crate::sigfox::SigfoxRadio,
    sigfox_backend: Option<crate::sigfox::SharedBackend>,
    shield: Option<shield_power::ShieldLink>,
}

impl Board {
    /// A powered-off board of `model` on `image`, keeping time with `clock`.
    pub fn new(model: BoardModel, image: DeviceImage, clock: Arc<Clock>) -> Self {
        let (nvs_offset, nvs_size) = image.table.find("nvs").map_or(DEFAULT_NVS, |p| (p.offset, p.size));
        Self {
            nvs: PycomNvs::new(nvs_offset, nvs_size),
            slots: Slots::from_table(&image.table),
            fs_region: FsRegion::for_table(&image.table, model),
            fs_kind: FsKind::LittleFs,
            sd_card: None,
            sd_mount: None,
            boot_info: BootInfo::initial(),
            running: Image::Factory,
            safe_boot: false,
            safe_boot_pin_us: None,
            watchdog: Watchdog::default(),
            pins: PinBank::default(),
            uarts: [UartPort::new(1), UartPort::new(2)],
            analog: Vec::new(),
            dac: Default::default(),
            buses: Buses::default(),
            wire_traces: WireTraces::default(),
            wifi: Default::default(),
            servers: Default::default(),
            host_net: Default::default(),
            updater: Updater::default(),
            diff_update: false,
            uart_output: Vec::new(),
            boot_messages: Vec::new(),
            diagnostics: Vec::new(),
            model,
            flash: image.flash,
            table: image.table,
            clock,
            led: Led::default(),
            config: Config::default(),
            reset_cause: ResetCause::PowerOn,
            booted_at_us: 0,
            boots: 0,
            alarms: Alarms::default(),
            rtc: Rtc::default(),
            sleep: SleepState::default(),
            base_mac: [0; 6],
            air: None,
            lora: None,
            sigfox: Default::default(),
            sigfox_backend: None,
            shield: None,
        }
    }

    /// Runs the firmware's boot path up to the point where `main.py` would start.
    ///
    /// Device-visible times (tick origin, heartbeat start) are taken from the start
    /// of the boot plus the bootloader's explicit waits, not from the host time
    /// the emulated boot takes, so traces do not depend on the host's speed.
    pub fn boot(&mut self, kind: BootKind) -> Result<(), BoardError> {
        self.clock.power_on();
        let start = self.clock.now_us();
        let mut waited = 0;
        if let BootKind::Hard(cause) = kind {
            waited = self.hard_boot(cause, start)?;
        } else {
            self.reset_cause = ResetCause::Soft;
        }
        let note = self.nvs.open_namespace(&mut self.flash)?;
        self.diagnostics.extend(note);
        self.mount_flash_filesystem()?;
        self.boot_info = bootloader::read_boot_info(&mut self.flash, &self.slots)?.unwrap_or(self.boot_info);
        if matches!(kind, BootKind::Hard(_)) {
            self.start_on_boot_services()?;
        }
        self.boots += 1;
        self.sd_mount = None;
        self.alarms.clear();
        self.pins.reset(start + waited, crate::pins::pulled_down_at_boot(self.model));
        self.reset_radios(start + waited);
        for port in &mut self.uarts {
            port.close(start + waited);
        }
        self.led.reset(self.config.block().heartbeat_on_boot(), start + waited);
        Ok(())
    }

    /// The chip restarts at device time `start`: watchdog stopped, bootloader,
    /// config block, NVS. Returns the device time the bootloader waited.
    fn hard_boot(&mut self, cause: ResetCause, start: u64) -> Result<u64, BoardError> {
        self.watchdog.stop();
        self.wifi.power_off();
        self.servers = Default::default();
        self.updater = Updater::default();
        let pin = self.safe_boot_pin_us.take();
        let mut decision = bootloader::boot(&mut self.flash, &self.slots, pin, &mut self.led, &self.clock, start)?;
        if decision.info.status() == Some(pycom_formats::boot_info::Status::Patch) {
            let (slots, running) = (self.slots, decision.running);
            let patched = crate::ota::apply_pending_patch(
                &mut self.flash,
                &slots,
                &mut decision.info,
                running,
                &mut decision.messages,
            )?;
            if patched {
                // The firmware resets through the watchdog; the bootloader then checks the new image.
                let messages = std::mem::take(&mut decision.messages);
                decision = bootloader::boot(&mut self.flash, &self.slots, None, &mut self.led, &self.clock, start)?;
                decision.messages.splice(0..0, messages);
            }
        }
        self.boot_messages.clone_from(&decision.messages);
        self.uart_output.extend(decision.messages);
        self.boot_info = decision.info;
        self.running = decision.running;
        self.safe_boot = decision.safe_boot;
        self.config = Config::load(&mut self.flash)?;
        let note = self.nvs.mount(&mut self.flash)?;
        self.diagnostics.extend(note);
        self.base_mac = crate::efuse::base_mac(&mut self.flash)?;
        self.reset_cause = cause;
        self.booted_at_us = start;
        self.wake_timers(cause, start);
        Ok(decision.waited_us)
    }

    /// Every boot: mounts `/flash` as the config block's `boot_fs_type` says (FAT
    /// for 0, LittleFS otherwise), formatting it if it cannot be mounted (so a
    /// changed type reformats it), and creates the default files, as the firmware
    /// does after its soft-reset label.
    fn mount_flash_filesystem(&mut self) -> Result<(), BoardError> {
        self.fs_kind = FsKind::from_boot_fs_type(self.config.block().boot_fs_type());
        let mut fs = self.fs();
        let blank = fs.is_blank();
        match fs.mount_or_format() {
            Ok(true) if !blank => self.diagnostics.push(format!(
                "/flash at {:#x} could not be mounted; the firmware formatted it and its files are gone",
                self.fs_region.offset
            )),
            Ok(_) => {}
            Err(FsError::Flash(e)) => return Err(e.into()),
            Err(e) => self.diagnostics.push(format!("/flash could not be prepared: {e}")),
        }
        Ok(())
    }

    /// Hard boot only: the watchdog and Wi-Fi settings of the config block. An
    /// enabled watchdog without a timeout is switched off in flash; Wi-Fi on boot
    /// turns a stored mode of "none" into AP and an unknown auth mode into
    /// WPA2-PSK, and stores them, as `mptask_config_wifi` does.
    fn start_on_boot_services(&mut self) -> Result<(), BoardError> {
        let block = self.config.block().clone();
        if block.wdt_on_boot() {
            match block.wdt_on_boot_timeout() {
                u32::MAX => {
                    self.update_config(|c| c.set_wdt_on_boot(false))?;
                }
                ms => self.watchdog.start(ms, self.booted_at_us),
            }
        }
        if block.wifi_on_boot() {
            self.update_config(|c| {
                if c.wifi_mode() == StoredWifiMode::None {
                    c.set_wifi_mode(StoredWifiMode::Ap);
                }
                if c.wifi_auth() >= WIFI_AUTH_MAX {
                    c.set_wifi_auth(WIFI_AUTH_WPA2_PSK);
                }
            })?;
            self.start_wifi_from_config();
        }
        Ok(())
    }

    /// The board model.
    pub fn model(&self) -> BoardModel {
        self.model
    }

    /// The partition table of the image.
    pub fn partition_table(&self) -> &PartitionTable {
        &self.table
    }

    /// The flash chip.
    pub fn flash(&mut self) -> &mut Flash {
        &mut self.flash
    }

    /// The shared clock.
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Device time since the session's power-on, in microseconds.
    pub fn now_us(&self) -> u64 {
        self.clock.now_us()
    }

    /// Microseconds since the last hard boot (what `time.ticks_us()` counts).
    pub fn uptime_us(&self) -> u64 {
        self.clock.now_us().saturating_sub(self.booted_at_us)
    }

    /// Lets `us` of device time pass (a sleep), keeping the LED up to date.
    pub fn wait_us(&mut self, us: u64) {
        self.clock.wait_us(us);
        self.sync();
    }

    /// Brings time-driven devices (the heartbeat, the pins) up to the current device time.
    pub fn sync(&mut self) {
        let now = self.clock.now_us();
        self.led.advance(now);
        self.pins.advance(now);
        self.advance_radios(now);
    }

    /// The chip's base MAC from its eFuses (`machine.unique_id()`, the
    /// Wi-Fi station MAC), read at every hard boot.
    pub fn base_mac(&self) -> [u8; 6] {
        self.base_mac
    }

    /// Why the board last started.
    pub fn reset_cause(&self) -> ResetCause {
        self.reset_cause
    }

    /// Boots so far in this session, hard and soft.
    pub fn boots(&self) -> u32 {
        self.boots
    }

    /// The LED, for tracing and display.
    pub fn led(&mut self) -> &mut Led {
        &mut self.led
    }

    /// `pycom.heartbeat()`.
    pub fn heartbeat(&self) -> bool {
        self.led.heartbeat()
    }

    /// `pycom.heartbeat(on)`.
    pub fn set_heartbeat(&mut self, on: bool) {
        let now = self.clock.now_us();
        self.led.set_heartbeat(on, now);
    }

    /// `pycom.rgbled()`.
    pub fn rgbled(&mut self) -> Result<u32, LedError> {
        self.sync();
        self.led.rgb()
    }

    /// `pycom.rgbled(colour)`.
    pub fn set_rgbled(&mut self, colour: u32) -> Result<(), LedError> {
        let now = self.clock.now_us();
        self.led.set_rgb(colour, now)
    }

    /// The config block as read at boot and changed since.
    pub fn config(&self) -> &ConfigBlock {
        self.config.block()
    }

    /// Changes the config block; like the firmware's setters it erases and
    /// rewrites the config sector only if a byte changes. Returns whether it did.
    pub fn update_config(&mut self, change: impl FnOnce(&mut ConfigBlock)) -> Result<bool, BoardError> {
        Ok(self.config.update(&mut self.flash, change)?)
    }

    /// `pycom.bootmgr()` with no arguments.
    pub fn bootmgr_state(&self) -> BootmgrState {
        BootmgrState {
            active_image: self.boot_info.active,
            fs_is_fat: self.config.block().boot_fs_type() == 0,
            safe_boot: self.boot_info.safeboot != 0,
            status: self.boot_info.status,
        }
    }

    /// `pycom.bootmgr(...)` with arguments: validates and stores the request;
    /// returns whether the board must now reset (it does for a new boot partition).
    pub fn bootmgr(&mut self, request: BootmgrRequest) -> Result<bool, BootmgrError> {
        let current_fs = u8::from(self.config.block().boot_fs_type() != 0);
        let plan = bootmgr::plan(request, &self.boot_info, current_fs)?;
        if let Some(fs) = plan.fs_type {
            self.update_config(|c| c.set_boot_fs_type(fs)).map_err(|_| BootmgrError::WriteFailed)?;
        }
        if let Some(info) = plan.boot_info {
            bootloader::write_boot_info(&mut self.flash, &self.slots, &info).map_err(|_| BootmgrError::WriteFailed)?;
            self.boot_info = info.sealed();
        }
        Ok(plan.reset)
    }

    /// The app slot running now.
    pub fn running_image(&self) -> Image {
        self.running
    }

    /// Whether this boot is a safe boot: `boot.py` and `main.py` are skipped.
    pub fn safe_boot(&self) -> bool {
        self.safe_boot
    }

    /// Holds P12 high for `hold_us` at the next hard boot (the safe-boot button).
    pub fn hold_safe_boot_pin(&mut self, hold_us: u64) {
        self.safe_boot_pin_us = Some(hold_us);
    }

    /// `machine.WDT(timeout=ms)`: starts or re-times the watchdog.
    pub fn start_watchdog(&mut self, timeout_ms: u32) {
        self.watchdog.start(timeout_ms, self.clock.now_us());
    }

    /// `WDT.feed()`.
    pub fn feed_watchdog(&mut self) {
        self.watchdog.feed(self.clock.now_us());
    }

    /// When the watchdog resets the board, if it runs.
    pub fn watchdog_deadline(&self) -> Option<u64> {
        self.watchdog.deadline_us()
    }

    /// The watchdog deadline for a thread that watches device time.
    pub fn watchdog_handle(&self) -> WatchdogDeadline {
        self.watchdog.deadline_handle()
    }

    /// The app descriptor of the running firmware image, if its slot holds a
    /// valid image (`os.uname().release` reports its version).
    pub fn running_app(&self) -> Option<pycom_formats::app_image::AppDesc> {
        let start = self.slots.address(self.running) as usize;
        let end = (start + self.slots.slot_size() as usize).min(self.flash.size());
        pycom_formats::app_image::verify(self.flash.contents().get(start..end)?).ok()?.app_desc
    }

    /// What the bootloader said at the last hard boot (a rollback, a patch
    /// applied or refused).
    pub fn boot_messages(&self) -> &[String] {
        &self.boot_messages
    }

    /// `boot_info` as the last hard boot left it.
    pub fn boot_info(&self) -> BootInfo {
        self.boot_info
    }

    /// What each app slot holds and which one `boot_info` selects.
    pub fn app_slots(&self) -> Vec<crate::AppSlot> {
        crate::app_slots(self.flash.contents(), &self.table)
    }

    /// The firmware release the board reports (`os.uname().release`, the
    /// banners): the running image's version, or the factory version when its
    /// slot holds no valid image.
    pub fn firmware_release(&self) -> String {
        self.running_app().map_or_else(|| crate::FACTORY_FIRMWARE_VERSION.to_owned(), |app| app.version)
    }

    /// Bytes an app slot holds: the largest firmware image (or patch) an
    /// update can write without running into what follows the slot.
    pub fn ota_slot_size(&self) -> u32 {
        self.slots.slot_size()
    }

    /// `pycom.ota_slot()`: the flash address the next update goes to.
    pub fn ota_slot(&mut self) -> u32 {
        crate::ota::next_slot(&mut self.flash, &self.slots)
    }

    /// `pycom.ota_start()`.
    pub fn ota_start(&mut self) -> Result<(), BoardError> {
        Ok(self.updater.start(&mut self.flash, &self.slots)?)
    }

    /// `pycom.ota_write(data)`; what the firmware does silently goes to the
    /// diagnostics.
    pub fn ota_write(&mut self, data: &[u8]) -> Result<OtaWrite, BoardError> {
        let mut notes = Vec::new();
        let result = self.updater.write(&mut self.flash, &self.slots, self.running, data, &mut notes);
        self.diagnostics.extend(notes);
        Ok(result?)
    }

    /// `pycom.ota_finish()`.
    pub fn ota_finish(&mut self) -> Result<OtaFinish, BoardError> {
        Ok(self.updater.finish(&mut self.flash, &self.slots, &mut self.boot_info, self.diff_update)?)
    }

    /// Firmware built with `DIFF_UPDATE_ENABLED` (`pycom-emu run --diff-update`):
    /// `ota_finish` accepts bsdiff patches, applied at the next boot.
    pub fn enable_diff_update(&mut self) {
        self.diff_update = true;
    }

    /// `pycom.diff_update_enabled()`.
    pub fn diff_update_enabled(&self) -> bool {
        self.diff_update
    }

    /// `pycom.ota_verify()`.
    pub fn ota_verify(&self) -> bool {
        self.updater.verify(&self.flash)
    }

    /// The `/flash` filesystem.
    pub fn fs(&mut self) -> Fs<'_> {
        Fs::with_kind(&mut self.flash, self.fs_region, self.fs_kind)
    }

    /// Puts an SD card in the slot (`pycom-emu run --sd`).
    pub fn insert_sd_card(&mut self, card: SdCard) {
        self.sd_card = Some(card);
    }

    /// The SD card in the slot, if any.
    pub fn sd_card(&mut self) -> Option<&mut SdCard> {
        self.sd_card.as_mut()
    }

    /// Where `os.mount` put the SD card (`/sd`), until `os.umount` or the
    /// next boot.
    pub fn sd_mount(&self) -> Option<&str> {
        self.sd_mount.as_deref()
    }

    /// Records the SD card's mount point (`None`: unmounted).
    pub fn set_sd_mount(&mut self, point: Option<String>) {
        self.sd_mount = point;
    }

    /// The volume mounted at top-level directory `name` (`flash`, or the SD
    /// card's mount point without its slash).
    pub fn volume(&mut self, name: &str) -> Option<Volume<'_>> {
        if name == "flash" {
            return Some(Volume::Flash(self.fs()));
        }
        let mounted = self.sd_mount.as_deref().and_then(|point| point.strip_prefix('/')) == Some(name);
        self.sd_card.as_mut().filter(|_| mounted).map(Volume::Sd)
    }

    /// Takes what the board printed on its UART outside Python (the bootloader).
    pub fn take_uart_output(&mut self) -> Vec<String> {
        std::mem::take(&mut self.uart_output)
    }

    /// Runs `f` on the firmware's NVS state and the flash it lives on.
    pub fn with_nvs<R>(&mut self, f: impl FnOnce(&mut PycomNvs, &mut Flash) -> R) -> R {
        f(&mut self.nvs, &mut self.flash)
    }

    /// Takes the notes the board has for the emulator's diagnostic output: things
    /// the real firmware does silently that lose or corrupt data.
    pub fn take_diagnostics(&mut self) -> Vec<String> {
        self.diagnostics.extend(self.pins.take_notes());
        std::mem::take(&mut self.diagnostics)
    }
}
