//! The Chatwoot public client API: shapes, matching, validation, HMAC, conversations,
//! messages, and the shared recording, fault and reset machinery.

mod common;

use commbox_mock::{
    Fault, MockServer, CHATWOOT_HMAC_INBOX, CHATWOOT_HMAC_TOKEN, CHATWOOT_INBOX,
    CHATWOOT_SINGLE_INBOX,
};
use common::{body, client, sha256_hex};
use hmac::{Hmac, Mac};
use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

/// A request to `/public/api/v1/inboxes/{inbox}{rest}`, without any credentials.
fn cw(
    client: &Client,
    mock: &MockServer,
    method: Method,
    inbox: &str,
    rest: &str,
) -> RequestBuilder {
    client.request(
        method,
        format!("{}/public/api/v1/inboxes/{inbox}{rest}", mock.url()),
    )
}

fn send(request: RequestBuilder) -> (u16, Value) {
    body(request.send().expect("request sent"))
}

fn hash(identifier: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(CHATWOOT_HMAC_TOKEN.as_bytes()).unwrap();
    mac.update(identifier.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut names = names.to_vec();
    names.sort_unstable();
    names
}

const FULL_CONTACT_KEYS: [&str; 18] = [
    "id",
    "name",
    "email",
    "phone_number",
    "identifier",
    "additional_attributes",
    "custom_attributes",
    "account_id",
    "created_at",
    "updated_at",
    "last_activity_at",
    "contact_type",
    "middle_name",
    "last_name",
    "location",
    "country_code",
    "blocked",
    "company_id",
];

/// Creates a contact in `inbox` and returns the create answer.
fn create_contact(mock: &MockServer, inbox: &str, params: Value) -> Value {
    let (status, value) = send(cw(&client(), mock, Method::POST, inbox, "/contacts").json(&params));
    assert_eq!(status, 200, "{value}");
    value
}

fn source_id(contact: &Value) -> String {
    contact["source_id"].as_str().expect("source_id").to_owned()
}

/// Creates a conversation and returns its display id.
fn create_conversation(mock: &MockServer, inbox: &str, source: &str) -> u64 {
    let (status, value) = send(
        cw(
            &client(),
            mock,
            Method::POST,
            inbox,
            &format!("/contacts/{source}/conversations"),
        )
        .json(&json!({})),
    );
    assert_eq!(status, 200, "{value}");
    value["id"].as_u64().expect("id")
}

fn conversation_path(source: &str, id: u64) -> String {
    format!("/contacts/{source}/conversations/{id}")
}

fn post_message(mock: &MockServer, source: &str, id: u64, params: Value) -> (u16, Value) {
    send(
        cw(
            &client(),
            mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("{}/messages", conversation_path(source, id)),
        )
        .json(&params),
    )
}

fn assert_rails_error(status: u16, value: &Value) {
    let reason = match status {
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        other => panic!("unexpected status {other}"),
    };
    assert_eq!(value, &json!({"status": status, "error": reason}));
}

#[test]
fn inbox_show() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let response = cw(&client, &mock, Method::GET, CHATWOOT_INBOX, "")
        .send()
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let (status, inbox) = body(response);
    assert_eq!(status, 200);
    assert_eq!(
        keys(&inbox),
        sorted(&[
            "identifier",
            "identity_validation_enabled",
            "name",
            "timezone",
            "working_hours",
            "working_hours_enabled",
            "csat_survey_enabled",
            "greeting_enabled",
        ])
    );
    assert_eq!(inbox["identifier"], CHATWOOT_INBOX);
    assert_eq!(inbox["name"], "Mock Inbox");
    assert_eq!(inbox["timezone"], "UTC");
    assert_eq!(inbox["identity_validation_enabled"], false);
    assert_eq!(inbox["working_hours"].as_array().unwrap().len(), 7);
    assert_eq!(inbox["working_hours"][1]["open_hour"], 9);

    let (_, hmac_inbox) = send(cw(&client, &mock, Method::GET, CHATWOOT_HMAC_INBOX, ""));
    assert_eq!(hmac_inbox["identity_validation_enabled"], true);

    let (status, value) = send(cw(&client, &mock, Method::GET, "nope", ""));
    assert_eq!(status, 404);
    assert_rails_error(404, &value);
}

