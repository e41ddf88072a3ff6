//! Fault injection through the Rust API and through `POST /__mock/faults`.

mod common;

use std::time::{Duration, Instant};

use commbox_mock::{Fault, MockServer};
use common::{authed, body, client, error_description, push_faults};
use reqwest::Method;
use serde_json::json;

#[test]
fn status_fault_with_retry_after() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let (status, value) = push_faults(&mock, json!({"status": 429, "retry_after": "2"}));
    assert_eq!((status, value), (200, json!({"queued": 1})));

    let response = authed(&client, &mock, Method::POST, "/streams/s/objects")
        .json(&json!({"Message": "m"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "2");
    assert_eq!(response.headers()["content-type"], "application/json");
    let (_, value) = body(response);
    assert_eq!(error_description(429, &value), "Too Many Requests");
    assert!(
        mock.objects().is_empty(),
        "a faulted request is not handled"
    );

    // The fault was used up: the retry succeeds.
    let (status, _) = body(
        authed(&client, &mock, Method::POST, "/streams/s/objects")
            .json(&json!({"Message": "m"}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);

    let recorded = mock.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].status, 429);
    let fault = recorded[0].fault.as_ref().expect("fault recorded");
    assert_eq!(fault.status, Some(429));
    assert_eq!(fault.retry_after.as_deref(), Some("2"));
    assert_eq!(
        recorded[0].json,
        Some(json!({"Message": "m"})),
        "body still recorded"
    );
    assert_eq!(recorded[1].fault, None);
}

#[test]
fn count_applies_to_consecutive_requests_in_fifo_order() {
    let mock = MockServer::start().unwrap();
    let client = client();
    mock.push_fault(Fault::status(500).times(2));
    let (_, value) = push_faults(
        &mock,
        json!([{"status": 503, "body": {"custom": true}}, {"status": 502, "body": "<html>bad gateway</html>"}]),
    );
    assert_eq!(value, json!({"queued": 4}));

    let statuses: Vec<u16> = (0..5)
        .map(|_| {
            authed(&client, &mock, Method::GET, "/managers")
                .send()
                .unwrap()
                .status()
                .as_u16()
        })
        .collect();
    assert_eq!(statuses, [500, 500, 503, 502, 200]);
    let recorded = mock.requests();
    assert_eq!(
        recorded.iter().map(|r| r.status).collect::<Vec<_>>(),
        statuses
    );

    // Custom bodies: JSON as JSON, strings as raw text.
    mock.push_fault(Fault::status(503).with_body(json!({"custom": true})));
    mock.push_fault(Fault::status(502).with_body(json!("<html>bad gateway</html>")));
    let response = authed(&client, &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(body(response).1, json!({"custom": true}));
    let response = authed(&client, &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(response.text().unwrap(), "<html>bad gateway</html>");
}

#[test]
fn faults_hit_any_api_request_but_never_inspection_ones() {
    let mock = MockServer::start().unwrap();
    let client = client();
    mock.push_fault(Fault::status(500));
    // Inspection traffic does not consume the fault.
    let health = client
        .get(format!("{}/__mock/health", mock.url()))
        .send()
        .unwrap();
    assert_eq!(health.status(), 200);
    // An unauthenticated request to an unknown path is still an API request.
    let response = client
        .get(format!("{}/whatever", mock.url()))
        .send()
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(mock.requests()[0].status, 500);
}

#[test]
fn delay_fault_then_normal_handling() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let (status, _) = push_faults(&mock, json!({"delay_ms": 300}));
    assert_eq!(status, 200);
    let started = Instant::now();
    let response = authed(&client, &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), 200);
    assert_eq!(
        mock.requests()[0].fault.as_ref().unwrap().delay_ms,
        Some(300)
    );

    // Delay combined with a status.
    mock.push_fault(Fault::status(503).with_delay_ms(200));
    let started = Instant::now();
    let response = authed(&client, &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(response.status(), 503);

    // A client timeout shorter than the delay: the request stays recorded with status 0.
    mock.push_fault(Fault::delay(2_000));
    let impatient = reqwest::blocking::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let result = authed(&impatient, &mock, Method::GET, "/managers").send();
    assert!(result.is_err());
    assert_eq!(mock.requests()[2].status, 0);
}

#[test]
fn drop_fault_resets_the_connection() {
    let mock = MockServer::start().unwrap();
    let client = client();
    // Warm the pool so the drop hits a reused keep-alive connection too.
    assert_eq!(
        authed(&client, &mock, Method::GET, "/managers")
            .send()
            .unwrap()
            .status(),
        200
    );

    mock.push_fault(Fault::drop_connection());
    let result = authed(&client, &mock, Method::POST, "/streams/s/objects")
        .json(&json!({"Message": "m"}))
        .send();
    let err = result.expect_err("no response after a drop");
    assert!(!err.is_timeout(), "{err:?}");

    // With a delay, through the HTTP endpoint, on a fresh client.
    push_faults(&mock, json!({"drop": true, "delay_ms": 100}));
    let fresh = common::client();
    let started = Instant::now();
    assert!(authed(&fresh, &mock, Method::GET, "/managers")
        .send()
        .is_err());
    assert!(started.elapsed() >= Duration::from_millis(100));

    let recorded = mock.requests();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[1].status, 0);
    assert!(recorded[1].fault.as_ref().unwrap().drop);
    assert_eq!(recorded[2].status, 0);
    assert!(mock.objects().is_empty());

    // The server keeps serving.
    assert_eq!(
        authed(&client, &mock, Method::GET, "/managers")
            .send()
            .unwrap()
            .status(),
        200
    );
}

#[test]
fn invalid_faults_are_rejected() {
    let mock = MockServer::start().unwrap();
    for bad in [
        json!({"status": 42}),
        json!({"count": 0}),
        json!("nope"),
        json!([{"status": 500}, {"status": "x"}]),
    ] {
        let (status, value) = push_faults(&mock, bad.clone());
        assert_eq!(status, 400, "{bad}");
        assert!(value["error"].is_string());
    }
    // Nothing from the rejected batches was queued.
    let response = authed(&client(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn reset_clears_queued_faults() {
    let mock = MockServer::start().unwrap();
    mock.push_fault(Fault::status(500).times(3));
    let reset = client()
        .post(format!("{}/__mock/reset", mock.url()))
        .send()
        .unwrap();
    assert_eq!(reset.status(), 200);
    let response = authed(&client(), &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
}
