//! Large multipart uploads are streamed and hashed, not buffered.

mod common;

use commbox_mock::MockServer;
use common::{authed, body, client, sha256_hex};
use reqwest::blocking::multipart::{Form, Part};
use reqwest::Method;
use serde_json::json;

#[test]
fn sixty_megabyte_upload_streams_through() {
    const SIZE: usize = 60 * 1024 * 1024;
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut content = Vec::with_capacity(SIZE);
    while content.len() < SIZE {
        // xorshift: incompressible, cheap, deterministic.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        content.extend_from_slice(&state.to_le_bytes());
    }
    content.truncate(SIZE);
    let expected = sha256_hex(&content);

    let mock = MockServer::start().unwrap();
    let client = client();
    let id = {
        let (status, value) = body(
            authed(&client, &mock, Method::POST, "/streams/s/objects")
                .json(&json!({"Message": "m"}))
                .send()
                .unwrap(),
        );
        assert_eq!(status, 200);
        value["data"]["id"].as_u64().unwrap()
    };
    let form = Form::new()
        .text("data", json!({"Type": 4}).to_string())
        .part("file", Part::bytes(content).file_name("big.zip"));
    let (status, value) = body(
        authed(
            &client,
            &mock,
            Method::POST,
            &format!("/streams/s/objects/{id}/child"),
        )
        .multipart(form)
        .send()
        .unwrap(),
    );
    assert_eq!(status, 200, "{value}");

    let attachment = &mock.objects()[0].children[0].attachments[0];
    assert_eq!(attachment.name, "big.zip");
    assert_eq!(attachment.content_type, "application/zip");
    assert_eq!(attachment.size, SIZE as u64);
    assert_eq!(attachment.sha256, expected);
    let recorded = &mock.requests()[1];
    assert!(recorded.body_size > SIZE as u64);
    assert_eq!(recorded.parts[1].sha256, expected);
}
