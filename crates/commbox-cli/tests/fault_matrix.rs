//! The fault matrix (issue 7, docs/reliability.md), CLI face: every case F01..F23 against
//! `commbox sms`, `commbox message`, and `commbox chatwoot contact-create`,
//! `conversation-create` and `message-create`, with `--error-format json`. For each: the
//! exit code, the JSON error's kind and message, how many requests the server saw and how
//! many records it stored. The command runs with its default retry policy (2 retries).
//!
//! Same case ids as crates/commbox/tests/fault_matrix.rs (the Rust face).

#[path = "../../commbox/tests/common/fault_site.rs"]
mod fault_site;

use commbox_mock::{Fault, MockConfig, MockServer, CHATWOOT_INBOX};
use fault_site::{Site, GIB};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// The CLI takes the customer's phone number in E.164, with its '+'.
const PHONE: &str = "+972544444444";

impl Site {
    /// The five creates, as command lines.
    fn creates(&self) -> [(&'static str, Vec<String>); 5] {
        let (stream, object) = (fault_site::STREAM, self.object.to_string());
        let conversation = self.conversation.to_string();
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        [
            (
                "commbox sms",
                args(&["sms", "--stream", stream, "--phone", PHONE, "-m", "fault"]),
            ),
            (
                "commbox message",
                args(&[
                    "message",
                    "--stream",
                    stream,
                    "--object",
                    &object,
                    "--customer",
                    PHONE,
                    "-m",
                    "fault",
                ]),
            ),
            (
                "chatwoot contact-create",
                args(&["chatwoot", "contact-create", "--name", "Fault"]),
            ),
            (
                "chatwoot conversation-create",
                args(&[
                    "chatwoot",
                    "conversation-create",
                    "--contact",
                    &self.contact,
                ]),
            ),
            (
                "chatwoot message-create",
                args(&[
                    "chatwoot",
                    "message-create",
                    "--contact",
                    &self.contact,
                    "--conversation",
                    &conversation,
                    "-m",
                    "fault",
                ]),
            ),
        ]
    }

    /// Runs every create with `faults` queued before each and `flags` before the command,
    /// optionally under a data-size limit (KiB).
    fn run_all(&self, faults: &[Fault], flags: &[&str], data_limit_kib: Option<u64>) -> Vec<Run> {
        self.creates()
            .into_iter()
            .map(|(what, args)| {
                let (requests, stored) = self.counts();
                for fault in faults {
                    self.mock().push_fault(fault.clone());
                }
                let mut command = match data_limit_kib {
                    // The shell sets the limit and execs the command in its place.
                    Some(kib) => {
                        let mut c = Command::new("sh");
                        c.arg("-c")
                            .arg(format!("ulimit -d {kib} && exec \"$0\" \"$@\""))
                            .arg(env!("CARGO_BIN_EXE_commbox"));
                        c
                    }
                    None => Command::new(env!("CARGO_BIN_EXE_commbox")),
                };
                let out = command
                    .args(["--error-format", "json"])
                    .args(flags)
                    .args(&args)
                    .env_clear()
                    .env("COMMBOX_API_KEY", "mock-api-key")
                    .env("COMMBOX_BASE_URL", &self.url)
                    .env("CHATWOOT_BASE_URL", &self.url)
                    .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX)
                    .output()
                    .expect("runs");
                let (requests_after, stored_after) = self.counts();
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                Run {
                    what,
                    code: out.status.code(),
                    error: serde_json::from_str::<Value>(&stderr)
                        .ok()
                        .map(|v| v["error"].clone()),
                    stderr,
                    stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                    seen: requests_after - requests,
                    stored: stored_after - stored,
                }
            })
            .collect()
    }
}

struct Run {
    what: &'static str,
    code: Option<i32>,
    error: Option<Value>,
    stderr: String,
    stdout: String,
    seen: usize,
    stored: usize,
}

