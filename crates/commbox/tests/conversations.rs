//! Create conversation: every channel, what goes on the wire, and the ids returned.

mod common;

use commbox::*;
use common::*;
use serde_json::json;

#[test]
fn email_goes_out_as_documented_and_returns_the_new_id() {
    let (mock, client) = setup();
    let id = client
        .create_conversation(
            "b9910a75",
            EmailConversation::new("john.doe@gmail.com", "mail subject", "some message")
                .to_named("john.doe@gmail.com", "John Doe")
                .cc("team@example.com")
                .bcc_named("audit@example.com", "Audit")
                .status(ObjectStatusType::OPEN)
                .manager_id(12345)
                .user(
                    User::new()
                        .unique_id("01234567")
                        .first_name("John")
                        .last_name("Doe")
                        .phone1("05055555555")
                        .email("john.doe@gmail.com")
                        .remarks("vip"),
                ),
        )
        .unwrap();
    let req = only_request(&mock);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/streams/b9910a75/objects");
    assert_eq!(req.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        sent_object(&req),
        json!({
            "Type": 5, "StatusId": 1, "StreamProviderType": 4,
            "UserStreamProviderId": "john.doe@gmail.com", "UserStreamProviderType": 4,
            "ManagerId": 12345,
            "Content": {
                "subject": "mail subject",
                "to": [{"address": "john.doe@gmail.com", "name": "John Doe"}],
                "cc": [{"address": "team@example.com"}],
                "bcc": [{"address": "audit@example.com", "name": "Audit"}]
            },
            "Message": "some message",
            "User": {"UniqueId": "01234567", "FirstName": "John", "LastName": "Doe",
                     "Phone1": "05055555555", "Email": "john.doe@gmail.com", "Remarks": "vip"}
        })
    );
    let stored = mock.objects();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id as i64, id);
    assert_eq!(stored[0].stream_id, "b9910a75");
}

#[test]
fn the_request_json_is_wrapped_in_data() {
    let (mock, client) = setup();
    client
        .create_conversation("s", SmsConversation::new("+972544444444", "hi"))
        .unwrap();
    let req = only_request(&mock);
    assert_eq!(req.json.as_ref().unwrap()["data"]["Message"], "hi");
    let objects = mock.objects();
    let stored = &objects[0];
    assert_eq!(stored.data["UserStreamProviderId"], "972544444444");
}

#[test]
fn sms_bulk_whatsapp_and_chat() {
    let (mock, client) = setup();
    let sms = client
        .create_conversation(
            "sms-stream",
            SmsConversation::new("+972544444444", "Your code is 1234")
                .stream_provider_id("972544444444"),
        )
        .unwrap();
    let bulk = client
        .create_conversation(
            "sms-stream",
            BulkSmsConversation::new("972544444444", "Closing at 6")
                .recipient("+972522222222")
                .recipient("972533333333"),
        )
        .unwrap();
    let wa = client
        .create_conversation(
            "wa-stream",
            WhatsAppTemplateConversation::new("972544444444", "test_template", "some message")
                .to("972522222222")
                .params(["check_1", "check_2"])
                .language("en"),
        )
        .unwrap();
    let chat = client
        .create_conversation(
            "chat-stream",
            ChatConversation::new("972544444444", "Hello from the site")
                .user_identity(100000000419660)
                .manager_id(36197),
        )
        .unwrap();
    assert!(sms < bulk && bulk < wa && wa < chat, "ids increase");

    let reqs = mock.requests();
    assert_eq!(reqs.len(), 4);
    let body = |i: usize| sent_object(&reqs[i]);
    assert_eq!(
        body(0),
        json!({"Type": 4, "StreamProviderType": 5, "StreamProviderId": "972544444444",
               "UserStreamProviderId": "972544444444", "UserStreamProviderType": 5,
               "Message": "Your code is 1234"})
    );
    assert_eq!(
        body(1),
        json!({"Type": 4, "StreamProviderType": 5, "UserStreamProviderId": "972544444444",
               "UserStreamProviderType": 5, "sendToClient": true,
               "Content": {"to": ["972522222222", "972533333333"]}, "Message": "Closing at 6"})
    );
    assert_eq!(
        body(2),
        json!({"Type": 4, "StreamProviderType": 7, "UserStreamProviderId": "972544444444",
               "UserStreamProviderType": 5,
               "Content": {"to": ["972522222222"], "whatsapp_hsm_name": "test_template",
                           "whatsapp_localizable_params": ["check_1", "check_2"],
                           "whatsapp_language_code": "en"},
               "Message": "some message"})
    );
    assert_eq!(
        body(3),
        json!({"Type": 4, "StreamProviderType": 0, "UserStreamProviderId": "972544444444",
               "UserStreamProviderType": 5, "UserIdentity": 100000000419660i64,
               "ManagerId": 36197, "Message": "Hello from the site", "createChildObject": true})
    );
}