#[test]
fn contact_create_show_update_shapes() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let created = create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({
            "name": "Alice",
            "email": "Alice@Example.COM",
            "phone_number": "+15550001111",
            "identifier": "alice-1",
            "custom_attributes": {"plan": "gold"},
        }),
    );
    assert_eq!(
        keys(&created),
        sorted(&[
            "source_id",
            "pubsub_token",
            "id",
            "name",
            "email",
            "phone_number"
        ])
    );
    let source = source_id(&created);
    assert_eq!(source.len(), 36, "a UUID: {source}");
    assert_eq!(&source[14..15], "4");
    assert_eq!(created["pubsub_token"].as_str().unwrap().len(), 24);
    assert_eq!(created["email"], "alice@example.com", "stored lowercase");
    assert_eq!(created["phone_number"], "+15550001111");

    let (status, shown) = send(cw(
        &client,
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &format!("/contacts/{source}"),
    ));
    assert_eq!(status, 200);
    assert_eq!(shown, created);

    // Update answers the full model, without source_id/pubsub_token; identifier is ignored.
    let (status, updated) = send(
        cw(
            &client,
            &mock,
            Method::PATCH,
            CHATWOOT_INBOX,
            &format!("/contacts/{source}"),
        )
        .json(
            &json!({"name": "Alice B", "identifier": "changed", "custom_attributes": {"tier": 2}}),
        ),
    );
    assert_eq!(status, 200, "{updated}");
    assert_eq!(keys(&updated), sorted(&FULL_CONTACT_KEYS));
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["name"], "Alice B");
    assert_eq!(updated["identifier"], "alice-1");
    assert_eq!(
        updated["custom_attributes"],
        json!({"plan": "gold", "tier": 2})
    );
    assert_eq!(updated["contact_type"], "lead");
    assert_eq!(updated["account_id"], 1);
    let created_at = updated["created_at"].as_str().unwrap();
    assert_eq!(created_at.len(), 24, "{created_at}");
    assert!(created_at.ends_with('Z'));

    // PUT is the same action; blank values change nothing.
    let (status, again) = send(
        cw(
            &client,
            &mock,
            Method::PUT,
            CHATWOOT_INBOX,
            &format!("/contacts/{source}"),
        )
        .json(&json!({"name": "", "email": "  "})),
    );
    assert_eq!(status, 200);
    assert_eq!(again["name"], "Alice B");
    assert_eq!(again["email"], "alice@example.com");

    // A contact without a name gets a generated one.
    let anonymous = create_contact(&mock, CHATWOOT_INBOX, json!({}));
    let name = anonymous["name"].as_str().unwrap();
    let parts: Vec<&str> = name.split('-').collect();
    assert_eq!(parts.len(), 3, "{name}");
    assert!(parts[2].parse::<u32>().is_ok(), "{name}");
    assert_eq!(anonymous["email"], Value::Null);
}

#[test]
fn source_id_reuse_returns_the_contact_unchanged() {
    let mock = MockServer::start().unwrap();
    let first = create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({"source_id": "visitor-1", "name": "First"}),
    );
    assert_eq!(first["source_id"], "visitor-1");
    let again = create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({"source_id": "visitor-1", "name": "Second", "email": "x@y.z"}),
    );
    assert_eq!(again, first);

    // Form-encoded bodies are Rails params too, nested names included.
    let response = cw(&client(), &mock, Method::POST, CHATWOOT_INBOX, "/contacts")
        .form(&[
            ("source_id", "visitor-2"),
            ("name", "Form"),
            ("custom_attributes[plan]", "gold"),
        ])
        .send()
        .unwrap();
    let (status, form) = body(response);
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["name"], "Form");
    let state = mock.chatwoot_state();
    let contacts = &state.inboxes[0].contacts;
    assert_eq!(contacts.len(), 2);
    assert_eq!(
        contacts[1].custom_attributes,
        json!({"plan": "gold"}).as_object().unwrap().clone()
    );
}

#[test]
fn identifier_email_and_phone_match_existing_contacts() {
    let mock = MockServer::start().unwrap();
    let original = create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({"identifier": "u-1", "name": "Orig", "email": "orig@example.com", "phone_number": "+4911111"}),
    );
    for params in [
        json!({"identifier": "u-1", "name": "Other"}),
        json!({"email": "ORIG@example.com", "name": "Other"}),
        json!({"phone_number": "+4911111"}),
    ] {
        let matched = create_contact(&mock, CHATWOOT_INBOX, params.clone());
        assert_eq!(matched["id"], original["id"], "{params}");
        assert_eq!(
            matched["name"], "Orig",
            "matching does not update: {params}"
        );
        assert_ne!(
            matched["source_id"], original["source_id"],
            "a new contact inbox"
        );
    }
    // Contacts are account-wide: another inbox finds the same contact.
    let elsewhere = create_contact(&mock, CHATWOOT_SINGLE_INBOX, json!({"identifier": "u-1"}));
    assert_eq!(elsewhere["id"], original["id"]);
    let state = mock.chatwoot_state();
    assert_eq!(state.inboxes[0].contacts.len(), 4);
    assert_eq!(state.inboxes[2].contacts.len(), 1);
}

