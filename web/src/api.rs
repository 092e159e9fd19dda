//! The routes: the page's files, and the JSON API under `/api` behind the
//! access check (see the README's "Web view" for each call).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post, put};
use axum::{Json, Router, middleware};
use futures_util::stream::{self, Stream, StreamExt};
use pycom_board::pins::{DeviceSpec, find_pin, pin_names};
use pycom_board::{Board, Clock};
use pycom_python::{PowerRequest, PowerSwitch, UartInput};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{broadcast, watch};

use crate::console::ConsoleHub;
use crate::error::ApiError;
use crate::timeline::Timeline;
use crate::{Access, SettingsView, WebBoard, assets, files, firmware, live, nvs, power, sensors, settings, timeline};

/// Largest upload: more than any volume holds.
const UPLOAD_MAX: usize = 32 << 20;

/// What the handlers share.
#[derive(Clone)]
pub struct App {
    pub(crate) board: Arc<Mutex<Board>>,
    pub(crate) devices: Arc<[DeviceSpec]>,
    input: Option<UartInput>,
    repl: bool,
    pub(crate) settings: SettingsView,
    console: Arc<ConsoleHub>,
    state: watch::Receiver<Arc<str>>,
    pub(crate) timeline: Arc<Timeline>,
    /// The board's clock.
    pub(crate) clock: Arc<Clock>,
    /// The board's power switch.
    pub(crate) power: PowerSwitch,
}

/// Runs `f` on the board on a blocking thread (the board's lock may be
/// held for a while by the script's own flash work). A power cut that `f`
/// set off powers the board off and on.
pub async fn on_board<R: Send + 'static, E: Into<ApiError> + Send + 'static>(
    app: &App,
    f: impl FnOnce(&mut Board) -> Result<R, E> + Send + 'static,
) -> Result<R, ApiError> {
    let (board, power) = (app.board.clone(), app.power.clone());
    tokio::task::spawn_blocking(move || {
        let mut board = board.lock().unwrap_or_else(|p| p.into_inner());
        let result = f(&mut board);
        if board.power_lost() {
            power.request(PowerRequest::PowerCycle);
        }
        result
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(Into::into)
}

/// The web view of one board: its API under `/api` and the page.
pub fn router(web: WebBoard, access: Access) -> Router {
    let (api, _) = board_api(web, access);
    Router::new().nest("/api", api).merge(assets::router())
}

/// One board's API (the routes under `/api`) and its live state, as
/// `/api/state` sends it; the board's watchers start here.
pub fn board_api(web: WebBoard, access: Access) -> (Router, watch::Receiver<Arc<str>>) {
    let (timeline, clock) = {
        let mut board = web.board.lock().unwrap_or_else(|p| p.into_inner());
        (Timeline::attach(&mut board), board.clock().clone())
    };
    let app = App {
        timeline,
        clock,
        power: web.power,
        state: live::watch_board(web.board.clone()),
        console: ConsoleHub::start(web.output),
        board: web.board,
        devices: web.devices.into(),
        input: web.input,
        repl: web.repl,
        settings: web.settings,
    };
    let api = Router::new()
        .route("/board", get(board_info))
        .route("/state", get(state))
        .route("/events", get(events))
        .route("/console", get(console_text).post(console_input))
        .route("/devices/{index}/press", post(press))
        .route("/files", get(files::list).delete(files::remove))
        .route("/files/content", get(files::read).put(files::write))
        .route("/files/mkdir", post(files::mkdir))
        .route("/nvs", get(nvs::list))
        .route("/nvs/namespaces", get(nvs::namespaces))
        .route("/nvs/{key}", put(nvs::set).delete(nvs::erase))
        .route("/settings", get(settings::show))
        .route("/settings/boot_info", get(settings::boot_info))
        .route("/settings/names", get(settings::names))
        .route("/settings/{name}", put(settings::set))
        .route("/sensors", get(sensors::list))
        .route("/sensors/{index}/{quantity}", put(sensors::set))
        .route("/timeline", get(timeline::get))
        .route("/clock", get(power::clock).post(power::set_clock))
        .route("/clock/step", post(power::step))
        .route("/power/soft-reset", post(power::soft_reset))
        .route("/power/reset", post(power::reset))
        .route("/power/cycle", post(power::cycle))
        .route("/power/safe-boot", post(power::safe_boot))
        .route("/power/cut-at-next-write", post(power::arm_cut).delete(power::disarm_cut))
        .route("/firmware", get(firmware::show).put(firmware::upload))
        .layer(middleware::from_fn_with_state(access, crate::access::check))
        .layer(DefaultBodyLimit::max(UPLOAD_MAX))
        .with_state(app.clone());
    (api, app.state)
}

/// `GET /api/board`: the model, its pins, the board file's devices, whether
/// the console takes input and whether the REPL reads it.
async fn board_info(State(app): State<App>) -> Json<serde_json::Value> {
    let model = app.board.lock().unwrap_or_else(|p| p.into_inner()).model();
    let pins: Vec<_> = pin_names(model)
        .iter()
        .map(|p| json!({ "module": p.module, "expansion": p.expansion, "gpio": p.gpio }))
        .collect();
    let devices: Vec<_> = app
        .devices
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            let pins: Vec<_> =
                spec.pins().into_iter().filter_map(|name| find_pin(model, name)).map(|p| p.module).collect();
            json!({ "index": index, "kind": spec.kind(), "pins": pins, "pressable": matches!(spec, DeviceSpec::Button(_)) })
        })
        .collect();
    Json(json!({
        "model": model.id(),
        "name": model.platform(),
        "pins": pins,
        "devices": devices,
        "console_input": app.input.is_some(),
        "repl": app.input.is_some() && app.repl,
        "radios": model.radios().iter().map(|r| format!("{r:?}").to_lowercase()).collect::<Vec<_>>(),
    }))
}

