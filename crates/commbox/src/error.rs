//! The one error type every operation returns, and its kinds.
//!
//! Each [`ErrorKind`] maps 1:1 to a C status code, a Python exception class and a CLI exit
//! code, so the faces convert kinds and never inspect messages.

use schemars::JsonSchema;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Largest part of a response body kept in an [`Error`], so that a huge error page cannot
/// grow the caller's memory.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// What went wrong, coarse enough to act on.
///
/// The enum is exhaustive on purpose: every face maps each kind with a `match` that has no
/// wildcard arm (C status, Python exception, CLI exit code), so a new kind does not compile
/// until every face has mapped it.
///
/// JSON form: its snake_case name (as `ErrorKind::as_str` gives it), e.g. `"rate_limited"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request was refused before any I/O: a field is missing or malformed.
    Validation,
    /// HTTP 401 or 403: the API key is missing, wrong, revoked or lacks rights.
    Authentication,
    /// HTTP 404: the stream, conversation or route does not exist.
    NotFound,
    /// HTTP 429: throttled; [`Error::retry_after`] says how long to wait when the server said.
    RateLimited,
    /// HTTP 400, 422 and other 4xx: the server refused the request; see [`Error::description`].
    BadRequest,
    /// HTTP 5xx.
    Server,
    /// No complete answer within the configured timeout.
    Timeout,
    /// The connection could not be made, or broke before an answer arrived.
    Connection,
    /// The TLS handshake failed (certificate not trusted, wrong host, protocol error).
    Tls,
    /// The server answered with a body that is not what the API documents.
    Decode,
    /// A local file could not be read (attachment, message file, CA file): missing, not a
    /// regular file, or no permission. [`Error::field`] names it; nothing was sent.
    Io,
}

impl ErrorKind {
    /// Every kind, in the order of their numeric codes (used by the faces' tables).
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Validation,
        ErrorKind::Authentication,
        ErrorKind::NotFound,
        ErrorKind::RateLimited,
        ErrorKind::BadRequest,
        ErrorKind::Server,
        ErrorKind::Timeout,
        ErrorKind::Connection,
        ErrorKind::Tls,
        ErrorKind::Decode,
        ErrorKind::Io,
    ];

    /// A stable snake_case name, used in CLI output and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Authentication => "authentication",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connection => "connection",
            ErrorKind::Tls => "tls",
            ErrorKind::Decode => "decode",
            ErrorKind::Io => "io",
        }
    }

    /// The kind an HTTP error status maps to.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 | 403 => ErrorKind::Authentication,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::BadRequest,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether sending a failed request again can make the server act on it twice.
