//! Pin names of each board, from the firmware's `pins.csv` files: module
//! names (`P0`..`P23`, what `Pin.id()` returns) and expansion-board names
//! (`G0`..`G31`), both looked up by `Pin(name)`.

use crate::BoardModel;

/// GPIOs in the RTC domain: the only ones `Pin.hold()` and deep-sleep wake-up work on.
pub const RTC_GPIOS: [u8; 18] = [0, 2, 4, 12, 13, 14, 15, 25, 26, 27, 32, 33, 34, 35, 36, 37, 38, 39];

/// One named pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinName {
    /// Module name (`P10`).
    pub module: &'static str,
    /// Expansion-board name (`G17`).
    pub expansion: &'static str,
    /// ESP32 GPIO number.
    pub gpio: u8,
}

const fn pin(module: &'static str, expansion: &'static str, gpio: u8) -> PinName {
    PinName { module, expansion, gpio }
}

/// P0..P23 on every model emulated here (LoPy4, WiPy, SiPy, FiPy, GPy).
const COMMON: [PinName; 24] = [
    pin("P0", "G2", 3),
    pin("P1", "G1", 1),
    pin("P2", "G23", 0),
    pin("P3", "G24", 4),
    pin("P4", "G11", 15),
    pin("P5", "G12", 5),
    pin("P6", "G13", 27),
    pin("P7", "G14", 19),
    pin("P8", "G15", 2),
    pin("P9", "G16", 12),
    pin("P10", "G17", 13),
    pin("P11", "G22", 22),
    pin("P12", "G28", 21),
    pin("P13", "G5", 36),
    pin("P14", "G4", 37),
    pin("P15", "G0", 38),
    pin("P16", "G3", 39),
    pin("P17", "G31", 35),
    pin("P18", "G30", 34),
    pin("P19", "G6", 32),
    pin("P20", "G7", 33),
    pin("P21", "G8", 26),
    pin("P22", "G9", 25),
    pin("P23", "G10", 14),
];

/// The GPy also names the LTE modem's UART RX and CTS lines.
const GPY: [PinName; 26] = {
    let mut names = [pin("P98", "G98", 23); 26];
    let mut i = 0;
    while i < COMMON.len() {
        names[i] = COMMON[i];
        i += 1;
    }
    names[25] = pin("P99", "G99", 18);
    names
};

/// The named pins of `model`, in the firmware's table order.
pub fn pin_names(model: BoardModel) -> &'static [PinName] {
    match model {
        BoardModel::Gpy => &GPY,
        _ => &COMMON,
    }
}

/// The pin `name` refers to: expansion-board names first, then module names,
/// as the firmware's `pin_find` looks them up.
pub fn find_pin(model: BoardModel, name: &str) -> Option<PinName> {
    let names = pin_names(model);
    names.iter().find(|p| p.expansion == name).or_else(|| names.iter().find(|p| p.module == name)).copied()
}

/// GPIOs `pin_init0` makes pulled-down inputs at boot: every module pin but
/// the UART TX (P1), the LED (P2), the antenna switch of second-generation
/// modules (P12), the LTE modem's lines, and the table's last entry (the
/// firmware's loop stops one short).
pub fn pulled_down_at_boot(model: BoardModel) -> impl Iterator<Item = u8> {
    let names = pin_names(model);
    let lte: &[&str] = match model {
        BoardModel::Fipy => &["P17", "P18", "P19", "P20"],
        BoardModel::Gpy => &["P5", "P6", "P7"],
        _ => &[],
    };
    let antenna = model.chip_revision() > 0;
    names[..names.len() - 1]
        .iter()
        .filter(move |p| {
            let kept = matches!(p.module, "P1" | "P2") || (antenna && p.module == "P12") || lte.contains(&p.module);
            !kept
        })
        .map(|p| p.gpio)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_names_come_first_and_both_name_the_same_gpio() {
        assert_eq!(find_pin(BoardModel::Lopy4, "G7").map(|p| p.module), Some("P20"));
        assert_eq!(find_pin(BoardModel::Lopy4, "P10").map(|p| p.gpio), Some(13));
        assert_eq!(find_pin(BoardModel::Lopy4, "P99"), None);
        assert_eq!(find_pin(BoardModel::Gpy, "P99").map(|p| p.gpio), Some(18));
        assert_eq!(find_pin(BoardModel::Wipy3, "GPIO13"), None);
    }

    #[test]
    fn boot_pull_downs_skip_the_uart_the_led_and_the_last_pin() {
        let pulled: Vec<u8> = pulled_down_at_boot(BoardModel::Sipy).collect();
        assert!(pulled.contains(&13) && pulled.contains(&21));
        assert!(!pulled.contains(&1) && !pulled.contains(&0) && !pulled.contains(&14));
        assert!(!pulled_down_at_boot(BoardModel::Lopy4).any(|g| g == 21));
    }
}