#[test]
fn validation_failures_are_422_with_message_and_attributes() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let post = |params: Value| {
        send(cw(&client, &mock, Method::POST, CHATWOOT_INBOX, "/contacts").json(&params))
    };

    let (status, value) = post(json!({"email": "not-an-email"}));
    assert_eq!(status, 422);
    assert_eq!(
        value,
        json!({"message": "Email Invalid email", "attributes": ["email"]})
    );
    let (status, value) = post(json!({"phone_number": "5550001"}));
    assert_eq!(status, 422);
    assert_eq!(
        value,
        json!({"message": "Phone number should be in e164 format", "attributes": ["phone_number"]})
    );
    let (status, value) = post(json!({"email": "a b@c", "phone_number": "+0123"}));
    assert_eq!(status, 422);
    assert_eq!(
        value,
        json!({
            "message": "Email Invalid email, Phone number should be in e164 format",
            "attributes": ["email", "phone_number"],
        })
    );
    assert!(mock.chatwoot_state().inboxes[0].contacts.is_empty());

    // Update validates too, and a failed update changes nothing.
    let contact = create_contact(&mock, CHATWOOT_INBOX, json!({"name": "Val"}));
    let path = format!("/contacts/{}", source_id(&contact));
    let (status, value) = send(
        cw(&client, &mock, Method::PATCH, CHATWOOT_INBOX, &path)
            .json(&json!({"name": "Changed", "phone_number": "+1 555"})),
    );
    assert_eq!(status, 422);
    assert_eq!(value["attributes"], json!(["phone_number"]));
    let (_, shown) = send(cw(&client, &mock, Method::GET, CHATWOOT_INBOX, &path));
    assert_eq!(shown["name"], "Val");
}

#[test]
fn update_with_another_contacts_email_merges_into_that_contact() {
    // The real server never answers "has already been taken" here: ContactIdentifyAction
    // merges the contact into the one that owns the email, and returns that one.
    let mock = MockServer::start().unwrap();
    let client = client();
    let owner = create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({"name": "Owner", "email": "owner@example.com", "identifier": "owner-1"}),
    );
    let visitor = create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({"custom_attributes": {"from": "visitor"}}),
    );
    let visitor_source = source_id(&visitor);
    let conversation = create_conversation(&mock, CHATWOOT_INBOX, &visitor_source);

    let (status, merged) = send(
        cw(
            &client,
            &mock,
            Method::PATCH,
            CHATWOOT_INBOX,
            &format!("/contacts/{visitor_source}"),
        )
        .json(&json!({"email": "Owner@Example.com"})),
    );
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["id"], owner["id"]);
    assert_eq!(merged["name"], "Owner");
    assert_eq!(merged["identifier"], "owner-1");
    assert_eq!(merged["custom_attributes"], json!({"from": "visitor"}));

    // The visitor's source id and conversation now belong to the owner.
    let (_, shown) = send(cw(
        &client,
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &format!("/contacts/{visitor_source}"),
    ));
    assert_eq!(shown["id"], owner["id"]);
    let (_, conv) = send(cw(
        &client,
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &conversation_path(&visitor_source, conversation),
    ));
    assert_eq!(conv["contact"]["id"], owner["id"]);
    let ids: Vec<u64> = mock.chatwoot_state().inboxes[0]
        .contacts
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, [owner["id"].as_u64().unwrap(); 2]);
}

#[test]
fn hmac_identity_validation() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let post = |inbox: &str, params: Value| {
        send(cw(&client, &mock, Method::POST, inbox, "/contacts").json(&params))
    };

    // Mandatory inbox: a correct hash is accepted, a missing or wrong one is a 500.
    let (status, created) = post(
        CHATWOOT_HMAC_INBOX,
        json!({"identifier": "user-7", "identifier_hash": hash("user-7")}),
    );
    assert_eq!(status, 200, "{created}");
    let (status, value) = post(CHATWOOT_HMAC_INBOX, json!({"identifier": "user-8"}));
    assert_eq!(status, 500);
    assert_rails_error(500, &value);
    let (status, _) = post(
        CHATWOOT_HMAC_INBOX,
        json!({"identifier": "user-8", "identifier_hash": hash("user-7")}),
    );
    assert_eq!(status, 500);
    let (status, _) = post(
        CHATWOOT_HMAC_INBOX,
        json!({"identifier": "user-8", "identifier_hash": hash("user-8").to_uppercase()}),
    );
    assert_eq!(status, 500, "the comparison is exact");

    // Create does not verify; show with the hash (query string) does.
    let source = source_id(&created);
    assert!(!mock.chatwoot_state().inboxes[1].contacts[0].hmac_verified);
    let path = format!("/contacts/{source}");
    let (status, _) = send(cw(&client, &mock, Method::GET, CHATWOOT_HMAC_INBOX, &path));
    assert_eq!(status, 500, "show needs the hash on a mandatory inbox");
    let (status, _) = send(
        cw(&client, &mock, Method::GET, CHATWOOT_HMAC_INBOX, &path).query(&[
            ("identifier", "user-7"),
            ("identifier_hash", &hash("user-7")),
        ]),
    );
    assert_eq!(status, 200);
    assert!(mock.chatwoot_state().inboxes[1].contacts[0].hmac_verified);

    // Conversations and messages never check it.
    let conversation = create_conversation(&mock, CHATWOOT_HMAC_INBOX, &source);
    assert_eq!(conversation, 1);

    // Optional inbox: checked only when a hash is sent.
    let (status, _) = post(
        CHATWOOT_INBOX,
        json!({"identifier": "u", "identifier_hash": "bad"}),
    );
    assert_eq!(status, 500);
    let (status, _) = post(
        CHATWOOT_INBOX,
        json!({"identifier": "u", "identifier_hash": hash("u")}),
    );
    assert_eq!(status, 200);
}

