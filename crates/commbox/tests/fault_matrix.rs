//! The fault matrix (issue 7, docs/reliability.md), Rust face: every case F01..F23 against
//! the five creates — CommBox create conversation and create message, Chatwoot create
//! contact, conversation and message. For each: the error kind (or success), what the
//! message says, how many requests the server saw, and how many records it stored. A create
//! that may have been processed is never sent twice; one the server refused (429, 503) is
//! retried per the policy; a create that ends in success is stored exactly once.
//!
//! The C, Python and CLI faces run the same cases under the same ids (tests/c/test_faults.c,
//! tests/python/test_fault_matrix.py, crates/commbox-cli/tests/fault_matrix.rs).

mod common;
#[path = "common/fault_site.rs"]
mod fault_site;

use commbox::chatwoot::{InboxClient, NewContact, NewInboxMessage};
use commbox::*;
use commbox_mock::{Fault, MockConfig, MockServer, CHATWOOT_INBOX, DEFAULT_API_KEY};
use common::fast_retries;
use fault_site::{Site, GIB, PHONE, STREAM};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// The five creates of the matrix.
#[derive(Debug, Clone, Copy)]
enum Op {
    CommBoxConversation,
    CommBoxMessage,
    ChatwootContact,
    ChatwootConversation,
    ChatwootMessage,
}

const OPS: [Op; 5] = [
    Op::CommBoxConversation,
    Op::CommBoxMessage,
    Op::ChatwootContact,
    Op::ChatwootConversation,
    Op::ChatwootMessage,
];

impl Site {
    /// A client of this site: fast retries, and whatever `tune` adds.
    fn clients(&self, tune: impl Fn(ClientBuilder) -> ClientBuilder) -> (Client, InboxClient) {
        let client = tune(
            Client::builder()
                .api_key(DEFAULT_API_KEY)
                .base_url(&self.url)
                .retry_policy(fast_retries()),
        )
        .build()
        .unwrap();
        let inbox = client.inbox(&self.url, CHATWOOT_INBOX).unwrap();
        (client, inbox)
    }

    /// Queues `faults`, runs `op` and reports what happened.
    fn run(&self, op: Op, clients: &(Client, InboxClient), faults: &[Fault]) -> Outcome {
        let (requests, stored) = self.counts();
        for fault in faults {
            self.mock().push_fault(fault.clone());
        }
        let (client, inbox) = clients;
        let result = match op {
            Op::CommBoxConversation => client
                .create_conversation(STREAM, SmsConversation::new(PHONE, "fault"))
                .map(drop),
            Op::CommBoxMessage => client
                .create_message(
                    STREAM,
                    self.object,
                    NewMessage::from_customer(PHONE, "fault"),
                )
                .map(drop),
            Op::ChatwootContact => inbox
                .create_contact(NewContact::new().name("Fault"))
                .map(drop),
            Op::ChatwootConversation => inbox.create_conversation(&self.contact, None).map(drop),
            Op::ChatwootMessage => inbox
                .create_message(
                    &self.contact,
                    self.conversation,
                    NewInboxMessage::new("fault"),
                )
                .map(drop),
        };
        let (requests_after, stored_after) = self.counts();
        Outcome {
            op,
            result,
            seen: requests_after - requests,
            stored: stored_after - stored,
        }
    }
}

struct Outcome {
    op: Op,
    result: Result<()>,
    /// Requests the server saw for this one call.
    seen: usize,
    /// Records the server stored for it.
    stored: usize,
}

impl Outcome {
    /// Checks a failed call: its kind, that its message says `says`, the requests the
    /// server saw, that nothing was stored, and that the error names the call's request id.
    fn failed(&self, kind: ErrorKind, says: &str, seen: usize) -> &Error {
        let op = self.op;
        let err = match &self.result {
            Err(err) => err,
            Ok(()) => panic!("{op:?}: succeeded, expected {kind:?}"),
        };
        assert_eq!(err.kind(), kind, "{op:?}: {err}");
        assert!(err.message().contains(says), "{op:?}: {err} lacks {says:?}");
        assert_eq!(self.seen, seen, "{op:?}: requests the server saw ({err})");
        assert_eq!(self.stored, 0, "{op:?}: nothing stored ({err})");
        assert!(err.request_id().is_some(), "{op:?}: no request id: {err:?}");
        err
    }