///
/// Neither API de-duplicates: a create (a conversation, a message, a contact) that the server
/// processed and that is sent again exists twice. This says, for one error, whether that can
/// happen; [`Error::retry_safety`] gives it. The enum is exhaustive on purpose, like
/// [`ErrorKind`]: every face maps it with a `match` that has no wildcard arm.
///
/// The rule, by what happened to the request:
///
/// | the request… | examples | value |
/// |---|---|---|
/// | never left the client | validation, unreadable file ([`Io`](ErrorKind::Io)), connection refused, DNS failure, connect timeout, TLS handshake refused | `Safe` |
/// | was refused by the server, which said it did not process it | 429, 503, 4xx other than 408 (400, 401, 403, 404, 422), 3xx | `Safe` |
/// | was sent, and no complete answer came | timeout or connection broken after sending, body cut short | `MayDuplicate` |
/// | was answered with a failure that does not say it was not processed | 500, 502, 504 and other 5xx, 408 | `MayDuplicate` |
/// | was processed: a 2xx came, but its body could not be used | an answer that is not JSON, is empty, too large, or has no id | `MayDuplicate` |
///
/// The value is about the request on the wire, whatever the call: for a read or another
/// idempotent call (`get_conversation`, `list_messages`, `set_status`, a raw `GET`, `PUT` or
/// `DELETE`) processing it twice changes nothing, so such a call may be repeated whatever
/// this says (and the client has already repeated it within its [`RetryPolicy`](crate::RetryPolicy)).
/// The value matters for creates.
///
/// `Safe` says a repeat cannot duplicate, not that it will succeed: whether waiting and
/// trying again can help is [`Error::is_transient`]. The two answer different questions:
///
/// | | `is_transient()` | not transient |
/// |---|---|---|
/// | `Safe` | send again later (429, 503, connection refused) | fix the request first (validation, 400, 401, 404) |
/// | `MayDuplicate` | look the record up first, or ask a person: it may exist (timeout, 500) | it was processed; do not send it again (2xx not decodable) |
///
/// A timeout or connection error is transient either way; only this value tells a refused
/// connection (nothing sent) from a connection that broke after sending.
///
/// JSON form: `"safe"` or `"may_duplicate"` (as [`RetrySafety::as_str`] gives it), the
/// `retry_safety` key of the error's JSON form.
///
/// # Examples
///
/// A job that sends a message and decides whether its queue may run it again:
///
/// ```no_run
/// use commbox::RetrySafety;
/// # fn send() -> Result<i64, commbox::Error> { unimplemented!() }
/// match send() {
///     Ok(id) => println!("sent: {id}"),
///     Err(e) if e.retry_safety() == RetrySafety::Safe && e.is_transient() => {
///         // Nothing was processed and it may work later: requeue the job.
///     }
///     Err(e) if e.retry_safety() == RetrySafety::MayDuplicate => {
///         // Do not send it again blindly: a person (or a lookup) decides.
///         eprintln!("may have been processed: {e}");
///     }
///     Err(e) => eprintln!("refused, fix the request: {e}"),
/// }
/// ```
///
/// Errors made before any I/O are always safe to repeat:
///
/// ```
/// use commbox::{Client, RetrySafety};
/// let err = Client::builder().api_key("").build().unwrap_err();
/// assert_eq!(err.retry_safety(), RetrySafety::Safe);
/// assert_eq!(err.retry_safety().as_str(), "safe");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    description = "Whether sending the failed request again can duplicate it: `safe` (it never reached the server, or the server said it did not process it) or `may_duplicate` (the server may have processed it, or did)."
)]
pub enum RetrySafety {
    /// Sending the same request again cannot duplicate it: it never reached the server, or the
    /// server said it did not process it. It may fail again (see [`Error::is_transient`]).
    Safe,
    /// The server may have processed the request (or did): sending it again may create
    /// the conversation, message or contact twice. Check (look it up, or ask a person) before
    /// sending it again.
    MayDuplicate,
}

impl RetrySafety {
    /// Both values, `Safe` first.
    pub const ALL: [RetrySafety; 2] = [RetrySafety::Safe, RetrySafety::MayDuplicate];

    /// A stable snake_case name, as in the JSON form: `"safe"` or `"may_duplicate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RetrySafety::Safe => "safe",
            RetrySafety::MayDuplicate => "may_duplicate",
        }
    }

    /// What an HTTP error status says about the request: 429 and 503 say it was not
    /// processed, and so does every 4xx refusal except 408 (which a proxy can send after
    /// forwarding, like a 504); any other 5xx may come after the work was done.
    pub(crate) fn of_status(status: u16) -> RetrySafety {
        match status {
            408 => RetrySafety::MayDuplicate,
            503 => RetrySafety::Safe,
            500..=599 => RetrySafety::MayDuplicate,
            _ => RetrySafety::Safe,
        }
    }
}

