//! `/api/sensors`: what the board file's sensors (DHT11/22, DS18B20, analog
//! sources) measure now, and a hand setting a value: it holds from then on
//! in place of the file's schedule, so the script's next reading gets it.

use axum::Json;
use axum::extract::{Path, State};
use pycom_board::Board;
use pycom_board::pins::{DeviceSpec, find_pin};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{App, on_board};
use crate::error::ApiError;

/// The GPIO of device `index`'s pin, for the devices a hand can set.
fn sensor_gpio(app: &App, board: &Board, index: usize) -> Option<u8> {
    let spec = app.devices.get(index)?;
    let settable =
        matches!(spec, DeviceSpec::Dht11(_) | DeviceSpec::Dht22(_) | DeviceSpec::Ds18b20(_) | DeviceSpec::Analog(_));
    settable.then(|| find_pin(board.model(), spec.pin()?).map(|p| p.gpio)).flatten()
}

/// `GET /api/sensors`: `[{"device": 0, "kind": "dht22", "pin": "P10",
/// "readings": [{"quantity": "temperature", "unit": "°C", "value": 21.5}, ...]}]`.
pub async fn list(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let shown = app.clone();
    let sensors = on_board(&app, move |board: &mut Board| {
        let mut out = Vec::new();
        for index in 0..shown.devices.len() {
            let Some(gpio) = sensor_gpio(&shown, board, index) else { continue };
            let readings: Vec<_> = board
                .sensor_readings(gpio)
                .into_iter()
                .map(|r| json!({ "quantity": r.quantity, "unit": r.unit, "value": r.value }))
                .collect();
            let spec = &shown.devices[index];
            out.push(json!({ "device": index, "kind": spec.kind(), "pin": spec.pin(), "readings": readings }));
        }
        Ok::<_, ApiError>(out)
    })
    .await?;
    Ok(Json(Value::Array(sensors)))
}

/// The body of `PUT /api/sensors/INDEX/QUANTITY`.
#[derive(Deserialize)]
pub struct NewReading {
    /// The value from now on.
    value: f64,
}

/// `PUT /api/sensors/INDEX/QUANTITY` with `{"value": 25.0}`: device INDEX
/// of the board file measures `value` from now on.
pub async fn set(
    State(app): State<App>,
    Path((index, quantity)): Path<(usize, String)>,
    Json(body): Json<NewReading>,
) -> Result<Json<Value>, ApiError> {
    if !body.value.is_finite() {
        return Err(ApiError::bad_request("a reading is a finite number"));
    }
    let shown = app.clone();
    on_board(&app, move |board: &mut Board| {
        let gpio = sensor_gpio(&shown, board, index)
            .ok_or_else(|| ApiError::not_found(format!("device {index} is not a sensor of the board file")))?;
        if board.set_sensor_reading(gpio, &quantity, body.value) {
            Ok(Json(json!({ "device": index, "quantity": quantity, "value": body.value })))
        } else {
            Err(ApiError::not_found(format!("device {index} does not measure {quantity}")))
        }
    })
    .await
}
