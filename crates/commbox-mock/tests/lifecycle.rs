//! Starting, configuring and stopping `MockServer`.

mod common;

use std::time::{Duration, Instant};

use commbox_mock::{Fault, MockConfig, MockServer};
use common::{authed, client};
use reqwest::Method;
use serde_json::json;

#[test]
fn mock_server_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MockServer>();
}

#[test]
fn url_and_explicit_port() {
    let first = MockServer::start().unwrap();
    let url = first.url();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with('/'),
        "{url}"
    );
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    // The port is taken: starting on it again is an error, not a panic.
    let taken = MockServer::start_with(MockConfig {
        port,
        ..MockConfig::default()
    });
    assert!(taken.is_err());
    first.shutdown();
    let again = MockServer::start_with(MockConfig {
        port,
        ..MockConfig::default()
    })
    .unwrap();
    assert_eq!(again.url(), url);
}

#[test]
fn response_header_matches_recorded_request_id() {
    let mock = MockServer::start().unwrap();
    let client = client();
    // No key and an invalid body: the key is checked first.
    let response = client
        .post(format!("{}/streams/s/objects", mock.url()))
        .body("{broken")
        .send()
        .unwrap();
    assert_eq!(response.status(), 401);
    let id: u64 = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        response.headers()["x-mock-request-id"],
        response.headers()["x-request-id"]
    );
    let recorded = &mock.requests()[0];
    assert_eq!(recorded.request_id, id);
    assert_eq!(recorded.body_size, 7);
    let health = client
        .get(format!("{}/__mock/health", mock.url()))
        .send()
        .unwrap();
    assert!(health.headers().contains_key("x-request-id"));
    assert!(health.headers().contains_key("x-mock-request-id"));
}

#[test]
fn usable_and_droppable_inside_an_async_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mock = MockServer::start().unwrap();
        let url = mock.url();
        let status = tokio::task::spawn_blocking(move || {
            client()
                .get(format!("{url}/core/systemstatus"))
                .bearer_auth(commbox_mock::DEFAULT_API_KEY)
                .send()
                .map(|response| response.status().as_u16())
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(status, 200);
        drop(mock);
    });
}

#[test]
fn shutdown_is_prompt_even_with_requests_in_flight() {
    let mock = MockServer::start().unwrap();
    let url = mock.url();
    mock.push_fault(Fault::delay(10_000));
    let waiter = std::thread::spawn(move || {
        client()
            .get(format!("{url}/managers"))
            .bearer_auth(commbox_mock::DEFAULT_API_KEY)
            .send()
    });
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    mock.shutdown();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(waiter.join().unwrap().is_err());
}

#[test]
#[should_panic(expected = "invalid fault")]
fn pushing_an_invalid_fault_panics() {
    let mock = MockServer::start().unwrap();
    mock.push_fault(Fault::status(500).times(0));
}

#[test]
fn concurrent_clients_get_distinct_ids() {
    let mock = MockServer::start().unwrap();
    let ids: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let client = client();
                    (0..10)
                        .map(|_| {
                            let response =
                                authed(&client, &mock, Method::POST, "/streams/s/objects")
                                    .json(&json!({"Message": "m"}))
                                    .send()
                                    .unwrap();
                            common::body(response).1["data"]["id"].as_u64().unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 80);
    assert_eq!(mock.objects().len(), 80);
    let seqs: Vec<u64> = mock.requests().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=80).collect::<Vec<_>>());
}
