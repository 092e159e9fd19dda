//! `/api/settings`: the config block shown and changed as `pycom-emu config
//! show` and `config set` do (the CLI lends its checks through [`Settings`],
//! so this crate does not depend on it), and the bootloader's `boot_info`.
//! A change is checked before anything is written: a refused value changes
//! nothing.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use pycom_board::Board;
use pycom_formats::ConfigBlock;
use serde::Deserialize;
use serde_json::Value;

use crate::api::{App, on_board};
use crate::error::ApiError;

/// Why a setting was not changed.
#[derive(Debug, thiserror::Error)]
pub enum SettingRefused {
    /// No setting has that name.
    #[error("no setting {0:?}")]
    Unknown(String),
    /// The value is not one the setting takes (`config set`'s message).
    #[error("{0}")]
    Invalid(String),
}

/// The config block as `pycom-emu config` knows it.
pub trait Settings: Send + Sync {
    /// Every setting by name, as the `pycom.*` getters return it (`config
    /// show --json`'s values).
    fn show(&self, block: &ConfigBlock) -> Value;

    /// The bootloader's `boot_info` as stored in the board's flash (`config
    /// show --json`'s `boot_info`).
    fn boot_info(&self, board: &mut Board) -> Value;

    /// The names `set` takes, in `config show` order.
    fn names(&self) -> Vec<&'static str>;

    /// `config set NAME VALUE` on `block` in RAM, with its checks; `None` as
    /// the value is `config unset NAME`.
    fn set(&self, block: &mut ConfigBlock, name: &str, value: Option<&str>) -> Result<(), SettingRefused>;
}

impl From<SettingRefused> for ApiError {
    fn from(e: SettingRefused) -> Self {
        match e {
            SettingRefused::Unknown(_) => ApiError::not_found(e.to_string()),
            SettingRefused::Invalid(_) => ApiError::bad_request(e.to_string()),
        }
    }
}

/// `GET /api/settings`: the config block as the `pycom.*` getters return it.
pub async fn show(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let settings = app.settings.clone();
    let shown = on_board(&app, move |board: &mut Board| Ok::<_, ApiError>(settings.show(board.config()))).await?;
    Ok(Json(shown))
}

/// `GET /api/settings/boot_info`: the bootloader's `boot_info`.
pub async fn boot_info(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let settings = app.settings.clone();
    let shown = on_board(&app, move |board: &mut Board| Ok::<_, ApiError>(settings.boot_info(board))).await?;
    Ok(Json(shown))
}

/// `GET /api/settings/names`: the settings `PUT /api/settings/NAME` changes.
pub async fn names(State(app): State<App>) -> Json<Vec<&'static str>> {
    Json(app.settings.names())
}

/// The body of `PUT /api/settings/NAME`.
#[derive(Deserialize)]
pub struct NewSetting {
    /// `true`/`false`, a number, a text as `config set` takes it, or `null`
    /// to erase the setting (`config unset`).
    value: Value,
}

/// The text `config set` would be given for a JSON value (`None`: unset).
fn as_text(value: &Value) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(ApiError::bad_request("a setting's value is a boolean, a number, a text or null")),
    }
}

/// `PUT /api/settings/NAME` with `{"value": ...}`: `config set NAME VALUE`
/// on the running board (the config sector is rewritten only if a byte
/// changes); answers every setting as `GET /api/settings` does.
pub async fn set(
    State(app): State<App>,
    Path(name): Path<String>,
    Json(body): Json<NewSetting>,
) -> Result<Json<Value>, ApiError> {
    let text = as_text(&body.value)?;
    let settings = app.settings.clone();
    let shown = on_board(&app, move |board: &mut Board| {
        let mut next = board.config().clone();
        settings.set(&mut next, &name, text.as_deref())?;
        board
            .update_config(|block| *block = next)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        Ok::<_, ApiError>(settings.show(board.config()))
    })
    .await?;
    Ok(Json(shown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_values_become_the_text_config_set_takes() {
        assert_eq!(as_text(&json!(true)).unwrap().as_deref(), Some("true"));
        assert_eq!(as_text(&json!(5000)).unwrap().as_deref(), Some("5000"));
        assert_eq!(as_text(&json!("littlefs")).unwrap().as_deref(), Some("littlefs"));
        assert_eq!(as_text(&json!(null)).unwrap(), None);
        assert!(as_text(&json!([1])).is_err());
    }
}
