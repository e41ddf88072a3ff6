//! The CommBox response envelope: `{status, description, response_time[, data]}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use crate::clock;

/// The description CommBox pairs with a status when nothing more specific applies.
pub(crate) fn standard_description(status: StatusCode) -> &'static str {
    match status.as_u16() {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized access",
        404 => "Not Found",
        429 => "Too Many Requests",
        // The real API's 500 example says "Operation failed"; the help site's error table says
        // "Internal Server Error". The table is what clients are told to expect.
        500 => "Internal Server Error",
        501 => "Not Implemented",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// Envelope fields in the order the real API writes them (a `json!` map would sort them).
#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    status: u16,
    description: &'a str,
    response_time: String,
}

#[derive(Serialize)]
struct SuccessEnvelope {
    status: u16,
    description: &'static str,
    response_time: String,
    data: Value,
}

/// The JSON text of an error envelope; it has no `data`, like the real API's error bodies.
pub(crate) fn error_body(status: StatusCode, description: &str) -> String {
    let envelope = ErrorEnvelope {
        status: status.as_u16(),
        description,
        response_time: clock::now(),
    };
    // Serializing strings and integers cannot fail.
    serde_json::to_string(&envelope).unwrap_or_default()
}

/// An error response with the envelope of [`error_body`].
pub(crate) fn error(status: StatusCode, description: &str) -> Response {
    let envelope = ErrorEnvelope {
        status: status.as_u16(),
        description,
        response_time: clock::now(),
    };
    (status, Json(envelope)).into_response()
}

/// A 400 response naming the problem.
pub(crate) fn bad_request(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, description)
}

/// The 404 envelope, for unknown paths and unknown objects alike.
pub(crate) fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found")
}

/// A 200 envelope around `data`.
pub(crate) fn ok(data: Value) -> Response {
    Json(SuccessEnvelope {
        status: 200,
        description: "OK",
        response_time: clock::now(),
        data,
    })
    .into_response()
}

/// Router fallback for paths nothing serves.
pub(crate) async fn unknown_path() -> Response {
    not_found()
}

/// Router fallback for a known path with a method it does not serve; the real API documents
/// 501 rather than 405 for this.
pub(crate) async fn unsupported_method() -> Response {
    error(StatusCode::NOT_IMPLEMENTED, "Not Implemented")
}
