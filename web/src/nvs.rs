//! `/api/nvs`: the keys of the `PY_NVM` namespace (`pycom.nvs_*`), read and
//! written on the running board as those calls do, so what the page stores
//! is what `pycom.nvs_get` returns next; other namespaces, read only.

use axum::Json;
use axum::extract::{Path, Query, State};
use pycom_board::Board;
use pycom_board::nvs::{NvsError, PycomValue, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::{App, on_board};
use crate::error::ApiError;

/// The namespace of `pycom.nvs_*`.
const PY_NVM: &str = "PY_NVM";

/// Longest string `pycom.nvs_set` stores is one byte less than this.
const MAX_STRING: usize = 1984;

/// One key as the table shows it.
#[derive(Serialize)]
pub struct Key {
    key: String,
    /// The item type it is stored as (`u32`, `str`, ...).
    #[serde(rename = "type")]
    item_type: String,
    /// The value as `pycom.nvs_get` returns it (a `u32` as a signed
    /// 32-bit int); other types as they are.
    value: serde_json::Value,
}

fn shown(value: Value) -> (String, serde_json::Value) {
    let item_type = format!("{:?}", value.item_type()).to_lowercase();
    let value = match value {
        Value::U32(v) => json!(v as i32),
        Value::Str(s) => json!(s),
        Value::U8(v) => json!(v),
        Value::I8(v) => json!(v),
        Value::U16(v) => json!(v),
        Value::I16(v) => json!(v),
        Value::I32(v) => json!(v),
        Value::U64(v) => json!(v),
        Value::I64(v) => json!(v),
        Value::Blob(bytes) => json!(bytes),
    };
    (item_type, value)
}

/// The query of `GET /api/nvs`.
#[derive(Deserialize)]
pub struct NamespaceQuery {
    /// The namespace to list (`PY_NVM`, that of `pycom.nvs_*`, unless told).
    namespace: Option<String>,
}

/// `GET /api/nvs?namespace=NAME`: every key of the namespace with its
/// value (`PY_NVM` unless told; other namespaces are shown as stored).
pub async fn list(State(app): State<App>, Query(q): Query<NamespaceQuery>) -> Result<Json<Vec<Key>>, ApiError> {
    let entries = on_board(&app, move |board: &mut Board| {
        board.with_nvs(|nvs, flash| match q.namespace.as_deref() {
            None | Some(PY_NVM) => nvs.entries(flash).map_err(ApiError::from),
            Some(name) => {
                let storage = nvs.storage().ok_or_else(|| ApiError::from(NvsError::InvalidHandle))?;
                let &(_, index) = storage
                    .namespaces()
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| ApiError::not_found(format!("no namespace {name:?}")))?;
                storage.entries(flash, Some(index)).map_err(ApiError::from)
            }
        })
    })
    .await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|entry| {
                let (item_type, value) = shown(entry.value);
                Key { key: entry.key, item_type, value }
            })
            .collect(),
    ))
}

/// `GET /api/nvs/namespaces`: the namespaces stored, `["PY_NVM", ...]`.
pub async fn namespaces(State(app): State<App>) -> Result<Json<Vec<String>>, ApiError> {
    let names = on_board(&app, |board: &mut Board| {
        board.with_nvs(|nvs, _| {
            let storage = nvs.storage().ok_or(NvsError::InvalidHandle)?;
            Ok::<_, NvsError>(storage.namespaces().iter().map(|(name, _)| name.clone()).collect())
        })
    })
    .await?;
    Ok(Json(names))
}

/// The body of `PUT /api/nvs/KEY`.
#[derive(Deserialize)]
pub struct NewValue {
    /// An integer (stored as `u32`, modulo 2**32, as `nvs_set` does) or a string.
    value: serde_json::Value,
}

/// What `nvs_set` stores for a value.
enum Stored {
    U32(u32),
    Str(Vec<u8>),
}

fn to_store(value: &serde_json::Value) -> Result<Stored, ApiError> {
    match value {
        serde_json::Value::String(s) if s.len() >= MAX_STRING => {
            Err(ApiError::bad_request(format!("value too long (max: {MAX_STRING})")))
        }
        serde_json::Value::String(s) => {
            let end = s.find('\0').unwrap_or(s.len());
            Ok(Stored::Str(s.as_bytes()[..end].to_vec()))
        }
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(v), _) => Ok(Stored::U32(v as u32)),
            (None, Some(v)) => Ok(Stored::U32(v as u32)),
            _ => Err(ApiError::bad_request("Value must be string, bytes or integer")),
        },
        _ => Err(ApiError::bad_request("Value must be string, bytes or integer")),
    }
}

/// `PUT /api/nvs/KEY` with `{"value": ...}`: `pycom.nvs_set(KEY, value)`.
pub async fn set(
    State(app): State<App>,
    Path(key): Path<String>,
    Json(body): Json<NewValue>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let stored = to_store(&body.value)?;
    let name = key.clone();
    on_board(&app, move |board: &mut Board| {
        board.with_nvs(|nvs, flash| match &stored {
            Stored::U32(v) => nvs.set_u32(flash, name.as_bytes(), *v),
            Stored::Str(s) => nvs.set_str(flash, name.as_bytes(), s),
        })
    })
    .await?;
    let now =
        on_board(&app, move |board: &mut Board| board.with_nvs(|nvs, flash| nvs.get(flash, key.as_bytes()))).await?;
    let value = match now {
        PycomValue::Int(v) => json!(v),
        PycomValue::Str(bytes) => json!(String::from_utf8_lossy(&bytes)),
    };
    Ok(Json(json!({ "value": value })))
}

/// `DELETE /api/nvs/KEY`: `pycom.nvs_erase(KEY)`.
pub async fn erase(State(app): State<App>, Path(key): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let name = key.clone();
    on_board(&app, move |board: &mut Board| board.with_nvs(|nvs, flash| nvs.erase(flash, name.as_bytes()))).await?;
    Ok(Json(json!({ "erased": key })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_are_kept_modulo_2_32_as_nvs_set_keeps_them() {
        assert!(matches!(to_store(&json!(-1)).unwrap(), Stored::U32(u32::MAX)));
        assert!(matches!(to_store(&json!(7)).unwrap(), Stored::U32(7)));
        assert!(matches!(to_store(&json!("a\u{0}b")).unwrap(), Stored::Str(s) if s == b"a"));
        assert!(to_store(&json!(1.5)).is_err());
        assert!(to_store(&json!(true)).is_err());
        assert!(to_store(&json!("x".repeat(MAX_STRING))).is_err());
    }
}
