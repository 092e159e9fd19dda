//! Who may use the web view: anyone who reaches a loopback address; on any
//! other address only who shows the token printed at start, as
//! `Authorization: Bearer TOKEN` or `?token=TOKEN` (the page passes on the
//! one in its own address). Without it the API answers 401 and does nothing.

use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Bytes of randomness in a token.
const TOKEN_BYTES: usize = 16;

/// Who may use the web view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Everyone who reaches the address (a loopback address).
    Open,
    /// Only who shows this token.
    Token(String),
}

impl Access {
    /// Open on a loopback address, else a fresh random token.
    pub fn for_address(addr: SocketAddr) -> std::io::Result<Self> {
        if addr.ip().is_loopback() {
            return Ok(Self::Open);
        }
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(std::io::Error::from)?;
        Ok(Self::Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// Whether a request with these headers and query may pass.
    fn admits(&self, authorization: Option<&str>, query: Option<&str>) -> bool {
        let Self::Token(token) = self else { return true };
        let from_header = authorization.and_then(|h| h.strip_prefix("Bearer "));
        let from_query = query.and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("token=")));
        [from_header, from_query].into_iter().flatten().any(|shown| same(shown.as_bytes(), token.as_bytes()))
    }
}

/// Compares in time that does not depend on where the texts differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware in front of `/api`: 401 for a request without the token.
pub async fn check(State(access): State<Access>, request: Request, next: Next) -> Response {
    let authorization = request.headers().get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if access.admits(authorization, request.uri().query()) {
        next.run(request).await
    } else {
        (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({ "error": "this web view needs its token" })))
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_open_and_other_addresses_get_a_token() {
        assert_eq!(Access::for_address("127.0.0.1:8080".parse().unwrap()).unwrap(), Access::Open);
        assert_eq!(Access::for_address("[::1]:8080".parse().unwrap()).unwrap(), Access::Open);
        let Access::Token(token) = Access::for_address("0.0.0.0:8080".parse().unwrap()).unwrap() else {
            panic!("0.0.0.0 is reachable from other hosts")
        };
        assert_eq!(token.len(), 2 * TOKEN_BYTES);
    }

    #[test]
    fn a_token_is_shown_in_the_header_or_the_query() {
        let access = Access::Token("abc".into());
        assert!(access.admits(Some("Bearer abc"), None));
        assert!(access.admits(None, Some("path=/flash&token=abc")));
        assert!(!access.admits(Some("Bearer abd"), Some("token=ab")));
        assert!(!access.admits(None, None));
        assert!(Access::Open.admits(None, None));
    }
}