#[test]
fn conversations_create_list_show_resolve() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let contact = create_contact(&mock, CHATWOOT_INBOX, json!({"name": "Conv"}));
    let source = source_id(&contact);

    let (status, created) = send(
        cw(
            &client,
            &mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("/contacts/{source}/conversations"),
        )
        .json(&json!({"custom_attributes": {"order": "A-1"}})),
    );
    assert_eq!(status, 200, "{created}");
    assert_eq!(
        keys(&created),
        sorted(&[
            "id",
            "uuid",
            "inbox_id",
            "contact_last_seen_at",
            "status",
            "agent_last_seen_at",
            "messages",
            "contact",
        ])
    );
    assert_eq!(created["id"], 1);
    assert_eq!(created["inbox_id"], 1);
    assert_eq!(created["status"], "open");
    assert_eq!(created["contact_last_seen_at"], 0);
    assert_eq!(created["agent_last_seen_at"], 0);
    assert_eq!(created["messages"], json!([]));
    assert_eq!(keys(&created["contact"]), sorted(&FULL_CONTACT_KEYS));
    assert_eq!(created["contact"]["id"], contact["id"]);
    assert_eq!(created["uuid"].as_str().unwrap().len(), 36);

    let second = create_conversation(&mock, CHATWOOT_INBOX, &source);
    assert_eq!(second, 2);
    let (status, list) = send(cw(
        &client,
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &format!("/contacts/{source}/conversations"),
    ));
    assert_eq!(status, 200);
    let ids: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2]);

    let (status, shown) = send(cw(
        &client,
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &conversation_path(&source, 1),
    ));
    assert_eq!(status, 200);
    assert_eq!(shown["uuid"], created["uuid"]);

    for _ in 0..2 {
        let (status, resolved) = send(cw(
            &client,
            &mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("{}/toggle_status", conversation_path(&source, 1)),
        ));
        assert_eq!(status, 200);
        assert_eq!(
            resolved["status"], "resolved",
            "toggle_status only resolves"
        );
        assert_eq!(
            resolved["messages"],
            json!([]),
            "activity messages are not public"
        );
    }
    let state = mock.chatwoot_state();
    let conversation = &state.inboxes[0].conversations[0];
    assert_eq!(conversation.status, "resolved");
    assert_eq!(conversation.custom_attributes["order"], "A-1");
    assert_eq!(conversation.messages.len(), 1, "one activity message");
    assert_eq!(conversation.messages[0].message_type, 2);
    assert_eq!(
        conversation.messages[0].content.as_deref(),
        Some("Conversation was resolved by Conv")
    );

    // Another contact cannot see these conversations.
    let other = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let (status, value) = send(cw(
        &client,
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &conversation_path(&other, 1),
    ));
    assert_eq!(status, 404);
    assert_rails_error(404, &value);

    // Display ids are per inbox.
    let single = source_id(&create_contact(&mock, CHATWOOT_SINGLE_INBOX, json!({})));
    assert_eq!(
        create_conversation(&mock, CHATWOOT_SINGLE_INBOX, &single),
        1
    );
}

#[test]
fn single_conversation_inbox_returns_the_existing_one() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let source = source_id(&create_contact(&mock, CHATWOOT_SINGLE_INBOX, json!({})));
    let first = create_conversation(&mock, CHATWOOT_SINGLE_INBOX, &source);
    let (status, _) = send(cw(
        &client,
        &mock,
        Method::POST,
        CHATWOOT_SINGLE_INBOX,
        &format!("{}/toggle_status", conversation_path(&source, first)),
    ));
    assert_eq!(status, 200);
    // Even a resolved one is returned.
    assert_eq!(
        create_conversation(&mock, CHATWOOT_SINGLE_INBOX, &source),
        first
    );
    assert_eq!(mock.chatwoot_state().inboxes[2].conversations.len(), 1);
    // The plain inbox creates a new one every time.
    let plain = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    assert_eq!(create_conversation(&mock, CHATWOOT_INBOX, &plain), 1);
    assert_eq!(create_conversation(&mock, CHATWOOT_INBOX, &plain), 2);
}