    /// Checks a successful call: the requests the server saw, and exactly one record.
    fn succeeded(&self, seen: usize) {
        let op = self.op;
        if let Err(err) = &self.result {
            panic!("{op:?}: failed: {err:?}");
        }
        assert_eq!(self.seen, seen, "{op:?}: requests the server saw");
        assert_eq!(self.stored, 1, "{op:?}: stored exactly once");
    }
}

/// Runs every create against a fresh server with `faults` queued and checks each fails with
/// `kind`, says `says`, and reached the server `seen` times.
fn every_create_fails(faults: &[Fault], kind: ErrorKind, says: &str, seen: usize) -> Vec<Error> {
    let site = Site::start();
    let clients = site.clients(|b| b);
    OPS.iter()
        .map(|op| {
            site.run(*op, &clients, faults)
                .failed(kind, says, seen)
                .clone()
        })
        .collect()
}

/// Runs every create with `faults` queued and checks each succeeds after `seen` requests.
fn every_create_succeeds(faults: &[Fault], seen: usize) {
    let site = Site::start();
    let clients = site.clients(|b| b);
    for op in OPS {
        site.run(op, &clients, faults).succeeded(seen);
    }
}

/// An HTTP date `secs` from now, as a server writes it in `Retry-After`.
fn http_date_in(secs: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs))
}

/// The peak resident memory of this process since the last reset, in bytes (Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

/// Starts a new peak-memory measurement (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs is writable");
}

#[test]
fn f01_connection_refused_is_retried_then_a_connection_error() {
    let site = Site::unreachable();
    for op in OPS {
        let attempts = Arc::new(AtomicU32::new(0));
        let counted = attempts.clone();
        let clients = site.clients(|b| {
            let counted = counted.clone();
            b.retry_policy(fast_retries().on_retry(move |e| {
                assert!(e.reason.contains("cannot connect"), "{}", e.reason);
                counted.fetch_add(1, Ordering::SeqCst);
            }))
        });
        let outcome = site.run(op, &clients, &[]);
        outcome.failed(
            ErrorKind::Connection,
            "cannot connect to http://127.0.0.1:",
            0,
        );
        // Nothing reached a server, so retrying is safe even for a create.
        assert_eq!(attempts.load(Ordering::SeqCst), 2, "{op:?}: 2 retries");
    }
}

#[test]
fn f02_reset_before_the_response_is_not_resent() {
    every_create_fails(
        &[Fault::drop_connection()],
        ErrorKind::Connection,
        "connection failed before an answer to http://127.0.0.1:",
        1,
    );
}

#[test]
fn f03_reset_mid_body_is_not_resent() {
    let body = r#"{"status":200,"description":"OK","data":{"id":1,"source_id":"x"}}"#;
    let fault = Fault::status(200)
        .with_body(serde_json::Value::String(body.into()))
        .with_content_type("application/json")
        .reset_after_bytes(20);
    every_create_fails(
        &[fault],
        ErrorKind::Connection,
        "reading the HTTP 200 answer failed: Connection reset by peer",
        1,
    );
}

#[test]
fn f04_a_server_slower_than_the_timeout_is_not_resent() {
    let site = Site::start();
    let clients = site.clients(|b| b.timeout(Duration::from_millis(300)));
    for op in OPS {
        let outcome = site.run(op, &clients, &[Fault::delay(1_500)]);
        let op = outcome.op;
        let err = outcome.result.as_ref().expect_err("times out");
        assert_eq!(err.kind(), ErrorKind::Timeout, "{op:?}: {err}");
        assert!(
            err.message().contains("timed out waiting for the server"),
            "{op:?}: {err}"
        );
        assert_eq!(outcome.seen, 1, "{op:?}: sent once");
        assert!(err.request_id().is_some());
        // Not checked: whether the server went on to store it after the client gave up.
        // That is the server's business (the mock abandons the work when it notices the
        // closed connection); the client's part is not to send it again.
    }
}

#[test]
fn f05_429_with_retry_after_in_seconds_is_waited_out_then_succeeds() {
    every_create_succeeds(&[Fault::status(429).with_retry_after("1")], 2);
}

