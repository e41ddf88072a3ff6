//! Status codes and the error object.

use crate::boundary::{run_or, Failure};
use core_api::{ErrorKind, RetrySafety};
use std::ffi::{c_char, CString};
use std::ptr;

/// The result of every fallible call. `COMMBOX_STATUS_OK` is 0; each other value is one
/// error kind, so callers can `switch` on it. Values never change meaning between releases.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum commbox_status {
    /// Success.
    COMMBOX_STATUS_OK = 0,
    /// A field is missing or malformed (see `commbox_error_field`); nothing was sent.
    COMMBOX_STATUS_VALIDATION = 1,
    /// HTTP 401/403: the API key is missing, wrong or lacks rights.
    COMMBOX_STATUS_AUTHENTICATION = 2,
    /// HTTP 404.
    COMMBOX_STATUS_NOT_FOUND = 3,
    /// HTTP 429; see `commbox_error_retry_after`.
    COMMBOX_STATUS_RATE_LIMITED = 4,
    /// HTTP 400/422 and other 4xx; see `commbox_error_description`.
    COMMBOX_STATUS_BAD_REQUEST = 5,
    /// HTTP 5xx.
    COMMBOX_STATUS_SERVER = 6,
    /// No complete answer in time.
    COMMBOX_STATUS_TIMEOUT = 7,
    /// The connection failed or broke.
    COMMBOX_STATUS_CONNECTION = 8,
    /// The TLS handshake failed.
    COMMBOX_STATUS_TLS = 9,
    /// The server's answer was not what the API documents.
    COMMBOX_STATUS_DECODE = 10,
    /// A local file could not be read.
    COMMBOX_STATUS_IO = 11,
    /// A required pointer argument was NULL; nothing was done.
    COMMBOX_STATUS_NULL_ARGUMENT = 100,
    /// A string argument was not valid UTF-8; nothing was done.
    COMMBOX_STATUS_INVALID_UTF8 = 101,
    /// An internal error (a bug in libcommbox) was caught; the call did not complete.
    COMMBOX_STATUS_PANIC = 102,
}

impl commbox_status {
    /// No wildcard arm: a new core kind does not compile here until it has a status.
    fn from_kind(kind: ErrorKind) -> commbox_status {
        use commbox_status::*;
        match kind {
            ErrorKind::Validation => COMMBOX_STATUS_VALIDATION,
            ErrorKind::Authentication => COMMBOX_STATUS_AUTHENTICATION,
            ErrorKind::NotFound => COMMBOX_STATUS_NOT_FOUND,
            ErrorKind::RateLimited => COMMBOX_STATUS_RATE_LIMITED,
            ErrorKind::BadRequest => COMMBOX_STATUS_BAD_REQUEST,
            ErrorKind::Server => COMMBOX_STATUS_SERVER,
            ErrorKind::Timeout => COMMBOX_STATUS_TIMEOUT,
            ErrorKind::Connection => COMMBOX_STATUS_CONNECTION,
            ErrorKind::Tls => COMMBOX_STATUS_TLS,
            ErrorKind::Decode => COMMBOX_STATUS_DECODE,
            ErrorKind::Io => COMMBOX_STATUS_IO,
        }
    }
}

/// Whether sending a failed request again can duplicate it (the core's `RetrySafety`).
/// Values never change meaning between releases.
///
/// Neither API de-duplicates, so a create the server processed and that is sent again exists
/// twice. `COMMBOX_RETRY_SAFETY_SAFE`: nothing reached the server, or it said it did not
/// process the request (429, 503, other 4xx); sending it again cannot duplicate it (it may
/// fail again). `COMMBOX_RETRY_SAFETY_MAY_DUPLICATE`: it may have been processed (a timeout
/// or broken connection after sending, other 5xx, a 2xx whose answer could not be used);
/// check before sending it again. For reads (get, list) a repeat is harmless either way.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum commbox_retry_safety {
    /// Sending the same request again cannot duplicate it.
    COMMBOX_RETRY_SAFETY_SAFE = 0,
    /// The server may have processed the request: sending it again may duplicate it.
    COMMBOX_RETRY_SAFETY_MAY_DUPLICATE = 1,
}

impl commbox_retry_safety {
    /// No wildcard arm: a new core value does not compile here until it has a C value.
    fn from_core(safety: RetrySafety) -> commbox_retry_safety {
        match safety {
            RetrySafety::Safe => commbox_retry_safety::COMMBOX_RETRY_SAFETY_SAFE,
            RetrySafety::MayDuplicate => commbox_retry_safety::COMMBOX_RETRY_SAFETY_MAY_DUPLICATE,
        }
    }
}

