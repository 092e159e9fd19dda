//! `/api/firmware`: the firmware that runs, what each app slot holds and
//! `boot_info`; an app image or a bsdiff patch uploaded goes through the
//! board's own OTA updater (`pycom.ota_start`, `ota_write`, `ota_finish`,
//! as the FTP server's `/flash/sys/appimg.bin` does), to run after the
//! next reset or be rolled back by the bootloader.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use pycom_board::{Board, OtaFinish, OtaWrite};
use pycom_formats::app_image::IMAGE_MAGIC;
use pycom_formats::boot_info::Image;
use serde_json::{Value, json};

use crate::api::{App, on_board};
use crate::error::ApiError;

/// Bytes per `ota_write`, as Pycom's documentation writes them.
const BLOCK: usize = 4096;

/// A slot's label.
fn label(image: Image) -> &'static str {
    match image {
        Image::Factory => "factory",
        Image::Ota0 => "ota_0",
    }
}

/// The firmware as `GET /api/firmware` shows it.
fn describe(board: &Board) -> Value {
    let info = board.boot_info();
    let running = label(board.running_image());
    let slots: Vec<Value> = board
        .app_slots()
        .into_iter()
        .map(|slot| {
            let runs = slot.slot == running;
            let mut value = serde_json::to_value(slot).unwrap_or_default();
            value["running"] = json!(runs);
            value
        })
        .collect();
    json!({
        "release": board.firmware_release(),
        "running": running,
        "slot_size": board.ota_slot_size(),
        "diff_update": board.diff_update_enabled(),
        "boot_info": {
            "active": label(info.active_image()),
            "previous": label(Image::from_number(info.previous)),
            "status": info.status().map(|s| format!("{s:?}").to_lowercase()),
            "safe_boot": info.safeboot != 0,
            "size": info.size,
        },
        "slots": slots,
        "last_boot": board.boot_messages(),
    })
}

/// `GET /api/firmware`: `{"release", "running", "slot_size", "diff_update",
/// "boot_info": {"active", "previous", "status", "safe_boot", "size"},
/// "slots": [{"slot", "offset", "valid", "version", "project", "active",
/// "running"}], "last_boot": [what the bootloader said]}`.
pub async fn show(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    Ok(Json(on_board(&app, |board: &mut Board| Ok::<_, ApiError>(describe(board))).await?))
}

/// What an upload is, by its first bytes.
fn kind(data: &[u8]) -> Result<&'static str, ApiError> {
    if pycom_board::diff::is_patch(data) {
        Ok("patch")
    } else if data.first() == Some(&IMAGE_MAGIC) {
        Ok("image")
    } else {
        Err(ApiError::bad_request(
            "neither an app image (first byte 0xE9) nor a bsdiff patch (BSDIFF40): nothing was written",
        ))
    }
}

/// `PUT /api/firmware` with an app image or a bsdiff patch as the body:
/// written into the slot the next update goes to, then marked for the
/// bootloader, as the firmware's updater does; the board runs it after the
/// next reset (a patch needs `--diff-update`). Answers `{"written", "kind",
/// "slot", "verifies", "message"}` (`verifies`: whether the bootloader will
/// accept the image; `false` means it rolls back).
pub async fn upload(State(app): State<App>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let kind = kind(&body)?;
    let written = on_board(&app, move |board: &mut Board| {
        let slot_size = board.ota_slot_size() as usize;
        if body.len() > slot_size {
            return Err(ApiError::bad_request(format!(
                "{} bytes is larger than an app slot ({slot_size} bytes): nothing was written",
                body.len()
            )));
        }
        let address = board.ota_slot();
        let slot = board.app_slots().into_iter().find(|s| s.offset == address).map(|s| s.slot);
        let failed = |e: pycom_board::BoardError| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        board.ota_start().map_err(failed)?;
        for block in body.chunks(BLOCK) {
            if let OtaWrite::Aborted(why) = board.ota_write(block).map_err(failed)? {
                return Err(ApiError::new(StatusCode::CONFLICT, why));
            }
        }
        let verifies = (kind == "image").then(|| board.ota_verify());
        let message = match board.ota_finish().map_err(failed)? {
            OtaFinish::Marked(message) | OtaFinish::PatchPending(message) => message,
            OtaFinish::DiffDisabled(message) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("{message} (the board runs without --diff-update)"),
                ));
            }
            OtaFinish::AlreadyMarked => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "an update already waits for the bootloader's check: reset the board first",
                ));
            }
            OtaFinish::Nothing => "",
        };
        Ok(json!({ "written": body.len(), "kind": kind, "slot": slot, "verifies": verifies, "message": message }))
    })
    .await?;
    Ok(Json(written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_an_image_a_patch_or_refused() {
        assert_eq!(kind(&[0xE9, 1, 2]).unwrap(), "image");
        assert_eq!(kind(b"BSDIFF40....").unwrap(), "patch");
        assert!(kind(b"hello").is_err());
        assert!(kind(b"").is_err());
    }
}
