//! `/api/clock` and `/api/power`: device time paused, stepped and paced
//! ([`pycom_board::ClockControl`]), and the board reset, power-cycled,
//! safe-booted ([`PowerSwitch`]) or cut off in the middle of its next flash
//! write. Untouched, the board runs as it would without a web view.

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use pycom_board::{Board, Clock, Speed};
use pycom_python::PowerRequest;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{App, on_board};
use crate::error::ApiError;

/// Longest step: a day of device time.
const STEP_MAX_MS: f64 = 86_400_000.0;
/// Longest safe-boot hold: past the 6 s of the factory image, with room.
const HOLD_MAX_MS: u64 = 60_000;
/// How long `POST /api/clock/step` waits for device time to get there.
const STEP_WAIT: Duration = Duration::from_secs(2);

/// The clock as `GET /api/clock` shows it (on a fleet's board, the fleet's
/// clock: its device time and its one control).
pub(crate) fn clock_state(clock: &Clock) -> Value {
    let control = clock.control();
    json!({ "time_us": clock.control_us(), "paused": control.paused(), "speed": control.speed() })
}

/// `GET /api/clock`: `{"time_us", "paused", "speed"}`.
pub async fn clock(State(app): State<App>) -> Json<Value> {
    Json(clock_state(&app.clock))
}

/// The body of `POST /api/clock`: what to change.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockChange {
    paused: Option<bool>,
    speed: Option<Speed>,
}

impl ClockChange {
    /// Applies the change to `clock`; answers the clock as it is now.
    pub(crate) fn apply(self, clock: &Clock) -> Value {
        let (control, now) = (clock.control(), clock.control_us());
        if let Some(speed) = self.speed {
            control.set_speed(now, speed);
        }
        match self.paused {
            Some(true) => control.pause(now),
            Some(false) => control.resume(now),
            None => {}
        }
        clock_state(clock)
    }
}

/// `POST /api/clock` with `{"paused": true|false}` and/or `{"speed":
/// "max"|"realtime"|"x10"}`; answers the clock as it is now.
pub async fn set_clock(State(app): State<App>, Json(change): Json<ClockChange>) -> Json<Value> {
    Json(change.apply(&app.clock))
}

/// The body of `POST /api/clock/step`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Milliseconds of device time (fractions down to a microsecond).
    ms: f64,
}

impl Step {
    /// Pauses `clock` if it runs, lets exactly the step pass and stops
    /// again; answers once device time got there (or after 2 s of wall time).
    pub(crate) async fn take(self, clock: &Clock) -> Result<Value, ApiError> {
        if !(self.ms > 0.0 && self.ms <= STEP_MAX_MS) {
            return Err(ApiError::bad_request(format!("ms must be above 0 and at most {STEP_MAX_MS}")));
        }
        let us = (self.ms * 1000.0).round().max(1.0) as u64;
        let until = clock.control().step(clock.control_us(), us);
        let start = Instant::now();
        while clock.control_us() < until && start.elapsed() < STEP_WAIT {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let now = clock.control_us();
        Ok(json!({ "time_us": now, "until_us": until, "reached": now >= until }))
    }
}

/// `POST /api/clock/step` with `{"ms": 100}`: pauses the clock if it runs,
/// lets exactly that much device time pass and stops again. Answers once
/// device time got there (or after 2 s of wall time, with `"reached":
/// false`: the script computes without touching the board).
pub async fn step(State(app): State<App>, Json(step): Json<Step>) -> Result<Json<Value>, ApiError> {
    Ok(Json(step.take(&app.clock).await?))
}

/// `POST /api/power/soft-reset`: a soft reset, as Ctrl-D at the REPL
/// (`boot.py` and `main.py` run again; `reset_cause()` is `SOFT_RESET`).
pub async fn soft_reset(State(app): State<App>) -> Json<Value> {
    request(&app, PowerRequest::SoftReset, "soft reset")
}

/// `POST /api/power/reset`: the reset button (`reset_cause()` is `HARD_RESET`).
pub async fn reset(State(app): State<App>) -> Json<Value> {
    request(&app, PowerRequest::Reset, "reset")
}

/// `POST /api/power/cycle`: power off and on (`PWRON_RESET`, RAM lost).
pub async fn cycle(State(app): State<App>) -> Json<Value> {
    request(&app, PowerRequest::PowerCycle, "power cycle")
}

/// The body of `POST /api/power/safe-boot`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafeBoot {
    /// How long P12 is held high from power-on.
    hold_ms: u64,
}

/// `POST /api/power/safe-boot` with `{"hold_ms": 3000}`: power on with P12
/// held high that long (past 100 ms a safe boot; past 3 s the previous
/// image, past 6 s the factory image).
pub async fn safe_boot(State(app): State<App>, Json(body): Json<SafeBoot>) -> Result<Json<Value>, ApiError> {
    if body.hold_ms > HOLD_MAX_MS {
        return Err(ApiError::bad_request(format!("hold_ms must be at most {HOLD_MAX_MS}")));
    }
    Ok(request(&app, PowerRequest::SafeBoot { hold_us: body.hold_ms * 1000 }, "safe boot"))
}

fn request(app: &App, request: PowerRequest, name: &str) -> Json<Value> {
    // A reset must not wait for a paused clock: it runs on from here.
    app.clock.control().resume(app.clock.control_us());
    app.power.request(request);
    Json(json!({ "requested": name }))
}

/// `POST /api/power/cut-at-next-write`: the power fails in the middle of the
/// next flash program or erase (half of a program's bytes written); the
/// board then powers on again.
pub async fn arm_cut(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    set_cut(&app, true).await
}

/// `DELETE /api/power/cut-at-next-write`: no cut after all.
pub async fn disarm_cut(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    set_cut(&app, false).await
}

/// Arms or cancels the power cut at the next flash write.
async fn set_cut(app: &App, armed: bool) -> Result<Json<Value>, ApiError> {
    on_board(app, move |board: &mut Board| {
        if armed {
            board.cut_power_at_next_write();
        } else {
            board.cancel_power_cut();
        }
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(Json(json!({ "cut_armed": armed })))
}
