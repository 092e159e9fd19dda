//! `/api/files`: the board's volumes (`/flash`, and `/sd` while mounted) as
//! the running board has them, through [`Board::volume`], the path the FTP
//! server edits them by.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use pycom_board::Board;
use pycom_board::fs::{Volume, clean_path};
use serde::{Deserialize, Serialize};

use crate::api::{App, on_board};
use crate::error::ApiError;

/// The `?path=` of a files request: a board path such as `/flash/lib/x.py`.
#[derive(Deserialize)]
pub struct PathQuery {
    path: String,
}

/// One entry of a directory listing.
#[derive(Serialize)]
pub struct Entry {
    name: String,
    dir: bool,
    size: u64,
}

/// `path` split into its volume's name and the path inside it (`/` for the
/// volume itself).
fn split(path: &str) -> Result<(String, String), ApiError> {
    let clean = clean_path(path);
    let rest = clean.strip_prefix('/').unwrap_or(&clean);
    match rest.split_once('/') {
        Some((volume, inner)) => Ok((volume.to_owned(), format!("/{inner}"))),
        None if !rest.is_empty() => Ok((rest.to_owned(), "/".to_owned())),
        None => Err(ApiError::bad_request("a path inside a volume, such as /flash/main.py")),
    }
}

/// Runs `f` on the volume `path` is in, with the path inside it.
async fn on_volume<R: Send + 'static>(
    app: &App,
    path: &str,
    f: impl FnOnce(&mut Volume<'_>, &str) -> Result<R, pycom_board::fs::FsError> + Send + 'static,
) -> Result<R, ApiError> {
    let (volume, inner) = split(path)?;
    on_board(app, move |board: &mut Board| match board.volume(&volume) {
        Some(mut v) => f(&mut v, &inner).map_err(ApiError::from),
        None => Err(ApiError::not_found(format!("no volume /{volume} is mounted"))),
    })
    .await
}

/// A path that names a file or directory inside a volume, not a volume.
fn inside(path: &str) -> Result<(), ApiError> {
    match split(path)? {
        (_, inner) if inner == "/" => Err(ApiError::bad_request("a volume itself cannot be changed")),
        _ => Ok(()),
    }
}

/// `GET /api/files?path=DIR`: the entries of a directory.
pub async fn list(State(app): State<App>, Query(q): Query<PathQuery>) -> Result<Json<Vec<Entry>>, ApiError> {
    let entries = on_volume(&app, &q.path, |v, inner| v.list(inner)).await?;
    Ok(Json(entries.into_iter().map(|e| Entry { name: e.name, dir: e.is_dir, size: e.size }).collect()))
}

/// `GET /api/files/content?path=FILE`: the file's bytes.
pub async fn read(State(app): State<App>, Query(q): Query<PathQuery>) -> Result<impl IntoResponse, ApiError> {
    let data = on_volume(&app, &q.path, |v, inner| v.read(inner)).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], data))
}

/// `PUT /api/files/content?path=FILE`: writes the body as the whole file.
pub async fn write(
    State(app): State<App>,
    Query(q): Query<PathQuery>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    inside(&q.path)?;
    let len = body.len();
    on_volume(&app, &q.path, move |v, inner| v.write(inner, &body)).await?;
    Ok(Json(serde_json::json!({ "written": len })))
}

/// `DELETE /api/files?path=PATH`: removes a file or an empty directory.
pub async fn remove(State(app): State<App>, Query(q): Query<PathQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    inside(&q.path)?;
    on_volume(
        &app,
        &q.path,
        |v, inner| {
            if v.metadata(inner)?.is_dir { v.remove_dir(inner) } else { v.remove_file(inner) }
        },
    )
    .await?;
    Ok(Json(serde_json::json!({ "removed": q.path })))
}

/// `POST /api/files/mkdir?path=DIR`: creates a directory.
pub async fn mkdir(State(app): State<App>, Query(q): Query<PathQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    inside(&q.path)?;
    on_volume(&app, &q.path, |v, inner| v.create_dir(inner)).await?;
    Ok(Json(serde_json::json!({ "created": q.path })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_volume_and_a_path_inside_it() {
        assert_eq!(split("/flash/lib/x.py").unwrap(), ("flash".into(), "/lib/x.py".into()));
        assert_eq!(split("/flash").unwrap(), ("flash".into(), "/".into()));
        assert_eq!(split("/flash/../sd/a").unwrap(), ("sd".into(), "/a".into()));
        assert!(split("/").is_err());
        assert!(split("/..").is_err());
    }
}
