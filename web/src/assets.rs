//! The page: HTML, script and style, built into the binary.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};

const INDEX: &str = include_str!("../assets/index.html");
const SCRIPT: &str = include_str!("../assets/app.js");
const STYLE: &str = include_str!("../assets/style.css");
const POWER: &str = include_str!("../assets/power.js");
const FIRMWARE: &str = include_str!("../assets/firmware.js");

/// A script of the page's panels.
fn script<S: Clone + Send + Sync + 'static>(source: &'static str) -> MethodRouter<S> {
    get(move || async move { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], source).into_response() })
}

/// `/`, `/app.js`, `/style.css` and the panels' scripts, open to all (they
/// hold no board data).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response() }))
        .route(
            "/app.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response() }),
        )
        .route(
            "/style.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response() }),
        )
        .route("/power.js", script(POWER))
        .route("/firmware.js", script(FIRMWARE))
}
