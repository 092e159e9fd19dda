//! The web view of a fleet: each board's API, the same as one board's,
//! under `/api/boards/NAME`; an index of the boards (`GET /api/boards`),
//! their live summaries (`GET /api/fleet/events`) and the fleet's one
//! clock (`/api/fleet/clock`: pause, step, speed). The page picks a board
//! with `?board=NAME`.
//!
//! A board keeps its [`WebBoard`] through every reboot and deep sleep (the
//! fleet boots the same board again), so its view follows it across boots.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use futures_util::stream::{self, Stream, StreamExt};
use pycom_board::Clock;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::error::ApiError;
use crate::power::{ClockChange, Step, clock_state};
use crate::{Access, WebBoard, WebError, api, assets};

/// One board of the index.
struct Entry {
    name: String,
    /// The model's id (`lopy4`) and its name (`LoPy4`).
    model: (&'static str, &'static str),
    /// The board's live state, as its `/state` sends it.
    state: watch::Receiver<Arc<str>>,
}

impl Entry {
    /// What the index shows of the board: name, model, device time, LED,
    /// heartbeat, boots.
    fn summary(&self, state: &str) -> Value {
        let state: Value = serde_json::from_str(state).unwrap_or_default();
        json!({
            "name": self.name,
            "model": self.model.0,
            "model_name": self.model.1,
            "time_us": state["time_us"],
            "led": state["led"],
            "heartbeat": state["heartbeat"],
            "boots": state["boots"],
        })
    }

    fn summary_now(&self) -> Value {
        let state = self.state.borrow().clone();
        self.summary(&state)
    }
}

/// What the index's routes share.
#[derive(Clone)]
struct Fleet {
    entries: Arc<[Entry]>,
    /// A board's clock: on the fleet's timeline every board's clock shares
    /// one control and one device time, the fleet's (`None`: no boards).
    clock: Option<Arc<Clock>>,
}

impl Fleet {
    fn clock(&self) -> Result<&Clock, ApiError> {
        self.clock.as_deref().ok_or_else(|| ApiError::not_found("the fleet has no boards"))
    }
}

/// Whether `name` can stand as it is in an address.
fn addressable(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The fleet's routes: each board's API, the index, the page.
pub fn router(boards: Vec<(String, WebBoard)>, access: Access) -> Result<Router, WebError> {
    let mut names = HashSet::new();
    let mut app = Router::new();
    let mut entries = Vec::new();
    let mut clock = None;
    for (name, web) in boards {
        if !addressable(&name) || !names.insert(name.clone()) {
            return Err(WebError::BoardName(name));
        }
        let (model, board_clock) = {
            let board = web.board.lock().unwrap_or_else(|p| p.into_inner());
            (board.model(), board.clock().clone())
        };
        clock.get_or_insert(board_clock);
        let (api, state) = api::board_api(web, access.clone());
        app = app.nest(&format!("/api/boards/{name}"), api);
        entries.push(Entry { name, model: (model.id(), model.platform()), state });
    }
    let index = Router::new()
        .route("/api/boards", get(list))
        .route("/api/fleet/events", get(events))
        .route("/api/fleet/clock", get(fleet_clock).post(set_fleet_clock))
        .route("/api/fleet/clock/step", post(step_fleet_clock))
        .layer(middleware::from_fn_with_state(access, crate::access::check))
        .with_state(Fleet { entries: entries.into(), clock });
    Ok(app.merge(index).merge(assets::router()))
}

/// `GET /api/boards`: each board of the fleet, in the fleet file's order,
/// as [`Entry::summary`] gives it.
async fn list(State(fleet): State<Fleet>) -> Json<Value> {
    Json(Value::Array(fleet.entries.iter().map(Entry::summary_now).collect()))
}

/// `GET /api/fleet/clock`: the fleet's clock as `/api/clock` shows a
/// board's: `{"time_us", "paused", "speed"}`, `time_us` the fleet's device
/// time (the furthest any board has got).
async fn fleet_clock(State(fleet): State<Fleet>) -> Result<Json<Value>, ApiError> {
    Ok(Json(clock_state(fleet.clock()?)))
}

/// `POST /api/fleet/clock`: pause, run or pace every board, as `POST
/// /api/clock` does one board.
async fn set_fleet_clock(State(fleet): State<Fleet>, Json(change): Json<ClockChange>) -> Result<Json<Value>, ApiError> {
    Ok(Json(change.apply(fleet.clock()?)))
}

/// `POST /api/fleet/clock/step` with `{"ms": 100}`: the fleet's device time
/// moves on by exactly the step, as `POST /api/clock/step` does a board's.
async fn step_fleet_clock(State(fleet): State<Fleet>, Json(step): Json<Step>) -> Result<Json<Value>, ApiError> {
    Ok(Json(step.take(fleet.clock()?).await?))
}

/// `GET /api/fleet/events`: Server-Sent Events, a `board` event (one
/// board's summary, as in `/api/boards`) for each board at once and then
/// on each change of its state.
async fn events(State(fleet): State<Fleet>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let entries = fleet.entries;
    let each = (0..entries.len()).map(|index| {
        let mut state = entries[index].state.clone();
        state.mark_changed();
        let entries = entries.clone();
        stream::unfold(state, move |mut state| {
            let entries = entries.clone();
            async move {
                state.changed().await.ok()?;
                let json = state.borrow_and_update().clone();
                let summary = entries[index].summary(&json);
                Some((Ok(Event::default().event("board").data(summary.to_string())), state))
            }
        })
        .boxed()
    });
    Sse::new(stream::select_all(each)).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_name_stands_in_an_address_as_it_is() {
        assert!(addressable("node-1_b"));
        assert!(!addressable(""));
        assert!(!addressable("a/b"));
        assert!(!addressable("a b"));
    }
}
