//! Faults that shape the answer: extra headers (redirects), generated bodies of any size,
//! and connections reset mid-body.

mod common;

use std::io::Read as _;

use commbox_mock::{Fault, MockServer};
use common::{authed, client, push_faults};
use reqwest::Method;
use serde_json::{json, Value};

fn no_redirects() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[test]
fn redirect_fault_sends_location_and_is_recorded() {
    let mock = MockServer::start().unwrap();
    mock.push_fault(Fault::redirect(307, "http://localhost:1/elsewhere"));
    let response = authed(&no_redirects(), &mock, Method::POST, "/streams/s/objects")
        .json(&json!({"Message": "m"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 307);
    assert_eq!(
        response.headers()["location"],
        "http://localhost:1/elsewhere"
    );
    assert_eq!(response.text().unwrap(), "");

    // The same through the HTTP endpoint, with any header.
    let (status, _) = push_faults(
        &mock,
        json!({"status": 302, "headers": {"Location": "/x", "x-extra": "1"}}),
    );
    assert_eq!(status, 200);
    let response = authed(&no_redirects(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/x");
    assert_eq!(response.headers()["x-extra"], "1");

    let recorded = mock.requests();
    assert_eq!(
        recorded.iter().map(|r| r.status).collect::<Vec<_>>(),
        [307, 302]
    );
    assert_eq!(
        recorded[0].fault.as_ref().unwrap().headers["location"],
        "http://localhost:1/elsewhere"
    );
    assert!(
        mock.objects().is_empty(),
        "a redirected create is not handled"
    );
}

#[test]
fn generated_bodies_stream_with_their_length_and_are_json() {
    let mock = MockServer::start().unwrap();
    mock.push_fault(Fault::status(200).with_body_bytes(3_000_000));
    let response = authed(&client(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(3_000_000));
    assert_eq!(response.headers()["content-type"], "application/json");
    let bytes = response.bytes().unwrap();
    assert_eq!(bytes.len(), 3_000_000);
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(value["padding"].as_str().unwrap().len(), 3_000_000 - 14);

    // A gigabyte is announced and streamed; a client may stop reading whenever it likes.
    mock.push_fault(Fault::status(200).with_body_bytes(1 << 30));
    let response = authed(&client(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.content_length(), Some(1 << 30));
    let mut first = Vec::new();
    response.take(1 << 20).read_to_end(&mut first).unwrap();
    assert_eq!(first.len(), 1 << 20);
    assert!(first.starts_with(br#"{"padding":"xxx"#));

    // Chunked: no length announced, the same bytes.
    mock.push_fault(Fault::status(200).with_body_bytes(100_000).chunked());
    let response = authed(&client(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.content_length(), None);
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    assert_eq!(response.bytes().unwrap().len(), 100_000);

    // The server is unharmed and recorded them all.
    let recorded = mock.requests();
    assert_eq!(
        recorded.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 200, 200]
    );
    assert_eq!(
        recorded[1].fault.as_ref().unwrap().body_bytes,
        Some(1 << 30)
    );
    let response = authed(&client(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn reset_after_bytes_breaks_the_connection_mid_body() {
    let mock = MockServer::start().unwrap();
    let whole = r#"{"status":200,"description":"OK","data":{"id":1}}"#;
    mock.push_fault(
        Fault::status(200)
            .with_body(json!(whole))
            .with_content_type("application/json")
            .reset_after_bytes(10),
    );
    let response = authed(&client(), &mock, Method::POST, "/streams/s/objects")
        .json(&json!({"Message": "m"}))
        .send()
        .expect("the status line and headers arrive");
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(whole.len() as u64));
    let mut got = Vec::new();
    let err = response
        .take(u64::MAX)
        .read_to_end(&mut got)
        .expect_err("the body never completes");
    assert_eq!(got.len(), 10, "{err}");
    assert_eq!(got, whole.as_bytes()[..10]);

    // Generated bodies can be cut too; the request is recorded with the status sent.
    push_faults(
        &mock,
        json!({"status": 200, "body_bytes": 1000000, "reset_after_bytes": 200000}),
    );
    let response = authed(&client(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    let mut got = Vec::new();
    assert!(response.take(u64::MAX).read_to_end(&mut got).is_err());
    assert_eq!(got.len(), 200_000);

    let recorded = mock.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].status, 200);
    assert_eq!(recorded[0].json, Some(json!({"Message": "m"})));
    assert!(mock.objects().is_empty());
}

#[test]
fn shaping_needs_a_status_and_valid_headers() {
    let mock = MockServer::start().unwrap();
    for bad in [
        json!({"headers": {"location": "/x"}}),
        json!({"body_bytes": 10}),
        json!({"reset_after_bytes": 1, "delay_ms": 5}),
        json!({"status": 200, "drop": true, "body_bytes": 10}),
        json!({"chunked": true}),
        json!({"status": 302, "headers": {"bad name": "x"}}),
        json!({"status": 302, "headers": {"location": "a\nb"}}),
    ] {
        let (status, value) = push_faults(&mock, bad.clone());
        assert_eq!(status, 400, "{bad}");
        assert!(value["error"].is_string(), "{value}");
    }
}
