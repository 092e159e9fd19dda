//! `/api/sensors`: what the board file's sensors (DHT11/22, DS18B20, analog
//! sources) and its Pysense, Pytrack or Pyscan shield measure now, and a
//! hand setting a value: it holds from then on in place of the file's
//! schedule, so the script's next reading gets it.

use axum::Json;
use axum::extract::{Path, State};
use pycom_board::Board;
use pycom_board::bus::shields::ShieldValueError;
use pycom_board::pins::{DeviceSpec, Reading, find_pin};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{App, on_board};
use crate::error::ApiError;

/// Where a hand sets a device's values.
enum Sensor {
    /// A sensor on this GPIO.
    Pin(u8),
    /// The board's shield.
    Shield,
}

impl Sensor {
    /// Device `index` of the board file, if a hand can set its values.
    fn of(app: &App, board: &Board, index: usize) -> Option<Self> {
        let spec = app.devices.get(index)?;
        match spec {
            DeviceSpec::Pysense(_) | DeviceSpec::Pytrack(_) | DeviceSpec::Pyscan(_) => Some(Self::Shield),
            DeviceSpec::Dht11(_) | DeviceSpec::Dht22(_) | DeviceSpec::Ds18b20(_) | DeviceSpec::Analog(_) => {
                find_pin(board.model(), spec.pin()?).map(|p| Self::Pin(p.gpio))
            }
            _ => None,
        }
    }

    fn readings(&self, board: &mut Board) -> Vec<Reading> {
        match self {
            Self::Pin(gpio) => board.sensor_readings(*gpio),
            Self::Shield => board.shield_readings(),
        }
    }
}

/// `GET /api/sensors`: `[{"device": 0, "kind": "dht22", "pin": "P10",
/// "readings": [{"quantity": "temperature", "unit": "°C", "value": 21.5}, ...]}]`.
pub async fn list(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let shown = app.clone();
    let sensors = on_board(&app, move |board: &mut Board| {
        let mut out = Vec::new();
        for index in 0..shown.devices.len() {
            let Some(sensor) = Sensor::of(&shown, board, index) else { continue };
            let readings: Vec<_> = sensor
                .readings(board)
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
        let sensor = Sensor::of(&shown, board, index)
            .ok_or_else(|| ApiError::not_found(format!("device {index} is not a sensor of the board file")))?;
        let set = match sensor {
            Sensor::Pin(gpio) => board.set_sensor_reading(gpio, &quantity, body.value),
            Sensor::Shield => match board.set_shield_reading(&quantity, body.value) {
                Ok(()) => true,
                Err(ShieldValueError::Unknown(_)) => false,
                Err(e @ ShieldValueError::Invalid(_)) => return Err(ApiError::bad_request(e.to_string())),
            },
        };
        if set {
            Ok(Json(json!({ "device": index, "quantity": quantity, "value": body.value })))
        } else {
            Err(ApiError::not_found(format!("device {index} does not measure {quantity}")))
        }
    })
    .await
}