#[test]
fn f06_429_with_retry_after_beyond_the_cap_is_rate_limited_at_once() {
    for err in every_create_fails(
        &[Fault::status(429).with_retry_after("120")],
        ErrorKind::RateLimited,
        "HTTP 429",
        1,
    ) {
        assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
        assert_eq!(err.http_status(), Some(429));
    }
}

#[test]
fn f07_429_with_retry_after_as_an_http_date_is_waited_out_then_succeeds() {
    let site = Site::start();
    let clients = site.clients(|b| b);
    for op in OPS {
        let fault = Fault::status(429).with_retry_after(http_date_in(1));
        site.run(op, &clients, &[fault]).succeeded(2);
    }
}

#[test]
fn f08_429_with_a_distant_http_date_is_rate_limited_with_the_delay() {
    let site = Site::start();
    let clients = site.clients(|b| b);
    for op in OPS {
        let fault = Fault::status(429).with_retry_after(http_date_in(120));
        let outcome = site.run(op, &clients, &[fault]);
        let err = outcome.failed(ErrorKind::RateLimited, "HTTP 429", 1);
        let wait = err.retry_after().expect("retry_after");
        // An HTTP date has whole seconds, and some time passed since it was written.
        assert!(
            (Duration::from_secs(115)..=Duration::from_secs(120)).contains(&wait),
            "{wait:?}"
        );
    }
}

#[test]
fn f09_429_without_retry_after_is_retried_with_backoff_then_rate_limited() {
    for err in every_create_fails(
        &[Fault::status(429).times(3)],
        ErrorKind::RateLimited,
        "HTTP 429",
        3,
    ) {
        assert_eq!(err.retry_after(), None);
    }
}

#[test]
fn f10_500_is_a_server_error_and_not_resent() {
    every_create_fails(&[Fault::status(500)], ErrorKind::Server, "HTTP 500", 1);
}

#[test]
fn f11_502_is_a_server_error_and_not_resent() {
    every_create_fails(&[Fault::status(502)], ErrorKind::Server, "HTTP 502", 1);
}

#[test]
fn f12_503_is_retried_then_a_server_error() {
    every_create_fails(
        &[Fault::status(503).times(3)],
        ErrorKind::Server,
        "HTTP 503",
        3,
    );
}

#[test]
fn f13_504_is_a_server_error_and_not_resent() {
    every_create_fails(&[Fault::status(504)], ErrorKind::Server, "HTTP 504", 1);
}

