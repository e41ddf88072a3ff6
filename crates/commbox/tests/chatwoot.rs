//! The Chatwoot inbox client against the mock: the lifecycle, real-server quirks, errors,
//! and bad input that sends nothing.

mod common;

use commbox::blocking::Client;
use commbox::blocking::InboxClient;
use commbox::chatwoot::{identifier_hash, MessageType, NewContact, NewInboxMessage};
use commbox::*;
use commbox_mock::{
    Fault, MockServer, CHATWOOT_HMAC_INBOX, CHATWOOT_HMAC_TOKEN, CHATWOOT_INBOX,
    CHATWOOT_SINGLE_INBOX,
};
use common::*;
use serde_json::json;

fn inbox(mock: &MockServer, id: &str) -> InboxClient {
    Client::builder()
        .base_url(mock.url())
        .retry_policy(fast_retries())
        .build_inbox(id)
        .unwrap()
}

#[test]
fn lifecycle_contact_conversation_messages_with_files_paging_resolve() {
    let mock = MockServer::start().unwrap();
    let inbox = inbox(&mock, CHATWOOT_INBOX);
    let info = inbox.inbox().unwrap();
    assert_eq!(info.identifier.as_deref(), Some(CHATWOOT_INBOX));
    assert!(!info.identity_validation_enabled);

    let contact = inbox
        .create_contact(
            NewContact::new()
                .source_id("crm-42")
                .name("John Doe")
                .email("john@example.com")
                .phone_number("+972541234567")
                .custom_attribute("plan", "gold"),
        )
        .unwrap();
    assert_eq!(contact.source_id.as_deref(), Some("crm-42"));
    assert!(contact.pubsub_token.is_some());
    let sid = "crm-42";
    // Reality, not the swagger: a known source_id returns the contact unchanged.
    let again = inbox
        .create_contact(NewContact::new().source_id(sid).name("Other"))
        .unwrap();
    assert_eq!(
        (again.id, again.name.as_deref()),
        (contact.id, Some("John Doe"))
    );
    // Update returns the full model, without source_id.
    let updated = inbox
        .update_contact(sid, NewContact::new().name("John Q. Doe"))
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("John Q. Doe"));
    assert_eq!(updated.source_id, None);

    let attrs = json!({"order": "A-1001"}).as_object().cloned();
    let conv = inbox.create_conversation(sid, attrs).unwrap();
    assert_eq!(conv.status.as_deref(), Some("open"));

    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("photo.png");
    let sha_png = write_file(&png, 4_321);
    let files = inbox
        .create_message(
            sid,
            conv.id,
            NewInboxMessage::new("photo and receipt")
                .echo_id("tmp-1")
                .attachment(Attachment::from_path(&png))
                .attachment(Attachment::from_bytes("receipt.pdf", b"%PDF-1.4".to_vec())),
        )
        .unwrap();
    assert_eq!(files.message_type, Some(MessageType::INCOMING));
    let kinds: Vec<_> = files
        .attachments
        .iter()
        .map(|a| a.file_type.as_deref())
        .collect();
    assert_eq!(kinds, [Some("image"), Some("file")]);
    let req = mock.requests().into_iter().last().unwrap();
    let names: Vec<&str> = req.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["content", "echo_id", "attachments[]", "attachments[]"]
    );
    assert_eq!(req.parts[2].sha256, sha_png);
    assert!(
        !req.headers.contains_key("authorization"),
        "no key goes to Chatwoot"
    );

    let ids: Vec<i64> = (0..25)
        .map(|i| {
            inbox
                .create_message(sid, conv.id, NewInboxMessage::new(format!("m{i}")))
                .unwrap()
                .id
        })
        .collect();
    let page = inbox.list_messages(sid, conv.id, None).unwrap();
    assert_eq!(page.len(), 20);
    assert_eq!(
        page[0].content.as_deref(),
        Some("m5"),
        "the latest 20, oldest first"
    );
    let older = inbox.list_messages(sid, conv.id, Some(ids[5])).unwrap();
    assert_eq!(older.len(), 6);
    assert_eq!(older[0].id, files.id);

    inbox.set_typing(sid, conv.id, true).unwrap();
    inbox.update_last_seen(sid, conv.id).unwrap();
    let answered = inbox
        .update_message(
            sid,
            conv.id,
            ids[0],
            json!([{"name": "size", "value": "L"}]),
        )
        .unwrap();
    assert!(answered
        .content_attributes
        .get("submitted_values")
        .is_some());
    let resolved = inbox.resolve_conversation(sid, conv.id).unwrap();
    assert_eq!(resolved.status.as_deref(), Some("resolved"));
    let listed = inbox.list_conversations(sid).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].messages.len(), 26);
    let state = mock.chatwoot_state();
    assert!(
        state.to_string().contains("\"typing_status\":\"on\""),
        "{state}"
    );
}

