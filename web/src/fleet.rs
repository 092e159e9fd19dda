//! The web view of a fleet: each board's API, the same as one board's,
//! under `/api/boards/NAME`; an index of the boards (`GET /api/boards`)
//! and their live summaries (`GET /api/fleet/events`). The page picks a
//! board with `?board=NAME`.
//!
//! A board keeps its [`WebBoard`] through every reboot and deep sleep (the
//! fleet boots the same board again), so its view follows it across boots.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::{Json, Router, middleware};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Value, json};
use tokio::sync::watch;

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

/// Whether `name` can stand as it is in an address.
fn addressable(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The fleet's routes: each board's API, the index, the page.
pub fn router(boards: Vec<(String, WebBoard)>, access: Access) -> Result<Router, WebError> {
    let mut names = HashSet::new();
    let mut app = Router::new();
    let mut entries = Vec::new();
    for (name, web) in boards {
        if !addressable(&name) || !names.insert(name.clone()) {
            return Err(WebError::BoardName(name));
        }
        let model = web.board.lock().unwrap_or_else(|p| p.into_inner()).model();
        let (api, state) = api::board_api(web, access.clone());
        app = app.nest(&format!("/api/boards/{name}"), api);
        entries.push(Entry { name, model: (model.id(), model.platform()), state });
    }
    let index = Router::new()
        .route("/api/boards", get(list))
        .route("/api/fleet/events", get(events))
        .layer(middleware::from_fn_with_state(access, crate::access::check))
        .with_state(Arc::<[Entry]>::from(entries));
    Ok(app.merge(index).merge(assets::router()))
}

/// `GET /api/boards`: each board of the fleet, in the fleet file's order,
/// as [`Entry::summary`] gives it.
async fn list(State(entries): State<Arc<[Entry]>>) -> Json<Value> {
    Json(Value::Array(entries.iter().map(Entry::summary_now).collect()))
}

/// `GET /api/fleet/events`: Server-Sent Events, a `board` event (one
/// board's summary, as in `/api/boards`) for each board at once and then
/// on each change of its state.
async fn events(State(entries): State<Arc<[Entry]>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
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