#[test]
fn f14_truncated_json_is_a_decode_error() {
    let fault = Fault::status(200)
        .with_body(serde_json::Value::String(
            r#"{"status":200,"data":{"id":4"#.into(),
        ))
        .with_content_type("application/json");
    for err in every_create_fails(&[fault], ErrorKind::Decode, "not JSON", 1) {
        assert_eq!(err.http_status(), Some(200));
        assert!(err.body().unwrap().starts_with(r#"{"status":200"#));
    }
}

const HTML_PAGE: &str = "<html><head><title>502 Bad Gateway</title></head>\
    <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

#[test]
fn f15_an_html_error_page_is_a_server_error_with_the_page_as_body() {
    let fault = Fault::status(502)
        .with_body(serde_json::Value::String(HTML_PAGE.into()))
        .with_content_type("text/html");
    for err in every_create_fails(&[fault], ErrorKind::Server, "HTTP 502 Bad Gateway", 1) {
        assert_eq!(err.description(), None);
        assert_eq!(err.body(), Some(HTML_PAGE));
    }
}

#[test]
fn f16_an_html_page_with_200_is_a_decode_error() {
    let fault = Fault::status(200)
        .with_body(serde_json::Value::String(HTML_PAGE.into()))
        .with_content_type("text/html");
    for err in every_create_fails(&[fault], ErrorKind::Decode, "not JSON", 1) {
        assert_eq!(err.body(), Some(HTML_PAGE));
    }
}

#[test]
fn f17_an_empty_200_is_a_decode_error() {
    let fault = Fault::status(200)
        .with_body(serde_json::Value::String(String::new()))
        .with_content_type("application/json");
    for err in every_create_fails(&[fault], ErrorKind::Decode, "the answer is empty", 1) {
        assert_eq!(err.http_status(), Some(200));
        assert_eq!(err.body(), Some(""));
    }
}

/// The cases with huge answers run one at a time, so that none measures another's memory.
static HUGE: Mutex<()> = Mutex::new(());

/// Runs every create against a 1 GiB answer (`fault`) and returns, with each outcome, how
/// much this process's peak resident memory grew during the call.
fn every_create_against_a_huge_answer(fault: Fault) -> Vec<(Outcome, u64)> {
    let _alone = HUGE.lock().unwrap_or_else(PoisonError::into_inner);
    let site = Site::start();
    let clients = site.clients(|b| b);
    OPS.iter()
        .map(|op| {
            let before = peak_rss();
            reset_peak_rss();
            let outcome = site.run(*op, &clients, std::slice::from_ref(&fault));
            (outcome, peak_rss().saturating_sub(before))
        })
        .collect()
}

/// The answer cap is 32 MiB and reading up to it may double a buffer once; a client that
/// held the whole answer would grow by 1 GiB.
const FLAT: u64 = 160 << 20;

#[test]
fn f18_a_1_gib_answer_is_refused_with_memory_flat() {
    for (outcome, grown) in
        every_create_against_a_huge_answer(Fault::status(200).with_body_bytes(GIB))
    {
        outcome.failed(ErrorKind::Decode, "larger than 33554432 bytes", 1);
        assert!(grown < FLAT, "{:?}: grew {} MiB", outcome.op, grown >> 20);
    }
}

#[test]
fn f19_a_1_gib_chunked_answer_is_read_up_to_the_cap_only() {
    for (outcome, grown) in
        every_create_against_a_huge_answer(Fault::status(200).with_body_bytes(GIB).chunked())
    {
        outcome.failed(ErrorKind::Decode, "larger than 33554432 bytes", 1);
        assert!(grown < FLAT, "{:?}: grew {} MiB", outcome.op, grown >> 20);
    }
}

#[test]
fn f20_a_1_gib_error_answer_is_cut_to_64_kib() {
    for (outcome, grown) in
        every_create_against_a_huge_answer(Fault::status(500).with_body_bytes(GIB))
    {
        let err = outcome.failed(ErrorKind::Server, "HTTP 500", 1);
        assert_eq!(err.body().map(str::len), Some(MAX_ERROR_BODY));
        assert!(grown < FLAT, "{:?}: grew {} MiB", outcome.op, grown >> 20);
    }
}

#[test]
fn f21_a_redirect_to_another_host_is_not_followed() {
    let site = Site::start();
    // The other host: a second server, reached as `localhost` (another host name, another
    // port). Had the client followed, it would have recorded the request and its headers.
    let other = MockServer::start().unwrap();
    let elsewhere = other.url().replace("127.0.0.1", "localhost");
    let clients = site.clients(|b| b);
    for op in OPS {
        let fault = Fault::redirect(307, format!("{elsewhere}/moved"));
        let outcome = site.run(op, &clients, &[fault]);
        let err = outcome.failed(ErrorKind::BadRequest, "HTTP 307", 1);
        assert!(
            err.message()
                .contains(&format!("redirect to {elsewhere}/moved")),
            "{err}"
        );
        assert_eq!(err.http_status(), Some(307));
    }
    assert_eq!(other.request_count(), 0, "the other host saw nothing");
    // What the redirecting server saw carried the key only to itself.
    let first = &site.mock().requests()[3];
    assert_eq!(first.headers["authorization"], "Bearer ***");
}

#[test]
fn f22_a_self_signed_certificate_is_refused_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start_with(MockConfig {
        tls_dir: Some(dir.path().to_owned()),
        ..MockConfig::default()
    });
    let clients = site.clients(|b| b);
    for op in OPS {
        let outcome = site.run(op, &clients, &[]);
        let err = outcome.failed(ErrorKind::Tls, "TLS handshake failed", 0);
        assert!(
            err.message().contains("certificate") || err.message().contains("Certificate"),
            "{err}"
        );
    }
}

#[test]
fn f23_a_self_signed_certificate_is_accepted_with_the_ca_file_option() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start_with(MockConfig {
        tls_dir: Some(dir.path().to_owned()),
        ..MockConfig::default()
    });
    let cert: &Path = site.mock().cert_file().unwrap();
    let clients = site.clients(|b| b.ca_file(cert));
    for op in OPS {
        site.run(op, &clients, &[]).succeeded(1);
    }
}
