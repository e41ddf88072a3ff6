//! Turning a CommBox answer into an [`Envelope`] or an [`Error`](crate::Error).
//!
//! The HTTP status line decides success; the envelope's `status` (string or number) is only
//! reported. Error bodies are CommBox's `{status, description, response_time}` when the API
//! itself answered, or anything at all (HTML from a proxy, empty) when something in front of
//! it did.

use crate::commbox::records::Envelope;
use crate::error::Result;
use crate::http_error;
use crate::lenient;
use crate::transport::Response;
use serde_json::Value;

/// Decodes a final answer of the transport.
pub(crate) fn decode(resp: Response) -> Result<Envelope> {
    if !resp.is_success() {
        return Err(http_error::from_response(&resp, "CommBox", None));
    }
    let json = http_error::json_body(&resp)?;
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
            raw: json,
        }
    } else {
        // Not an envelope at all: keep the whole answer reachable as `data`.
        Envelope {
            http_status: resp.status,
            status: None,
            description: None,
            response_time: None,
            data: json.clone(),
            request_id: resp.request_id,
            raw: json,
        }
    })
}
