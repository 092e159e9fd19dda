//! `/api/timeline`: the LED's colour and the pins' levels over device time,
//! from the changes the board reports to `--trace-pins` (its pin and LED
//! traces). The last [`CAPACITY`] changes are kept, so a long run costs a
//! bounded amount of memory; older ones are dropped first.
//!
//! Pins and the LED report their changes lazily, each up to the time the
//! script looks, so changes arrive a little out of time order: each gets a
//! sequence number, and a page asks for those after the last it saw.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Query, State};
use pycom_board::Board;
use pycom_board::pins::{Level, find_pin};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::{App, on_board};
use crate::error::ApiError;

/// Changes kept (LED and pins together): 24 bytes each, 2.4 MB in all.
pub const CAPACITY: usize = 100_000;

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq)]
enum What {
    /// The LED shows this colour.
    Led(u32),
    /// A GPIO's line has this level.
    Pin(u8, Level),
}

/// One change, with its device time and its place in arrival order.
#[derive(Clone, Copy, Debug)]
struct Change {
    seq: u64,
    time_us: u64,
    what: What,
}

/// The changes kept.
#[derive(Default)]
struct Ring {
    changes: VecDeque<Change>,
    next_seq: u64,
}

impl Ring {
    fn push(&mut self, time_us: u64, what: What) {
        if self.changes.len() == CAPACITY {
            self.changes.pop_front();
        }
        self.next_seq += 1;
        self.changes.push_back(Change { seq: self.next_seq, time_us, what });
    }
}

/// The board's recent LED and pin changes.
#[derive(Default)]
pub struct Timeline {
    ring: Mutex<Ring>,
}

impl Timeline {
    /// Starts recording `board`'s LED and pin changes.
    pub fn attach(board: &mut Board) -> Arc<Self> {
        let timeline = Arc::new(Self::default());
        let pins = timeline.clone();
        board.add_pin_trace(Box::new(move |e| pins.record(e.time_us, What::Pin(e.gpio, e.level))));
        let led = timeline.clone();
        board.led().add_trace(Box::new(move |e| led.record(e.time_us, What::Led(e.rgb))));
        timeline
    }

    fn record(&self, time_us: u64, what: What) {
        self.ring.lock().unwrap_or_else(|p| p.into_inner()).push(time_us, what);
    }

    /// The changes kept that `keep` selects, later than sequence number
    /// `after`; the last sequence number kept.
    fn select(&self, after: u64, keep: impl Fn(&Change) -> bool) -> (Vec<Change>, u64) {
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        let start = ring.changes.partition_point(|c| c.seq <= after);
        let changes = ring.changes.range(start..).filter(|c| keep(c)).copied().collect();
        (changes, ring.next_seq)
    }
}

/// The query of `GET /api/timeline`.
#[derive(Deserialize)]
pub struct TimelineQuery {
    /// Only changes after this sequence number (the `seq` of an earlier answer).
    #[serde(default)]
    after: u64,
    /// Only changes from this device time on, with the value each series had then.
    #[serde(default)]
    since_us: u64,
    /// Pin names, comma-separated (`P9,P10` or G-names); none: the LED only.
    #[serde(default)]
    pins: String,
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Low => "low",
        Level::High => "high",
        Level::Floating => "floating",
    }
}

/// One series: `[time_us, value]` pairs in time order; with `since_us`, the
/// last change before it (the value then) first.
fn series(mut points: Vec<(u64, Value)>, since_us: u64) -> Value {
    points.sort_by_key(|(t, _)| *t);
    let start = points.partition_point(|(t, _)| *t < since_us).saturating_sub(1);
    Value::Array(points.drain(start..).map(|(t, v)| json!([t, v])).collect())
}

/// `GET /api/timeline?after=SEQ&since_us=T&pins=P9,P10`: `{"seq": ...,
/// "now_us": ..., "led": [[time_us, "#rrggbb"], ...], "pins": {"P9":
/// [[time_us, "high"], ...]}}`.
pub async fn get(State(app): State<App>, Query(q): Query<TimelineQuery>) -> Result<Json<Value>, ApiError> {
    let (model, now_us) = on_board(&app, |board: &mut Board| {
        let now = board.now_us();
        // The heartbeat's flashes are traced when the LED is brought up to a time.
        board.led().advance(now);
        Ok::<_, ApiError>((board.model(), now))
    })
    .await?;
    let mut pins = Vec::new();
    for name in q.pins.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let pin = find_pin(model, name).ok_or_else(|| ApiError::bad_request(format!("no pin {name} on this board")))?;
        pins.push(pin);
    }
    let (changes, seq) = app.timeline.select(q.after, |c| match c.what {
        What::Led(_) => true,
        What::Pin(gpio, _) => pins.iter().any(|p| p.gpio == gpio),
    });
    let led = changes
        .iter()
        .filter_map(|c| match c.what {
            What::Led(rgb) => Some((c.time_us, json!(format!("#{rgb:06x}")))),
            What::Pin(..) => None,
        })
        .collect();
    let mut by_pin = Map::new();
    for pin in &pins {
        let points = changes
            .iter()
            .filter_map(|c| match c.what {
                What::Pin(gpio, level) if gpio == pin.gpio => Some((c.time_us, json!(level_name(level)))),
                _ => None,
            })
            .collect();
        by_pin.insert(pin.module.to_owned(), series(points, q.since_us));
    }
    Ok(Json(json!({
        "seq": seq,
        "now_us": now_us,
        "capacity": CAPACITY,
        "led": series(led, q.since_us),
        "pins": by_pin,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_last_changes_only() {
        let mut ring = Ring::default();
        for t in 0..(CAPACITY as u64 + 10) {
            ring.push(t, What::Led(t as u32));
        }
        assert_eq!(ring.changes.len(), CAPACITY);
        assert_eq!(ring.changes.front().unwrap().time_us, 10);
        assert_eq!(ring.next_seq, CAPACITY as u64 + 10);
    }

    #[test]
    fn a_series_from_a_time_starts_with_the_value_then() {
        let points = vec![(30, json!("c")), (10, json!("a")), (20, json!("b"))];
        assert_eq!(series(points.clone(), 25), json!([[20, "b"], [30, "c"]]));
        assert_eq!(series(points.clone(), 0), json!([[10, "a"], [20, "b"], [30, "c"]]));
        assert_eq!(series(points, 99), json!([[30, "c"]]));
    }
}
