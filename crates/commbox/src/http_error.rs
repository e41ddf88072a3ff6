//! The error for a non-2xx answer, the same for every API: the HTTP status decides the
//! kind, the body's own explanation becomes the description, and the body, Retry-After and
//! request ids are kept.

use crate::error::{capped_body, Error, ErrorKind, Result};
use crate::lenient;
use crate::transport::Response;
use serde_json::Value;

/// The error for a non-2xx answer, carrying everything the server said.
pub(crate) fn from_response(resp: &Response, service: &str, hint: Option<&str>) -> Error {
    let status = resp.status;
    let description = describe(&resp.body);
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut message = format!("{service} answered HTTP {status} {reason}")
        .trim_end()
        .to_owned();
    if let Some(d) = &description {
        message.push_str(": ");
        message.push_str(d);
    }
    match status {
        300..=399 => {
            let to = resp
                .headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?");
            message.push_str(&format!(
                " (redirect to {to}; set the base URL to the final address)"
            ));
        }
        401 => message.push_str(" (check the API key)"),
        429 => {
            if let Some(d) = resp.retry_after {
                message.push_str(&format!(" (retry after {} s)", d.as_secs()));
            }
        }
        _ => {}
    }
    if let Some(hint) = hint {
        message.push_str(" (");
        message.push_str(hint);
        message.push(')');
    }
    let err = Error::new(ErrorKind::from_status(status), message)
        .with_http(status, description, Some(capped_body(&resp.body)))
        .with_retry_after(resp.retry_after)
        .with_request_ids(&resp.request_id, resp.server_request_id.clone());
    if resp.earlier_attempt_maybe_processed {
        err.with_retry_safety(crate::error::RetrySafety::MayDuplicate)
    } else {
        err
    }
}

/// The API's explanation from an error body: CommBox `description`, or the `message` /
/// `error` of other JSON shapes.
pub(crate) fn describe(body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    lenient::string(&json, &["description", "message", "error", "title"])
        .filter(|s| !s.trim().is_empty())
}

/// Whether an answer's body is empty (or only whitespace).
pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// The error for a successful answer with an empty body where the call needs one (a
/// create's new record): saying "empty" tells a user more than "has no id" would.
pub(crate) fn empty_answer(resp: &Response, service: &str) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!(
            "unexpected {service} answer: the answer is empty (HTTP {})",
            resp.status
        ),
    )
    .with_http(resp.status, None, Some(capped_body(&resp.body)))
    .with_request_ids(&resp.request_id, resp.server_request_id.clone())
}

/// A successful answer's JSON body; a blank body (Chatwoot's `head :ok`) is `null`.
pub(crate) fn json_body(resp: &Response) -> Result<Value> {
    if is_blank(&resp.body) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&resp.body).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("HTTP {} answer is not JSON: {e}", resp.status),
        )
        .with_source(e)
        .with_http(resp.status, None, Some(capped_body(&resp.body)))
        .with_request_ids(&resp.request_id, resp.server_request_id.clone())
    })
}