#[test]
fn typing_and_last_seen_answer_an_empty_200() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let source = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let id = create_conversation(&mock, CHATWOOT_INBOX, &source);
    let base = conversation_path(&source, id);

    let typing = |request: RequestBuilder| {
        let response = request.send().unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(response.text().unwrap(), "");
    };
    typing(
        cw(
            &client,
            &mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("{base}/toggle_typing"),
        )
        .json(&json!({"typing_status": "on"})),
    );
    assert_eq!(
        mock.chatwoot_state().inboxes[0].conversations[0]
            .typing_status
            .as_deref(),
        Some("on")
    );
    typing(
        cw(
            &client,
            &mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("{base}/toggle_typing"),
        )
        .query(&[("typing_status", "off")]),
    );
    assert_eq!(
        mock.chatwoot_state().inboxes[0].conversations[0]
            .typing_status
            .as_deref(),
        Some("off")
    );
    typing(
        cw(
            &client,
            &mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("{base}/toggle_typing"),
        )
        .json(&json!({"typing_status": "maybe"})),
    );

    typing(cw(
        &client,
        &mock,
        Method::POST,
        CHATWOOT_INBOX,
        &format!("{base}/update_last_seen"),
    ));
    let state = mock.chatwoot_state();
    let seen = state.inboxes[0].conversations[0]
        .contact_last_seen_at
        .expect("set");
    let (_, conversation) = send(cw(&client, &mock, Method::GET, CHATWOOT_INBOX, &base));
    assert_eq!(conversation["contact_last_seen_at"], seen);
}

