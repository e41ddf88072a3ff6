//! Shared set-up for the integration tests: an in-process mock and a client aimed at it.
#![allow(dead_code)]

use commbox::blocking::{Client, ClientBuilder};
use commbox::RetryPolicy;
use commbox_mock::{MockServer, RecordedRequest};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Retries with tiny backoff so the retry tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(40))
}

pub fn builder(mock: &MockServer) -> ClientBuilder {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(fast_retries())
}

/// A blocking client of `mock`.
pub fn setup_with(mock: &MockServer) -> Client {
    builder(mock).build().expect("client builds")
}

pub fn setup() -> (MockServer, Client) {
    let mock = MockServer::start().expect("mock starts");
    let client = builder(&mock).build().expect("client builds");
    (mock, client)
}

/// The only request the mock saw.
pub fn only_request(mock: &MockServer) -> RecordedRequest {
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1, "expected exactly one request, saw {reqs:#?}");
    reqs.into_iter().next().unwrap()
}

/// Writes `size` bytes of a non-repeating pattern to `path` and returns their SHA-256 (hex).
pub fn write_file(path: &Path, size: usize) -> String {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut hasher = Sha256::new();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ size as u64;
    let mut chunk = vec![0u8; 64 * 1024];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        for b in &mut chunk[..n] {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *b = state as u8;
        }
        hasher.update(&chunk[..n]);
        f.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    f.flush().unwrap();
    hex::encode(hasher.finalize())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The object a create request carried: for JSON bodies it must be wrapped as
/// `{"data": {...}}` (the documented form), for multipart it is the `data` part.
pub fn sent_object(req: &RecordedRequest) -> serde_json::Value {
    let json = req.json.clone().expect("a JSON body or data part");
    if req.content_type.as_deref() == Some("application/json") {
        let obj = json.as_object().expect("an object");
        assert_eq!(obj.len(), 1, "only the data wrapper at the top: {json}");
        obj["data"].clone()
    } else {
        json
    }
}
