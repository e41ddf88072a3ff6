//! Chatwoot webhook deliveries (commbox::events::ChatwootWebhookVerifier and
//! parse_chatwoot_event): valid, forged, tampered, stale and unsigned deliveries, missing
//! and malformed headers, the delivery id for de-duplication, and every event type.
//!
//! The signed string, `"{X-Chatwoot-Timestamp}.{raw body}"` with `sha256=<hex>` in
//! `X-Chatwoot-Signature`, is what receiving.md gives from a write-up quoting Chatwoot's
//! lib/webhooks/trigger.rb, marked unverified there. The source itself could not be read
//! here (the stored trigger.rb predates signing; the repository snapshot is too large to
//! fetch); several independent receivers in public code (Node, Python, PHP) compute exactly
//! this string and prefix, which is what these tests pin. Check it against trigger.rb and
//! a real 4.11+ installation before relying on it.

use commbox::events::{
    chatwoot_signature, parse_chatwoot_event, ChatwootEventKind, ChatwootWebhookVerifier,
    DEFAULT_TOLERANCE, MAX_DELIVERY_BYTES,
};
use commbox::ErrorKind;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECRET: &str = "whsec-test-0123456789";
const TS: i64 = 1_764_847_800;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix as u64)
}

/// The headers Chatwoot sends for `body` signed with `secret` at `timestamp`.
fn signed(secret: &str, timestamp: &str, body: &[u8], delivery: &str) -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/json".into()),
        (
            "X-Chatwoot-Signature".into(),
            chatwoot_signature(secret.as_bytes(), timestamp, body),
        ),
        ("X-Chatwoot-Timestamp".into(), timestamp.into()),
        ("X-Chatwoot-Delivery".into(), delivery.into()),
    ]
}

fn verifier() -> ChatwootWebhookVerifier {
    ChatwootWebhookVerifier::new(SECRET).unwrap()
}

fn refused(result: commbox::Result<commbox::events::ChatwootDelivery>, header: &str) -> String {
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert!(e.message().starts_with(&format!("{header}: ")), "{e}");
    e.message().to_owned()
}

#[test]
fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
    // Computed independently: printf '1764847800.{"event":"x"}' |
    //   openssl dgst -sha256 -hmac whsec-test-0123456789 (and Python's hmac module)
    assert_eq!(
        chatwoot_signature(SECRET.as_bytes(), "1764847800", br#"{"event":"x"}"#),
        "sha256=f47f233667ba22001c50d6e3ebd03db9e0c97d847ce1d9aa040272789b6555fb"
    );
}

#[test]
fn valid_signature_agent_reply() {
    let body = fixture("chatwoot_message_created.json");
    let headers = signed(SECRET, &TS.to_string(), &body, "5d2b-delivery-1");
    let d = verifier().verify_at(headers, &body, at(TS + 30)).unwrap();
    assert!(d.verified);
    assert_eq!(d.delivery_id.as_deref(), Some("5d2b-delivery-1"));
    assert_eq!(d.timestamp, Some(TS));
    let e = d.event;
    assert_eq!(e.kind, ChatwootEventKind::MessageCreated);
    assert!(e.is_agent_public_reply());
    let m = e.message.as_ref().unwrap();
    assert_eq!(m.id, Some(4711));
    assert_eq!(m.message_type.as_deref(), Some("outgoing"));
    assert_eq!(m.conversation_id, Some(42));
    assert_eq!(m.created_at, Some(json!("2026-12-04T11:30:00.000Z")));
    assert_eq!(
        m.sender.as_ref().unwrap().sender_type.as_deref(),
        Some("user")
    );
    let c = e.conversation.as_ref().unwrap();
    assert_eq!((c.id, c.status.as_deref()), (42, Some("open")));
    let contact = e.contact.as_ref().unwrap();
    assert_eq!(
        (contact.id, contact.identifier.as_deref()),
        (7, Some("user-42"))
    );
    assert_eq!(e.account.as_ref().unwrap().id, Some(1));
    assert_eq!(e.inbox.as_ref().unwrap().name.as_deref(), Some("API inbox"));
    assert_eq!(e.raw, serde_json::from_slice::<Value>(&body).unwrap());
}

#[test]
fn headers_any_case_any_string_type() {
    let body = br#"{"event":"message_created","id":1,"message_type":"incoming"}"#;
    let ts = TS.to_string();
    let sig = chatwoot_signature(SECRET.as_bytes(), &ts, body);
    let as_bytes: Vec<(&[u8], Vec<u8>)> = vec![
        (b"x-chatwoot-signature", sig.clone().into_bytes()),
        (b"X-CHATWOOT-TIMESTAMP", ts.clone().into_bytes()),
    ];
    let d = verifier().verify_at(as_bytes, body, at(TS)).unwrap();
    assert_eq!(d.delivery_id, None);
    let as_strs = [
        ("x-Chatwoot-Signature", sig.as_str()),
        ("x-chatwoot-timestamp", &ts),
    ];
    assert!(verifier().verify_at(as_strs, body, at(TS)).is_ok());
}

