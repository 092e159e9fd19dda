//! What can go wrong: starting the server ([`WebError`]) and answering a
//! request ([`ApiError`], a status with a JSON `{"error": ...}` body).

use std::net::SocketAddr;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pycom_board::fs::FsError;
use pycom_board::nvs::NvsError;

/// Why the web view cannot start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Its runtime or thread cannot start.
    #[error("cannot start the web view's runtime: {0}")]
    Runtime(std::io::Error),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A fleet's board name that cannot be part of an address, or is used twice.
    #[error("board name {0:?}: use letters, digits, '-' and '_', once each")]
    BoardName(String),
}

/// A request that failed: its status and why.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// A failure with `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    /// The request itself is wrong (400).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// Nothing there (404).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}

impl From<FsError> for ApiError {
    fn from(e: FsError) -> Self {
        let status = match e {
            FsError::NotFound => StatusCode::NOT_FOUND,
            FsError::Exists | FsError::NotEmpty | FsError::IsADirectory | FsError::NotADirectory => {
                StatusCode::CONFLICT
            }
            FsError::NoSpace => StatusCode::INSUFFICIENT_STORAGE,
            FsError::InvalidPath | FsError::NameTooLong | FsError::PathTooLong { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, e.to_string())
    }
}

impl From<NvsError> for ApiError {
    fn from(e: NvsError) -> Self {
        let status = match e {
            NvsError::NotFound => StatusCode::NOT_FOUND,
            NvsError::InvalidHandle => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, e.to_string())
    }
}
