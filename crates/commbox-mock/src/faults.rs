//! Fault injection: what a fault can do, and how a faulted answer is built.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::Api;
use crate::chatwoot;
use crate::commbox::envelope;

/// A fault applied to the next API request(s), in FIFO order, one per request.
///
/// JSON shape (also accepted by `POST /__mock/faults`):
/// `{"status":429,"retry_after":"2","body":null,"content_type":null,"delay_ms":null,"drop":false,"count":1}`.
/// Every field is optional; `count` defaults to 1.
///
/// * `delay_ms` alone: wait, then handle the request normally.
/// * `status`: answer with that status (after `delay_ms` if given) instead of handling the request.
/// * `drop`: close the connection with a TCP reset and no response (after `delay_ms` if given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// HTTP status to answer with instead of handling the request.
    #[serde(default)]
    pub status: Option<u16>,
    /// Sent verbatim as the `Retry-After` header when the fault answers with a status.
    #[serde(default)]
    pub retry_after: Option<String>,
    /// Response body. A JSON string is sent as raw text (to imitate proxies' HTML or text
    /// pages); any other JSON value is sent as JSON. `None` sends what that API's server sends
    /// for `status`: on CommBox paths the error envelope with its standard description; on
    /// Chatwoot paths (`/public/api/v1/...`) rack-attack's `text/plain` "Retry later" for 429
    /// and Rails' `{"status":N,"error":"<reason>"}` for anything else.
    #[serde(default)]
    pub body: Option<Value>,
    /// Content type for `body`; defaults to `application/json`, or `text/plain; charset=utf-8`
    /// when `body` is a string.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Wait this long before answering (or before dropping the connection).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Close the connection without any response.
    #[serde(default)]
    pub drop: bool,
    /// How many consecutive API requests this fault applies to.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

impl Default for Fault {
    fn default() -> Self {
        Fault {
            status: None,
            retry_after: None,
            body: None,
            content_type: None,
            delay_ms: None,
            drop: false,
            count: 1,
        }
    }
}

impl Fault {
    /// A fault answering with `status` and that API's standard error body (see [`Fault::body`]).
    pub fn status(status: u16) -> Self {
        Fault {
            status: Some(status),
            ..Fault::default()
        }
    }

    /// A fault that waits `delay_ms` and then lets the request through.
    pub fn delay(delay_ms: u64) -> Self {
        Fault {
            delay_ms: Some(delay_ms),
            ..Fault::default()
        }
    }

    /// A fault that resets the connection without answering.
    pub fn drop_connection() -> Self {
        Fault {
            drop: true,
            ..Fault::default()
        }
    }

    /// Sets the `Retry-After` header value.
    pub fn with_retry_after(mut self, value: impl Into<String>) -> Self {
        self.retry_after = Some(value.into());
        self
    }

    /// Sets the response body.
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Sets the delay before the fault acts.
    pub fn with_delay_ms(mut self, delay_ms: u64) -> Self {
        self.delay_ms = Some(delay_ms);
        self
    }

    /// Sets how many consecutive requests the fault applies to.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Why this fault cannot be queued, if it cannot.
    pub(crate) fn problem(&self) -> Option<String> {
        if self.count == 0 {
            return Some("count must be at least 1".to_owned());
        }
        if let Some(status) = self.status {
            if StatusCode::from_u16(status).is_err() {
                return Some(format!("status {status} is not a valid HTTP status"));
            }
        }
        if let Some(value) = &self.retry_after {
            if HeaderValue::from_str(value).is_err() {
                return Some("retry_after is not a valid header value".to_owned());
            }
        }
        if let Some(value) = &self.content_type {
            if HeaderValue::from_str(value).is_err() {
                return Some("content_type is not a valid header value".to_owned());
            }
        }
        None
    }

    /// The response a status fault answers with on a path of `api`, or `None` when the fault
    /// has no status.
    pub(crate) fn response(&self, api: Api) -> Option<Response> {
        let status = StatusCode::from_u16(self.status?).ok()?;
        let (content_type, body) = match (&self.body, api) {
            (None, Api::CommBox) => (
                "application/json",
                envelope::error_body(status, envelope::standard_description(status)),
            ),
            (None, Api::Chatwoot) => chatwoot::errors::default_body(status),
            (Some(Value::String(text)), _) => ("text/plain; charset=utf-8", text.clone()),
            (Some(value), _) => ("application/json", value.to_string()),
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        let content_type = self
            .content_type
            .as_deref()
            .and_then(|value| HeaderValue::from_str(value).ok())
            .unwrap_or(HeaderValue::from_static(content_type));
        headers.insert(header::CONTENT_TYPE, content_type);
        if let Some(value) = self
            .retry_after
            .as_deref()
            .and_then(|value| HeaderValue::from_str(value).ok())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        Some(response)
    }
}