#[test]
fn single_conversation_inboxes_return_the_existing_one() {
    let mock = MockServer::start().unwrap();
    let inbox = inbox(&mock, CHATWOOT_SINGLE_INBOX);
    let c = inbox.create_contact(NewContact::new()).unwrap();
    let sid = c.source_id.unwrap();
    let first = inbox.create_conversation(&sid, None).unwrap();
    let second = inbox.create_conversation(&sid, None).unwrap();
    assert_eq!(first.id, second.id);
}

#[test]
fn hmac_failures_are_500s_and_explained() {
    let mock = MockServer::start().unwrap();
    let inbox = inbox(&mock, CHATWOOT_HMAC_INBOX);
    let e = inbox
        .create_contact(NewContact::new().identifier("user-7"))
        .unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Server, Some(500)));
    assert!(e.message().contains("identity validation failed"), "{e}");
    let wrong = inbox
        .create_contact(NewContact::new().identifier("user-7").identifier_hash("00"))
        .unwrap_err();
    assert_eq!(wrong.http_status(), Some(500));
    let ok = inbox
        .create_contact(NewContact::new().verified_identifier("user-7", CHATWOOT_HMAC_TOKEN))
        .unwrap();
    assert!(ok.source_id.is_some());
    assert_eq!(
        identifier_hash("user-7", CHATWOOT_HMAC_TOKEN),
        mock.requests().last().unwrap().json.as_ref().unwrap()["identifier_hash"]
    );
}

#[test]
fn errors_carry_the_rails_bodies() {
    let mock = MockServer::start().unwrap();
    let inbox = inbox(&mock, CHATWOOT_INBOX);
    let e = inbox.get_contact("nobody").unwrap_err();
    assert_eq!(
        (e.kind(), e.description()),
        (ErrorKind::NotFound, Some("Not Found"))
    );
    assert_eq!(
        e.message(),
        "Chatwoot answered HTTP 404 Not Found: Not Found"
    );
    let e = Client::builder()
        .base_url(mock.url())
        .build_inbox("no-such-inbox")
        .unwrap()
        .inbox()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);

    // Reality, not the swagger: giving a contact another contact's e-mail merges the two
    // (Chatwoot's ContactIdentifyAction) instead of answering 422 "has already been taken".
    let owner = inbox
        .create_contact(NewContact::new().email("taken@example.com"))
        .unwrap();
    let other = inbox.create_contact(NewContact::new().name("B")).unwrap();
    let merged = inbox
        .update_contact(
            other.source_id.as_deref().unwrap(),
            NewContact::new().email("taken@example.com"),
        )
        .unwrap();
    assert_eq!(merged.id, owner.id);
    // A 422 surfaces the server's message (here the flood guard's body, queued as a fault).
    mock.push_fault(
        Fault::status(422)
            .with_body(json!({"message": "Too many messages", "attributes": ["base"]})),
    );
    let e = inbox.create_contact(NewContact::new()).unwrap_err();
    assert_eq!(
        (e.kind(), e.description()),
        (ErrorKind::BadRequest, Some("Too many messages"))
    );

    // 429 without Retry-After is retried with backoff.
    mock.reset();
    mock.push_fault(Fault::status(429));
    inbox.inbox().unwrap();
    assert_eq!(mock.request_count(), 2);
    // A 429 on a create is retried too: the server did not process it.
    mock.push_fault(Fault::status(429));
    inbox.create_contact(NewContact::new()).unwrap();
    // A 500 on a create is not.
    mock.reset();
    mock.push_fault(Fault::status(500));
    let e = inbox.create_contact(NewContact::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(mock.request_count(), 1);
}

/// The field a refused call names.
fn field_of<T: std::fmt::Debug>(r: Result<T>) -> Option<String> {
    r.unwrap_err().field().map(str::to_owned)
}

