//! The calls around create: status, managers, system status, raw requests.

mod common;

use commbox::*;
use common::*;
use serde_json::json;

#[test]
fn set_status_changes_the_stored_conversation() {
    let (mock, client) = setup();
    let id = client
        .create_conversation("s", SmsConversation::new("1", "m"))
        .unwrap();
    client
        .set_conversation_status(id, ObjectStatusType::RESOLVED)
        .unwrap();
    let req = &mock.requests()[1];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", format!("/objects/{id}/status/2").as_str())
    );
    assert_eq!(mock.objects()[0].status_id, 2);
    assert_eq!(
        client.get_conversation("s", id).unwrap().status,
        Some(ObjectStatusType::RESOLVED)
    );
    let e = client
        .set_conversation_status(id, ObjectStatusType(12))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(e.description().is_some());
}

#[test]
fn managers_give_agent_ids() {
    let (_mock, client) = setup();
    let managers = client.managers().unwrap();
    assert!(managers.len() >= 2);
    let agent = managers
        .iter()
        .find(|m| m.id == 36574658)
        .expect("seeded agent");
    assert_eq!(agent.email.as_deref(), Some("best.agent@commbox.com"));
    assert!(agent.raw.get("teamName").is_some());
}

#[test]
fn system_status_reads_a_string_status() {
    let (_mock, client) = setup();
    let s = client.system_status().unwrap();
    assert_eq!(s.http_status, 200);
    assert_eq!(s.description, "System is operational");
    assert!(s.response_time.is_some());
}

#[test]
fn raw_request_returns_the_envelope() {
    let (mock, client) = setup();
    let env = client.raw_request("get", "/managers", None).unwrap();
    assert_eq!(env.http_status, 200);
    assert!(env.data.as_array().is_some());
    let env = client
        .raw_request(
            "POST",
            "/streams/raw/objects",
            Some(&json!({"data": {"Message": "raw", "Type": 4}})),
        )
        .unwrap();
    assert!(env.data["id"].as_i64().is_some());
    assert_eq!(env.request_id, mock.requests()[1].headers["x-request-id"]);
    let e = client.raw_request("TRACE", "/managers", None).unwrap_err();
    assert_eq!(e.field(), Some("method"));
    let e = client
        .raw_request("GET", "https://evil.example/x", None)
        .unwrap_err();
    assert_eq!(e.field(), Some("path"));
    assert_eq!(mock.request_count(), 2);
}
