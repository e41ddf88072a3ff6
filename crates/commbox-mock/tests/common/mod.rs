//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use commbox_mock::MockServer;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub fn client() -> Client {
    Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client builds")
}

/// A request to `path` (appended verbatim to the mock URL) with the mock's key.
pub fn authed(
    client: &Client,
    mock: &MockServer,
    method: reqwest::Method,
    path: &str,
) -> RequestBuilder {
    client
        .request(method, format!("{}{}", mock.url(), path))
        .bearer_auth(mock.api_key())
}

/// Queues `faults` (one or an array) through `POST /__mock/faults`; the answer's status and JSON.
pub fn push_faults(mock: &MockServer, faults: Value) -> (u16, Value) {
    body(
        client()
            .post(format!("{}/__mock/faults", mock.url()))
            .json(&faults)
            .send()
            .unwrap(),
    )
}

pub fn body(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().expect("body reads");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, value)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks the error envelope shape and returns its description.
pub fn error_description(status: u16, value: &Value) -> String {
    assert_eq!(value["status"], status, "{value}");
    assert!(
        value.get("data").is_none(),
        "error envelopes have no data: {value}"
    );
    assert_response_time(value);
    value["description"]
        .as_str()
        .expect("description")
        .to_owned()
}

pub fn assert_response_time(value: &Value) {
    let time = value["response_time"].as_str().expect("response_time");
    // YYYY-MM-DDTHH:MM:SS.fffffffZ
    assert_eq!(time.len(), 28, "{time}");
    assert_eq!(&time[10..11], "T");
    assert_eq!(&time[19..20], ".");
    assert!(time.ends_with('Z'));
    assert!(time[20..27].bytes().all(|b| b.is_ascii_digit()), "{time}");
}
