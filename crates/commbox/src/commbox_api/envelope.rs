//! Turning a CommBox answer into an [`Envelope`] or an [`Error`].
//!
//! The HTTP status line decides success; the envelope's `status` (string or number) is only
//! reported. Error bodies are CommBox's `{status, description, response_time}` when the API
//! itself answered, or anything at all (HTML from a proxy, empty) when something in front of
//! it did.

use crate::error::{capped_body, Error, ErrorKind, Result};
use crate::lenient;
use crate::models::records::Envelope;
use crate::transport::Response;
use serde_json::Value;

/// Decodes a final answer of the transport.
pub(crate) fn decode(resp: Response) -> Result<Envelope> {
    if !resp.is_success() {
        return Err(api_error(&resp));
    }
    let json = if resp.body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice::<Value>(&resp.body).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!("HTTP {} answer is not JSON: {e}", resp.status),
            )
            .with_source(e)
            .with_http(resp.status, None, Some(capped_body(&resp.body)))
            .with_request_ids(&resp.request_id, resp.server_request_id.clone())
        })?
    };
    let is_envelope = json.as_object().is_some_and(|o| {
        ["status", "description", "data", "response_time"]
            .iter()
            .any(|k| lenient::get(o, k).is_some())
    });
    Ok(if is_envelope {
        Envelope {
            http_status: resp.status,
            status: lenient::int(&json, &["status"]),
            description: lenient::string(&json, &["description"]),
            response_time: lenient::string(&json, &["response_time", "responseTime"]),
            data: lenient::field(&json, &["data"])
                .cloned()
                .unwrap_or(Value::Null),
            request_id: resp.request_id,
        }
    } else {
        // Not an envelope at all: keep the whole answer reachable as `data`.
        Envelope {
            http_status: resp.status,
            status: None,
            description: None,
            response_time: None,
            data: json,
            request_id: resp.request_id,
        }
    })
}

/// The error for a non-2xx answer, carrying everything the server said.
pub(crate) fn api_error(resp: &Response) -> Error {
    let status = resp.status;
    let description = describe(&resp.body);
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut message = format!("CommBox answered HTTP {status} {reason}")
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
    Error::new(ErrorKind::from_status(status), message)
        .with_http(status, description, Some(capped_body(&resp.body)))
        .with_retry_after(resp.retry_after)
        .with_request_ids(&resp.request_id, resp.server_request_id.clone())
}

/// The API's explanation from an error body: CommBox `description`, or the `message` /
/// `error` of other JSON shapes.
pub(crate) fn describe(body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    lenient::string(&json, &["description", "message", "error", "title"])
        .filter(|s| !s.trim().is_empty())
}