#[test]
fn three_attachments_go_as_multipart_data_plus_file_parts() {
    let (mock, client) = setup();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    let xlsx = dir.path().join("analysis.xlsx");
    let sha_pdf = write_file(&pdf, 10_000);
    let sha_xlsx = write_file(&xlsx, 20_001);
    let pptx_bytes = b"slides".to_vec();
    client
        .create_conversation(
            "s",
            EmailConversation::new("manager@example.com", "Monthly report", "Please review.")
                .attachment(Attachment::from_path(&pdf))
                .attachment(Attachment::from_path(&xlsx))
                .attachment(Attachment::from_bytes(
                    "presentation.pptx",
                    pptx_bytes.clone(),
                )),
        )
        .unwrap();
    let req = only_request(&mock);
    assert_eq!(req.content_type.as_deref(), Some("multipart/form-data"));
    assert!(req.headers["content-type"].starts_with("multipart/form-data; boundary="));
    // Streamed from disk yet with a known total length.
    assert_eq!(req.headers["content-length"], req.body_size.to_string());
    let names: Vec<&str> = req.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["data", "file", "file", "file"]);
    assert_eq!(
        req.json.as_ref().unwrap()["Content"]["subject"],
        "Monthly report"
    );
    let files: Vec<(Option<&str>, Option<&str>, u64, &str)> = req.parts[1..]
        .iter()
        .map(|p| {
            (
                p.filename.as_deref(),
                p.content_type.as_deref(),
                p.size,
                p.sha256.as_str(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            (
                Some("report.pdf"),
                Some("application/pdf"),
                10_000,
                sha_pdf.as_str()
            ),
            (
                Some("analysis.xlsx"),
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                20_001,
                sha_xlsx.as_str()
            ),
            (
                Some("presentation.pptx"),
                Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                6,
                sha256_hex(&pptx_bytes).as_str()
            ),
        ]
    );
    assert_eq!(mock.objects()[0].attachments.len(), 3);
}

#[test]
fn attachment_url_form_goes_in_content() {
    let (mock, client) = setup();
    client
        .create_conversation(
            "s",
            EmailConversation::new("a@b.co", "s", "m")
                .attachment_url("https://example.com/x.png", "basketball.png"),
        )
        .unwrap();
    assert_eq!(
        sent_object(&only_request(&mock))["Content"]["attachments"],
        json!([{"path": "https://example.com/x.png", "name": "basketball.png"}])
    );
}

#[test]
fn json_you_already_hold_is_sent_as_is() {
    let (mock, client) = setup();
    let object = json!({"Type": 4, "StreamProviderType": 5, "UserStreamProviderId": "972544444444",
                        "UserStreamProviderType": 5, "Message": "legacy"});
    let a = client.create_conversation_json("s", &object).unwrap();
    let b = client
        .create_conversation_json("s", &json!({ "data": object.clone() }))
        .unwrap();
    assert!(b > a);
    let reqs = mock.requests();
    assert_eq!(sent_object(&reqs[0]), object);
    assert_eq!(sent_object(&reqs[1]), object);
    let e = client
        .create_conversation_json("s", &json!({"Type": 4}))
        .unwrap_err();
    assert_eq!(e.to_string(), "Message: required");
    assert_eq!(mock.request_count(), 2, "the bad one was not sent");
}

#[test]
fn every_request_carries_a_request_id_and_user_agent() {
    let (mock, client) = setup();
    client
        .create_conversation("s", SmsConversation::new("1", "m"))
        .unwrap();
    let req = only_request(&mock);
    let id = &req.headers["x-request-id"];
    assert_eq!(id.len(), 36);
    assert!(req.headers["user-agent"].starts_with("libcommbox/"));
    assert_eq!(req.headers["authorization"], "Bearer ***");
}
