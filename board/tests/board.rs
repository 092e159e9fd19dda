//! The board without Python: heartbeat schedule, LED rules, config writes, images.

use std::sync::{Arc, Mutex};

use pycom_board::{
    Board, BoardModel, BootKind, Clock, ClockMode, DeviceImage, HEARTBEAT_COLOUR, Led, LedError, LedEvent, ResetCause,
};

fn traced_led() -> (Led, Arc<Mutex<Vec<LedEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut led = Led::default();
    led.add_trace(Box::new(move |e| sink.lock().unwrap().push(e)));
    (led, events)
}

#[test]
fn heartbeat_flashes_80_ms_every_4_s_from_when_it_is_enabled() {
    let (mut led, events) = traced_led();
    led.reset(true, 1_000);
    led.advance(9_000_000);
    let got: Vec<(u64, u32)> = events.lock().unwrap().iter().map(|e| (e.time_us, e.rgb)).collect();
    assert_eq!(
        got,
        [
            (1_000, 0),
            (1_000, HEARTBEAT_COLOUR),
            (81_000, 0),
            (4_001_000, HEARTBEAT_COLOUR),
            (4_081_000, 0),
            (8_001_000, HEARTBEAT_COLOUR),
            (8_081_000, 0),
        ]
    );
}

#[test]
fn advancing_in_small_steps_traces_the_same_as_one_big_step() {
    let (mut a, big) = traced_led();
    let (mut b, small) = traced_led();
    a.reset(true, 0);
    b.reset(true, 0);
    a.advance(20_000_000);
    for t in (0..=20_000_000).step_by(7_777) {
        b.advance(t);
    }
    b.advance(20_000_000);
    assert_eq!(*big.lock().unwrap(), *small.lock().unwrap());
}

#[test]
fn rgbled_rules() {
    let mut led = Led::default();
    led.reset(true, 0);
    assert_eq!(led.rgb(), Err(LedError::HeartbeatActive));
    assert_eq!(led.set_rgb(0xFF, 10), Err(LedError::HeartbeatActive));
    led.set_heartbeat(false, 20);
    assert_eq!(led.rgb(), Ok(0));
    led.set_rgb(0x1_23_45_67, 30).unwrap();
    assert_eq!(led.rgb(), Ok(0x23_45_67));
    assert_eq!(led.shown_at(40), 0x23_45_67);
    led.set_heartbeat(false, 50);
    assert_eq!(led.rgb(), Ok(0), "heartbeat(False) blanks the LED even when already off");
    led.set_heartbeat(true, 4_000_000);
    assert_eq!(led.shown_at(4_000_001), HEARTBEAT_COLOUR);
    assert_eq!(led.shown_at(4_100_000), 0);
}

fn board(model: BoardModel) -> Board {
    Board::new(model, DeviceImage::in_memory(model).unwrap(), Arc::new(Clock::new(ClockMode::Virtual)))
}

#[test]
fn config_is_rewritten_only_when_a_value_changes() {
    let mut b = board(BoardModel::Lopy4);
    b.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    assert!(b.config().heartbeat_on_boot());
    // The first boot stores wdt_on_boot=False and the Wi-Fi mode AP: two rewrites.
    assert_eq!(b.flash().erase_count(0x3FF000), 2);
    b.update_config(|c| c.set_heartbeat_on_boot(true)).unwrap();
    assert_eq!(b.flash().erase_count(0x3FF000), 2, "same value: no flash write");
    b.update_config(|c| c.set_heartbeat_on_boot(false)).unwrap();
    b.update_config(|c| c.set_heartbeat_on_boot(false)).unwrap();
    assert_eq!(b.flash().erase_count(0x3FF000), 3);
    assert_eq!(b.flash().contents()[0x3FF000 + 152], 0xFE);
}

#[test]
fn heartbeat_on_boot_takes_effect_at_soft_reset_and_hard_boot() {
    let mut b = board(BoardModel::Wipy2);
    b.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    b.update_config(|c| c.set_heartbeat_on_boot(false)).unwrap();
    assert!(b.heartbeat());
    b.boot(BootKind::Soft).unwrap();
    assert!(!b.heartbeat());
    assert_eq!(b.reset_cause(), ResetCause::Soft);
    b.set_heartbeat(true);
    b.boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    assert!(!b.heartbeat());
    assert_eq!(b.boots(), 3);
}

#[test]
fn virtual_time_skips_waits_and_uptime_restarts_at_hard_boot() {
    let mut b = board(BoardModel::Lopy4);
    assert_eq!(b.now_us(), 0, "the clock stands still until power-on");
    b.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    b.wait_us(3_600_000_000);
    assert!(b.now_us() >= 3_600_000_000);
    b.boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    assert!(b.uptime_us() < 1_000_000);
    assert!(b.now_us() >= 3_600_000_000, "session time keeps running");
}

#[test]
fn models_know_their_hardware() {
    assert_eq!(BoardModel::Lopy4.flash_size(), 8 << 20);
    assert_eq!(BoardModel::Sipy.flash_size(), 4 << 20);
    assert_eq!(BoardModel::Wipy2.chip_revision(), 0);
    assert!(BoardModel::Fipy.has(pycom_board::Radio::Lte));
    assert!(!BoardModel::Wipy3.has(pycom_board::Radio::LoRa));
    assert_eq!(BoardModel::from_id("LoPy4"), Some(BoardModel::Lopy4));
    assert_eq!(BoardModel::from_id("lopy9"), None);
}
