//! Create message: customer and agent, attachments as files and in base64 form, and the
//! conversation read back with its messages.

mod common;

use commbox::blocking::Client;
use commbox::*;
use common::*;
use serde_json::json;

fn new_conversation(client: &Client, stream: &str) -> i64 {
    client
        .create_conversation(stream, ChatConversation::new("MrDoe@gmail.com", "Hello"))
        .unwrap()
}

#[test]
fn customer_and_agent_messages_match_the_documented_bodies() {
    let (mock, client) = setup();
    let object = new_conversation(&client, "chat");
    let customer = client
        .create_message(
            "chat",
            object,
            NewMessage::from_customer("MrDoe@gmail.com", "A message on behalf of Mr. John Doe"),
        )
        .unwrap();
    let agent = client
        .create_message(
            "chat",
            object.to_string(),
            NewMessage::from_agent(36574658, "best.agent@commbox.com", "On behalf of the agent"),
        )
        .unwrap();
    assert!(agent > customer);
    let reqs = mock.requests();
    assert_eq!(
        reqs[1].path,
        format!("/streams/chat/objects/{object}/child")
    );
    assert_eq!(
        sent_object(&reqs[1]),
        json!({"Type": 4, "UserStreamProviderId": "MrDoe@gmail.com",
               "UserStreamProviderType": 4, "Message": "A message on behalf of Mr. John Doe"})
    );
    assert_eq!(
        sent_object(&reqs[2]),
        json!({"IsManager": true, "UserIdentity": 36574658, "Type": 4,
               "UserStreamProviderId": "best.agent@commbox.com", "UserStreamProviderType": 4,
               "Message": "On behalf of the agent"})
    );

    let conv = client.get_conversation("chat", object).unwrap();
    assert_eq!(conv.id, object);
    let ids: Vec<i64> = conv.messages.iter().map(|m| m.id).collect();
    assert!(ids.ends_with(&[customer, agent]), "{ids:?}");
    let last = conv.messages.last().unwrap();
    assert_eq!(last.message.as_deref(), Some("On behalf of the agent"));
    assert_eq!(last.is_manager, Some(true));
    assert_eq!(
        mock.requests()[3].query.as_deref(),
        Some("includeChilds=true")
    );
}

#[test]
fn attachments_as_file_parts() {
    let (mock, client) = setup();
    let object = new_conversation(&client, "chat");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.png");
    let sha = write_file(&path, 123_457);
    client
        .create_message(
            "chat",
            object,
            NewMessage::from_customer("972544444444", "").attachment(Attachment::from_path(&path)),
        )
        .unwrap();
    let req = &mock.requests()[1];
    assert_eq!(req.parts.len(), 2);
    assert_eq!(req.parts[0].name, "data");
    assert_eq!(
        sent_object(req),
        json!({"Type": 4, "UserStreamProviderId": "972544444444", "UserStreamProviderType": 5})
    );
    assert_eq!(req.parts[1].name, "file");
    assert_eq!(req.parts[1].filename.as_deref(), Some("photo.png"));
    assert_eq!(req.parts[1].content_type.as_deref(), Some("image/png"));
    assert_eq!(req.parts[1].sha256, sha);
    let objects = mock.objects();
    let child = &objects[0].children.last().unwrap().attachments[0];
    assert_eq!((child.size, child.sha256.as_str()), (123_457, sha.as_str()));
}

#[test]
fn attachments_in_base64_form_decode_to_the_same_bytes() {
    let (mock, client) = setup();
    let object = new_conversation(&client, "chat");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    let sha = write_file(&path, 100_001);
    client
        .create_message(
            "chat",
            object,
            NewMessage::from_agent(36574658, "best.agent@commbox.com", "Your invoice")
                .attachment(Attachment::from_path(&path))
                .attachments_as_base64(true),
        )
        .unwrap();
    let req = &mock.requests()[1];
    assert_eq!(req.parts[1].name, "file");
    assert_eq!(req.parts[1].filename, None, "a text field, not an upload");
    // "filename:invoice.pdf;base64:" + 4 * ceil(100001 / 3)
    assert_eq!(req.parts[1].size, 28 + 133_336);
    let objects = mock.objects();
    let stored = &objects[0].children.last().unwrap().attachments[0];
    assert_eq!(stored.name, "invoice.pdf");
    assert_eq!(stored.sha256, sha);
    assert_eq!(stored.size, 100_001);
}

#[test]
fn message_json_you_already_hold() {
    let (mock, client) = setup();
    let object = new_conversation(&client, "chat");
    let child = json!({"data": {"Type": 4, "UserStreamProviderId": "MrDoe@gmail.com",
                                "UserStreamProviderType": 4, "Message": "legacy"}});
    client.create_message_json("chat", object, &child).unwrap();
    assert_eq!(mock.requests()[1].json.as_ref().unwrap(), &child);
}

#[test]
fn unknown_conversation_is_not_found() {
    let (_mock, client) = setup();
    let e = client
        .create_message("chat", 999, NewMessage::from_customer("a@b.co", "x"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.http_status(), Some(404));
    let e = client.get_conversation("chat", 999).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}