#[test]
fn json_message_shape() {
    let mock = MockServer::start().unwrap();
    let contact = create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({"name": "Msg", "email": "m@example.com"}),
    );
    let source = source_id(&contact);
    let id = create_conversation(&mock, CHATWOOT_INBOX, &source);

    let (status, message) = post_message(
        &mock,
        &source,
        id,
        json!({"content": "Hello", "echo_id": "tmp-1"}),
    );
    assert_eq!(status, 200, "{message}");
    assert_eq!(
        keys(&message),
        sorted(&[
            "id",
            "content",
            "message_type",
            "content_type",
            "content_attributes",
            "created_at",
            "conversation_id",
            "sender",
        ]),
        "no echo_id, and no attachments key without files"
    );
    assert_eq!(message["content"], "Hello");
    assert_eq!(message["message_type"], 0);
    assert_eq!(message["content_type"], "text");
    assert_eq!(message["content_attributes"], json!({}));
    assert_eq!(message["conversation_id"], id);
    assert!(message["created_at"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(
        keys(&message["sender"]),
        sorted(&[
            "additional_attributes",
            "custom_attributes",
            "email",
            "id",
            "identifier",
            "name",
            "phone_number",
            "thumbnail",
            "blocked",
            "type",
        ])
    );
    assert_eq!(message["sender"]["type"], "contact");
    assert_eq!(message["sender"]["id"], contact["id"]);

    let state = mock.chatwoot_state();
    let stored = &state.inboxes[0].conversations[0].messages[0];
    assert_eq!(stored.echo_id.as_deref(), Some("tmp-1"));
    let recorded = mock.requests().pop().unwrap();
    assert_eq!(recorded.json.unwrap()["echo_id"], "tmp-1");

    // The conversation lists it; the contact's activity time moved.
    let (_, conversation) = send(cw(
        &client(),
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &conversation_path(&source, id),
    ));
    assert_eq!(conversation["messages"][0], message);
    assert!(conversation["contact"]["last_activity_at"].is_string());
}

#[test]
fn multipart_message_with_two_attachments() {
    let mock = MockServer::start().unwrap();
    let source = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let id = create_conversation(&mock, CHATWOOT_INBOX, &source);
    let png = b"\x89PNG\r\n\x1a\nnot really".to_vec();
    let pdf = b"%PDF-1.4 tiny".to_vec();
    let form = Form::new()
        .text("content", "two files")
        .text("echo_id", "e-2")
        .part(
            "attachments[]",
            Part::bytes(png.clone())
                .file_name("photo.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .part(
            "attachments[]",
            Part::bytes(pdf.clone())
                .file_name("report.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let (status, message) = send(
        cw(
            &client(),
            &mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("{}/messages", conversation_path(&source, id)),
        )
        .multipart(form),
    );
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["content"], "two files");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(
        keys(&attachments[0]),
        sorted(&[
            "id",
            "message_id",
            "file_type",
            "account_id",
            "extension",
            "data_url",
            "thumb_url",
            "file_size",
            "width",
            "height",
        ])
    );
    assert_eq!(attachments[0]["file_type"], "image");
    assert_eq!(attachments[0]["extension"], "png");
    assert_eq!(attachments[0]["message_id"], message["id"]);
    assert_eq!(attachments[0]["file_size"], png.len());
    assert_eq!(attachments[0]["width"], Value::Null);
    assert!(attachments[0]["data_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/rails/active_storage/blobs/", mock.url())));
    assert_eq!(attachments[1]["file_type"], "file");
    assert_eq!(attachments[1]["thumb_url"], "");

    let state = mock.chatwoot_state();
    let stored = &state.inboxes[0].conversations[0].messages[0];
    assert_eq!(stored.echo_id.as_deref(), Some("e-2"));
    assert_eq!(stored.attachments[0].name, "photo.png");
    assert_eq!(stored.attachments[0].content_type, "image/png");
    assert_eq!(stored.attachments[0].file_type, "image");
    assert_eq!(stored.attachments[0].sha256, sha256_hex(&png));
    assert_eq!(stored.attachments[1].size, pdf.len() as u64);
    assert_eq!(stored.attachments[1].sha256, sha256_hex(&pdf));
    let recorded = mock.requests().pop().unwrap();
    assert_eq!(
        recorded.content_type.as_deref(),
        Some("multipart/form-data")
    );
    assert_eq!(recorded.parts.len(), 4);
    assert_eq!(recorded.parts[2].sha256, sha256_hex(&png));
    assert_eq!(
        recorded.json.unwrap(),
        json!({"content": "two files", "echo_id": "e-2"})
    );
}

#[test]
fn message_limits_are_422() {
    let mock = MockServer::start().unwrap();
    let source = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let id = create_conversation(&mock, CHATWOOT_INBOX, &source);

    let (status, value) = post_message(&mock, &source, id, json!({"content": "é".repeat(150_001)}));
    assert_eq!(status, 422);
    assert_eq!(
        value,
        json!({"message": "Content is too long (maximum is 150000 characters)", "attributes": ["content"]})
    );
    let (status, _) = post_message(&mock, &source, id, json!({"content": "é".repeat(150_000)}));
    assert_eq!(status, 200, "the limit counts characters, not bytes");

    let form = (0..16).fold(Form::new(), |form, n| {
        form.part(
            "attachments[]",
            Part::bytes(vec![b'x'; 3])
                .file_name(format!("f{n}.txt"))
                .mime_str("text/plain")
                .unwrap(),
        )
    });
    let (status, value) = send(
        cw(
            &client(),
            &mock,
            Method::POST,
            CHATWOOT_INBOX,
            &format!("{}/messages", conversation_path(&source, id)),
        )
        .multipart(form),
    );
    assert_eq!(status, 422);
    assert_eq!(
        value,
        json!({"message": "Attachments exceeded maximum allowed", "attributes": ["attachments"]})
    );
    assert_eq!(
        mock.chatwoot_state().inboxes[0].conversations[0]
            .messages
            .len(),
        1
    );
}

#[test]
fn message_list_pages_backwards_oldest_first() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let source = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let id = create_conversation(&mock, CHATWOOT_INBOX, &source);
    let mut ids = Vec::new();
    for n in 0..25 {
        let (status, message) =
            post_message(&mock, &source, id, json!({"content": format!("m{n}")}));
        assert_eq!(status, 200);
        ids.push(message["id"].as_u64().unwrap());
    }
    let list_path = format!("{}/messages", conversation_path(&source, id));
    let page_ids = |value: &Value| -> Vec<u64> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_u64().unwrap())
            .collect()
    };

    let (status, latest) = send(cw(&client, &mock, Method::GET, CHATWOOT_INBOX, &list_path));
    assert_eq!(status, 200);
    assert_eq!(page_ids(&latest), ids[5..]);
    let before = ids[5].to_string();
    let (_, older) = send(
        cw(&client, &mock, Method::GET, CHATWOOT_INBOX, &list_path).query(&[("before", &before)]),
    );
    assert_eq!(page_ids(&older), ids[..5]);
    assert_eq!(older[0]["content"], "m0");

    // Resolving adds an activity message, and the contact writing again reopens the
    // conversation with another; neither is ever listed.
    send(cw(
        &client,
        &mock,
        Method::POST,
        CHATWOOT_INBOX,
        &format!("{}/toggle_status", conversation_path(&source, id)),
    ));
    let (_, last) = post_message(&mock, &source, id, json!({"content": "back"}));
    let (_, latest) = send(cw(&client, &mock, Method::GET, CHATWOOT_INBOX, &list_path));
    let listed = page_ids(&latest);
    assert_eq!(listed.len(), 20);
    assert_eq!(listed.last(), last["id"].as_u64().as_ref());
    assert!(latest
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["message_type"] == 0));
    let state = mock.chatwoot_state();
    let conversation = &state.inboxes[0].conversations[0];
    assert_eq!(conversation.status, "open");
    let types: Vec<i64> = conversation
        .messages
        .iter()
        .rev()
        .take(3)
        .map(|m| m.message_type)
        .collect();
    assert_eq!(types, [2, 0, 2]);
}