/// A failed call's details. Made by the library and handed to the caller through a
/// `commbox_error **` out-parameter; the caller owns it and releases it with
/// `commbox_error_free`. Immutable: safe to read from several threads at once.
pub struct commbox_error {
    pub(crate) status: commbox_status,
    message: CString,
    field: Option<CString>,
    http_status: u16,
    description: Option<CString>,
    body: Option<CString>,
    request_id: Option<CString>,
    retry_after: Option<f64>,
    retry_safety: commbox_retry_safety,
}

/// A C string from text that may hold NUL bytes (server bodies can): they become U+FFFD.
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

impl commbox_error {
    pub(crate) fn new(function: &'static str, failure: Failure) -> commbox_error {
        let bare = |status, message: String| commbox_error {
            status,
            message: c_string(&message),
            field: None,
            http_status: 0,
            description: None,
            body: None,
            request_id: None,
            retry_after: None,
            // Refused at the boundary: nothing was done.
            retry_safety: commbox_retry_safety::COMMBOX_RETRY_SAFETY_SAFE,
        };
        match failure {
            Failure::Null(arg) => commbox_error {
                field: Some(c_string(arg)),
                ..bare(
                    commbox_status::COMMBOX_STATUS_NULL_ARGUMENT,
                    format!("{function}: {arg} must not be NULL"),
                )
            },
            Failure::Utf8(arg) => commbox_error {
                field: Some(c_string(arg)),
                ..bare(
                    commbox_status::COMMBOX_STATUS_INVALID_UTF8,
                    format!("{function}: {arg} is not valid UTF-8"),
                )
            },
            Failure::Panic(msg) => commbox_error {
                // The call may have been sending when it broke.
                retry_safety: commbox_retry_safety::COMMBOX_RETRY_SAFETY_MAY_DUPLICATE,
                ..bare(
                    commbox_status::COMMBOX_STATUS_PANIC,
                    format!("{function}: internal error (please report it): {msg}"),
                )
            },
            Failure::Core(e) => commbox_error {
                status: commbox_status::from_kind(e.kind()),
                message: c_string(&e.to_string()),
                field: e.field().map(c_string),
                http_status: e.http_status().unwrap_or(0),
                description: e.description().map(c_string),
                body: e.body().map(c_string),
                request_id: e.request_id().map(c_string),
                retry_after: e.retry_after().map(|d| d.as_secs_f64()),
                retry_safety: commbox_retry_safety::from_core(e.retry_safety()),
            },
        }
    }
}

fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

fn with_error<T: Copy>(
    err: *const commbox_error,
    fallback: T,
    f: impl FnOnce(&commbox_error) -> T,
) -> T {
    run_or(fallback, || {
        // SAFETY: NULL or an error made by this library and not yet freed (header contract).
        match unsafe { err.as_ref() } {
            Some(e) => f(e),
            None => fallback,
        }
    })
}

/// The status this error stands for (`COMMBOX_STATUS_NULL_ARGUMENT` if `err` is NULL).
#[no_mangle]
pub extern "C" fn commbox_error_status(err: *const commbox_error) -> commbox_status {
    with_error(err, commbox_status::COMMBOX_STATUS_NULL_ARGUMENT, |e| {
        e.status
    })
}

/// The full message, e.g. `Message: required (request id …)`. Never NULL for a non-NULL
/// `err`; valid until `commbox_error_free(err)`.
#[no_mangle]
pub extern "C" fn commbox_error_message(err: *const commbox_error) -> *const c_char {
    with_error(err, ptr::null(), |e| e.message.as_ptr())
}

/// For validation, NULL-argument and UTF-8 errors, the field or argument at fault
/// (`Message`, `Content.to[1]`, `stream_id`); otherwise NULL. Valid until the error is freed.
#[no_mangle]
pub extern "C" fn commbox_error_field(err: *const commbox_error) -> *const c_char {
    with_error(err, ptr::null(), |e| opt_ptr(&e.field))
}

/// The HTTP status of the server's answer, or 0 when there was none.
#[no_mangle]
pub extern "C" fn commbox_error_http_status(err: *const commbox_error) -> u16 {
    with_error(err, 0, |e| e.http_status)
}

/// The API's own explanation (CommBox `description`), or NULL. Valid until the error is freed.
#[no_mangle]
pub extern "C" fn commbox_error_description(err: *const commbox_error) -> *const c_char {
    with_error(err, ptr::null(), |e| opt_ptr(&e.description))
}

/// The raw response body (at most 64 KiB; NUL bytes replaced), or NULL. Valid until the
/// error is freed.
#[no_mangle]
pub extern "C" fn commbox_error_body(err: *const commbox_error) -> *const c_char {
    with_error(err, ptr::null(), |e| opt_ptr(&e.body))
}

