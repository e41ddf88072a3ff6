//! The HTTP layer shared by every API: one connection pool, auth, timeouts, request ids,
//! retries, redacted logging, and bounded response reading.
//!
//! It knows nothing of CommBox's or Chatwoot's bodies: it returns the final [`Response`]
//! whatever its status, and the API modules turn it into values or errors.

pub(crate) mod body;
mod errors;
mod log;
pub(crate) mod observe;
mod pool;
pub(crate) mod retry;
pub(crate) mod url;

use crate::error::{Error, ErrorKind, Result};
use body::Body;
use observe::{CallEvent, CallObserver};
use pool::Pool;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::Method;
use retry::{AttemptFailure, RetryEvent, RetryPolicy};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Largest successful response body read (a conversation with many messages is still far
/// below this); larger answers are refused instead of exhausting memory.
pub(crate) const MAX_RESPONSE_BODY: u64 = 32 * 1024 * 1024;

/// Ends the message of a failed create that reached the server without an answer.
pub(crate) const MAYBE_PROCESSED: &str =
    " (the request was sent, so the server may have processed it; it was not sent again)";

/// The header carrying our per-call id.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// Settings the transport is built from (validated by the client builder).
#[derive(Clone)]
pub(crate) struct Settings {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub user_agent: String,
    pub ca_file: Option<PathBuf>,
    pub proxy: Option<String>,
    pub retry: RetryPolicy,
    pub observer: Option<CallObserver>,
    pub allow_insecure_http: bool,
}

/// One HTTP client bound to a base URL and, for CommBox, a bearer key.
#[derive(Clone)]
pub(crate) struct Transport {
    http: Arc<Pool>,
    base: String,
    /// `base` parsed once, when it has no path, query or fragment: request URLs are then
    /// made from it without parsing the host again (see [`Transport::url`]).
    base_url: Option<reqwest::Url>,
    auth: Option<HeaderValue>,
    retry: RetryPolicy,
    observer: Option<CallObserver>,
}

/// A request to send: everything needed to rebuild it for each attempt.
pub(crate) struct Request {
    pub method: Method,
    /// Already-encoded path (and query) below the base URL, starting with '/'.
    pub path: String,
    pub body: Body,
    /// Whether sending it twice is harmless (reads, status changes).
    pub idempotent: bool,
    /// The path as logs and observers show it, when the real one holds ids that act as
    /// credentials (Chatwoot's inbox and contact identifiers); `None` shows the path.
    pub display_path: Option<String>,
}

/// The server's final answer.
pub(crate) struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub request_id: String,
    pub server_request_id: Option<String>,
    pub retry_after: Option<Duration>,
}

