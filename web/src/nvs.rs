//! `/api/nvs`: the keys of the `PY_NVM` namespace (`pycom.nvs_*`), read and
//! written on the running board as those calls do, so what the page stores
//! is what `pycom.nvs_get` returns next; other namespaces as stored, each key
//! changed in the type it has.

use axum::Json;
use axum::extract::{Path, Query, State};
use pycom_board::Board;
use pycom_board::nvs::{Nvs, NvsError, PycomNvs, PycomValue, Value};
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
                let (storage, index) = namespace(nvs, name)?;
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

/// The storage and the index of namespace `name`; 404 if it is not stored.
fn namespace<'a>(nvs: &'a mut PycomNvs, name: &str) -> Result<(&'a mut Nvs, u8), ApiError> {
    let storage = nvs.storage().ok_or_else(|| ApiError::from(NvsError::InvalidHandle))?;
    let index = storage.namespaces().iter().find(|(n, _)| n == name).map(|&(_, index)| index);
    let index = index.ok_or_else(|| ApiError::not_found(format!("no namespace {name:?}")))?;
    Ok((storage, index))
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
    /// In `PY_NVM`, an integer (stored as `u32`, modulo 2**32, as `nvs_set`
    /// does) or a string; elsewhere a value of the key's type.
    value: serde_json::Value,
    /// The type of a new key in another namespace (`u8` ... `i64`, `str`, `blob`).
    #[serde(rename = "type")]
    item_type: Option<String>,
}

/// `value` as an NVS value of type `type_name` (the names `GET` shows, or
/// Espressif's CSV ones): an integer in range, a string, a blob as a list
/// of bytes.
fn typed(type_name: &str, value: &serde_json::Value) -> Result<Value, ApiError> {
    let bad = || ApiError::bad_request(format!("{value} is not a {type_name} value"));
    let int = || value.as_i64().map(i128::from).or_else(|| value.as_u64().map(i128::from)).ok_or_else(bad);
    Ok(match type_name {
        "u8" => Value::U8(fit::<u8>(int()?).ok_or_else(bad)?),
        "i8" => Value::I8(fit::<i8>(int()?).ok_or_else(bad)?),
        "u16" => Value::U16(fit::<u16>(int()?).ok_or_else(bad)?),
        "i16" => Value::I16(fit::<i16>(int()?).ok_or_else(bad)?),
        "u32" => Value::U32(fit::<u32>(int()?).ok_or_else(bad)?),
        "i32" => Value::I32(fit::<i32>(int()?).ok_or_else(bad)?),
        "u64" => Value::U64(fit::<u64>(int()?).ok_or_else(bad)?),
        "i64" => Value::I64(fit::<i64>(int()?).ok_or_else(bad)?),
        "str" | "string" => Value::Str(value.as_str().ok_or_else(bad)?.to_owned()),
        "blobv1" | "blobdata" | "blobindex" | "blob" | "binary" => {
            Value::Blob(serde_json::from_value(value.clone()).map_err(|_| bad())?)
        }
        _ => return Err(ApiError::bad_request(format!("unknown type {type_name:?}"))),
    })
}

/// `n` as a `T`, if it fits.
fn fit<T: TryFrom<i128>>(n: i128) -> Option<T> {
    T::try_from(n).ok()
}

/// `PUT /api/nvs/KEY?namespace=NS` outside `PY_NVM`: the key keeps its type
/// (a new key needs one); answers what is stored.
async fn set_in(app: &App, name: String, key: String, body: NewValue) -> Result<Json<serde_json::Value>, ApiError> {
    let stored = on_board(app, move |board: &mut Board| {
        board.with_nvs(|nvs, flash| {
            let (storage, index) = namespace(nvs, &name)?;
            let entries = storage.entries(flash, Some(index))?;
            let current = entries.into_iter().find(|e| e.key == key).map(|e| shown(e.value).0);
            let type_name = body.item_type.or(current).ok_or_else(|| {
                ApiError::bad_request(format!("{key:?} is not in {name}: give the type of the new key"))
            })?;
            let value = typed(&type_name, &body.value)?;
            storage.set(flash, index, key.as_bytes(), &value)?;
            Ok::<_, ApiError>(value)
        })
    })
    .await?;
    let (item_type, value) = shown(stored);
    Ok(Json(json!({ "type": item_type, "value": value })))
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

/// `PUT /api/nvs/KEY` with `{"value": ...}`: `pycom.nvs_set(KEY, value)`;
/// with `?namespace=NS`, the key of that namespace.
pub async fn set(
    State(app): State<App>,
    Path(key): Path<String>,
    Query(q): Query<NamespaceQuery>,
    Json(body): Json<NewValue>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if let Some(name) = q.namespace.filter(|name| name != PY_NVM) {
        return set_in(&app, name, key, body).await;
    }
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

/// `DELETE /api/nvs/KEY`: `pycom.nvs_erase(KEY)`; with `?namespace=NS`, the
/// key of that namespace.
pub async fn erase(
    State(app): State<App>,
    Path(key): Path<String>,
    Query(q): Query<NamespaceQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let name = key.clone();
    on_board(&app, move |board: &mut Board| {
        board.with_nvs(|nvs, flash| match q.namespace.filter(|ns| ns != PY_NVM) {
            None => nvs.erase(flash, name.as_bytes()).map_err(ApiError::from),
            Some(ns) => {
                let (storage, index) = namespace(nvs, &ns)?;
                storage.erase_key(flash, index, name.as_bytes()).map_err(ApiError::from)
            }
        })
    })
    .await?;
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

    #[test]
    fn a_value_of_another_namespace_must_fit_its_type() {
        assert!(matches!(typed("u8", &json!(255)).unwrap(), Value::U8(255)));
        assert!(typed("u8", &json!(256)).is_err());
        assert!(typed("i8", &json!(-129)).is_err());
        assert!(matches!(typed("u64", &json!(u64::MAX)).unwrap(), Value::U64(u64::MAX)));
        assert!(matches!(typed("str", &json!("x")).unwrap(), Value::Str(s) if s == "x"));
        assert!(matches!(typed("blobdata", &json!([1, 2])).unwrap(), Value::Blob(b) if b == [1, 2]));
        assert!(typed("blobdata", &json!([256])).is_err());
        assert!(typed("u16", &json!("7")).is_err());
        assert!(typed("float", &json!(1)).is_err());
    }
}