#[test]
fn message_update_stores_submitted_values() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let source = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let id = create_conversation(&mock, CHATWOOT_INBOX, &source);
    let (_, message) = post_message(&mock, &source, id, json!({"content": "pick one"}));
    let message_id = message["id"].as_u64().unwrap();
    let path = format!("{}/messages/{message_id}", conversation_path(&source, id));

    let values = json!([{"title": "Yes", "value": "yes"}]);
    let (status, updated) = send(
        cw(&client, &mock, Method::PATCH, CHATWOOT_INBOX, &path)
            .json(&json!({"submitted_values": values})),
    );
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["id"], message_id);
    assert_eq!(
        updated["content_attributes"],
        json!({"submitted_values": values})
    );
    let (status, updated) = send(
        cw(&client, &mock, Method::PUT, CHATWOOT_INBOX, &path)
            .json(&json!({"submitted_values": {"name": "n", "value": "v", "junk": 1}})),
    );
    assert_eq!(status, 200);
    assert_eq!(
        updated["content_attributes"]["submitted_values"],
        json!({"name": "n", "value": "v"})
    );
    let state = mock.chatwoot_state();
    assert_eq!(
        state.inboxes[0].conversations[0].messages[0].submitted_values,
        Some(json!({"name": "n", "value": "v"}))
    );

    let (status, value) = send(
        cw(
            &client,
            &mock,
            Method::PATCH,
            CHATWOOT_INBOX,
            &format!("{}/messages/999999", conversation_path(&source, id)),
        )
        .json(&json!({"submitted_values": {}})),
    );
    assert_eq!(status, 404);
    assert_rails_error(404, &value);
}

#[test]
fn unknown_things_are_rails_404s_and_bad_json_is_400() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let source = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let conversation =
        conversation_path(&source, create_conversation(&mock, CHATWOOT_INBOX, &source));
    for (method, inbox, rest) in [
        (Method::GET, "unknown-inbox", String::new()),
        (Method::GET, CHATWOOT_INBOX, "/contacts/unknown".to_owned()),
        (Method::POST, "unknown-inbox", "/contacts".to_owned()),
        (Method::GET, CHATWOOT_INBOX, conversation_path(&source, 99)),
        (
            Method::GET,
            CHATWOOT_INBOX,
            conversation_path(&source, 0).replace("/0", "/abc"),
        ),
        (
            Method::GET,
            CHATWOOT_INBOX,
            format!("{}/messages", conversation_path("unknown", 1)),
        ),
        (
            Method::POST,
            CHATWOOT_INBOX,
            format!("{}/toggle_typing", conversation_path(&source, 42)),
        ),
        // Rails has no such routes or methods: a routing error, also 404.
        (
            Method::GET,
            CHATWOOT_INBOX,
            format!("{conversation}/nothing"),
        ),
        (Method::DELETE, CHATWOOT_INBOX, conversation.clone()),
        (Method::GET, CHATWOOT_INBOX, "/contacts".to_owned()),
    ] {
        let response = cw(&client, &mock, method.clone(), inbox, &rest)
            .send()
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/json; charset=utf-8",
            "{method} {rest}"
        );
        let (status, value) = body(response);
        assert_eq!(status, 404, "{method} {inbox}{rest}: {value}");
        assert_rails_error(404, &value);
    }

    let (status, value) = send(
        cw(&client, &mock, Method::POST, CHATWOOT_INBOX, "/contacts")
            .header("content-type", "application/json")
            .body("{broken"),
    );
    assert_eq!(status, 400);
    assert_rails_error(400, &value);
}

#[test]
fn no_authorization_needed_and_requests_are_recorded() {
    let mock = MockServer::start().unwrap();
    let source = source_id(&create_contact(
        &mock,
        CHATWOOT_INBOX,
        json!({"name": "Rec"}),
    ));
    let (status, _) = send(cw(
        &client(),
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &format!("/contacts/{source}"),
    ));
    assert_eq!(status, 200);

    let recorded = mock.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(
        recorded[0].path,
        format!("/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts")
    );
    assert_eq!(recorded[0].json, Some(json!({"name": "Rec"})));
    assert_eq!(recorded[0].status, 200);
    assert!(!recorded[0].headers.contains_key("authorization"));
    assert_eq!(recorded[1].method, "GET");
    assert_eq!(recorded[1].seq, 2);

    // The same over HTTP.
    let (_, over_http) = send(client().get(format!("{}/__mock/requests", mock.url())));
    assert_eq!(over_http.as_array().unwrap().len(), 2);
}

#[test]
fn faults_apply_to_chatwoot_paths_with_rails_bodies() {
    let mock = MockServer::start().unwrap();
    let client = client();
    mock.push_fault(Fault::status(429));
    let response = cw(&client, &mock, Method::GET, CHATWOOT_INBOX, "")
        .send()
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert!(response.headers().get("retry-after").is_none());
    assert_eq!(response.text().unwrap(), "Retry later\n");
    // Used up: the next request is handled.
    let (status, _) = send(cw(&client, &mock, Method::GET, CHATWOOT_INBOX, ""));
    assert_eq!(status, 200);

    mock.push_fault(Fault::status(500));
    mock.push_fault(Fault::status(503).with_body(json!({"custom": true})));
    let (status, value) =
        send(cw(&client, &mock, Method::POST, CHATWOOT_INBOX, "/contacts").json(&json!({})));
    assert_eq!(status, 500);
    assert_rails_error(500, &value);
    let (status, value) = send(cw(&client, &mock, Method::GET, CHATWOOT_INBOX, ""));
    assert_eq!((status, value), (503, json!({"custom": true})));

    let recorded = mock.requests();
    assert_eq!(
        recorded.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 200, 500, 503]
    );
    assert_eq!(recorded[0].fault.as_ref().unwrap().status, Some(429));
    assert!(
        mock.chatwoot_state().inboxes[0].contacts.is_empty(),
        "a faulted create is not handled"
    );
}