#[test]
fn forged_signature_is_refused() {
    let body = fixture("chatwoot_message_created.json");
    let ts = TS.to_string();
    // Signed with another secret.
    let headers = signed("not-the-secret", &ts, &body, "d-1");
    let m = refused(
        verifier().verify_at(headers, &body, at(TS)),
        "X-Chatwoot-Signature",
    );
    assert!(m.contains("does not match"), "{m}");
    // The right signature, for another body (one byte changed).
    let mut tampered = body.clone();
    let i = tampered.iter().position(|b| *b == b'4').unwrap();
    tampered[i] = b'5';
    let headers = signed(SECRET, &ts, &body, "d-1");
    refused(
        verifier().verify_at(headers, &tampered, at(TS)),
        "X-Chatwoot-Signature",
    );
    // The right signature, for another timestamp.
    let mut headers = signed(SECRET, &ts, &body, "d-1");
    headers[2].1 = (TS + 1).to_string();
    refused(
        verifier().verify_at(headers, &body, at(TS)),
        "X-Chatwoot-Signature",
    );
    // Not sha256=<64 hex>.
    for bad in ["deadbeef", "sha256=zz", "sha1=00", "sha256=00"] {
        let mut headers = signed(SECRET, &ts, &body, "d-1");
        headers[1].1 = bad.into();
        let m = refused(
            verifier().verify_at(headers, &body, at(TS)),
            "X-Chatwoot-Signature",
        );
        assert!(m.contains("not of the form"), "{m}");
    }
}

#[test]
fn stale_or_future_timestamps_are_refused() {
    let body = br#"{"event":"contact_created","id":7}"#;
    let ts = TS.to_string();
    let tolerance = DEFAULT_TOLERANCE.as_secs() as i64;
    assert_eq!(tolerance, 300);
    for now in [TS - tolerance, TS, TS + tolerance] {
        let headers = signed(SECRET, &ts, body, "d");
        assert!(
            verifier().verify_at(headers, body, at(now)).is_ok(),
            "{now}"
        );
    }
    for now in [TS - tolerance - 1, TS + tolerance + 1, TS + 86_400] {
        let headers = signed(SECRET, &ts, body, "d");
        let m = refused(
            verifier().verify_at(headers, body, at(now)),
            "X-Chatwoot-Timestamp",
        );
        assert!(m.contains("stale"), "{m}");
    }
    // A tighter tolerance.
    let tight = verifier().tolerance(Duration::from_secs(10));
    let headers = signed(SECRET, &ts, body, "d");
    refused(
        tight.verify_at(headers, body, at(TS + 11)),
        "X-Chatwoot-Timestamp",
    );
    // The system clock: a delivery signed now passes, one from an hour ago does not.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let fresh = signed(SECRET, &now.to_string(), body, "d");
    assert!(verifier().verify(fresh, body).is_ok());
    let old = signed(SECRET, &(now - 3600).to_string(), body, "d");
    refused(verifier().verify(old, body), "X-Chatwoot-Timestamp");
}

#[test]
fn missing_or_malformed_headers_name_the_header() {
    let body = br#"{"event":"message_created","id":1}"#;
    let ts = TS.to_string();
    let all = signed(SECRET, &ts, body, "d");
    let without = |name: &str| -> Vec<(String, String)> {
        all.iter().filter(|(n, _)| n != name).cloned().collect()
    };
    let m = refused(
        verifier().verify_at(without("X-Chatwoot-Signature"), body, at(TS)),
        "X-Chatwoot-Signature",
    );
    assert!(m.contains("missing"), "{m}");
    let m = refused(
        verifier().verify_at(without("X-Chatwoot-Timestamp"), body, at(TS)),
        "X-Chatwoot-Timestamp",
    );
    assert!(m.contains("missing"), "{m}");
    let none: [(&str, &str); 0] = [];
    refused(
        verifier().verify_at(none, body, at(TS)),
        "X-Chatwoot-Signature",
    );
    // Correctly signed, but the timestamp is not unix seconds.
    let headers = signed(SECRET, "yesterday", body, "d");
    let m = refused(
        verifier().verify_at(headers, body, at(TS)),
        "X-Chatwoot-Timestamp",
    );
    assert!(m.contains("not unix seconds"), "{m}");
    // The delivery id is optional.
    assert!(verifier()
        .verify_at(without("X-Chatwoot-Delivery"), body, at(TS))
        .is_ok());
}