impl fmt::Display for RetrySafety {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every libcommbox operation.
///
/// It carries what a user needs to act or to ask the provider: the kind, a readable message,
/// and for answers from the server the HTTP status, the API's own description, the raw body
/// (at most [`MAX_ERROR_BODY`] bytes), `Retry-After`, and the request ids. It never contains
/// the API key.
///
/// ```
/// use commbox::{Client, ErrorKind};
/// let err = Client::builder().api_key("").build().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Validation);
/// assert_eq!(err.field(), Some("api_key"));
/// ```
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    field: Option<String>,
    reason: Option<String>,
    http_status: Option<u16>,
    description: Option<String>,
    body: Option<String>,
    retry_after: Option<Duration>,
    request_id: Option<String>,
    server_request_id: Option<String>,
    /// Set where the error is made by code that knows whether the request was sent (the
    /// transport); `None`: [`Error::retry_safety`] derives it from the kind and status.
    retry_safety: Option<RetrySafety>,
    // Arc, not Box, so that errors can be cloned into other faces (C error objects,
    // Python exceptions) without losing the cause.
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The error of a libcommbox call, in its JSON form (the `Serialize` impl of `commbox::Error`).
/// Every key is always present, `null` when it does not apply; it never holds the API key.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Error")]
struct ErrorForm<'a> {
    /// What went wrong, coarsely: `validation`, `authentication`, `not_found`,
    /// `rate_limited`, `bad_request`, `server`, `timeout`, `connection`, `tls`, `decode`, `io`.
    kind: ErrorKind,
    /// Whether sending the same request again can duplicate it: `safe` (nothing reached the
    /// server, or it said it did not process it: 429, 503, 4xx) or `may_duplicate` (it may
    /// have been processed: a timeout or broken connection after sending, other 5xx, a 2xx
    /// whose body could not be used).
    retry_safety: RetrySafety,
    /// The full human-readable message (without the request id).
    message: &'a str,
    /// For validation and file errors, the field at fault (`Message`, `to[1]`, `api_key`);
    /// otherwise null.
    field: Option<&'a str>,
    /// For validation and file errors, why the field was refused (`required`); otherwise null.
    reason: Option<&'a str>,
    /// The HTTP status of the server's answer, or null when there was none.
    http_status: Option<u16>,
    /// The API's own explanation (CommBox `description`, Chatwoot `message`/`error`), or null.
    description: Option<&'a str>,
    /// The raw response body (at most 64 KiB), or null.
    body: Option<&'a str>,
    /// How many seconds the server asked to wait (`Retry-After`), or null when it did not say.
    retry_after: Option<f64>,
    /// The `X-Request-Id` this client sent, or null when the call failed before a request
    /// was made.
    request_id: Option<&'a str>,
    /// The request id the server returned, or null.
    server_request_id: Option<&'a str>,
}

impl Error {
    fn form(&self) -> ErrorForm<'_> {
        let i = &self.inner;
        ErrorForm {
            kind: i.kind,
            retry_safety: self.retry_safety(),
            message: &i.message,
            field: i.field.as_deref(),
            reason: i.reason.as_deref(),
            http_status: i.http_status,
            description: i.description.as_deref(),
            body: i.body.as_deref(),
            retry_after: i.retry_after.map(|d| d.as_secs_f64()),
            request_id: i.request_id.as_deref(),
            server_request_id: i.server_request_id.as_deref(),
        }
    }
}

/// JSON form: `{"kind": "rate_limited", "retry_safety": "safe", "message": "…", "field": null, "reason": null,
/// "http_status": 429, "description": "…", "body": "…", "retry_after": 30.0,
/// "request_id": "…", "server_request_id": null}`. Every key is always present (`null` when
/// it does not apply); `retry_after` is in seconds. It never holds the API key (the error
/// never does).
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.form().serialize(serializer)
    }
}

impl JsonSchema for Error {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Error".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ErrorForm::json_schema(generator)
    }
}

