//! Error kinds with their fields, and the retry rules: what is re-sent, what never is.

mod common;

use commbox::blocking::Client;
use commbox::*;
use commbox_mock::Fault;
use common::*;
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn sms() -> SmsConversation {
    SmsConversation::new("972544444444", "hello")
}

#[test]
fn wrong_key_is_an_authentication_error_with_the_servers_description() {
    let (mock, _) = setup();
    let client = builder(&mock).api_key("wrong-key").build().unwrap();
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.http_status(), Some(401));
    assert_eq!(e.description(), Some("Unauthorized access"));
    assert!(e.body().unwrap().contains("\"status\":401"));
    assert_eq!(
        e.request_id(),
        Some(only_request(&mock).headers["x-request-id"].as_str())
    );
    assert!(e.to_string().contains("401"), "{e}");
    assert!(!e.is_transient());
}

#[test]
fn bad_request_surfaces_the_description() {
    let (mock, client) = setup();
    mock.push_fault(Fault::status(400).with_body(
        json!({"status": 400, "description": "StreamProviderType is invalid",
                                            "response_time": "2025-02-06T07:51:52.258Z"}),
    ));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert_eq!(e.description(), Some("StreamProviderType is invalid"));
    assert_eq!(
        e.message(),
        "CommBox answered HTTP 400 Bad Request: StreamProviderType is invalid"
    );
    // The mock's own validation is surfaced the same way.
    let e = client
        .create_conversation_json("s", &json!({"Message": "m", "Type": "five"}))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert_eq!(e.description(), Some("Type must be an integer"));
}

#[test]
fn unknown_route_is_not_found() {
    let (_mock, client) = setup();
    let e = client
        .raw_request("GET", "/no/such/route", None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.http_status(), Some(404));
}

#[test]
fn rate_limit_is_retried_then_succeeds_even_for_a_create() {
    let (mock, client) = setup();
    mock.push_fault(Fault::status(429).with_retry_after("0"));
    mock.push_fault(Fault::status(429));
    let id = client.create_conversation("s", sms()).unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 429, 200]
    );
    // One logical call: the same request id on every attempt.
    assert!(reqs
        .iter()
        .all(|r| r.headers["x-request-id"] == reqs[0].headers["x-request-id"]));
    assert_eq!(mock.objects()[0].id as i64, id);
}

#[test]
fn retry_after_beyond_the_cap_surfaces_rate_limited_at_once() {
    let (mock, _) = setup();
    let client = builder(&mock)
        .retry_policy(fast_retries().max_retry_after(Duration::from_secs(5)))
        .build()
        .unwrap();
    mock.push_fault(Fault::status(429).with_retry_after("120"));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert!(e.message().contains("retry after 120 s"), "{e}");
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn retries_stop_after_max_retries() {
    let (mock, client) = setup();
    mock.push_fault(Fault::status(503).times(5));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.http_status(), Some(503));
    assert_eq!(mock.request_count(), 3, "1 attempt + 2 retries");
}

#[test]
fn a_500_on_a_create_is_never_resent() {
    let (mock, client) = setup();
    mock.push_fault(Fault::status(500).times(3));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.description(), Some("Internal Server Error"));
    assert_eq!(mock.request_count(), 1);
    // ...but a read is safe to repeat.
    mock.reset();
    mock.push_fault(Fault::status(500));
    client.managers().unwrap();
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn the_opt_in_resends_creates_after_a_500() {
    let (mock, _) = setup();
    let client = builder(&mock)
        .retry_policy(fast_retries().retry_unsafe_requests(true))
        .build()
        .unwrap();
    mock.push_fault(Fault::status(500));
    client.create_conversation("s", sms()).unwrap();
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn a_dropped_connection_on_a_create_is_not_resent() {
    let (mock, client) = setup();
    mock.push_fault(Fault::drop_connection());
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    // The message says what the caller must weigh before sending it again.
    assert!(
        e.message().ends_with(
            "(the request was sent, so the server may have processed it; it was not sent again)"
        ),
        "{e}"
    );
    assert_eq!(mock.request_count(), 1);
    assert_eq!(mock.requests()[0].status, 0);
    // A read after a dropped connection is retried.
    mock.reset();
    mock.push_fault(Fault::drop_connection());
    client.system_status().unwrap();
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn connection_refused_is_retried_and_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let retries = Arc::new(AtomicU32::new(0));
    let seen = retries.clone();
    let client = Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(fast_retries().on_retry(move |e| {
            assert!(e.reason.contains("cannot connect"), "{}", e.reason);
            seen.fetch_add(1, Ordering::SeqCst);
        }))
        .build()
        .unwrap();
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.message().contains("127.0.0.1"), "{e}");
    assert_eq!(
        retries.load(Ordering::SeqCst),
        2,
        "connect failures are always retried"
    );
    assert!(e.request_id().is_some());
}

