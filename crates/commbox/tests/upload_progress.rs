//! Upload progress (`on_upload_progress`): a 5 MiB attachment reports bytes that only grow
//! and end at its size while the mock stores the same bytes, from the async and the blocking
//! client; a retried attempt starts again at 0; a panicking callback does not stop the upload.

mod common;

use commbox::{Attachment, EmailConversation, NewMessage, UploadProgress};
use commbox_mock::{Fault, MockServer};
use common::fast_retries;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const SIZE: usize = 5 * 1024 * 1024;

type Seen = Arc<Mutex<Vec<UploadProgress>>>;

fn recorder() -> (Seen, impl Fn(&UploadProgress) + Send + Sync + 'static) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    (seen, move |p: &UploadProgress| {
        s.lock().unwrap().push(p.clone())
    })
}

/// A mock and a blocking client of it that records its upload progress.
fn blocking_with_progress() -> (MockServer, Seen, commbox::blocking::Client) {
    let mock = MockServer::start().unwrap();
    let (seen, callback) = recorder();
    let client = common::builder(&mock)
        .on_upload_progress(callback)
        .build()
        .unwrap();
    (mock, seen, client)
}

fn big_file(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("big.bin");
    let sha = common::write_file(&path, SIZE);
    (path, sha)
}

fn email(path: &Path) -> EmailConversation {
    EmailConversation::new("a@b.co", "big", "see attached").attachment(Attachment::from_path(path))
}

/// The events of one attempt of one attachment: 0 first, then growing by at most a chunk,
/// ending at the file's size.
fn assert_one_upload(events: &[UploadProgress], attempt: u32, total: u64, count: usize) {
    assert!(!events.is_empty(), "no progress for attempt {attempt}");
    assert_eq!(events[0].bytes_sent, 0, "an attempt starts at 0");
    for w in events.windows(2) {
        assert!(
            w[1].bytes_sent > w[0].bytes_sent,
            "not monotonic: {} then {}",
            w[0].bytes_sent,
            w[1].bytes_sent
        );
        assert!(
            w[1].bytes_sent - w[0].bytes_sent <= 64 * 1024,
            "chunks of 64 KiB at most"
        );
    }
    for e in events {
        assert_eq!(e.attempt, attempt);
        assert_eq!(e.total_bytes, total);
        assert_eq!((e.index, e.count), (0, count));
        assert_eq!(e.attachment, "big.bin");
    }
    assert_eq!(
        events.last().unwrap().bytes_sent,
        total,
        "ends at the total"
    );
    // 5 MiB in 64 KiB chunks, plus the 0.
    assert!(events.len() > 80, "only {} events", events.len());
}

fn assert_stored(mock: &MockServer, id: i64, sha: &str) {
    let objects = mock.objects();
    let stored = objects.iter().find(|o| o.id as i64 == id).expect("stored");
    assert_eq!(stored.attachments[0].size, SIZE as u64);
    assert_eq!(
        stored.attachments[0].sha256, sha,
        "the mock stored the same bytes"
    );
}

fn request_id_of_last_request(mock: &MockServer) -> String {
    mock.requests().last().unwrap().headers["x-request-id"].clone()
}

#[test]
fn the_blocking_client_reports_each_chunk_up_to_the_total() {
    let (mock, seen, client) = blocking_with_progress();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = big_file(dir.path());
    let id = client.create_conversation("s", email(&path)).unwrap();
    assert_stored(&mock, id, &sha);
    let events = seen.lock().unwrap().clone();
    assert_one_upload(&events, 1, SIZE as u64, 1);
    assert_eq!(events[0].request_id, request_id_of_last_request(&mock));
    // A call without attachments tells nothing.
    client.system_status().unwrap();
    assert_eq!(seen.lock().unwrap().len(), events.len());
}

#[test]
fn the_async_client_reports_each_chunk_up_to_the_total() {
    let mock = MockServer::start().unwrap();
    let (seen, callback) = recorder();
    let client = commbox::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(fast_retries())
        .on_upload_progress(callback)
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = big_file(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let id = rt
        .block_on(client.create_conversation("s", email(&path)))
        .unwrap();
    assert_stored(&mock, id, &sha);
    let events = seen.lock().unwrap().clone();
    assert_one_upload(&events, 1, SIZE as u64, 1);
    assert_eq!(events[0].request_id, request_id_of_last_request(&mock));
}

#[test]
fn a_retried_attempt_starts_again_at_zero() {
    let (mock, seen, client) = blocking_with_progress();
    // 503: the server did not process it, so even a create is sent again.
    mock.push_fault(Fault::status(503));
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = big_file(dir.path());
    let id = client.create_conversation("s", email(&path)).unwrap();
    assert_stored(&mock, id, &sha);
    let events = seen.lock().unwrap().clone();
    let (first, second): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| e.attempt == 1);
    assert!(!first.is_empty(), "the first attempt sent some of the body");
    assert_eq!(first[0].bytes_sent, 0);
    assert_one_upload(&second, 2, SIZE as u64, 1);
    assert_eq!(first[0].request_id, second[0].request_id);
}

#[test]
fn base64_messages_count_the_files_bytes() {
    let (_mock, seen, client) = blocking_with_progress();
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = big_file(dir.path());
    let small = dir.path().join("small.txt");
    std::fs::write(&small, b"hello").unwrap();
    let conv = client
        .create_conversation("s", EmailConversation::new("a@b.co", "s", "m"))
        .unwrap();
    client
        .create_message(
            "s",
            conv,
            NewMessage::from_customer("a@b.co", "files")
                .attachment(Attachment::from_path(&path))
                .attachment(Attachment::from_path(&small))
                .attachments_as_base64(true),
        )
        .unwrap();
    let events = seen.lock().unwrap().clone();
    let (big, rest): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| e.index == 0);
    assert_one_upload(&big, 1, SIZE as u64, 2);
    let ends: Vec<(usize, usize, u64, u64)> = rest
        .iter()
        .map(|e| (e.index, e.count, e.bytes_sent, e.total_bytes))
        .collect();
    assert_eq!(ends, [(1, 2, 0, 5), (1, 2, 5, 5)]);
    assert_eq!(rest[0].attachment, "small.txt");
}

#[test]
fn a_panicking_callback_does_not_stop_the_upload() {
    let mock = MockServer::start().unwrap();
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    let client = common::builder(&mock)
        .on_upload_progress(move |p: &UploadProgress| {
            *c.lock().unwrap() += 1;
            if p.bytes_sent > 0 {
                panic!("a bug in the progress bar");
            }
        })
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = big_file(dir.path());
    let id = client.create_conversation("s", email(&path)).unwrap();
    assert_stored(&mock, id, &sha);
    // Called for 0, then the first chunk, which panicked: not again during that call.
    assert_eq!(*calls.lock().unwrap(), 2);
    // The next call reports again.
    client.create_conversation("s", email(&path)).unwrap();
    assert_eq!(*calls.lock().unwrap(), 4);
}
