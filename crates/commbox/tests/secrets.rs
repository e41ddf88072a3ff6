//! The API key never appears in Debug output, errors or log records, at any level.

mod common;

use commbox::*;
use commbox_mock::{Fault, MockConfig, MockServer};
use std::sync::Mutex;

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

#[test]
fn the_key_never_leaks() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
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
