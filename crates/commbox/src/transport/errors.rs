//! Turning reqwest's errors into ours, by reqwest's predicates and typed sources, never by
//! matching message text.

use super::retry::AttemptFailure;
use crate::error::{Error, ErrorKind, RetrySafety};

/// Maps a failed send. Whether the request may have reached the server decides retries, and
/// the error's [`RetrySafety`]: only a failure to connect (refused, DNS, connect timeout,
/// TLS handshake) proves that nothing was sent.
pub(super) fn from_send(e: reqwest::Error, request_id: &str) -> (AttemptFailure, Error) {
    let not_sent = e.is_connect();
    // Only a failure to connect (or to build the request) proves that nothing was sent; any
    // other error, a TLS one past the handshake included, may come after it was written.
    let safety = if not_sent || e.is_builder() {
        RetrySafety::Safe
    } else {
        RetrySafety::MayDuplicate
    };
    let tls = is_tls(&e);
    let failure = if tls {
        AttemptFailure::Untrusted
    } else if not_sent {
        AttemptFailure::NotSent
    } else {
        AttemptFailure::MaybeProcessed
    };
    let (kind, what) = if tls {
        (ErrorKind::Tls, "TLS handshake failed")
    } else if e.is_timeout() {
        if not_sent {
            (ErrorKind::Timeout, "timed out connecting")
        } else {
            (ErrorKind::Timeout, "timed out waiting for the server")
        }
    } else if e.is_connect() {
        (ErrorKind::Connection, "cannot connect")
    } else if e.is_builder() {
        (ErrorKind::Validation, "cannot build the request")
    } else {
        (ErrorKind::Connection, "connection failed before an answer")
    };
    let target = e
        .url()
        .map(|u| format!(" to {}", origin(u)))
        .unwrap_or_default();
    let detail = root_cause(&e);
    let err = Error::new(kind, format!("{what}{target}: {detail}"))
        .with_source(e)
        .with_request_ids(request_id, None)
        .with_retry_safety(safety);
    (failure, err)
}

/// Maps a failure while reading the body of an answer whose headers arrived: the request
/// was sent and may have been processed, whatever the status said.
pub(super) fn from_body_read(
    e: std::io::Error,
    request_id: &str,
    status: u16,
) -> (AttemptFailure, Error) {
    let kind = if e.kind() == std::io::ErrorKind::TimedOut
        || reqwest_source(&e).is_some_and(reqwest::Error::is_timeout)
    {
        ErrorKind::Timeout
    } else {
        ErrorKind::Connection
    };
    // reqwest says "error decoding response body" whatever broke the body; the innermost
    // cause ("Connection reset by peer", "end of file before message length reached") is
    // what happened.
    let err = Error::new(
        kind,
        format!(
            "reading the HTTP {status} answer failed: {}",
            root_cause(&e)
        ),
    )
    .with_source(e)
    .with_request_ids(request_id, None)
    .with_retry_safety(AttemptFailure::MaybeProcessed.retry_safety());
    (AttemptFailure::MaybeProcessed, err)
}

fn reqwest_source(e: &std::io::Error) -> Option<&reqwest::Error> {
    e.get_ref()?.downcast_ref::<reqwest::Error>()
}

/// Scheme, host and port only: paths can hold ids a log should not need.
fn origin(u: &reqwest::Url) -> String {
    match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => format!("{}://{h}:{p}", u.scheme()),
        (Some(h), None) => format!("{}://{h}", u.scheme()),
        _ => u.scheme().to_owned(),
    }
}

/// Whether a rustls error is somewhere in the chain. `io::Error::source()` skips the error
/// it wraps (it returns that error's source), and hyper-rustls nests rustls errors two
/// `io::Error`s deep, so wrapped errors are followed through `get_ref()` as well.
fn is_tls(e: &reqwest::Error) -> bool {
    fn contains_rustls(err: &(dyn std::error::Error + 'static)) -> bool {
        if err.is::<rustls::Error>() {
            return true;
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if contains_rustls(inner) {
                return true;
            }
        }
        err.source().is_some_and(contains_rustls)
    }
    contains_rustls(e)
}

/// The innermost message, which says what actually happened ("Connection refused").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
