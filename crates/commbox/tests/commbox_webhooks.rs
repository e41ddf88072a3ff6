//! CommBox webhook deliveries (commbox::events::parse_commbox_delivery): each documented
//! shape (XML, JSON with an `Event` wrapper, JSON with a `payload` wrapper), each entity's
//! events, unknown events, and hostile bodies (malformed, truncated, oversized, XML bombs,
//! external entities). Long bodies are in tests/fixtures/events/.

use commbox::events::{
    parse_commbox_delivery, ActivityType, CommBoxEventKind, CommBoxFormat, MAX_DELIVERY_BYTES,
};
use commbox::{ErrorKind, ObjectStatusType, ObjectType, StreamProviderType};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_body(v: Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn xml_on_new_child() {
    // The XML shape as receiving.md describes it: <Event Subscription Name Brand> wrapping
    // <Object Id StreamId SubStreamId> → <Children> → <Child Id CreateDate Type
    // StreamProviderId StreamProviderType> with Message, ManagerId, Content (JSON text),
    // Snippet and User → Identity.
    let body = fixture("commbox_object_on_new_child.xml");
    for content_type in [
        Some("text/xml; charset=utf-8"),
        Some("application/xml"),
        None,
    ] {
        let e = parse_commbox_delivery(&body, content_type).unwrap();
        assert_eq!(e.kind, CommBoxEventKind::NewMessage);
        assert_eq!(e.format, CommBoxFormat::Xml);
        assert_eq!(
            (e.entity.as_deref(), e.name.as_deref(), e.brand.as_deref()),
            (Some("Object"), Some("OnNewChild"), Some("acme"))
        );
        let object = e.object.as_ref().unwrap();
        assert_eq!(
            (object.id, object.stream_id, object.sub_stream_id),
            (Some(5001), Some(100), Some(0))
        );
        let child = e.child.as_ref().unwrap();
        assert_eq!(child.id, Some(7001));
        assert_eq!(child.object_id, Some(5001));
        assert_eq!(child.created_date.as_deref(), Some("26-03-2017 06:36:15"));
        assert_eq!(child.object_type, Some(ObjectType::CONVERSATION));
        assert_eq!(child.stream_provider_type, Some(StreamProviderType(5)));
        assert_eq!(child.message.as_deref(), Some("Hello & thanks \u{263A}"));
        assert_eq!(child.manager_id, Some(0));
        // JSON text inside the element is parsed.
        assert_eq!(
            child.content,
            Some(
                json!({"guidRT": "b9656718", "isConnected": true, "languages": [{"Item1": "en"}]})
            )
        );
        let identity = child.user.as_ref().unwrap().identity.as_ref().unwrap();
        assert_eq!(identity.id, Some(3377699720580841));
        assert_eq!(identity.first_name.as_deref(), Some("Dana"));
        assert_eq!(identity.last_name.as_deref(), Some(""));
        assert_eq!(e.raw["Event"]["Object"]["Id"], "5001");
    }
}

#[test]
fn xml_inside_a_soap_envelope() {
    // SOAP deliveries are a console option; their envelope is not documented, so the event
    // is looked for inside whatever wraps it.
    let body = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
        <Event Subscription="Object" Name="OnNew" Brand="acme"><Object Id="9" StreamId="1"><Message>Hi</Message></Object></Event>
        </soap:Body></soap:Envelope>"#;
    let e = parse_commbox_delivery(body, Some("application/soap+xml")).unwrap();
    assert_eq!(e.kind, CommBoxEventKind::NewConversation);
    assert_eq!(e.object.unwrap().message.as_deref(), Some("Hi"));
}

#[test]
fn json_event_wrapper_tag_on_add() {
    // The documented Tag OnAdd example's shape: every value a string.
    let body = json_body(
        json!({"Event": {"Subscription": "Tag", "Name": "OnAdd", "Brand": "acme",
        "Tag": {"eventName": "OnAdd", "tagId": "40", "groupId": "0", "name": "VIP",
                "isObject": "True", "isUser": "False", "type": "1"}}}),
    );
    let e = parse_commbox_delivery(&body, Some("application/json")).unwrap();
    assert_eq!(e.kind, CommBoxEventKind::TagChanged);
    assert_eq!(e.format, CommBoxFormat::EventJson);
    assert_eq!(e.data.as_ref().unwrap()["tagId"], "40");
    assert_eq!(e.raw, serde_json::from_slice::<Value>(&body).unwrap());
}

#[test]
fn json_payload_wrapper_on_new() {
    // receiving.md documents this shape with an OnNew example only, and it names neither
    // entity nor event: it is read as Object OnNew, the payload being the new conversation.
    let body = fixture("commbox_object_on_new_payload.json");
    let e = parse_commbox_delivery(&body, Some("application/json")).unwrap();
    assert_eq!(e.kind, CommBoxEventKind::NewConversation);
    assert_eq!(e.format, CommBoxFormat::PayloadJson);
    assert_eq!(
        (e.entity.as_deref(), e.name.as_deref()),
        (Some("Object"), Some("OnNew"))
    );
    let object = e.object.unwrap();
    assert_eq!(object.message.as_deref(), Some("FirstMessage"));
    assert_eq!(object.manager_id, Some(0)); // "0": ids and numbers are strings here
    assert_eq!(object.content.unwrap()["isConnected"], true);
    let user = object.user.unwrap();
    assert_eq!(user.id, Some(3377699720575710));
    let identity = user.identity.unwrap();
    assert_eq!(identity.stream_provider_type, Some(StreamProviderType(6)));
    assert_eq!(
        identity.stream_provider_id.as_deref(),
        Some("5b3afd9e-1e10-48e4-b84c-7e0c0e1354a9")
    );
}

#[test]
fn status_change_is_activity_type_2() {
    // Where an OnNewActivity event keeps its activity is not documented beyond "activity
    // type 2 and Data {"statusId": N}" (unverified: no example in receiving.md); the parser
    // looks for an Activity in the object or the event, or the activity's keys on the object.
    let xml = fixture("commbox_object_status_change.xml");
    let as_json = json_body(
        json!({"Event": {"Subscription": "Object", "Name": "OnNewActivity",
        "Brand": "acme", "Object": {"Id": 5001, "ActivityType": 2, "Data": "{\"statusId\": \"3\"}"}}}),
    );
    for (body, format) in [
        (xml, CommBoxFormat::Xml),
        (as_json, CommBoxFormat::EventJson),
    ] {
        let e = parse_commbox_delivery(&body, None).unwrap();
        assert_eq!(e.kind, CommBoxEventKind::StatusChanged, "{format:?}");
        assert_eq!(e.format, format);
        let activity = e.activity.unwrap();
        assert_eq!(activity.activity_type, Some(ActivityType::STATUS_CHANGE));
        assert_eq!(activity.status, Some(ObjectStatusType(3)));
        assert_eq!(e.object.unwrap().id, Some(5001));
    }
}

#[test]
fn other_activities_keep_their_type() {
    let body = json_body(
        json!({"Event": {"Subscription": "Object", "Name": "OnNewActivity",
        "Object": {"Id": "1", "Activities": [{"Type": "1", "Data": {"text": "called back"}}]}}}),
    );
    let e = parse_commbox_delivery(&body, None).unwrap();
    assert_eq!(e.kind, CommBoxEventKind::Activity);
    let activity = e.activity.unwrap();
    assert_eq!(activity.activity_type, Some(ActivityType::REMARK));
    assert_eq!(activity.status, None);
    assert_eq!(activity.data, Some(json!({"text": "called back"})));
}

#[test]
fn every_entity_and_event() {
    // Beyond Object OnNew/OnNewChild and Tag OnAdd, receiving.md gives names but no bodies:
    // these use the Event wrapper with the entity's element, as the Tag example does.
    let cases = [
        ("Object", "OnNew", CommBoxEventKind::NewConversation),
        ("Object", "OnNewChild", CommBoxEventKind::NewMessage),
        ("object", "onupdatetag", CommBoxEventKind::ObjectTagsUpdated),
        ("User", "OnNew", CommBoxEventKind::UserCreated),
        ("User", "OnUpdate", CommBoxEventKind::UserUpdated),
        ("User", "OnUpdateTag", CommBoxEventKind::UserTagsUpdated),
        (
            "Satisfaction",
            "OnSubmit",
            CommBoxEventKind::SatisfactionSubmitted,
        ),
        ("Form", "OnSubmit", CommBoxEventKind::FormSubmitted),
        ("Chat", "OnUserExit", CommBoxEventKind::ChatUserExited),
        ("Tag", "OnUpdate", CommBoxEventKind::TagChanged),
        ("Object", "OnSomethingNew", CommBoxEventKind::Other),
        ("Invoice", "OnPaid", CommBoxEventKind::Other),
    ];
    for (entity, name, kind) in cases {
        let mut event = json!({"Subscription": entity, "Name": name, "Brand": "acme",
            "Object": {"Id": 77, "Tags": [{"Id": "5"}]}, "User": {"Id": "88", "Email": "a@b.c"}});
        if !["object", "user"].contains(&entity.to_ascii_lowercase().as_str()) {
            event[entity] = json!({"Id": "99", "Answer": "5"});
        }
        let body = json_body(json!({ "Event": event }));
        let e = parse_commbox_delivery(&body, Some("application/json")).unwrap();
        assert_eq!(e.kind, kind, "{entity} {name}");
        assert_eq!(
            e.object.as_ref().and_then(|o| o.id),
            Some(77),
            "{entity} {name}"
        );
        match kind {
            CommBoxEventKind::UserCreated | CommBoxEventKind::UserUpdated => {
                assert_eq!(e.user.as_ref().unwrap().id, Some(88));
            }
            CommBoxEventKind::ObjectTagsUpdated => {
                assert_eq!(e.data, Some(json!({"Id": "5"})));
            }
            CommBoxEventKind::SatisfactionSubmitted
            | CommBoxEventKind::FormSubmitted
            | CommBoxEventKind::ChatUserExited
            | CommBoxEventKind::TagChanged
            | CommBoxEventKind::Other => {
                // The element named after the entity: for an unknown Object event, the object.
                let id = if entity == "Object" {
                    json!(77)
                } else {
                    json!("99")
                };
                assert_eq!(e.data.as_ref().unwrap()["Id"], id, "{entity} {name}");
            }
            _ => {}
        }
    }
}

#[test]
fn ids_as_strings_or_numbers() {
    for id in [json!(5001), json!("5001"), json!(" 5001 "), json!(5001.0)] {
        let body = json_body(json!({"Event": {"Subscription": "Object", "Name": "OnNew",
            "Object": {"Id": id, "StreamId": "100"}}}));
        let e = parse_commbox_delivery(&body, None).unwrap();
        assert_eq!(e.object.unwrap().id, Some(5001));
    }
}

#[test]
fn unknown_shapes_are_other_events_not_errors() {
    for (body, format) in [
        (&br#"{"hello": "world"}"#[..], CommBoxFormat::Json),
        (br#"[1, 2]"#, CommBoxFormat::Json),
        (br#"<Notification Kind="x"/>"#, CommBoxFormat::Xml),
    ] {
        let e = parse_commbox_delivery(body, None).unwrap();
        assert_eq!(e.kind, CommBoxEventKind::Other);
        assert_eq!(e.format, format);
        assert_eq!(e.data.as_ref(), Some(&e.raw));
    }
}

#[test]
fn json_form_has_every_key() {
    let body = fixture("commbox_object_on_new_child.xml");
    let e = parse_commbox_delivery(&body, None).unwrap();
    // Keys in declaration order, every one present.
    let text = serde_json::to_string(&e).unwrap();
    assert!(
        text.starts_with(
            r#"{"kind":"new_message","entity":"Object","name":"OnNewChild","brand":"acme","format":"xml","object":{"id":5001,"stream_id":100,"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#""activity":null,"user":null,"data":null,"raw":{"Event":"#),
        "{text}"
    );
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["kind"], "new_message");
    assert_eq!(v["format"], "xml");
    assert_eq!(v["activity"], Value::Null);
    assert_eq!(v["child"]["object_type"], 4);
    assert_eq!(v["child"]["stream_provider_type"], 5);
    let mut child_keys: Vec<&str> = v["child"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "id",
        "object_id",
        "created_date",
        "object_type",
        "stream_provider_id",
        "stream_provider_type",
        "message",
        "content",
        "manager_id",
        "snippet",
        "user",
        "raw",
    ];
    child_keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(child_keys, expected);
}

fn decode_error(body: &[u8], content_type: Option<&str>) -> commbox::Error {
    let e = parse_commbox_delivery(body, content_type).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.message().starts_with("body: "), "{e}");
    e
}

#[test]
fn malformed_and_truncated_bodies() {
    let xml = fixture("commbox_object_on_new_child.xml");
    let e = decode_error(&xml[..xml.len() / 2], Some("text/xml"));
    assert!(e.message().contains("not well-formed XML"), "{e}");
    decode_error(br#"{"Event": {"Subscription": "Object""#, None);
    decode_error(b"<Event><Object></Event>", None);
    decode_error(b"", Some("application/json"));
    decode_error(b"\xff\xfe<Event/>", None);
    // The content type decides: JSON declared, XML sent.
    decode_error(b"<Event/>", Some("application/json"));
}

#[test]
fn oversized_bodies_are_refused_before_parsing() {
    // Exactly at the limit: accepted.
    let mut at_limit = br#"{"pad": ""#.to_vec();
    at_limit.resize(MAX_DELIVERY_BYTES - 2, b'a');
    at_limit.extend_from_slice(b"\"}");
    assert_eq!(at_limit.len(), MAX_DELIVERY_BYTES);
    assert!(parse_commbox_delivery(&at_limit, None).is_ok());
    // One byte over (and not even JSON): the size is what is reported.
    let over = vec![b'<'; MAX_DELIVERY_BYTES + 1];
    let e = decode_error(&over, Some("text/xml"));
    assert!(e.message().contains("over the limit"), "{e}");
}

#[test]
fn xml_bomb_does_not_expand() {
    // "Billion laughs": expanded, it would be 10^9 "lol"s (3 GB).
    let started = Instant::now();
    let e = decode_error(&fixture("xml_bomb.xml"), Some("text/xml"));
    assert!(e.message().contains("DOCTYPE"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Without the DOCTYPE, the reference is to an undeclared entity: refused too.
    let e = decode_error(
        b"<Event Subscription=\"Object\" Name=\"OnNew\"><Message>&lol9;</Message></Event>",
        None,
    );
    assert!(e.message().contains("&lol9; is not allowed"), "{e}");
}

#[test]
fn external_entities_are_never_read() {
    let e = decode_error(&fixture("xml_external_entity.xml"), Some("text/xml"));
    assert!(e.message().contains("DOCTYPE"), "{e}");
    assert!(!e.message().contains("root:"), "{e}");
    let e = decode_error(b"<Event><Message>&xxe;</Message></Event>", None);
    assert!(e.message().contains("&xxe; is not allowed"), "{e}");
}
