//! Chatwoot's answers in Rails' conventions: JSON with `charset=utf-8`, `head :ok`, the
//! exception app's `{"status","error"}` bodies, and `{message, attributes}` for invalid records.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What Rails sends as the content type of a JSON view or of its exception pages.
const JSON: &str = "application/json; charset=utf-8";

/// rack-attack's throttle answer (no `Retry-After`: Chatwoot does not enable it).
const RETRY_LATER: &str = "Retry later\n";

/// `value` as JSON with `status`.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(text) => with_type(status, JSON, text),
        // The views are plain data; failing to serialize one would be a mock bug, reported the
        // way Rails reports its own.
        Err(_) => status_only(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// A 200 JSON view.
pub(crate) fn ok<T: Serialize>(value: &T) -> Response {
    json(StatusCode::OK, value)
}

/// `head :ok`: 200, an empty body, and still the request format's content type (Rails sets
/// `application/json` without a charset), which trips clients that parse by content type.
pub(crate) fn head_ok() -> Response {
    with_type(StatusCode::OK, "application/json", String::new())
}

fn with_type(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `ActionDispatch::PublicExceptions`' JSON body.
#[derive(Serialize)]
struct RailsError {
    status: u16,
    error: &'static str,
}

fn rails_error_text(status: StatusCode) -> String {
    let body = RailsError {
        status: status.as_u16(),
        // Rack falls back to the 500 text for codes it does not know.
        error: status.canonical_reason().unwrap_or("Internal Server Error"),
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// Rails' exception-app answer for `status`.
pub(crate) fn status_only(status: StatusCode) -> Response {
    with_type(status, JSON, rails_error_text(status))
}

/// `ActiveRecord::RecordNotFound` and unknown routes.
pub(crate) fn not_found() -> Response {
    status_only(StatusCode::NOT_FOUND)
}

/// The content type and body a status-only fault answers with on a Chatwoot path.
pub(crate) fn default_body(status: StatusCode) -> (&'static str, String) {
    if status == StatusCode::TOO_MANY_REQUESTS {
        ("text/plain", RETRY_LATER.to_owned())
    } else {
        (JSON, rails_error_text(status))
    }
}

/// Router fallback for Chatwoot paths nothing serves, and for served paths with another
/// method: Rails answers both with a routing error, i.e. 404.
pub(crate) async fn unknown_route() -> Response {
    not_found()
}

/// The errors of a record that failed validation, in the order Rails added them.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Invalid {
    errors: Vec<(&'static str, String)>,
}

/// `RequestExceptionHandler#render_record_invalid`.
#[derive(Serialize)]
struct RecordInvalid<'a> {
    message: String,
    attributes: Vec<&'a str>,
}

impl Invalid {
    /// Adds `message` for `attribute`; the full message is the humanized attribute name and
    /// the message, except for `base`, whose messages stand alone.
    pub(crate) fn add(&mut self, attribute: &'static str, message: &str) {
        let full = if attribute == "base" {
            message.to_owned()
        } else {
            format!("{} {message}", humanize(attribute))
        };
        self.errors.push((attribute, full));
    }

    /// `Ok(())` when no error was added.
    pub(crate) fn into_result(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    fn response(&self) -> Response {
        let mut attributes: Vec<&str> = Vec::new();
        for (attribute, _) in &self.errors {
            if !attributes.contains(attribute) {
                attributes.push(attribute);
            }
        }
        let message = self
            .errors
            .iter()
            .map(|(_, full)| full.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RecordInvalid {
                message,
                attributes,
            },
        )
    }
}

/// `phone_number` → `Phone number`, as `human_attribute_name` does.
fn humanize(attribute: &str) -> String {
    let spaced = attribute.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Why a Chatwoot request failed, mapped to the answer the real server gives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rejection {
    /// A `find_by!` found nothing: 404.
    NotFound,
    /// An unhandled exception (the HMAC check raises one on purpose): 500.
    Crash,
    /// `ActiveRecord::RecordInvalid`: 422.
    Invalid(Invalid),
}

impl From<Invalid> for Rejection {
    fn from(invalid: Invalid) -> Self {
        Rejection::Invalid(invalid)
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::NotFound => not_found(),
            Rejection::Crash => status_only(StatusCode::INTERNAL_SERVER_ERROR),
            Rejection::Invalid(invalid) => invalid.response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanizes_attributes() {
        assert_eq!(humanize("phone_number"), "Phone number");
        assert_eq!(humanize("email"), "Email");
    }

    #[test]
    fn bodies() {
        assert_eq!(
            rails_error_text(StatusCode::NOT_FOUND),
            r#"{"status":404,"error":"Not Found"}"#
        );
        assert_eq!(
            default_body(StatusCode::TOO_MANY_REQUESTS),
            ("text/plain", "Retry later\n".to_owned())
        );
        let mut invalid = Invalid::default();
        invalid.add("email", "Invalid email");
        invalid.add("base", "Too many messages");
        invalid.add("email", "has already been taken");
        assert_eq!(
            invalid
                .errors
                .iter()
                .map(|e| e.1.as_str())
                .collect::<Vec<_>>(),
            [
                "Email Invalid email",
                "Too many messages",
                "Email has already been taken"
            ]
        );
    }
}