impl Run {
    /// Checks a failed command: exit code, the JSON error's kind and message, requests
    /// seen, nothing stored, a request id. Returns the JSON error.
    fn failed(&self, code: i32, kind: &str, says: &str, seen: usize) -> &Value {
        let what = self.what;
        assert_eq!(self.code, Some(code), "{what}: {}", self.stderr);
        let error = self
            .error
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: stderr is not a JSON error: {}", self.stderr));
        assert_eq!(error["kind"], kind, "{what}: {error}");
        assert_eq!(error["exit_code"], code, "{what}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(says), "{what}: {message:?} lacks {says:?}");
        assert!(error["request_id"].is_string(), "{what}: {error}");
        assert!(self.stdout.is_empty(), "{what}: stdout {:?}", self.stdout);
        assert_eq!(self.seen, seen, "{what}: requests the server saw");
        assert_eq!(self.stored, 0, "{what}: nothing stored");
        error
    }

    /// Checks a successful command: JSON on stdout, requests seen, stored exactly once.
    fn succeeded(&self, seen: usize) {
        let what = self.what;
        assert_eq!(self.code, Some(0), "{what}: {}", self.stderr);
        serde_json::from_str::<Value>(&self.stdout).expect("JSON on stdout");
        assert_eq!(self.seen, seen, "{what}: requests the server saw");
        assert_eq!(self.stored, 1, "{what}: stored exactly once");
    }
}

/// How the message of a create that failed after it was sent ends.
const MAYBE_PROCESSED: &str =
    "(the request was sent, so the server may have processed it; it was not sent again)";

fn says_it_may_have_been_processed(errors: &[Value]) {
    for error in errors {
        let message = error["message"].as_str().unwrap();
        assert!(message.ends_with(MAYBE_PROCESSED), "{message:?}");
    }
}

fn every_create_fails(
    faults: &[Fault],
    code: i32,
    kind: &str,
    says: &str,
    seen: usize,
) -> Vec<Value> {
    let site = Site::start();
    site.run_all(faults, &[], None)
        .iter()
        .map(|run| run.failed(code, kind, says, seen).clone())
        .collect()
}

fn every_create_succeeds(faults: &[Fault], seen: usize) {
    let site = Site::start();
    for run in site.run_all(faults, &[], None) {
        run.succeeded(seen);
    }
}

fn raw(text: &str, content_type: &str) -> Fault {
    Fault::status(200)
        .with_body(Value::String(text.into()))
        .with_content_type(content_type)
}

fn http_date_in(secs: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs))
}

#[test]
fn f01_connection_refused_exits_10() {
    let site = Site::unreachable();
    for run in site.run_all(&[], &[], None) {
        run.failed(10, "connection", "cannot connect to http://127.0.0.1:", 0);
    }
}

#[test]
fn f02_reset_before_the_response_exits_10_sent_once() {
    let errors = every_create_fails(
        &[Fault::drop_connection()],
        10,
        "connection",
        "connection failed before an answer",
        1,
    );
    says_it_may_have_been_processed(&errors);
}

#[test]
fn f03_reset_mid_body_exits_10_sent_once() {
    let body = r#"{"status":200,"description":"OK","data":{"id":1,"source_id":"x"}}"#;
    let fault = raw(body, "application/json").reset_after_bytes(20);
    let errors = every_create_fails(
        &[fault],
        10,
        "connection",
        "reading the HTTP 200 answer failed: Connection reset by peer",
        1,
    );
    says_it_may_have_been_processed(&errors);
}

#[test]
fn f04_slower_than_the_timeout_exits_9_sent_once() {
    let site = Site::start();
    for run in site.run_all(&[Fault::delay(1_500)], &["--timeout", "0.3"], None) {
        let what = run.what;
        assert_eq!(run.code, Some(9), "{what}: {}", run.stderr);
        let error = run.error.as_ref().unwrap();
        assert_eq!(error["kind"], "timeout");
        assert!(error["message"]
            .as_str()
            .unwrap()
            .contains("timed out waiting for the server"));
        says_it_may_have_been_processed(std::slice::from_ref(error));
        assert_eq!(run.seen, 1, "{what}: sent once");
    }
}

#[test]
fn f05_429_retry_after_seconds_then_success_exits_0() {
    every_create_succeeds(&[Fault::status(429).with_retry_after("1")], 2);
}

#[test]
fn f06_429_retry_after_beyond_the_cap_exits_6_at_once() {
    for error in every_create_fails(
        &[Fault::status(429).with_retry_after("120")],
        6,
        "rate_limited",
        "HTTP 429",
        1,
    ) {
        assert_eq!(error["retry_after"], 120.0);
        assert_eq!(error["http_status"], 429);
    }
}

#[test]
fn f07_429_retry_after_http_date_then_success_exits_0() {
    every_create_succeeds(&[Fault::status(429).with_retry_after(http_date_in(1))], 2);
}

#[test]
fn f08_429_distant_http_date_exits_6_with_the_delay() {
    for error in every_create_fails(
        &[Fault::status(429).with_retry_after(http_date_in(120))],
        6,
        "rate_limited",
        "HTTP 429",
        1,
    ) {
        let wait = error["retry_after"].as_f64().unwrap();
        assert!((100.0..=120.0).contains(&wait), "{wait}");
    }
}

#[test]
fn f09_429_without_retry_after_exits_6_after_3_requests() {
    for error in every_create_fails(
        &[Fault::status(429).times(3)],
        6,
        "rate_limited",
        "HTTP 429",
        3,
    ) {
        assert!(error["retry_after"].is_null());
    }
}

