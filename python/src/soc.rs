//! Facts about the ESP32 SoC that `machine` reports and the virtual board has
//! no model for: the die temperature sensor, the interrupt level register,
//! the FreeRTOS figures of `machine.info()`.

use pycom_board::{BoardModel, Radio};

/// What `machine.temperature()` reads: the sensor's raw value on a board at
/// room temperature (the firmware returns it unconverted; about °F).
pub const DIE_TEMPERATURE_RAW: u8 = 126;

/// The `PS` register's user-mode bit, set while the script runs.
const PS_UM: u32 = 0x20;
/// The interrupt level `MICROPY_BEGIN_ATOMIC_SECTION` raises `PS.INTLEVEL` to.
const ATOMIC_INTLEVEL: u32 = 3;
/// `PS.INTLEVEL`'s bits.
const PS_INTLEVEL_MASK: u32 = 0xF;

/// The `PS` value `machine.disable_irq()` returns: the level before it.
pub fn ps_register(irqs_disabled: bool) -> u32 {
    PS_UM | if irqs_disabled { ATOMIC_INTLEVEL } else { 0 }
}

/// Whether restoring `ps` (`machine.enable_irq(state)`) leaves interrupts off.
pub fn ps_disables_irqs(ps: u32) -> bool {
    ps & PS_INTLEVEL_MASK != 0
}

/// The text of `machine.info()` for `model`: the stack high-water marks
/// (free words) of the firmware's tasks and the free system heap, figures
/// of a board just after boot.
pub fn info_report(model: BoardModel) -> String {
    let rule = "---------------------------------------------\n";
    let mut text = format!("{rule}System memory info (in bytes)\n{rule}");
    text.push_str("MPTask stack water mark: 7896\n");
    text.push_str("ServersTask stack water mark: 1284\n");
    if model.has(Radio::LoRa) {
        text.push_str("LoRaTask stack water mark: 2116\n");
    }
    if model.has(Radio::Sigfox) {
        text.push_str("SigfoxTask stack water mark: 2336\n");
    }
    text.push_str("TimerTask stack water mark: 2120\n");
    text.push_str("IdleTask stack water mark: 604\n");
    let free_heap = if model.has_psram() { 4_226_180 } else { 108_956 };
    text.push_str(&format!("System free heap: {free_heap}\n{rule}"));
    text
}
