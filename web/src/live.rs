//! The board's live state as the page shows it: the LED's colour, each
//! named pin's level and mode, device time and the clock's controls. A
//! thread looks at the board every [`POLL`] of wall time, without moving
//! it on, and publishes the state only when it changed (device time alone
//! at most every [`TIME_EVERY`], at once while the clock is paused), so an
//! idle board costs the server nearly nothing.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pycom_board::pins::{Level, PinMode, Pull, pin_names};
use pycom_board::{Board, Speed};
use serde::Serialize;
use tokio::sync::watch;

/// How often the board is looked at (wall time).
pub const POLL: Duration = Duration::from_millis(50);
/// How often a change of device time alone is published.
const TIME_EVERY: Duration = Duration::from_secs(1);

/// What the page shows of the board, device time aside.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    /// The LED's colour now, `#rrggbb` (the heartbeat's flashes included).
    led: String,
    /// Whether the heartbeat owns the LED.
    heartbeat: bool,
    /// Boots since power-on (resets and deep-sleep wake-ups included).
    boots: u32,
    /// Each named pin, in the board's table order.
    pins: Vec<PinState>,
    /// Whether device time is paused.
    paused: bool,
    /// How fast device time may run.
    speed: Speed,
    /// Whether the power is to be cut at the next flash write.
    cut_armed: bool,
}

/// One pin as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct PinState {
    gpio: u8,
    /// `low`, `high` or `floating`.
    level: &'static str,
    /// `in`, `out` or `open_drain`.
    mode: &'static str,
    /// `up`, `down` or none.
    pull: Option<&'static str>,
}

/// The state with device time, as `/api/state` and the `state` event send it.
#[derive(Serialize)]
struct Published<'a> {
    time_us: u64,
    #[serde(flatten)]
    snapshot: &'a Snapshot,
}

impl Snapshot {
    /// Looks at `board` without moving it on.
    pub fn of(board: &mut Board) -> (u64, Self) {
        let now = board.now_us();
        let led = board.led().shown_at(now);
        let heartbeat = board.heartbeat();
        let pins = pin_names(board.model())
            .iter()
            .map(|name| {
                let (mode, pull) = board.pin_mode(name.gpio);
                PinState {
                    gpio: name.gpio,
                    level: match board.pin_settled_level(name.gpio) {
                        Level::Low => "low",
                        Level::High => "high",
                        Level::Floating => "floating",
                    },
                    mode: match mode {
                        PinMode::Input => "in",
                        PinMode::Output => "out",
                        PinMode::OpenDrain => "open_drain",
                    },
                    pull: pull.map(|p| match p {
                        Pull::Up => "up",
                        Pull::Down => "down",
                    }),
                }
            })
            .collect();
        let control = board.clock().control();
        let (paused, speed) = (control.paused(), control.speed());
        let (cut_armed, boots) = (board.power_cut_armed(), board.boots());
        (now, Self { led: format!("#{led:06x}"), heartbeat, pins, paused, speed, cut_armed, boots })
    }

    fn to_json(&self, time_us: u64) -> Arc<str> {
        serde_json::to_string(&Published { time_us, snapshot: self }).unwrap_or_default().into()
    }
}

/// Starts looking at `board`; the receiver always holds the latest state as JSON.
pub fn watch_board(board: Arc<Mutex<Board>>) -> watch::Receiver<Arc<str>> {
    let (time, first) = Snapshot::of(&mut board.lock().unwrap_or_else(|p| p.into_inner()));
    let (sender, receiver) = watch::channel(first.to_json(time));
    std::thread::Builder::new()
        .name("pycom-emu web state".into())
        .spawn(move || {
            let (mut last, mut last_time, mut sent_at) = (first, time, Instant::now());
            loop {
                std::thread::sleep(POLL);
                let (time, now) = Snapshot::of(&mut board.lock().unwrap_or_else(|p| p.into_inner()));
                let time_due = time != last_time && (now.paused || sent_at.elapsed() >= TIME_EVERY);
                if now != last || time_due {
                    if sender.send(now.to_json(time)).is_err() {
                        return;
                    }
                    (last, last_time, sent_at) = (now, time, Instant::now());
                }
            }
        })
        .expect("a thread for the web view's state");
    receiver
}