/// `GET /api/state`: the live state now.
async fn state(State(app): State<App>) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let body = app.state.borrow().to_string();
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body)
}

/// One live update for the page.
enum Update {
    State(Arc<str>),
    Console(Arc<str>),
    Lost(u64),
}

impl Update {
    fn event(self) -> Event {
        match self {
            Update::State(json) => Event::default().event("state").data(&*json),
            Update::Console(text) => Event::default().event("console").json_data(&*text).unwrap_or_default(),
            Update::Lost(n) => Event::default().event("lost").data(n.to_string()),
        }
    }
}

/// `GET /api/events`: Server-Sent Events: `console` (JSON strings of
/// output, the scrollback first), `state` (as `/api/state`, on each
/// change), `lost` (output pieces a slow page missed).
async fn events(State(app): State<App>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (scrollback, output) = app.console.subscribe();
    let mut state = app.state.clone();
    state.mark_changed();
    let states = stream::unfold(state, |mut state| async move {
        state.changed().await.ok()?;
        let json = state.borrow_and_update().clone();
        Some((Update::State(json), state))
    });
    let console = stream::unfold(output, |mut output| async move {
        match output.recv().await {
            Ok(text) => Some((Update::Console(text), output)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some((Update::Lost(n), output)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    });
    let first = stream::iter((!scrollback.is_empty()).then(|| Update::Console(scrollback.into())));
    let updates = first.chain(stream::select(states, console)).map(|update| Ok(update.event()));
    Sse::new(updates).keep_alive(KeepAlive::default())
}

/// `GET /api/console`: the output kept so far, as text.
async fn console_text(State(app): State<App>) -> String {
    app.console.subscribe().0
}

/// `POST /api/console`: the body's bytes arrive on the UART (keys for the
/// REPL: `\r` for Enter, `\x03` Ctrl-C, `\x04` Ctrl-D).
async fn console_input(State(app): State<App>, body: Bytes) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(input) = app.input.clone() else {
        return Err(ApiError::new(StatusCode::CONFLICT, "this board's console takes no input"));
    };
    let len = body.len();
    // The UART's buffer may be full: wait off the server's threads.
    tokio::task::spawn_blocking(move || input.push(&body))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(json!({ "sent": len })))
}

/// The body of `POST /api/devices/INDEX/press`.
#[derive(Deserialize)]
struct Press {
    /// `true` presses the button, `false` lets it go.
    pressed: bool,
}

/// `POST /api/devices/INDEX/press` with `{"pressed": true|false}`: a hand on
/// the board file's button number INDEX.
async fn press(
    State(app): State<App>,
    Path(index): Path<usize>,
    Json(body): Json<Press>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(DeviceSpec::Button(button)) = app.devices.get(index) else {
        return Err(ApiError::not_found(format!("device {index} is not a button of the board file")));
    };
    let name = button.pin.clone();
    on_board(&app, move |board: &mut Board| {
        let pin = board.find_pin(&name).ok_or_else(|| ApiError::not_found(format!("no pin {name}")))?;
        board.press_button(pin.gpio, body.pressed);
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(Json(json!({ "device": index, "pressed": body.pressed })))
}