/// The `X-Request-Id` this client sent (quote it to the provider), or NULL when the call
/// failed before a request was made. Valid until the error is freed.
#[no_mangle]
pub extern "C" fn commbox_error_request_id(err: *const commbox_error) -> *const c_char {
    with_error(err, ptr::null(), |e| opt_ptr(&e.request_id))
}

/// How many seconds the server asked to wait (`Retry-After`), or -1 when it did not say.
#[no_mangle]
pub extern "C" fn commbox_error_retry_after(err: *const commbox_error) -> f64 {
    with_error(err, -1.0, |e| e.retry_after.unwrap_or(-1.0))
}

/// Whether sending the failed request again can duplicate it (see `commbox_retry_safety`):
/// `COMMBOX_RETRY_SAFETY_SAFE` when nothing reached the server or it said it did not process
/// the request, `COMMBOX_RETRY_SAFETY_MAY_DUPLICATE` when it may have been processed. NULL
/// `err` gives `COMMBOX_RETRY_SAFETY_MAY_DUPLICATE`, the cautious answer. Thread-safe.
///
/// ```c
/// if (status != COMMBOX_STATUS_OK) {
///     if (commbox_error_retry_safety(err) == COMMBOX_RETRY_SAFETY_SAFE) {
///         // nothing was processed: queue it again (after commbox_error_retry_after)
///     } else {
///         // it may exist already: look it up, or ask a person, before sending again
///     }
///     commbox_error_free(err);
/// }
/// ```
#[no_mangle]
pub extern "C" fn commbox_error_retry_safety(err: *const commbox_error) -> commbox_retry_safety {
    with_error(
        err,
        commbox_retry_safety::COMMBOX_RETRY_SAFETY_MAY_DUPLICATE,
        |e| e.retry_safety,
    )
}

/// Releases an error. NULL is ignored.
#[no_mangle]
pub extern "C" fn commbox_error_free(err: *mut commbox_error) {
    run_or((), || {
        if !err.is_null() {
            // SAFETY: made by Box::into_raw in this library; the caller frees it once.
            drop(unsafe { Box::from_raw(err) });
        }
    })
}

/// A short static name for a status (`"ok"`, `"validation"`, `"rate_limited"`, …); never NULL.
#[no_mangle]
pub extern "C" fn commbox_status_name(status: commbox_status) -> *const c_char {
    use commbox_status::*;
    let name: &'static [u8] = match status {
        COMMBOX_STATUS_OK => b"ok\0",
        COMMBOX_STATUS_VALIDATION => b"validation\0",
        COMMBOX_STATUS_AUTHENTICATION => b"authentication\0",
        COMMBOX_STATUS_NOT_FOUND => b"not_found\0",
        COMMBOX_STATUS_RATE_LIMITED => b"rate_limited\0",
        COMMBOX_STATUS_BAD_REQUEST => b"bad_request\0",
        COMMBOX_STATUS_SERVER => b"server\0",
        COMMBOX_STATUS_TIMEOUT => b"timeout\0",
        COMMBOX_STATUS_CONNECTION => b"connection\0",
        COMMBOX_STATUS_TLS => b"tls\0",
        COMMBOX_STATUS_DECODE => b"decode\0",
        COMMBOX_STATUS_IO => b"io\0",
        COMMBOX_STATUS_NULL_ARGUMENT => b"null_argument\0",
        COMMBOX_STATUS_INVALID_UTF8 => b"invalid_utf8\0",
        COMMBOX_STATUS_PANIC => b"panic\0",
    };
    name.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_the_core_retry_safety_and_boundary_failures_theirs() {
        use commbox_retry_safety::*;
        let core = |e: core_api::Error| commbox_error::new("f", Failure::Core(e)).retry_safety;
        assert_eq!(
            core(core_api::Error::validation("Message", "required")),
            COMMBOX_RETRY_SAFETY_SAFE
        );
        assert_eq!(
            commbox_error::new("f", Failure::Null("client")).retry_safety,
            COMMBOX_RETRY_SAFETY_SAFE
        );
        assert_eq!(
            commbox_error::new("f", Failure::Panic("boom".into())).retry_safety,
            COMMBOX_RETRY_SAFETY_MAY_DUPLICATE
        );
        assert_eq!(
            commbox_error_retry_safety(ptr::null()),
            COMMBOX_RETRY_SAFETY_MAY_DUPLICATE
        );
    }

    #[test]
    fn every_core_kind_has_its_own_status() {
        let mut seen: Vec<i32> = ErrorKind::ALL
            .iter()
            .map(|k| commbox_status::from_kind(*k) as i32)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, (1..=11).collect::<Vec<i32>>());
    }
}
