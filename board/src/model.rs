//! The Pycom boards the emulator can be, with the hardware facts the firmware
//! depends on.

use pycom_formats::FlashLayout;
use serde::Serialize;

/// A radio a board carries besides its ESP32.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Radio {
    /// 802.11 b/g/n.
    WiFi,
    /// Bluetooth / BLE.
    Bluetooth,
    /// LoRa (SX1276 / SX1272).
    LoRa,
    /// Sigfox.
    Sigfox,
    /// LTE Cat-M1 / NB-IoT (Sequans).
    Lte,
}

/// A Pycom board model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BoardModel {
    /// LoPy4: 8 MB flash, 4 MB PSRAM, LoRa and Sigfox.
    Lopy4,
    /// WiPy 3.0: 8 MB flash, 4 MB PSRAM.
    Wipy3,
    /// FiPy: 8 MB flash, 4 MB PSRAM, LoRa, Sigfox and LTE.
    Fipy,
    /// GPy: 8 MB flash, 4 MB PSRAM, LTE.
    Gpy,
    /// SiPy: 4 MB flash, no PSRAM, Sigfox.
    Sipy,
    /// WiPy 2.0: 4 MB flash, no PSRAM.
    Wipy2,
}

impl BoardModel {
    /// Every model, in the order `--help` lists them.
    pub const ALL: [BoardModel; 6] = [Self::Lopy4, Self::Wipy3, Self::Fipy, Self::Gpy, Self::Sipy, Self::Wipy2];

    /// The command-line name (`lopy4`, `wipy3`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Self::Lopy4 => "lopy4",
            Self::Wipy3 => "wipy3",
            Self::Fipy => "fipy",
            Self::Gpy => "gpy",
            Self::Sipy => "sipy",
            Self::Wipy2 => "wipy2",
        }
    }

    /// The model called `id`.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.id().eq_ignore_ascii_case(id))
    }

    /// `MICROPY_PY_SYS_PLATFORM`: `sys.platform`, `os.uname().sysname` and `.nodename`.
    pub fn platform(self) -> &'static str {
        match self {
            Self::Lopy4 => "LoPy4",
            Self::Wipy3 | Self::Wipy2 => "WiPy",
            Self::Fipy => "FiPy",
            Self::Gpy => "GPy",
            Self::Sipy => "SiPy",
        }
    }

    /// `os.uname().machine`: board name "with ESP32".
    pub fn machine(self) -> String {
        format!("{} with ESP32", self.platform())
    }

    /// Whether the module carries 4 MB of PSRAM (and a revision 1 chip).
    pub fn has_psram(self) -> bool {
        !matches!(self, Self::Sipy | Self::Wipy2)
    }

    /// ESP32 silicon revision; the firmware picks the 8 MB layout when it is > 0.
    pub fn chip_revision(self) -> u8 {
        u8::from(self.has_psram())
    }

    /// The partition layout of the board's flash.
    pub fn flash_layout(self) -> FlashLayout {
        if self.chip_revision() > 0 { FlashLayout::Pycom8Mb } else { FlashLayout::Pycom4Mb }
    }

    /// Flash size in bytes.
    pub fn flash_size(self) -> usize {
        self.flash_layout().flash_size()
    }

    /// Radios besides the ESP32's.
    pub fn radios(self) -> &'static [Radio] {
        use Radio::*;
        match self {
            Self::Lopy4 => &[WiFi, Bluetooth, LoRa, Sigfox],
            Self::Wipy3 | Self::Wipy2 => &[WiFi, Bluetooth],
            Self::Fipy => &[WiFi, Bluetooth, LoRa, Sigfox, Lte],
            Self::Gpy => &[WiFi, Bluetooth, Lte],
            Self::Sipy => &[WiFi, Bluetooth, Sigfox],
        }
    }

    /// Whether the board has `radio`.
    pub fn has(self, radio: Radio) -> bool {
        self.radios().contains(&radio)
    }

    /// Size of the MicroPython GC heap: in PSRAM on PSRAM boards, in internal RAM
    /// otherwise.
    pub fn gc_heap_size(self) -> usize {
        if self.has_psram() { 2_560_000 } else { 98_304 }
    }

    /// Free bytes of the ESP-IDF heap after boot (`pycom.get_free_heap()`):
    /// internal RAM and, on PSRAM boards, what the MicroPython heap leaves of
    /// the 4 MB PSRAM. Typical values of firmware 1.20.2, not a live measure.
    pub fn idf_heap_free(self) -> (u32, Option<u32>) {
        if self.has_psram() { (108_236, Some(1_617_332)) } else { (86_412, None) }
    }
}

impl std::fmt::Display for BoardModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
