//! The page: HTML, scripts and styles, built into the binary.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const HTML: &str = "text/html; charset=utf-8";
const SCRIPT: &str = "text/javascript; charset=utf-8";
const STYLE: &str = "text/css; charset=utf-8";

/// Each file of the page: its address, type and text.
const FILES: [(&str, &str, &str); 14] = [
    ("/", HTML, include_str!("../assets/index.html")),
    ("/app.js", SCRIPT, include_str!("../assets/app.js")),
    ("/style.css", STYLE, include_str!("../assets/style.css")),
    ("/panels.css", STYLE, include_str!("../assets/panels.css")),
    ("/models.js", SCRIPT, include_str!("../assets/models.js")),
    ("/editor.js", SCRIPT, include_str!("../assets/editor.js")),
    ("/settings.js", SCRIPT, include_str!("../assets/settings.js")),
    ("/namespaces.js", SCRIPT, include_str!("../assets/namespaces.js")),
    ("/sensors.js", SCRIPT, include_str!("../assets/sensors.js")),
    ("/timeline.js", SCRIPT, include_str!("../assets/timeline.js")),
    ("/power.js", SCRIPT, include_str!("../assets/power.js")),
    ("/firmware.js", SCRIPT, include_str!("../assets/firmware.js")),
    ("/fleet.js", SCRIPT, include_str!("../assets/fleet.js")),
    ("/fleet.css", STYLE, include_str!("../assets/fleet.css")),
];

/// The page's files, open to all (they hold no board data).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    FILES.iter().fold(Router::new(), |router, &(path, content_type, text)| {
        router.route(path, get(move || async move { ([(header::CONTENT_TYPE, content_type)], text).into_response() }))
    })
}
