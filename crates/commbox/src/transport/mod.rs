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
pub(crate) mod progress;
pub(crate) mod retry;
mod tls;
pub(crate) mod url;

use crate::error::{Error, ErrorKind, Result, RetrySafety};
use body::Body;
use observe::{CallEvent, CallObserver};
use pool::Pool;
use progress::{ProgressObserver, ProgressSink};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::Method;
use retry::{AttemptFailure, RetryEvent, RetryPolicy};
use std::future::Future;
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
    pub progress: Option<ProgressObserver>,
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
    progress: Option<ProgressObserver>,
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
    /// An earlier attempt of this call may have been processed (a create retried by
    /// opt-in): whatever this answer says, sending again may duplicate it.
    pub earlier_attempt_maybe_processed: bool,
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
            progress: settings.progress.clone(),
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
            progress: self.progress.clone(),
        }
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// TLS settings for connections other than HTTP calls (the live-replies socket), with
    /// the same trust as this transport's.
    pub(crate) fn tls_config(&self) -> Result<Arc<rustls::ClientConfig>> {
        tls::client_config(self.http.settings())
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
    ///
    /// Runs on whatever runtime polls it: the caller's (the async client) or a lane's (the
    /// blocking client, see [`Transport::block_on`]). Dropping the future cancels the call:
    /// before anything was sent nothing reaches the server; after, the call is reported (log
    /// record and observer event) as one that may have been processed, like a timeout.
    pub(crate) async fn send(&self, req: &Request) -> Result<Response> {
        req.body.validate()?;
        let request_id = new_request_id(std::process::id());
        let url = self.url(&req.path)?;
        let log_path = req
            .display_path
            .as_deref()
            .unwrap_or(&req.path)
            .split('?')
            .next()
            .unwrap_or("")
            .to_owned();
        let progress = match (&self.progress, &req.body) {
            (Some(observer), Body::Multipart(_)) => {
                Some(ProgressSink::new(observer.clone(), &request_id))
            }
            _ => None,
        };
        let mut call = InFlight {
            transport: self,
            method: &req.method,
            idempotent: req.idempotent,
            log_path,
            request_id,
            progress,
            started: Instant::now(),
            attempts: 0,
            sent: false,
            maybe_processed: false,
            finished: false,
        };
        let result = self.send_with_retries(req, &url, &mut call).await;
        call.finished = true;
        let maybe_processed = call.maybe_processed;
        call.report(
            match &result {
                Ok(resp) => Some(resp.status),
                Err(e) => e.http_status(),
            },
            match &result {
                Ok(resp) if resp.is_success() => None,
                Ok(resp) => Some(ErrorKind::from_status(resp.status)),
                Err(e) => Some(e.kind()),
            },
            false,
            maybe_processed,
        );
        result
    }

    /// Runs `fut` (a call of this transport's clients) to completion on the calling thread,
    /// on a lane of the connection pool: the blocking clients' only way to wait.
    ///
    /// Inside an async runtime a thread must not block on another runtime (tokio panics);
    /// there the call runs on a short-lived thread of its own while this one waits, which
    /// works on current-thread and multi-thread runtimes alike (it holds up this one task,
    /// as any blocking call does; the async client is the better fit there).
    pub(crate) fn block_on<F>(&self, fut: F) -> Result<F::Output>
    where
        F: Future + Send,
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.http.block_on(fut);
        }
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("commbox-blocking-call".into())
                .spawn_scoped(s, || self.http.block_on(fut))
                .map_err(|e| Error::io(format!("cannot start a thread for the call: {e}"), e))?
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// The attempt loop: returns the final outcome; `call` counts the attempts and notes
    /// when one was sent.
    async fn send_with_retries(
        &self,
        req: &Request,
        url: &reqwest::Url,
        call: &mut InFlight<'_>,
    ) -> Result<Response> {
        let mut attempt = 1;
        // Whether an attempt before the current one may have been processed.
        let mut maybe_before = false;
        loop {
            // Another call was told to slow down: wait with it, before sending anything.
            self.http.rate_limit_pause().await;
            let started = Instant::now();
            call.attempts = attempt;
            let outcome = self.attempt(req, url, call).await;
            let elapsed = started.elapsed();
            let log_path = call.log_path.as_str();
            let (failure, retry_after, result) = match outcome {
                Ok(resp) => {
                    log::response(&req.method, log_path, &resp, attempt, elapsed);
                    if resp.is_success() {
                        return Ok(resp);
                    }
                    (
                        AttemptFailure::Status(resp.status),
                        resp.retry_after,
                        Ok(resp),
                    )
                }
                Err((failure, err)) => {
                    log::failure(
                        &req.method,
                        log_path,
                        &err,
                        attempt,
                        elapsed,
                        &call.request_id,
                    );
                    (failure, None, Err(err))
                }
            };
            let retries_left = attempt <= self.retry.max_retries;
            if !retries_left || !failure.retryable(req.idempotent, &self.retry) {
                let result = if maybe_before {
                    // The last answer may say "not processed", but an earlier attempt may
                    // have been: the call as a whole may duplicate.
                    match result {
                        Ok(mut resp) => {
                            resp.earlier_attempt_maybe_processed = true;
                            Ok(resp)
                        }
                        Err(e) => Err(e.with_retry_safety(RetrySafety::MayDuplicate)),
                    }
                } else {
                    result
                };
                if failure == AttemptFailure::MaybeProcessed && !req.idempotent {
                    // What the caller most needs to know before trying again themselves.
                    call.maybe_processed = true;
                    return result.map_err(Error::sent_without_answer);
                }
                return result;
            }
            let delay = match retry_after {
                // The server asked for longer than we are willing to wait: let the caller
                // decide, with the delay in the error.
                Some(d) if d > self.retry.max_retry_after => return result,
                Some(d) => {
                    if failure == AttemptFailure::Status(429) {
                        // Told to slow down: every call of this pool waits as long as this
                        // one, not only the one that was told (a batch's other workers).
                        self.http.slow_down(d);
                    }
                    d
                }
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
                request_id: call.request_id.clone(),
            };
            log::retry(&event);
            if let Some(hook) = &self.retry.hook {
                hook(&event);
            }
            // Cancelling during the wait leaves nothing half-done unless the failed attempt
            // may have reached the server (a create is retried then only by opt-in).
            if failure != AttemptFailure::MaybeProcessed {
                call.sent = false;
            }
            maybe_before |= failure.retry_safety() == RetrySafety::MayDuplicate;
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        req: &Request,
        url: &reqwest::Url,
        call: &mut InFlight<'_>,
    ) -> std::result::Result<Response, (AttemptFailure, Error)> {
        let request_id = call.request_id.clone();
        let request_id = request_id.as_str();
        // Fails only if no HTTP client can be set up for this call: nothing was sent.
        let client = self.http.client().map_err(|e| {
            (
                AttemptFailure::NotSent,
                e.with_request_ids(request_id, None),
            )
        })?;
        let mut builder = client
            .request(req.method.clone(), url.clone())
            .header(REQUEST_ID_HEADER, request_id)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(auth) = &self.auth {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        // Opening attachments can fail (file removed since validation): nothing was sent.
        let progress = call.progress.as_ref().map(|p| p.for_attempt(call.attempts));
        let builder = req.body.build(builder, progress.as_ref()).map_err(|e| {
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
        // From here on bytes may reach the server: a cancellation is reported as such.
        call.sent = true;
        let outcome = exchange(&client, request, request_id).await;
        if let Err((AttemptFailure::NotSent, _)) = &outcome {
            call.sent = false;
        }
        outcome
    }
}

/// One call between its start and its end, to report it once, also when the caller drops
/// (cancels) it midway.
struct InFlight<'a> {
    transport: &'a Transport,
    method: &'a Method,
    idempotent: bool,
    log_path: String,
    request_id: String,
    /// Upload progress reporting, for a multipart request when a callback is set.
    progress: Option<ProgressSink>,
    started: Instant,
    attempts: u32,
    /// Whether the current attempt may have reached the server.
    sent: bool,
    /// Whether the call failed after a create may have reached the server.
    maybe_processed: bool,
    finished: bool,
}

impl InFlight<'_> {
    fn report(
        &self,
        status: Option<u16>,
        error: Option<ErrorKind>,
        cancelled: bool,
        maybe_processed: bool,
    ) {
        if let Some(observer) = &self.transport.observer {
            observer(&CallEvent {
                method: self.method.to_string(),
                path: self.log_path.clone(),
                status,
                attempts: self.attempts,
                elapsed: self.started.elapsed(),
                request_id: self.request_id.clone(),
                error,
                cancelled,
                may_have_been_processed: maybe_processed,
            });
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // Dropped before its end: the caller cancelled the call (or its task was aborted).
        let maybe_processed = self.sent && !self.idempotent;
        log::cancelled(
            self.method,
            &self.log_path,
            &self.request_id,
            self.sent,
            maybe_processed,
        );
        self.report(None, None, true, maybe_processed);
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
        earlier_attempt_maybe_processed: false,
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
            progress: None,
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
