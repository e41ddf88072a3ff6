//! The API key never appears in Debug output, errors or log records, at any level.

mod common;

use commbox::blocking::Client;
use commbox::*;
use commbox_mock::{Fault, MockConfig, MockServer};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

const KEY: &str = "sk-live-SECRET-7f3a9c";

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        LINES.lock().unwrap().push(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

/// Every record of every crate (hyper, reqwest, rustls included), at TRACE.
fn capture_logs() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

#[test]
fn the_key_never_leaks() {
    capture_logs();
    let mock = MockServer::start_with(MockConfig {
        api_key: KEY.into(),
        ..MockConfig::default()
    })
    .unwrap();
    let builder = common::builder(&mock);
    assert!(!format!("{builder:?}").contains("SECRET"));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains("SECRET"));

    let mut texts = Vec::new();
    client
        .create_conversation("s", SmsConversation::new("1", "m"))
        .unwrap();
    mock.push_fault(Fault::status(500));
    let e = client
        .create_conversation("s", SmsConversation::new("1", "m"))
        .unwrap_err();
    texts.push(format!("{e} {e:?}"));
    mock.push_fault(Fault::status(429).with_retry_after("0"));
    client.managers().unwrap();
    let wrong = common::builder(&mock)
        .api_key("sk-live-OTHER-SECRET")
        .build()
        .unwrap();
    let e = wrong.system_status().unwrap_err();
    texts.push(format!("{e} {e:?} {:?}", e.body()));

    let lines = LINES.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.contains("x-request-id")),
        "trace records were captured"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("DEBUG commbox")),
        "debug records were captured"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("INFO commbox retrying")),
        "retries are logged"
    );
    for text in lines.iter().chain(texts.iter()) {
        assert!(!text.contains("SECRET"), "leaked: {text}");
        assert!(
            !text.to_ascii_lowercase().contains("authorization"),
            "header name leaked: {text}"
        );
    }
    // The key did reach the server: it is only kept out of everything else.
    assert_eq!(mock.requests()[0].headers["authorization"], "Bearer ***");
}

/// Everything an error shows a person or a program: Display, Debug (both forms), every
/// field and the whole source chain.
fn shown(e: &Error) -> String {
    let mut text = format!(
        "{e} | {e:?} | {e:#?} | {:?} {:?} {:?} {:?} {:?} {:?}",
        e.message(),
        e.field(),
        e.reason(),
        e.description(),
        e.body(),
        e.request_id()
    );
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    text
}

#[test]
fn no_kind_of_error_shows_the_key() {
    capture_logs();
    const SECRET: &str = "sk-live-KINDS-SECRET-91b2";
    let mock = MockServer::start_with(MockConfig {
        api_key: SECRET.into(),
        ..MockConfig::default()
    })
    .unwrap();
    let events = Arc::new(Mutex::new(Vec::<String>::new()));
    let builder = || {
        let retries = events.clone();
        Client::builder()
            .api_key(SECRET)
            .base_url(mock.url())
            .timeout(Duration::from_millis(500))
            .retry_policy(
                common::fast_retries()
                    .max_retries(1)
                    .on_retry(move |e| retries.lock().unwrap().push(format!("{e:?}"))),
            )
    };
    let calls = events.clone();
    let client = builder()
        .on_call(move |e| calls.lock().unwrap().push(format!("{e:?}")))
        .build()
        .unwrap();
    let inbox = client.inbox(&mock.url(), "mock-inbox").unwrap();
    let mut texts = vec![
        format!("{:?}", builder()),
        format!("{client:?} {client:#?}"),
        format!("{inbox:?}"),
    ];
    let mut kinds = BTreeSet::new();
    let mut failed = |r: Result<()>| {
        let e = r.expect_err("this call fails");
        kinds.insert(e.kind().as_str());
        texts.push(shown(&e));
    };
    let sms = || SmsConversation::new("972544444444", "m");

    // Refused before any I/O, including a key that is not a valid header value.
    failed(
        Client::builder()
            .api_key(format!("{SECRET}\r\n"))
            .build()
            .map(drop),
    );
    failed(
        Client::builder()
            .api_key(format!("{SECRET}\u{1}"))
            .build()
            .map(drop),
    );
    failed(
        client
            .create_conversation("s", SmsConversation::new("", "m"))
            .map(drop),
    );
    failed(builder().ca_file("/no/such/ca.pem").build().map(drop));
    // Answers of every class.
    let wrong = common::builder(&mock).api_key("wrong").build().unwrap();
    failed(wrong.system_status().map(drop));
    failed(client.get_conversation("s", 999_999).map(drop));
    let no_message = json!({"data": {"Type": 4}});
    failed(
        client
            .raw_request("POST", "/streams/s/objects", Some(&no_message))
            .map(drop),
    );
    mock.push_fault(Fault::status(429).with_retry_after("0").times(2));
    failed(client.create_conversation("s", sms()).map(drop));
    mock.push_fault(Fault::status(503).with_retry_after("0").times(2));
    failed(client.create_conversation("s", sms()).map(drop));
    mock.push_fault(Fault::status(200).with_body(json!("<html>not JSON</html>")));
    failed(client.managers().map(drop));
    mock.push_fault(Fault::status(302).with_header("location", "https://example.com/"));
    failed(client.managers().map(drop));
    failed(inbox.get_contact("no-such-contact").map(drop));
    // No answer at all.
    mock.push_fault(Fault::delay(5_000).times(2));
    failed(client.managers().map(drop));
    mock.push_fault(Fault::drop_connection().times(2));
    failed(client.managers().map(drop));
    let refused = builder().base_url("http://127.0.0.1:1").build().unwrap();
    failed(refused.managers().map(drop));
    let tls_dir = tempfile::tempdir().unwrap();
    let tls = MockServer::start_with(MockConfig {
        api_key: SECRET.into(),
        tls_dir: Some(tls_dir.path().to_owned()),
        ..MockConfig::default()
    })
    .unwrap();
    failed(
        builder()
            .base_url(tls.url())
            .build()
            .unwrap()
            .managers()
            .map(drop),
    );

    let expected: BTreeSet<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(kinds, expected, "every kind of error was produced");
    let events = events.lock().unwrap();
    assert!(events.iter().any(|e| e.starts_with("CallEvent")));
    assert!(events.iter().any(|e| e.starts_with("RetryEvent")));
    let lines = LINES.lock().unwrap();
    assert!(lines.iter().any(|l| l.starts_with("TRACE")));
    for text in lines.iter().chain(&texts).chain(events.iter()) {
        assert!(!text.contains("SECRET"), "leaked: {text}");
    }
}