#[test]
fn a_slow_server_times_out_and_the_create_is_not_resent() {
    let (mock, _) = setup();
    let client = builder(&mock)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    mock.push_fault(Fault::delay(2_000));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.is_transient());
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn lenient_envelopes_decode() {
    let (mock, client) = setup();
    let variants = [
        json!({"status": "200", "description": "OK", "data": {"id": 11}}),
        json!({"status": 200, "description": "OK", "data": {"Id": 12}}),
        json!({"Status": "200", "Description": "OK", "Data": {"ID": "13"}}),
        json!({"status": 200, "data": {"id": 14.0}}),
        json!({"status": "OK", "data": 15}),
    ];
    for (i, body) in variants.iter().enumerate() {
        mock.push_fault(Fault::status(200).with_body(body.clone()));
        let id = client.create_conversation("s", sms()).unwrap();
        assert_eq!(id, 11 + i as i64, "{body}");
    }
    // HTTP says 200 but the envelope says 500: the status line is the truth.
    mock.push_fault(Fault::status(200).with_body(json!({"status": 500, "data": {"id": 20}})));
    assert_eq!(client.create_conversation("s", sms()).unwrap(), 20);
    // A 200 without an id is a decode error carrying the body.
    mock.push_fault(Fault::status(200).with_body(json!({"status": 200, "data": null})));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    // A non-JSON answer, e.g. a proxy's HTML page.
    mock.push_fault(Fault::status(502).with_body(json!("<html>Bad Gateway</html>")));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.description(), None);
    assert!(e.body().unwrap().contains("Bad Gateway"));
}

#[test]
fn the_call_observer_sees_one_event_per_call_with_its_attempts() {
    let (mock, _) = setup();
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let client = builder(&mock)
        .on_call(move |e| sink.lock().unwrap().push(e.clone()))
        .build()
        .unwrap();
    mock.push_fault(Fault::status(429).with_retry_after("0"));
    client.create_conversation("s", sms()).unwrap();
    mock.push_fault(Fault::status(500));
    client.create_conversation("s", sms()).unwrap_err();
    client.create_conversation("", sms()).unwrap_err(); // refused before I/O: no call, no event

    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(
        (
            events[0].method.as_str(),
            events[0].path.as_str(),
            events[0].status,
            events[0].attempts,
            events[0].error
        ),
        ("POST", "/streams/s/objects", Some(200), 2, None)
    );
    assert_eq!(
        (events[1].status, events[1].attempts, events[1].error),
        (Some(500), 1, Some(ErrorKind::Server))
    );
    let reqs = mock.requests();
    assert_eq!(events[0].request_id, reqs[0].headers["x-request-id"]);
}

#[test]
fn a_failed_tls_handshake_is_a_tls_error() {
    // https to the mock's plain-HTTP port: rustls rejects the first bytes it reads.
    let (mock, _) = setup();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let sink = attempts.clone();
    let client = Client::builder()
        .api_key("k")
        .base_url(mock.url().replace("http://", "https://"))
        .retry_policy(fast_retries())
        .on_call(move |e| sink.lock().unwrap().push(e.attempts))
        .build()
        .unwrap();
    let e = client.system_status().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().starts_with("TLS handshake failed"), "{e}");
    // The same server would be refused again: no retry.
    assert_eq!(*attempts.lock().unwrap(), [1]);
}

#[test]
fn an_empty_answer_to_a_create_says_it_is_empty() {
    let (mock, client) = setup();
    mock.push_fault(Fault::status(200).with_body(json!("")));
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        e.message(),
        "unexpected CommBox answer: the answer is empty (HTTP 200)"
    );
    assert_eq!((e.http_status(), e.body()), (Some(200), Some("")));
    assert_eq!(
        e.request_id(),
        Some(only_request(&mock).headers["x-request-id"].as_str())
    );
    assert_eq!(mock.request_count(), 1, "a create is not sent again");
}

#[test]
fn a_connection_broken_mid_body_says_what_broke_and_is_not_resent() {
    let (mock, client) = setup();
    mock.push_fault(
        Fault::status(200)
            .with_body(json!(r#"{"status":200,"data":{"id":7}}"#))
            .with_content_type("application/json")
            .reset_after_bytes(10),
    );
    let e = client.create_conversation("s", sms()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    // Not reqwest's "error decoding response body": the cause itself.
    assert_eq!(
        e.message(),
        "reading the HTTP 200 answer failed: Connection reset by peer (os error 104) \
         (the request was sent, so the server may have processed it; it was not sent again)"
    );
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn a_create_retried_by_opt_in_after_a_500_stays_may_duplicate_whatever_the_last_answer() {
    let mock = commbox_mock::MockServer::start().unwrap();
    let client = builder(&mock)
        .retry_policy(fast_retries().retry_unsafe_requests(true))
        .build()
        .unwrap();
    // The 500 may have stored it; the retry's 400 says nothing about the first attempt.
    mock.push_fault(Fault::status(500));
    mock.push_fault(Fault::status(400));
    let e = client
        .create_conversation("S1", SmsConversation::new("+972544444444", "hi"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert_eq!(e.retry_safety(), RetrySafety::MayDuplicate, "{e}");
    assert_eq!(mock.request_count(), 2);
    // Without the earlier 500, the same 400 is safe.
    mock.push_fault(Fault::status(400));
    let e = client
        .create_conversation("S1", SmsConversation::new("+972544444444", "hi"))
        .unwrap_err();
    assert_eq!(e.retry_safety(), RetrySafety::Safe);
}