#[test]
fn reset_keeps_inboxes_and_ids_keep_increasing() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let contact = create_contact(&mock, CHATWOOT_INBOX, json!({}));
    let source = source_id(&contact);
    assert_eq!(create_conversation(&mock, CHATWOOT_INBOX, &source), 1);

    let (status, _) = send(client.post(format!("{}/__mock/reset", mock.url())));
    assert_eq!(status, 200);
    assert!(mock.requests().is_empty());
    let state = mock.chatwoot_state();
    assert_eq!(state.inboxes.len(), 3);
    assert!(state
        .inboxes
        .iter()
        .all(|inbox| inbox.contacts.is_empty() && inbox.conversations.is_empty()));

    let (status, _) = send(cw(&client, &mock, Method::GET, CHATWOOT_INBOX, ""));
    assert_eq!(status, 200);
    let (status, _) = send(cw(
        &client,
        &mock,
        Method::GET,
        CHATWOOT_INBOX,
        &format!("/contacts/{source}"),
    ));
    assert_eq!(status, 404);

    let fresh = create_contact(&mock, CHATWOOT_INBOX, json!({}));
    assert!(fresh["id"].as_u64() > contact["id"].as_u64());
    assert_eq!(
        create_conversation(&mock, CHATWOOT_INBOX, &source_id(&fresh)),
        2
    );
}

#[test]
fn inspection_endpoint_matches_the_rust_accessor() {
    let mock = MockServer::start().unwrap();
    let source = source_id(&create_contact(
        &mock,
        CHATWOOT_HMAC_INBOX,
        json!({"identifier": "i-1", "identifier_hash": hash("i-1"), "name": "Insp"}),
    ));
    let id = create_conversation(&mock, CHATWOOT_HMAC_INBOX, &source);
    send(
        cw(
            &client(),
            &mock,
            Method::POST,
            CHATWOOT_HMAC_INBOX,
            &format!("{}/messages", conversation_path(&source, id)),
        )
        .json(&json!({"content": "hi", "echo_id": "x"})),
    );
    let (status, value) = send(client().get(format!("{}/__mock/chatwoot", mock.url())));
    assert_eq!(status, 200);
    assert_eq!(value, serde_json::to_value(mock.chatwoot_state()).unwrap());
    let inbox = &value["inboxes"][1];
    assert_eq!(inbox["identifier"], CHATWOOT_HMAC_INBOX);
    assert_eq!(inbox["hmac_mandatory"], true);
    assert_eq!(inbox["contacts"][0]["identifier"], "i-1");
    assert_eq!(inbox["conversations"][0]["contact_source_id"], source);
    assert_eq!(inbox["conversations"][0]["messages"][0]["echo_id"], "x");
    assert_eq!(value["inboxes"][2]["lock_to_single_conversation"], true);
    // Inspection traffic is not recorded.
    assert_eq!(mock.requests().len(), 3);
}

#[test]
fn more_than_200_messages_a_minute_are_refused() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let source = source_id(&create_contact(&mock, CHATWOOT_INBOX, json!({})));
    let id = create_conversation(&mock, CHATWOOT_INBOX, &source);
    let path = format!("{}/messages", conversation_path(&source, id));
    for n in 0..200 {
        let response = cw(&client, &mock, Method::POST, CHATWOOT_INBOX, &path)
            .json(&json!({"content": n.to_string()}))
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "message {n}");
    }
    let (status, value) = send(
        cw(&client, &mock, Method::POST, CHATWOOT_INBOX, &path)
            .json(&json!({"content": "one more"})),
    );
    assert_eq!(status, 422);
    assert_eq!(
        value,
        json!({"message": "Too many messages", "attributes": ["base"]})
    );
}

#[test]
fn state_displays_as_the_inspection_json() {
    let mock = MockServer::start().unwrap();
    create_contact(&mock, CHATWOOT_INBOX, json!({"name": "Shown"}));
    let state = mock.chatwoot_state();
    let (_, over_http) = send(client().get(format!("{}/__mock/chatwoot", mock.url())));
    assert_eq!(
        serde_json::from_str::<Value>(&state.to_string()).unwrap(),
        over_http
    );
    assert!(state.to_string().contains("\"name\":\"Shown\""), "{state}");
}
