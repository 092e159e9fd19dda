//! When a LoRaWAN node's receive windows open and how long they wait for a
//! preamble, as the firmware's LoRaMac computes them
//! (`RegionCommonComputeRxWindowParameters` and the regions'
//! `ComputeRxWindowParameters`).
//!
//! LoRaMac allows the two clocks 10 ms of error each way: it opens the radio
//! early or late by an offset that centres a symbol timeout on the expected
//! preamble, and Pycom's regions triple that timeout. At SF7 a window opens
//! about 10 ms before the downlink is due and waits 72 symbols (74 ms); at
//! SF12 it opens about 30 ms late, still early in the 400 ms preamble. A
//! gateway that transmits a few ms early (Pycom's nano-gateway starts 15 ms
//! before `tmst`) is heard, as on the board.

use pycom_lorawan::RxWindow;
use pycom_radio::LoraPhy;
use pycom_radio::phy::symbol_time_us;

/// Preamble symbols the radio must see (`MinRxSymbols`).
const MIN_RX_SYMBOLS: f64 = 6.0;
/// Timing error allowed each way, ms (`SystemMaxRxError`).
const MAX_RX_ERROR_MS: f64 = 10.0;
/// The SX127x's wake-up time, ms (`RADIO_WAKEUP_TIME`).
const RADIO_WAKEUP_MS: f64 = 1.0;
/// Pycom's regions (EU868, US915, AU915, AS923) triple the symbol timeout.
const TIMEOUT_FACTOR: f64 = 3.0;

/// The symbol timeout LoRaMac computes for `rx`, before the region's factor,
/// and the symbol time in ms.
fn timeout_symbols(rx: &RxWindow) -> (f64, f64) {
    let symbol_ms = symbol_time_us(&phy(rx)) / 1000.0;
    let symbols = (((2.0 * MIN_RX_SYMBOLS - 8.0) * symbol_ms + 2.0 * MAX_RX_ERROR_MS) / symbol_ms).ceil();
    (symbols.max(MIN_RX_SYMBOLS), symbol_ms)
}

fn phy(rx: &RxWindow) -> LoraPhy {
    LoraPhy::lorawan(rx.frequency_hz, rx.sf, rx.bandwidth_hz)
}

/// How long window `rx` waits for a preamble once open, µs.
pub fn timeout_us(rx: &RxWindow) -> u64 {
    let (symbols, symbol_ms) = timeout_symbols(rx);
    (symbols * TIMEOUT_FACTOR * symbol_ms * 1000.0).round() as u64
}

/// When window `window` (1 or 2) opens after an uplink that ended at
/// `tx_end_us`: its delay plus LoRaMac's offset, less the 1 ms (RX1) or 2 ms
/// (RX2) its timers set aside, one more for a join accept's windows.
pub fn opens_at_us(tx_end_us: u64, rx: &RxWindow, window: u8, join: bool) -> u64 {
    let (symbols, symbol_ms) = timeout_symbols(rx);
    let offset_ms = (4.0 * symbol_ms - symbols * symbol_ms / 2.0 - RADIO_WAKEUP_MS).ceil();
    let margin_ms = f64::from(window.min(2)) + f64::from(u8::from(join));
    let due = tx_end_us.saturating_add(rx.delay_us) as f64 + (offset_ms - margin_ms) * 1000.0;
    (due.max(tx_end_us as f64)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(sf: u8) -> RxWindow {
        RxWindow { delay_us: 1_000_000, frequency_hz: 868_100_000, sf, bandwidth_hz: 125_000 }
    }

    #[test]
    fn sf7_opens_ten_ms_early_and_waits_72_symbols() {
        // Timeout max(ceil((4 × 1.024 + 20) / 1.024), 6) = 24 symbols, offset
        // ceil(4.096 − 12.288 − 1) = −9 ms, less 1 ms for RX1.
        assert_eq!(opens_at_us(0, &window(7), 1, false), 990_000);
        assert_eq!(opens_at_us(0, &window(7), 1, true), 989_000);
        assert_eq!(timeout_us(&window(7)), 73_728);
    }

    #[test]
    fn sf12_opens_thirty_ms_late_and_waits_18_symbols() {
        // Timeout 6 symbols (the minimum), offset ceil(131.07 − 98.30 − 1) = 32 ms, less 2 ms for RX2.
        assert_eq!(opens_at_us(0, &window(12), 2, false), 1_030_000);
        assert_eq!(timeout_us(&window(12)), 589_824);
    }
}