#[test]
fn duplicate_deliveries_share_their_id() {
    // Chatwoot sends the same X-Chatwoot-Delivery on a retry: a receiver keeps the ids it
    // has handed over and drops a repeat.
    let body = fixture("chatwoot_message_created.json");
    let mut seen = HashSet::new();
    let mut handed_over = 0;
    for (delivery, ts) in [("d-1", TS), ("d-1", TS + 5), ("d-2", TS + 6)] {
        let headers = signed(SECRET, &ts.to_string(), &body, delivery);
        let d = verifier().verify_at(headers, &body, at(ts)).unwrap();
        if seen.insert(d.delivery_id.clone().unwrap()) {
            handed_over += 1;
        }
    }
    assert_eq!(handed_over, 2);
}

#[test]
fn unverified_only_by_choice() {
    let e = ChatwootWebhookVerifier::new("").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.field(), Some("secret"));
    let body = br#"{"event":"message_created","id":1}"#;
    let none: [(&str, &str); 0] = [];
    let d = ChatwootWebhookVerifier::unverified()
        .verify_at(none, body, at(0))
        .unwrap();
    assert!(!d.verified);
    assert!(!ChatwootWebhookVerifier::unverified().verifies());
    assert!(verifier().verifies());
    assert!(!format!("{:?}", verifier()).contains(SECRET));
}

#[test]
fn oversized_and_malformed_bodies() {
    let ts = TS.to_string();
    let big = vec![b' '; MAX_DELIVERY_BYTES + 1];
    let e = verifier()
        .verify_at(signed(SECRET, &ts, &big, "d"), &big, at(TS))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("over the limit"), "{e}");
    // Verified, but not JSON: Decode.
    for body in [&b"{\"event\": "[..], b"", b"\xff"] {
        let e = verifier()
            .verify_at(signed(SECRET, &ts, body, "d"), body, at(TS))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
        assert!(e.message().starts_with("body: "), "{e}");
    }
}

#[test]
fn every_event_type() {
    let cases = [
        ("message_created", ChatwootEventKind::MessageCreated),
        ("message_updated", ChatwootEventKind::MessageUpdated),
        (
            "conversation_created",
            ChatwootEventKind::ConversationCreated,
        ),
        (
            "conversation_status_changed",
            ChatwootEventKind::ConversationStatusChanged,
        ),
        (
            "conversation_updated",
            ChatwootEventKind::ConversationUpdated,
        ),
        ("contact_created", ChatwootEventKind::ContactCreated),
        ("contact_updated", ChatwootEventKind::ContactUpdated),
        ("webwidget_triggered", ChatwootEventKind::WebwidgetTriggered),
        (
            "conversation_typing_on",
            ChatwootEventKind::ConversationTypingOn,
        ),
        (
            "conversation_typing_off",
            ChatwootEventKind::ConversationTypingOff,
        ),
        ("inbox_created", ChatwootEventKind::InboxCreated),
        ("inbox_updated", ChatwootEventKind::InboxUpdated),
        ("automation_rule_fired", ChatwootEventKind::Other),
    ];
    for (name, kind) in cases {
        let body = serde_json::to_vec(&json!({"event": name, "id": 5, "name": "n"})).unwrap();
        let e = parse_chatwoot_event(&body).unwrap();
        assert_eq!(e.kind, kind, "{name}");
        assert_eq!(e.event.as_deref(), Some(name));
        let form = serde_json::to_value(&e).unwrap();
        assert_eq!(
            form["kind"],
            if kind == ChatwootEventKind::Other {
                "other"
            } else {
                name
            }
        );
    }
    // Not even an event name: Other, everything in raw.
    let e = parse_chatwoot_event(b"[1]").unwrap();
    assert_eq!(e.kind, ChatwootEventKind::Other);
    assert_eq!(e.raw, json!([1]));
}

#[test]
fn conversation_status_changed() {
    let e = parse_chatwoot_event(&fixture("chatwoot_conversation_status_changed.json")).unwrap();
    assert_eq!(e.kind, ChatwootEventKind::ConversationStatusChanged);
    let c = e.conversation.unwrap();
    assert_eq!((c.id, c.status.as_deref()), (42, Some("resolved")));
    assert_eq!(c.messages.len(), 1);
    assert_eq!(e.contact.unwrap().name.as_deref(), Some("Dana"));
    assert_eq!(
        e.changed_attributes.unwrap()[0]["status"]["current_value"],
        "resolved"
    );
    assert!(e.message.is_none());
    assert!(
        !parse_chatwoot_event(&fixture("chatwoot_conversation_status_changed.json"))
            .unwrap()
            .is_agent_public_reply()
    );
}