#[test]
fn f10_500_exits_8_sent_once() {
    every_create_fails(&[Fault::status(500)], 8, "server", "HTTP 500", 1);
}

#[test]
fn f11_502_exits_8_sent_once() {
    every_create_fails(&[Fault::status(502)], 8, "server", "HTTP 502", 1);
}

#[test]
fn f12_503_exits_8_after_3_requests() {
    every_create_fails(&[Fault::status(503).times(3)], 8, "server", "HTTP 503", 3);
}

#[test]
fn f13_504_exits_8_sent_once() {
    every_create_fails(&[Fault::status(504)], 8, "server", "HTTP 504", 1);
}

#[test]
fn f14_truncated_json_exits_12() {
    let fault = raw(r#"{"status":200,"data":{"id":4"#, "application/json");
    every_create_fails(&[fault], 12, "decode", "not JSON", 1);
}

const HTML_PAGE: &str = "<html><head><title>502 Bad Gateway</title></head>\
    <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

#[test]
fn f15_html_error_page_exits_8_with_the_page() {
    let fault = Fault::status(502)
        .with_body(Value::String(HTML_PAGE.into()))
        .with_content_type("text/html");
    for error in every_create_fails(&[fault], 8, "server", "HTTP 502 Bad Gateway", 1) {
        assert_eq!(error["body"], HTML_PAGE);
        assert!(error["description"].is_null());
    }
}

#[test]
fn f16_html_page_with_200_exits_12() {
    every_create_fails(&[raw(HTML_PAGE, "text/html")], 12, "decode", "not JSON", 1);
}

#[test]
fn f17_empty_200_exits_12() {
    every_create_fails(
        &[raw("", "application/json")],
        12,
        "decode",
        "the answer is empty",
        1,
    );
}

/// A data-segment limit that fits the 32 MiB cap (and a doubled buffer) with room to spare,
/// and is far below a 1 GiB answer.
const DATA_LIMIT_KIB: u64 = 512 * 1024;

#[test]
fn f18_1_gib_answer_exits_12_within_a_512_mib_data_limit() {
    let site = Site::start();
    let fault = Fault::status(200).with_body_bytes(GIB);
    for run in site.run_all(&[fault], &[], Some(DATA_LIMIT_KIB)) {
        run.failed(12, "decode", "larger than 33554432 bytes", 1);
    }
}

#[test]
fn f19_1_gib_chunked_answer_exits_12_within_a_512_mib_data_limit() {
    let site = Site::start();
    let fault = Fault::status(200).with_body_bytes(GIB).chunked();
    for run in site.run_all(&[fault], &[], Some(DATA_LIMIT_KIB)) {
        run.failed(12, "decode", "larger than 33554432 bytes", 1);
    }
}

#[test]
fn f20_1_gib_error_answer_exits_8_with_64_kib_of_it() {
    let site = Site::start();
    let fault = Fault::status(500).with_body_bytes(GIB);
    for run in site.run_all(&[fault], &[], Some(DATA_LIMIT_KIB)) {
        let error = run.failed(8, "server", "HTTP 500", 1);
        assert_eq!(error["body"].as_str().map(str::len), Some(64 * 1024));
    }
}

#[test]
fn f21_redirect_to_another_host_exits_7_and_the_other_host_sees_nothing() {
    let site = Site::start();
    let other = MockServer::start().unwrap();
    let elsewhere = other.url().replace("127.0.0.1", "localhost");
    let fault = Fault::redirect(307, format!("{elsewhere}/moved"));
    for run in site.run_all(&[fault], &[], None) {
        let error = run.failed(7, "bad_request", "HTTP 307", 1);
        assert!(error["message"]
            .as_str()
            .unwrap()
            .contains(&format!("redirect to {elsewhere}/moved")));
    }
    assert_eq!(other.request_count(), 0);
}

fn tls_site(dir: &Path) -> Site {
    Site::start_with(MockConfig {
        tls_dir: Some(dir.to_owned()),
        ..MockConfig::default()
    })
}

#[test]
fn f22_self_signed_certificate_exits_11() {
    let dir = tempfile::tempdir().unwrap();
    let site = tls_site(dir.path());
    for run in site.run_all(&[], &[], None) {
        run.failed(11, "tls", "TLS handshake failed", 0);
    }
}

#[test]
fn f23_self_signed_certificate_with_ca_file_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let site = tls_site(dir.path());
    let cert: PathBuf = site.mock().cert_file().unwrap().to_owned();
    for run in site.run_all(&[], &["--ca-file", cert.to_str().unwrap()], None) {
        run.succeeded(1);
    }
}