impl Response {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Transport {
    /// Builds the transport (and its connection pool). Fails on an unreadable CA file or a
    /// malformed proxy URL.
    pub(crate) fn new(settings: &Settings, base: &str, api_key: Option<&str>) -> Result<Self> {
        let http = Arc::new(Pool::new(settings)?);
        let auth = match api_key {
            Some(key) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {key}"))
                    .map_err(|_| Error::validation("api_key", "not a valid header value"))?;
                // Keeps the key out of reqwest's and http's Debug output.
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let base = base.trim_end_matches('/').to_owned();
        Ok(Transport {
            http,
            base_url: parse_bare_base(&base),
            base,
            auth,
            retry: settings.retry.clone(),
            observer: settings.observer.clone(),
        })
    }

    /// The same connection pool and settings against another base URL without a key (the
    /// Chatwoot public API needs none).
    pub(crate) fn rebased(&self, base: &str) -> Transport {
        let base = base.trim_end_matches('/').to_owned();
        Transport {
            http: self.http.clone(),
            base_url: parse_bare_base(&base),
            base,
            auth: None,
            retry: self.retry.clone(),
            observer: self.observer.clone(),
        }
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `path` (already encoded, with its query) below the base: the same URL as
    /// parsing `base + path`. Parsing the whole string again on every call was a visible
    /// share of a request's CPU (host parsing goes through IDNA); when the base is bare
    /// (scheme, host, port) and the path is plain ASCII, the parsed base is reused and only
    /// the path and query are set. Anything else takes the full parse.
    fn url(&self, path: &str) -> Result<reqwest::Url> {
        if let Some(base) = &self.base_url {
            let plain = path.starts_with('/')
                && !path.starts_with("//")
                && path
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'#' && b != b'\\');
            if plain {
                let (p, q) = match path.split_once('?') {
                    Some((p, q)) => (p, Some(q)),
                    None => (path, None),
                };
                let mut url = base.clone();
                url.set_path(p);
                url.set_query(q);
                return Ok(url);
            }
        }
        reqwest::Url::parse(&format!("{}{}", self.base, path))
            .map_err(|e| Error::validation("path", format!("cannot form a URL: {e}")))
    }

    /// Sends `req`, retrying per the policy, and returns the final answer (any status).
    pub(crate) fn send(&self, req: &Request) -> Result<Response> {
        req.body.validate()?;
        // One getpid per call (it is a system call): request ids and the connection pool
        // both need to know whether this process is a forked child.
        let pid = std::process::id();
        let request_id = new_request_id(pid);
        let url = self.url(&req.path)?;
        let log_path = req
            .display_path
            .as_deref()
            .unwrap_or(&req.path)
            .split('?')
            .next()
            .unwrap_or("")
            .to_owned();
        let started = Instant::now();
        let (result, attempts) = self.send_with_retries(req, &url, &request_id, &log_path, pid);
        if let Some(observer) = &self.observer {
            observer(&CallEvent {
                method: req.method.to_string(),
                path: log_path,
                status: match &result {
                    Ok(resp) => Some(resp.status),
                    Err(e) => e.http_status(),
                },
                attempts,
                elapsed: started.elapsed(),
                request_id,
                error: match &result {
                    Ok(resp) if resp.is_success() => None,
                    Ok(resp) => Some(ErrorKind::from_status(resp.status)),
                    Err(e) => Some(e.kind()),
                },
            });
        }
        result
    }

    /// The attempt loop: returns the final outcome and how many attempts it took.
    fn send_with_retries(
        &self,
        req: &Request,
        url: &reqwest::Url,
        request_id: &str,
        log_path: &str,
        pid: u32,
    ) -> (Result<Response>, u32) {
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let outcome = self.attempt(req, url, request_id, pid);
            let elapsed = started.elapsed();
            let (failure, retry_after, result) = match outcome {
                Ok(resp) => {
                    log::response(&req.method, log_path, &resp, attempt, elapsed);
                    if resp.is_success() {
                        return (Ok(resp), attempt);
                    }
                    (
                        AttemptFailure::Status(resp.status),
                        resp.retry_after,
                        Ok(resp),
                    )
                }
                Err((failure, err)) => {
                    log::failure(&req.method, log_path, &err, attempt, elapsed, request_id);
                    (failure, None, Err(err))
                }
            };
            let retries_left = attempt <= self.retry.max_retries;
            if !retries_left || !failure.retryable(req.idempotent, &self.retry) {
                if failure == AttemptFailure::MaybeProcessed && !req.idempotent {
                    // What the caller most needs to know before trying again themselves.
                    return (result.map_err(|e| e.with_note(MAYBE_PROCESSED)), attempt);
                }
                return (result, attempt);
            }
            let delay = match retry_after {
                // The server asked for longer than we are willing to wait: let the caller
                // decide, with the delay in the error.
                Some(d) if d > self.retry.max_retry_after => return (result, attempt),
                Some(d) => d,
                None => self.retry.backoff(attempt),
            };
            let event = RetryEvent {
                attempt: attempt + 1,
                delay,
                reason: match &result {
                    Ok(resp) => format!("HTTP {}", resp.status),
                    Err(e) => e.message().to_owned(),
                },
                method: req.method.to_string(),
                path: log_path.to_owned(),
                request_id: request_id.to_owned(),
            };
            log::retry(&event);
            if let Some(hook) = &self.retry.hook {
                hook(&event);
            }
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    fn attempt(
        &self,
        req: &Request,
        url: &reqwest::Url,
        request_id: &str,
        pid: u32,
    ) -> std::result::Result<Response, (AttemptFailure, Error)> {
        // Fails only if no runtime can be set up for this call: nothing was sent.
        let mut lane = self.http.lane(pid).map_err(|e| {
            (
                AttemptFailure::NotSent,
                e.with_request_ids(request_id, None),
            )
        })?;
        let mut builder = lane
            .client()
            .request(req.method.clone(), url.clone())
            .header(REQUEST_ID_HEADER, request_id)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(auth) = &self.auth {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        // Opening attachments can fail (file removed since validation): nothing was sent.
        let builder = req.body.build(builder).map_err(|e| {
            (
                AttemptFailure::NotSent,
                e.with_request_ids(request_id, None),
            )
        })?;
        let request = builder.build().map_err(|e| {
            let err = Error::new(
                ErrorKind::Validation,
                format!("cannot build the request: {e}"),
            );
            (
                AttemptFailure::NotSent,
                err.with_request_ids(request_id, None),
            )
        })?;
        log::request(&request, request_id);
        let client = lane.client().clone();
        lane.block_on(exchange(&client, request, request_id))
    }
}

/// Sends one request and reads its answer, within the body limits.
async fn exchange(
    client: &reqwest::Client,
    request: reqwest::Request,
    request_id: &str,
) -> std::result::Result<Response, (AttemptFailure, Error)> {
    let mut resp = client
        .execute(request)
        .await
        .map_err(|e| errors::from_send(e, request_id))?;
    let status = resp.status().as_u16();
    let headers = std::mem::take(resp.headers_mut());
    let server_request_id = server_request_id(&headers);
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
    let success = (200..300).contains(&status);
    let too_large = || {
        let err = Error::new(
            ErrorKind::Decode,
            format!("response body is larger than {MAX_RESPONSE_BODY} bytes"),
        )
        .with_request_ids(request_id, server_request_id.clone());
        (AttemptFailure::Status(status), err)
    };
    // Error bodies are only shown to people: read a bounded prefix and drop the rest.
    let limit = if success {
        MAX_RESPONSE_BODY
    } else {
        crate::error::MAX_ERROR_BODY as u64
    };
    if success && resp.content_length().is_some_and(|len| len > limit) {
        // Announced too large: refuse before reading any of it.
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0).min(limit) as usize);
    while (body.len() as u64) <= limit {
        match resp.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                return Err(errors::from_body_read(
                    std::io::Error::other(e),
                    request_id,
                    status,
                ))
            }
        }
    }
    if body.len() as u64 > limit {
        if success {
            return Err(too_large());
        }
        body.truncate(limit as usize);
    }
    Ok(Response {
        status,
        headers,
        body,
        request_id: request_id.to_owned(),
        server_request_id,
        retry_after,
    })
}

/// `base` parsed, when it is bare (scheme, host, port, nothing after): the case where
/// [`Transport::url`] can reuse it.
fn parse_bare_base(base: &str) -> Option<reqwest::Url> {
    let url = reqwest::Url::parse(base).ok()?;
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && !url.cannot_be_a_base()
        && !base.contains(['?', '#'])
        && url.as_str().trim_end_matches('/') == base;
    bare.then_some(url)
}

/// Response headers read as the server's request id ([`Error::server_request_id`]), in
/// this order: the common names servers and proxies use for one, nothing specific to any
/// server. A server that echoes our own `X-Request-Id` reports that same id.
pub(crate) const SERVER_REQUEST_ID_HEADERS: &[&str] =
    &["x-request-id", "request-id", "x-correlation-id"];

/// The server's request id: the first of [`SERVER_REQUEST_ID_HEADERS`] it sent.
fn server_request_id(headers: &HeaderMap) -> Option<String> {
    SERVER_REQUEST_ID_HEADERS
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A random UUIDv4-shaped id; unique enough to trace one call in logs on both sides.
pub(crate) fn new_request_id(pid: u32) -> String {
    // A forked child inherits its parent's generator state and would repeat its ids; the
    // pid tells the two apart.
    let mut v = fastrand::u128(..) ^ (u128::from(pid) << 64);
    v = (v & !(0xF << 76)) | (0x4 << 76); // version 4
    v = (v & !(0x3 << 62)) | (0x2 << 62); // RFC 4122 variant
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_those_of_parsing_base_and_path() {
        let settings = Settings {
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            user_agent: "test".into(),
            ca_file: None,
            proxy: None,
            retry: RetryPolicy::default(),
            observer: None,
            allow_insecure_http: true,
        };
        let bases = [
            "https://api.commbox.io",
            "https://api.commbox.io/",
            "http://127.0.0.1:8080",
            "http://user:pw@[::1]:9/",
            "https://Example.COM:443",
            "https://host/prefix",
            "https://host/a/../b/",
            "https://host?x=1",
        ];
        let paths = [
            "/streams/abc%3D%3D/objects",
            "/streams/a/objects/1/child",
            "/streams/X/objects?unixStartTime=1&b=%20c",
            "/streams/X/objects/9?includeChilds=true",
            "/a/./b/../c",
            "/a/%2e%2E/c",
            "/q?",
            "/q?a'b\"c<d>",
            "/a b",
            "/é",
            "/a#frag",
            "/a\\b",
            "//evil.example/x",
            "/a?b#c",
            "/users/123",
            "/a\"<>`{}|^'b[]@!$&()*+,;=:~",
            "/",
        ];
        for base in bases {
            let t = Transport::new(&settings, base, None).unwrap();
            let b = base.trim_end_matches('/');
            for path in paths {
                let slow = reqwest::Url::parse(&format!("{b}{path}")).map(|u| u.to_string());
                let fast = t.url(path).map(|u| u.to_string());
                assert_eq!(fast.ok(), slow.ok(), "base {base:?} path {path:?}");
            }
        }
    }

    #[test]
    fn request_ids_look_like_uuid4() {
        let a = new_request_id(1);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(a, new_request_id(1));
    }

    #[test]
    fn the_server_request_id_comes_from_common_headers_only() {
        let mut headers = HeaderMap::new();
        headers.insert("x-mock-request-id", HeaderValue::from_static("7"));
        assert_eq!(server_request_id(&headers), None);
        headers.insert("x-correlation-id", HeaderValue::from_static("c"));
        assert_eq!(server_request_id(&headers).as_deref(), Some("c"));
        headers.insert("request-id", HeaderValue::from_static("r"));
        assert_eq!(server_request_id(&headers).as_deref(), Some("r"));
        headers.insert("x-request-id", HeaderValue::from_static("x"));
        assert_eq!(server_request_id(&headers).as_deref(), Some("x"));
    }
}