#[test]
fn bad_input_sends_nothing() {
    let mock = MockServer::start().unwrap();
    let inbox = inbox(&mock, CHATWOOT_INBOX);
    assert_eq!(
        field_of(inbox.create_contact(NewContact::new().phone_number("972541234567"))),
        Some("phone_number".into())
    );
    assert_eq!(
        field_of(inbox.create_contact(NewContact::new().email("john@"))),
        Some("email".into())
    );
    assert_eq!(
        field_of(inbox.update_contact("c", NewContact::new().source_id("x"))),
        Some("source_id".into())
    );
    assert_eq!(
        field_of(inbox.get_contact("")),
        Some("contact_identifier".into())
    );
    assert_eq!(
        field_of(inbox.get_conversation("c", 0)),
        Some("conversation_id".into())
    );
    assert_eq!(
        field_of(inbox.list_messages("c", 1, Some(0))),
        Some("before".into())
    );
    let long = NewInboxMessage::new("x".repeat(150_001));
    assert_eq!(
        field_of(inbox.create_message("c", 1, long)),
        Some("content".into())
    );
    let many = (0..16).fold(NewInboxMessage::new("x"), |m, i| {
        m.attachment(Attachment::from_bytes(format!("{i}.txt"), vec![1]))
    });
    assert_eq!(
        field_of(inbox.create_message("c", 1, many)),
        Some("attachments".into())
    );
    let missing = NewInboxMessage::new("").attachment(Attachment::from_path("/no/such.png"));
    assert_eq!(
        field_of(inbox.create_message("c", 1, missing)),
        Some("attachment \"/no/such.png\"".into())
    );
    assert_eq!(
        field_of(inbox.update_message("c", 1, 2, json!("no"))),
        Some("submitted_values".into())
    );
    let e = Client::builder().build_inbox("x").unwrap_err();
    assert_eq!(e.field(), Some("base_url"));
    let e = Client::builder()
        .base_url(mock.url())
        .build_inbox("")
        .unwrap_err();
    assert_eq!(e.field(), Some("inbox_identifier"));
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn identifiers_stay_out_of_logs_and_debug() {
    let mock = MockServer::start().unwrap();
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let inbox = Client::builder()
        .base_url(mock.url())
        .on_call(move |e| sink.lock().unwrap().push(e.path.clone()))
        .build_inbox(CHATWOOT_INBOX)
        .unwrap();
    let c = inbox
        .create_contact(NewContact::new().source_id("secret-sid"))
        .unwrap();
    inbox.get_contact(c.source_id.as_deref().unwrap()).unwrap();
    assert_eq!(
        *events.lock().unwrap(),
        [
            "/public/api/v1/inboxes/{inbox}/contacts",
            "/public/api/v1/inboxes/{inbox}/contacts/{contact}"
        ]
    );
    assert!(!format!("{inbox:?}").contains(CHATWOOT_INBOX));
    // ...while the wire carries the real ones.
    assert_eq!(
        mock.requests()[1].path,
        "/public/api/v1/inboxes/mock-inbox/contacts/secret-sid"
    );
}

#[test]
fn a_commbox_client_shares_its_pool_with_an_inbox() {
    let (mock, client) = setup();
    let inbox = client.inbox(&mock.url(), CHATWOOT_INBOX).unwrap();
    inbox.inbox().unwrap();
    client.system_status().unwrap();
    let reqs = mock.requests();
    assert!(!reqs[0].headers.contains_key("authorization"));
    assert_eq!(reqs[1].headers["authorization"], "Bearer ***");
}

#[test]
fn identity_validated_inboxes_check_the_hmac_on_get_too() {
    let mock = MockServer::start().unwrap();
    let inbox = inbox(&mock, CHATWOOT_HMAC_INBOX);
    let created = inbox
        .create_contact(NewContact::new().verified_identifier("user 7/å", CHATWOOT_HMAC_TOKEN))
        .unwrap();
    let sid = created.source_id.unwrap();
    // Without the identifier and its hash, Chatwoot's show action fails the check.
    assert_eq!(
        inbox.get_contact(&sid).unwrap_err().http_status(),
        Some(500)
    );
    let hash = identifier_hash("user 7/å", CHATWOOT_HMAC_TOKEN);
    let got = inbox.get_verified_contact(&sid, "user 7/å", &hash).unwrap();
    assert_eq!(got.id, created.id);
    let req = mock.requests().into_iter().last().unwrap();
    assert_eq!(
        req.query.as_deref(),
        Some(format!("identifier=user+7%2F%C3%A5&identifier_hash={hash}").as_str())
    );
    let wrong = inbox
        .get_verified_contact(&sid, "user 7/å", "00")
        .unwrap_err();
    assert!(
        wrong.message().contains("identity validation failed"),
        "{wrong}"
    );
    let e = inbox.get_verified_contact(&sid, "", &hash).unwrap_err();
    assert_eq!(e.field(), Some("identifier"));
}

#[test]
fn an_answer_without_the_record_is_a_decode_error_about_that_answer() {
    let mock = MockServer::start().unwrap();
    let inbox = inbox(&mock, CHATWOOT_INBOX);
    // JSON, but not a contact: the raw body and the call's request ids come with the error.
    mock.push_fault(Fault::status(200).with_body(json!({"unexpected": true})));
    let e = inbox
        .create_contact(NewContact::new().name("A"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        e.message(),
        "unexpected Chatwoot answer: the contact has no id"
    );
    assert_eq!(e.body(), Some(r#"{"unexpected":true}"#));
    let sent = only_request(&mock);
    assert_eq!(e.request_id(), Some(sent.headers["x-request-id"].as_str()));
    assert_eq!(
        e.server_request_id(),
        Some(sent.request_id.to_string().as_str())
    );
    // A created contact without its source_id is not what the API documents: Decode (the
    // C face used to call it a validation error, which says that nothing was sent).
    mock.push_fault(Fault::status(200).with_body(json!({"id": 7, "name": "A"})));
    let e = inbox
        .create_contact(NewContact::new().name("A"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        e.message(),
        "unexpected Chatwoot answer: the created contact has no source_id"
    );
    // An empty body says so.
    mock.push_fault(Fault::status(201).with_body(json!("")));
    let e = inbox
        .create_contact(NewContact::new().name("A"))
        .unwrap_err();
    assert_eq!(
        e.message(),
        "unexpected Chatwoot answer: the answer is empty (HTTP 201)"
    );
    assert_eq!((e.http_status(), e.body()), (Some(201), Some("")));
    assert!(e.request_id().is_some());
}

/// 45 messages in one conversation, for the page walks below; returns the contact's
/// source id, the conversation id and the message ids, oldest first.
fn conversation_of_45(mock: &MockServer) -> (String, i64, Vec<i64>) {
    let inbox = inbox(mock, CHATWOOT_INBOX);
    let contact = inbox
        .create_contact(NewContact::new().source_id("pages-1"))
        .unwrap();
    let sid = contact.source_id.unwrap();
    let conv = inbox.create_conversation(&sid, None).unwrap();
    let ids = (0..45)
        .map(|i| {
            inbox
                .create_message(&sid, conv.id, NewInboxMessage::new(format!("m{i}")))
                .unwrap()
                .id
        })
        .collect();
    (sid, conv.id, ids)
}

/// The queries of the message-list requests made after the first `skip` requests.
fn message_gets(mock: &MockServer, skip: usize) -> Vec<Option<String>> {
    mock.requests()
        .into_iter()
        .skip(skip)
        .filter(|r| r.method == "GET" && r.path.ends_with("/messages"))
        .map(|r| r.query)
        .collect()
}

#[test]
fn the_blocking_iterator_walks_every_page_lazily_newest_first() {
    let mock = MockServer::start().unwrap();
    let (sid, conv, ids) = conversation_of_45(&mock);
    let inbox = inbox(&mock, CHATWOOT_INBOX);
    let skip = mock.request_count();
    let mut walk = inbox.messages(&sid, conv);
    let first = walk.next().unwrap().unwrap();
    assert_eq!(first.id, ids[44]);
    assert_eq!(message_gets(&mock, skip), [None], "one page fetched so far");
    let rest: Vec<i64> = walk.map(|m| m.unwrap().id).collect();
    let mut all = vec![first.id];
    all.extend(rest);
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(all, newest_first);
    // 20 + 20 + 5, then the empty page that ends the walk.
    assert_eq!(
        message_gets(&mock, skip),
        [
            None,
            Some(format!("before={}", ids[25])),
            Some(format!("before={}", ids[5])),
            Some(format!("before={}", ids[0])),
        ]
    );
}

#[test]
fn the_async_stream_walks_the_same_pages() {
    use futures_util::TryStreamExt;
    let mock = MockServer::start().unwrap();
    let (sid, conv, ids) = conversation_of_45(&mock);
    let inbox = commbox::Client::builder()
        .base_url(mock.url())
        .build_inbox(CHATWOOT_INBOX)
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let all: Vec<i64> = rt
        .block_on(inbox.messages(&sid, conv).map_ok(|m| m.id).try_collect())
        .unwrap();
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(all, newest_first);
}

#[test]
fn a_walk_ends_after_yielding_its_error_once() {
    let mock = MockServer::start().unwrap();
    let (sid, conv, _) = conversation_of_45(&mock);
    let inbox = inbox(&mock, CHATWOOT_INBOX);
    mock.push_fault(Fault::status(404));
    let items: Vec<_> = inbox.messages(&sid, conv).collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().kind(), ErrorKind::NotFound);
}