#[test]
fn contacts_widget_and_typing() {
    let e = parse_chatwoot_event(
        br#"{"event":"contact_updated","id":7,"name":"Dana","email":"dana@example.com",
             "changed_attributes":[{"email":{"current_value":"dana@example.com"}}]}"#,
    )
    .unwrap();
    assert_eq!(
        e.contact.unwrap().email.as_deref(),
        Some("dana@example.com")
    );
    assert!(e.changed_attributes.is_some());

    let e = parse_chatwoot_event(
        br#"{"event":"webwidget_triggered","id":"3","contact":{"id":7,"name":"Dana"},
             "current_conversation":{"id":42,"status":"open"},"source_id":"abc",
             "inbox":{"id":3,"name":"Website"},"event_info":{"initiated_at":{}}}"#,
    )
    .unwrap();
    assert_eq!(e.kind, ChatwootEventKind::WebwidgetTriggered);
    assert_eq!(e.contact.unwrap().id, 7);
    assert_eq!(e.conversation.unwrap().id, 42);

    let e = parse_chatwoot_event(
        br#"{"event":"conversation_typing_on","conversation":{"display_id":42,"inbox_id":3},
             "user":{"id":1,"name":"Agent Smith","type":"user"},"is_private":false}"#,
    )
    .unwrap();
    assert_eq!(e.kind, ChatwootEventKind::ConversationTypingOn);
    assert_eq!(e.conversation.unwrap().id, 42); // display_id stands in for id
    assert!(e.user.unwrap().is_agent());
    assert_eq!(e.is_private, Some(false));
}

#[test]
fn agent_public_reply_helper() {
    let message = |message_type: Value, private: bool, sender_type: &str| {
        let body = serde_json::to_vec(&json!({"event": "message_created", "id": 1,
            "message_type": message_type, "private": private,
            "sender": {"id": 2, "type": sender_type}}))
        .unwrap();
        parse_chatwoot_event(&body).unwrap()
    };
    assert!(message(json!("outgoing"), false, "user").is_agent_public_reply());
    // Integers (the public API's form) are read as their names.
    let e = message(json!(1), false, "user");
    assert_eq!(
        e.message.as_ref().unwrap().message_type.as_deref(),
        Some("outgoing")
    );
    assert!(e.is_agent_public_reply());
    assert!(!message(json!("outgoing"), true, "user").is_agent_public_reply()); // private note
    assert!(!message(json!("incoming"), false, "contact").is_agent_public_reply());
    assert!(!message(json!("outgoing"), false, "agent_bot").is_agent_public_reply());
    assert!(!message(json!("template"), false, "user").is_agent_public_reply());
    // message_updated: the message is an agent's reply, the event is not a new one.
    let updated = parse_chatwoot_event(
        br#"{"event":"message_updated","id":1,"message_type":"outgoing","private":false,
             "sender":{"id":2,"type":"user"}}"#,
    )
    .unwrap();
    assert!(updated.message.as_ref().unwrap().is_agent_public_reply());
    assert!(!updated.is_agent_public_reply());
    // The sender's type from the message's sender_type when the sender has none.
    let e = parse_chatwoot_event(
        br#"{"event":"message_created","id":1,"message_type":"outgoing","sender_type":"User",
             "sender":{"id":2}}"#,
    )
    .unwrap();
    assert!(e.is_agent_public_reply());
}

#[test]
fn json_form_of_a_delivery() {
    let body = br#"{"event":"message_created","id":9,"message_type":"incoming","content":"Hi"}"#;
    let headers = signed(SECRET, &TS.to_string(), body, "d-9");
    let d = verifier().verify_at(headers, body, at(TS)).unwrap();
    let text = serde_json::to_string(&d).unwrap();
    assert!(
        text.starts_with(r#"{"delivery_id":"d-9","timestamp":1764847800,"verified":true,"event":{"kind":"message_created","event":"message_created","message":{"id":9,"content":"Hi","content_type":null,"content_attributes":{},"message_type":"incoming","private":false,"source_id":null,"sender":null,"conversation_id":null,"created_at":null,"attachments":[],"raw":"#),
        "{text}"
    );
    assert!(
        text.ends_with(r#""conversation":null,"contact":null,"user":null,"is_private":null,"changed_attributes":null,"account":null,"inbox":null,"raw":{"content":"Hi","event":"message_created","id":9,"message_type":"incoming"}}}"#),
        "{text}"
    );
}
