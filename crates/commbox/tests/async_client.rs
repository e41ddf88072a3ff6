//! The async client and the blocking facade inside async runtimes, cancellation, and the
//! shared slow-down after a 429.
//!
//! What users hit before the core was async: a call made inside a tokio runtime (an axum
//! handler, `#[tokio::main]`) panicked with "Cannot start a runtime from within a runtime".

mod common;

use commbox::{CallEvent, ErrorKind, RetryPolicy, SmsConversation};
use commbox_mock::{Fault, MockServer};
use common::fast_retries;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn async_client(mock: &MockServer) -> commbox::Client {
    commbox::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(fast_retries())
        .build()
        .expect("client builds")
}

fn sms(text: &str) -> SmsConversation {
    SmsConversation::new("+972544444444", text)
}

/// Both clients, in one runtime: the async one awaited, the blocking one called from a task.
async fn both_clients_work(mock: &MockServer) {
    let client = async_client(mock);
    let a = client
        .create_conversation("S1", sms("async"))
        .await
        .expect("async create");
    // A blocking call inside the runtime works (on a thread of its own) instead of panicking.
    let blocking = common::setup_with(mock);
    let b = blocking
        .create_conversation("S1", sms("blocking"))
        .expect("blocking create inside a runtime");
    assert_ne!(a, b);
    let texts: Vec<String> = mock
        .objects()
        .iter()
        .map(|o| o.data["Message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(texts, ["async", "blocking"]);
}

#[test]
fn both_clients_work_in_a_multi_thread_runtime() {
    let mock = MockServer::start().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(both_clients_work(&mock));
}

#[test]
fn both_clients_work_in_a_current_thread_runtime() {
    let mock = MockServer::start().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(both_clients_work(&mock));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_tokio_main_many_calls_at_once_share_one_client() {
    let mock = MockServer::start().unwrap();
    let client = async_client(&mock);
    let calls = (0..50).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .create_conversation("S1", sms(&format!("m{i}")))
                .await
        })
    });
    let mut ids = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        ids.push(call.await.unwrap().expect("create"));
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 50, "50 distinct ids");
    assert_eq!(mock.objects().len(), 50);
}

/// Calls the observer saw, to assert on.
fn recording(mock: &MockServer) -> (commbox::Client, Arc<Mutex<Vec<CallEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let client = commbox::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_secs(5)))
        .on_call(move |e| seen.lock().unwrap().push(e.clone()))
        .build()
        .unwrap();
    (client, events)
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_cancelled_before_it_is_sent_sends_nothing() {
    let mock = MockServer::start().unwrap();
    let (client, events) = recording(&mock);
    // A 503 says "not processed": the create waits 2.5-5 s to retry; it is cancelled then.
    mock.push_fault(Fault::status(503));
    let cancelled = tokio::time::timeout(
        Duration::from_millis(300),
        client.create_conversation("S1", sms("never twice")),
    )
    .await;
    assert!(cancelled.is_err(), "cancelled by the timeout");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(mock.request_count(), 1, "only the answered attempt");
    assert!(mock.objects().is_empty());
    {
        let events = events.lock().unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].cancelled);
        assert!(!events[0].may_have_been_processed, "{:?}", events[0]);
    }

    // A future dropped before its first poll sends nothing at all.
    drop(client.create_conversation("S1", sms("dropped")));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_create_cancelled_after_it_was_sent_is_reported_as_maybe_processed() {
    let mock = MockServer::start().unwrap();
    let (client, events) = recording(&mock);
    mock.push_fault(Fault::delay(3_000));
    let cancelled = tokio::time::timeout(
        Duration::from_millis(500),
        client.create_conversation("S1", sms("maybe")),
    )
    .await;
    assert!(cancelled.is_err(), "cancelled by the timeout");
    assert_eq!(mock.request_count(), 1, "the request reached the server");
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].cancelled);
    assert!(events[0].may_have_been_processed, "{:?}", events[0]);
    assert_eq!(events[0].error, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_holds_back_every_call_of_the_client() {
    let mock = MockServer::start().unwrap();
    let told = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = commbox::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(fast_retries().on_retry({
            let told = told.clone();
            move |_| told.store(true, std::sync::atomic::Ordering::SeqCst)
        }))
        .build()
        .unwrap();
    mock.push_fault(Fault::status(429).with_retry_after("1"));
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.create_conversation("S1", sms("told")).await }
    });
    // Once the first call has read its 429 (it is about to wait), a second call starts: it
    // waits with the first.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !told.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "the first call was never told to wait"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    client
        .create_conversation("S1", sms("held back"))
        .await
        .expect("second create");
    let waited = started.elapsed();
    first.await.unwrap().expect("first create, retried");
    assert!(
        waited >= Duration::from_millis(800),
        "the second call went out after {waited:?}, not after the server's 1 s"
    );
    assert_eq!(mock.objects().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn validation_fails_before_any_io() {
    let mock = MockServer::start().unwrap();
    let client = async_client(&mock);
    let err = client
        .create_conversation("S1", SmsConversation::new("not a phone", "x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(mock.request_count(), 0);
}
