//! Bad input: a field-named error, and nothing on the wire. Hostile input (empty, huge,
//! control characters, CR/LF, odd ids and file names) is in the case table
//! (tests/cases/hostile.json, run by hostile_cases.rs).

mod common;

use commbox::blocking::Client;
use commbox::*;
use common::*;

fn check(client: &Client, mock: &commbox_mock::MockServer, field: &str, r: Result<i64>) {
    let e = r.expect_err("must be refused");
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert_eq!(e.field(), Some(field), "{e}");
    assert!(e.to_string().starts_with(field), "{e}");
    assert_eq!(mock.request_count(), 0, "nothing may be sent for {field}");
    let _ = client;
}

#[test]
fn every_validation_failure_sends_nothing() {
    let (mock, c) = setup();
    let cases: Vec<(&str, Result<i64>)> = vec![
        (
            "UserStreamProviderId",
            c.create_conversation("s", SmsConversation::new("054-1234", "m")),
        ),
        (
            "UserStreamProviderId",
            c.create_conversation("s", EmailConversation::new("not-mail", "s", "m")),
        ),
        (
            "Content.to[0]",
            c.create_conversation("s", EmailConversation::new("a@b.co", "s", "m").to("x@")),
        ),
        (
            "Content.cc[1]",
            c.create_conversation(
                "s",
                EmailConversation::new("a@b.co", "s", "m")
                    .cc("c@d.io")
                    .cc("bad"),
            ),
        ),
        (
            "Content.bcc[0]",
            c.create_conversation("s", EmailConversation::new("a@b.co", "s", "m").bcc("@x.io")),
        ),
        (
            "Content.to",
            c.create_conversation("s", BulkSmsConversation::new("972544444444", "m")),
        ),
        (
            "Content.to[0]",
            c.create_conversation(
                "s",
                BulkSmsConversation::new("972544444444", "m").recipient("+1 555"),
            ),
        ),
        (
            "Content.to[0]",
            c.create_conversation(
                "s",
                WhatsAppTemplateConversation::new("972544444444", "t", "m").to("abc"),
            ),
        ),
        (
            "User.Email",
            c.create_conversation(
                "s",
                ChatConversation::new("972544444444", "m").user(User::new().email("nope")),
            ),
        ),
        (
            "object_id",
            c.create_message("s", "", NewMessage::from_customer("a@b.co", "m")),
        ),
        (
            "UserIdentity",
            c.create_message("s", 1, NewMessage::from_agent(0, "a@b.co", "m")),
        ),
    ];
    for (field, result) in cases {
        check(&c, &mock, field, result);
    }
    let e = c.get_conversation("s", " ").unwrap_err();
    assert_eq!(e.field(), Some("object_id"));
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn missing_attachment_message_is_readable() {
    let (mock, c) = setup();
    let e = c
        .create_conversation(
            "s",
            EmailConversation::new("a@b.co", "s", "m")
                .attachment(Attachment::from_path("/nope/x.pdf")),
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "attachment \"/nope/x.pdf\": no such file");
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn client_settings_are_checked() {
    let e = Client::builder()
        .api_key("k")
        .base_url("http://api.commbox.io")
        .build()
        .unwrap_err();
    assert_eq!(e.field(), Some("base_url"));
    let e = Client::builder()
        .api_key("k")
        .ca_file("/no/such/ca.pem")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    let e = Client::builder()
        .api_key("k")
        .proxy("::not a url::")
        .build()
        .unwrap_err();
    assert_eq!(e.field(), Some("proxy"));
    let e = Client::builder()
        .api_key("k")
        .timeout(std::time::Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(e.field(), Some("timeout"));
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let e = Client::builder()
        .api_key("k")
        .ca_file(&not_pem)
        .build()
        .unwrap_err();
    assert_eq!(e.field(), Some("ca_file"));
}
