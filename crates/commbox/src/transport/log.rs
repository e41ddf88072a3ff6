//! Log records through the `log` facade (target `commbox`).
//!
//! Only an allow-list of headers is ever printed, so the Authorization header (and any
//! header added later) cannot leak; bodies are never logged.

use super::retry::RetryEvent;
use super::{Response, SERVER_REQUEST_ID_HEADERS};
use crate::error::Error;
use reqwest::header::HeaderMap;
use reqwest::Method;
use std::time::Duration;

const TARGET: &str = "commbox";

/// Headers safe to print (besides the server request id headers).
const ALLOWED_HEADERS: &[&str] = &[
    "accept",
    "content-type",
    "content-length",
    "user-agent",
    "x-request-id",
    "retry-after",
    "date",
    "server",
];

fn allowed(headers: &HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        let name = name.as_str();
        if ALLOWED_HEADERS.contains(&name) || SERVER_REQUEST_ID_HEADERS.contains(&name) {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value.to_str().unwrap_or("<binary>"));
        }
    }
    out
}

pub(super) fn request(req: &reqwest::Request, request_id: &str) {
    if log::log_enabled!(target: TARGET, log::Level::Trace) {
        log::trace!(
            target: TARGET,
            "sending {} {} request_id={request_id} headers=[{}]",
            req.method(),
            req.url().path(),
            allowed(req.headers())
        );
    }
}

pub(super) fn response(
    method: &Method,
    path: &str,
    resp: &Response,
    attempt: u32,
    elapsed: Duration,
) {
    log::debug!(
        target: TARGET,
        "{method} {path} -> {} in {} ms (attempt {attempt}, request_id={})",
        resp.status,
        elapsed.as_millis(),
        resp.request_id
    );
    if log::log_enabled!(target: TARGET, log::Level::Trace) {
        log::trace!(target: TARGET, "response headers=[{}]", allowed(&resp.headers));
    }
}

pub(super) fn failure(
    method: &Method,
    path: &str,
    err: &Error,
    attempt: u32,
    elapsed: Duration,
    request_id: &str,
) {
    log::debug!(
        target: TARGET,
        "{method} {path} failed after {} ms (attempt {attempt}, request_id={request_id}): {}",
        elapsed.as_millis(),
        err.message()
    );
}

pub(super) fn retry(e: &RetryEvent) {
    log::info!(
        target: TARGET,
        "retrying {} {} in {} ms (attempt {}, request_id={}): {}",
        e.method,
        e.path,
        e.delay.as_millis(),
        e.attempt,
        e.request_id,
        e.reason
    );
}

/// A call dropped by its caller before it ended (a cancelled task, a timeout around it).
pub(super) fn cancelled(
    method: &Method,
    path: &str,
    request_id: &str,
    sent: bool,
    maybe_processed: bool,
) {
    if maybe_processed {
        log::warn!(
            target: TARGET,
            "{method} {path} cancelled after it was sent (request_id={request_id}): the server may have processed it"
        );
    } else if sent {
        log::info!(
            target: TARGET,
            "{method} {path} cancelled after it was sent (request_id={request_id}); it is safe to send again"
        );
    } else {
        log::debug!(
            target: TARGET,
            "{method} {path} cancelled before it was sent (request_id={request_id})"
        );
    }
}