/// `Result` with libcommbox's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                field: None,
                reason: None,
                http_status: None,
                description: None,
                body: None,
                retry_after: None,
                request_id: None,
                server_request_id: None,
                retry_safety: None,
                source: None,
            }),
        }
    }

    /// A validation error: `field` names what is wrong (`Message`, `Content.to[1]`,
    /// `attachment "x.pdf"`), `reason` says why.
    #[must_use = "an error reports nothing unless it is returned"]
    pub fn validation(field: impl Into<String>, reason: impl fmt::Display) -> Error {
        let field = field.into();
        let reason = reason.to_string();
        let mut err = Error::new(ErrorKind::Validation, format!("{field}: {reason}"));
        err.inner.field = Some(field);
        err.inner.reason = Some(reason);
        err
    }

    /// Adds `note` to the end of the message.
    pub(crate) fn with_note(mut self, note: &str) -> Error {
        self.inner.message.push_str(note);
        self
    }

    /// Marks the failure of a create that may have reached the server (no answer came), and
    /// says so in the message: it was not sent again.
    pub(crate) fn sent_without_answer(self) -> Error {
        self.with_note(crate::transport::MAYBE_PROCESSED)
            .with_retry_safety(RetrySafety::MayDuplicate)
    }

    /// Records what the code making the error knows: whether the request was sent.
    pub(crate) fn with_retry_safety(mut self, safety: RetrySafety) -> Error {
        self.inner.retry_safety = Some(safety);
        self
    }

    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, message).with_source(source)
    }

    /// A local file named by `field` cannot be read (missing, not a regular file, no
    /// permission): kind [`ErrorKind::Io`], with the field and the reason, like a
    /// validation error, since nothing was sent either.
    #[must_use = "an error reports nothing unless it is returned"]
    pub fn file(field: impl Into<String>, reason: impl fmt::Display) -> Error {
        let mut err = Error::validation(field, reason);
        err.inner.kind = ErrorKind::Io;
        err
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.inner.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn with_http(
        mut self,
        status: u16,
        description: Option<String>,
        body: Option<String>,
    ) -> Error {
        self.inner.http_status = Some(status);
        self.inner.description = description;
        self.inner.body = body;
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Error {
        self.inner.retry_after = retry_after;
        self
    }

    pub(crate) fn with_request_ids(mut self, ours: &str, server: Option<String>) -> Error {
        self.inner.request_id = Some(ours.to_owned());
        self.inner.server_request_id = server;
        self
    }

    /// What went wrong, coarsely.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The full human-readable message (without the request id; `Display` adds it).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// For validation errors, the field at fault (`Message`, `to[1]`, `api_key`, …).
    pub fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// For validation errors, why the field was refused (`required`, `not an e-mail
    /// address (no '@')`): the message without the field's name.
    pub fn reason(&self) -> Option<&str> {
        self.inner.reason.as_deref()
    }

    /// The HTTP status of the server's answer, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// The API's own explanation (CommBox `description`, Chatwoot `message`/`error`).
    pub fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }

    /// The raw response body, cut at [`MAX_ERROR_BODY`] bytes.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// How long the server asked to wait (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The `X-Request-Id` this client sent: quote it when asking the provider about a call.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The request id the server returned, if it returned one: the response's
    /// `X-Request-Id`, else `Request-Id`, else `X-Correlation-Id`.
    pub fn server_request_id(&self) -> Option<&str> {
        self.inner.server_request_id.as_deref()
    }

    /// Whether sending the same request again can duplicate it (see [`RetrySafety`] for the
    /// rule): [`Safe`](RetrySafety::Safe) when nothing reached the server or the server said
    /// it did not process it, [`MayDuplicate`](RetrySafety::MayDuplicate) when it may have
    /// been processed. Whether a repeat can succeed is [`Error::is_transient`].
    ///
    /// ```
    /// use commbox::{Error, RetrySafety};
    /// let err = Error::validation("Message", "required");
    /// assert_eq!(err.retry_safety(), RetrySafety::Safe);
    /// assert!(!err.is_transient()); // safe to send again, but it would fail the same way
    /// ```
    pub fn retry_safety(&self) -> RetrySafety {
        let i = &self.inner;
        if let Some(known) = i.retry_safety {
            return known;
        }
        match i.kind {
            // Refused before any I/O, or by TLS before the request was sent.
            ErrorKind::Validation | ErrorKind::Io | ErrorKind::Tls => RetrySafety::Safe,
            // The server answered that it refused the request (events' signature checks,
            // which send nothing, are authentication errors too).
            ErrorKind::Authentication | ErrorKind::NotFound | ErrorKind::RateLimited => {
                RetrySafety::Safe
            }
            ErrorKind::BadRequest | ErrorKind::Server => i
                .http_status
                .map_or(RetrySafety::MayDuplicate, RetrySafety::of_status),
            // Where nothing was sent the transport says so; otherwise assume it was.
            ErrorKind::Timeout | ErrorKind::Connection => RetrySafety::MayDuplicate,
            // An answer came (it has a status or a request id): the server processed the
            // request. Without either it is a received event that did not parse: nothing
            // was sent.
            ErrorKind::Decode if i.http_status.is_some() || i.request_id.is_some() => {
                RetrySafety::MayDuplicate
            }
            ErrorKind::Decode => RetrySafety::Safe,
        }
    }

    /// True for errors where sending again later may succeed (rate limits, 5xx, timeouts,
    /// connection failures). The client has already retried what was safe to retry.
    ///
    /// It says nothing about duplicates: a timed-out create is transient and
    /// [`MayDuplicate`](RetrySafety::MayDuplicate). Repeat a failed call yourself when it is
    /// transient and [`retry_safety`](Error::retry_safety) is `Safe` (or the call is a read);
    /// see the table at [`RetrySafety`].
    pub fn is_transient(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Connection
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if let Some(id) = &self.inner.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind)
            .field("retry_safety", &self.retry_safety())
            .field("message", &i.message);
        if let Some(v) = &i.field {
            d.field("field", v);
        }
        if let Some(v) = i.http_status {
            d.field("http_status", &v);
        }
        if let Some(v) = &i.description {
            d.field("description", v);
        }
        if let Some(v) = i.retry_after {
            d.field("retry_after", &v);
        }
        if let Some(v) = &i.request_id {
            d.field("request_id", v);
        }
        if let Some(v) = &i.server_request_id {
            d.field("server_request_id", v);
        }
        if let Some(v) = &i.source {
            d.field("source", v);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// A request that cannot be serialized (a value serde_json refuses, e.g. a map with
/// non-string keys in an extra field).
pub(crate) fn encode_error(e: serde_json::Error) -> Error {
    Error::new(
        ErrorKind::Validation,
        format!("cannot encode the request: {e}"),
    )
}

/// Cuts `bytes` to at most [`MAX_ERROR_BODY`] bytes on a character boundary, as text.
pub(crate) fn capped_body(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_ERROR_BODY)];
    match std::str::from_utf8(cut) {
        Ok(s) => s.to_owned(),
        Err(e) if e.error_len().is_none() => {
            // Cut inside a multi-byte character: drop its partial tail.
            String::from_utf8_lossy(&cut[..e.valid_up_to()]).into_owned()
        }
        Err(_) => {
            // Binary: each invalid byte becomes U+FFFD (3 bytes), so cut again to keep the
            // promise of at most MAX_ERROR_BODY bytes.
            let mut text = String::from_utf8_lossy(cut).into_owned();
            let mut end = text.len().min(MAX_ERROR_BODY);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping() {
        assert_eq!(ErrorKind::from_status(401), ErrorKind::Authentication);
        assert_eq!(ErrorKind::from_status(403), ErrorKind::Authentication);
        assert_eq!(ErrorKind::from_status(404), ErrorKind::NotFound);
        assert_eq!(ErrorKind::from_status(422), ErrorKind::BadRequest);
        assert_eq!(ErrorKind::from_status(429), ErrorKind::RateLimited);
        assert_eq!(ErrorKind::from_status(503), ErrorKind::Server);
    }

    #[test]
    fn capped_binary_body_stays_within_the_cap() {
        let capped = capped_body(&vec![0xFF; 2 * MAX_ERROR_BODY]);
        assert!(capped.len() <= MAX_ERROR_BODY, "{}", capped.len());
        assert!(capped.chars().all(|c| c == '\u{FFFD}'));
    }

    #[test]
    fn capped_body_cuts_on_char_boundary() {
        let mut body = "a".repeat(MAX_ERROR_BODY - 1).into_bytes();
        body.extend_from_slice("é and more".as_bytes());
        let capped = capped_body(&body);
        assert_eq!(capped.len(), MAX_ERROR_BODY - 1);
        assert!(capped.chars().all(|c| c == 'a'));
    }

    #[test]
    fn kinds_serialise_as_their_names() {
        for kind in ErrorKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
    }

    #[test]
    fn json_form_of_an_error() {
        let e = Error::validation("to[1]", "not an e-mail address (no '@')");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"validation","retry_safety":"safe","message":"to[1]: not an e-mail address (no '@')","field":"to[1]","reason":"not an e-mail address (no '@')","http_status":null,"description":null,"body":null,"retry_after":null,"request_id":null,"server_request_id":null}"#
        );
        let e = Error::new(
            ErrorKind::RateLimited,
            "CommBox: HTTP 429 Too Many Requests",
        )
        .with_http(
            429,
            Some("slow down".into()),
            Some(r#"{"status":429}"#.into()),
        )
        .with_retry_after(Some(Duration::from_millis(1500)))
        .with_request_ids("req-1", Some("srv-9".into()));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"rate_limited","retry_safety":"safe","message":"CommBox: HTTP 429 Too Many Requests","field":null,"reason":null,"http_status":429,"description":"slow down","body":"{\"status\":429}","retry_after":1.5,"request_id":"req-1","server_request_id":"srv-9"}"#
        );
    }

    #[test]
    fn retry_safety_follows_what_happened_to_the_request() {
        use RetrySafety::{MayDuplicate, Safe};
        let answered = |status: u16| {
            Error::new(ErrorKind::from_status(status), "answered")
                .with_http(status, None, None)
                .with_request_ids("req-1", None)
                .retry_safety()
        };
        for status in [300, 307, 400, 401, 403, 404, 409, 422, 429, 503] {
            assert_eq!(answered(status), Safe, "HTTP {status}");
        }
        for status in [408, 500, 501, 502, 504, 599] {
            assert_eq!(answered(status), MayDuplicate, "HTTP {status}");
        }
        assert_eq!(
            Error::validation("Message", "required").retry_safety(),
            Safe
        );
        assert_eq!(
            Error::file("attachment \"a\"", "no such file").retry_safety(),
            Safe
        );
        // A 2xx whose body could not be used: the server processed the request.
        let undecodable = Error::new(ErrorKind::Decode, "not JSON").with_http(200, None, None);
        assert_eq!(undecodable.retry_safety(), MayDuplicate);
        let too_large = Error::new(ErrorKind::Decode, "too large").with_request_ids("r", None);
        assert_eq!(too_large.retry_safety(), MayDuplicate);
        // A received event that does not parse: nothing was sent.
        assert_eq!(
            Error::new(ErrorKind::Decode, "body: not JSON").retry_safety(),
            Safe
        );
        // Without word from the transport, no answer means it may have been sent.
        for kind in [ErrorKind::Timeout, ErrorKind::Connection] {
            let e = Error::new(kind, "no answer");
            assert_eq!(e.retry_safety(), MayDuplicate);
            assert_eq!(e.with_retry_safety(Safe).retry_safety(), Safe);
        }
        // The transport's mark for a create sent without an answer wins over the kind.
        let marked = Error::new(ErrorKind::Tls, "broken").sent_without_answer();
        assert_eq!(marked.retry_safety(), MayDuplicate);
        assert!(marked
            .message()
            .ends_with(crate::transport::MAYBE_PROCESSED));
    }

    #[test]
    fn retry_safety_is_in_the_json_form_and_debug() {
        let e = Error::new(ErrorKind::Server, "HTTP 502").with_http(502, None, None);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["retry_safety"], "may_duplicate");
        assert!(format!("{e:?}").contains("retry_safety: MayDuplicate"));
        for safety in RetrySafety::ALL {
            assert_eq!(
                serde_json::to_value(safety).unwrap(),
                serde_json::json!(safety.as_str())
            );
            assert_eq!(safety.to_string(), safety.as_str());
        }
    }

    #[test]
    fn validation_message_names_field() {
        let e = Error::validation("Message", "required");
        assert_eq!(e.to_string(), "Message: required");
        assert_eq!(e.field(), Some("Message"));
        assert_eq!(e.reason(), Some("required"));
    }
}
