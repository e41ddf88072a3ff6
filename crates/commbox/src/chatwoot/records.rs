//! What the Chatwoot public API returns, in the shapes the server really emits (integers for
//! ids, timestamps and `message_type`; `content_attributes` an object), decoded leniently
//! with every field kept in `raw`.
//!
//! Each record has one JSON form (its `Serialize` impl, schema in `docs/schemas/`), by the
//! same rule as the CommBox records (docs/json-forms.md): snake_case keys in declaration
//! order, every key always present (`null` when the server did not send the value, `[]` for an
//! absent list), `message_type` as its integer, and `raw` holding what the server sent.

use super::MessageType;
use crate::lenient::{boolean, field, int, string};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// An API-channel inbox (`GET /public/api/v1/inboxes/{inbox_identifier}`).
///
/// JSON form: `{"identifier": "…", "name": "…", "identity_validation_enabled": false,
/// "timezone": "UTC", "working_hours_enabled": false, "csat_survey_enabled": null,
/// "greeting_enabled": null, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Inbox {
    /// `identifier`, or null.
    pub identifier: Option<String>,
    /// `name`, or null.
    pub name: Option<String>,
    /// `identity_validation_enabled` (false when absent): contacts calls need a valid
    /// `identifier_hash`.
    pub identity_validation_enabled: bool,
    /// `timezone`, or null.
    pub timezone: Option<String>,
    /// `working_hours_enabled`, or null.
    pub working_hours_enabled: Option<bool>,
    /// `csat_survey_enabled`, or null.
    pub csat_survey_enabled: Option<bool>,
    /// `greeting_enabled`, or null.
    pub greeting_enabled: Option<bool>,
    /// Everything the server sent.
    pub raw: Value,
}

/// A contact. Create and get return `source_id` and `pubsub_token`; update returns the full
/// contact model without them (they are null then).
///
/// JSON form: `{"id": 7, "source_id": "crm-42", "pubsub_token": "…", "name": "John Doe",
/// "email": null, "phone_number": null, "identifier": null, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Contact {
    /// `id` of the contact in the account.
    pub id: i64,
    /// `source_id`: the contact's identifier in this inbox, used in every later path; null
    /// in update answers.
    pub source_id: Option<String>,
    /// `pubsub_token`: authenticates the contact's websocket (ActionCable `RoomChannel`);
    /// null in update answers.
    pub pubsub_token: Option<String>,
    /// `name`, or null.
    pub name: Option<String>,
    /// `email`, or null.
    pub email: Option<String>,
    /// `phone_number`, or null.
    pub phone_number: Option<String>,
    /// `identifier` (in the full model only), or null.
    pub identifier: Option<String>,
    /// Everything the server sent.
    pub raw: Value,
}

/// A Chatwoot conversation, with every public message (`ChatwootConversation` in the
/// schemas and in Python).
///
/// JSON form: `{"id": 3, "uuid": "…", "inbox_id": 1, "status": "open",
/// "contact_last_seen_at": 0, "agent_last_seen_at": null, "messages": [ChatwootMessage…],
/// "contact": {…}, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "ChatwootConversation")]
pub struct InboxConversation {
    /// `id`: the display id, used in paths.
    pub id: i64,
    /// `uuid`, or null.
    pub uuid: Option<String>,
    /// `inbox_id`, or null.
    pub inbox_id: Option<i64>,
    /// `status`: open, resolved, pending or snoozed; or null.
    pub status: Option<String>,
    /// `contact_last_seen_at` (unix seconds; 0 when never), or null.
    pub contact_last_seen_at: Option<i64>,
    /// `agent_last_seen_at` (unix seconds), or null.
    pub agent_last_seen_at: Option<i64>,
    /// `messages`: every public, non-activity message; `[]` when absent.
    pub messages: Vec<InboxMessage>,
    /// `contact`: the full contact record as sent, or null.
    pub contact: Option<Value>,
    /// Everything the server sent, `messages` included.
    pub raw: Value,
}

/// A Chatwoot message (`ChatwootMessage` in the schemas and in Python).
///
/// JSON form: `{"id": 11, "content": "Hello", "message_type": 0, "content_type": "text",
/// "content_attributes": {}, "created_at": 1700000000, "conversation_id": 3,
/// "attachments": [MessageAttachment…], "sender": {…}, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "ChatwootMessage")]
pub struct InboxMessage {
    /// `id`.
    pub id: i64,
    /// `content` (null for attachment-only messages).
    pub content: Option<String>,
    /// `message_type` as its integer (0 incoming, 1 outgoing, 2 activity, 3 template), or null.
    pub message_type: Option<MessageType>,
    /// `content_type` (text, input_select, cards, …), or null.
    pub content_type: Option<String>,
    /// `content_attributes` (an object; `{}` when absent).
    pub content_attributes: Value,
    /// `created_at` (unix seconds), or null.
    pub created_at: Option<i64>,
    /// `conversation_id`: the display id; or null.
    pub conversation_id: Option<i64>,
    /// `attachments` (`[]` when the key is absent, as it is for messages without files).
    pub attachments: Vec<MessageAttachment>,
    /// `sender`: the contact's (or agent's) public data as sent, or null.
    pub sender: Option<Value>,
    /// Everything the server sent.
    pub raw: Value,
}

/// A file on a Chatwoot message.
///
/// JSON form: `{"id": 5, "file_type": "image", "extension": null, "data_url": "…",
/// "thumb_url": "…", "file_size": 2048, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MessageAttachment {
    /// `id`, or null.
    pub id: Option<i64>,
    /// `file_type`: image, video, audio or file (from the upload's content type); or null.
    pub file_type: Option<String>,
    /// `extension`, or null.
    pub extension: Option<String>,
    /// `data_url`: where to download it; or null.
    pub data_url: Option<String>,
    /// `thumb_url`, or null.
    pub thumb_url: Option<String>,
    /// `file_size` in bytes, or null.
    pub file_size: Option<i64>,
    /// Everything the server sent.
    pub raw: Value,
}

impl Inbox {
    pub(crate) fn from_json(v: &Value) -> Inbox {
        Inbox {
            identifier: string(v, &["identifier"]),
            name: string(v, &["name"]),
            identity_validation_enabled: boolean(v, &["identity_validation_enabled"])
                .unwrap_or(false),
            timezone: string(v, &["timezone"]),
            working_hours_enabled: boolean(v, &["working_hours_enabled"]),
            csat_survey_enabled: boolean(v, &["csat_survey_enabled"]),
            greeting_enabled: boolean(v, &["greeting_enabled"]),
            raw: v.clone(),
        }
    }
}

impl Contact {
    pub(crate) fn from_json(v: &Value) -> Option<Contact> {
        Some(Contact {
            id: int(v, &["id"])?,
            source_id: string(v, &["source_id"]),
            pubsub_token: string(v, &["pubsub_token"]),
            name: string(v, &["name"]),
            email: string(v, &["email"]),
            phone_number: string(v, &["phone_number"]),
            identifier: string(v, &["identifier"]),
            raw: v.clone(),
        })
    }
}

impl InboxConversation {
    pub(crate) fn from_json(v: &Value) -> Option<InboxConversation> {
        Some(InboxConversation {
            id: int(v, &["id"])?,
            uuid: string(v, &["uuid"]),
            inbox_id: int(v, &["inbox_id"]),
            status: string(v, &["status"]),
            contact_last_seen_at: int(v, &["contact_last_seen_at"]),
            agent_last_seen_at: int(v, &["agent_last_seen_at"]),
            messages: list(field(v, &["messages"]), InboxMessage::from_json),
            contact: field(v, &["contact"]).cloned(),
            raw: v.clone(),
        })
    }
}

impl InboxMessage {
    pub(crate) fn from_json(v: &Value) -> Option<InboxMessage> {
        Some(InboxMessage {
            id: int(v, &["id"])?,
            content: string(v, &["content"]),
            message_type: int(v, &["message_type"]).map(MessageType),
            content_type: string(v, &["content_type"]),
            content_attributes: field(v, &["content_attributes"])
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default())),
            created_at: int(v, &["created_at"]),
            conversation_id: int(v, &["conversation_id"]),
            attachments: list(field(v, &["attachments"]), |a| {
                Some(MessageAttachment {
                    id: int(a, &["id"]),
                    file_type: string(a, &["file_type"]),
                    extension: string(a, &["extension"]),
                    data_url: string(a, &["data_url"]),
                    thumb_url: string(a, &["thumb_url"]),
                    file_size: int(a, &["file_size"]),
                    raw: a.clone(),
                })
            }),
            sender: field(v, &["sender"]).cloned(),
            raw: v.clone(),
        })
    }
}

/// The decodable items of a JSON array (anything else: none).
pub(crate) fn list<T>(v: Option<&Value>, f: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    v.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(f).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    //! The exact JSON form of each record, with every optional value present and with none.

    use super::*;
    use serde::Serialize;
    use serde_json::json;

    fn text<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn inbox() {
        let full = json!({"identifier": "in-1", "name": "Support", "identity_validation_enabled": true,
                          "timezone": "UTC", "working_hours_enabled": false,
                          "csat_survey_enabled": true, "greeting_enabled": false});
        assert_eq!(
            text(&Inbox::from_json(&full)),
            r#"{"identifier":"in-1","name":"Support","identity_validation_enabled":true,"timezone":"UTC","working_hours_enabled":false,"csat_survey_enabled":true,"greeting_enabled":false,"raw":{"csat_survey_enabled":true,"greeting_enabled":false,"identifier":"in-1","identity_validation_enabled":true,"name":"Support","timezone":"UTC","working_hours_enabled":false}}"#
        );
        assert_eq!(
            text(&Inbox::from_json(&json!({}))),
            r#"{"identifier":null,"name":null,"identity_validation_enabled":false,"timezone":null,"working_hours_enabled":null,"csat_survey_enabled":null,"greeting_enabled":null,"raw":{}}"#
        );
    }

    #[test]
    fn contact() {
        let full = json!({"id": 7, "source_id": "crm-42", "pubsub_token": "tok", "name": "John Doe",
                          "email": "john@example.com", "phone_number": "+972541234567",
                          "identifier": "user-42"});
        assert_eq!(
            text(&Contact::from_json(&full).unwrap()),
            r#"{"id":7,"source_id":"crm-42","pubsub_token":"tok","name":"John Doe","email":"john@example.com","phone_number":"+972541234567","identifier":"user-42","raw":{"email":"john@example.com","id":7,"identifier":"user-42","name":"John Doe","phone_number":"+972541234567","pubsub_token":"tok","source_id":"crm-42"}}"#
        );
        assert_eq!(
            text(&Contact::from_json(&json!({"id": 8})).unwrap()),
            r#"{"id":8,"source_id":null,"pubsub_token":null,"name":null,"email":null,"phone_number":null,"identifier":null,"raw":{"id":8}}"#
        );
    }

    #[test]
    fn conversation_message_and_attachment() {
        let attachment = json!({"id": 5, "file_type": "image", "extension": "png",
                                "data_url": "https://x/a.png", "thumb_url": "https://x/t.png",
                                "file_size": 2048});
        let message = json!({"id": 11, "content": "Hello", "message_type": 0, "content_type": "text",
                             "content_attributes": {"k": 1}, "created_at": 1700000000,
                             "conversation_id": 3, "attachments": [attachment, {}],
                             "sender": {"id": 7}});
        let conv = json!({"id": 3, "uuid": "u-1", "inbox_id": 1, "status": "open",
                          "contact_last_seen_at": 0, "agent_last_seen_at": 1700000001,
                          "messages": [message], "contact": {"id": 7}});
        let att_form = r#"{"id":5,"file_type":"image","extension":"png","data_url":"https://x/a.png","thumb_url":"https://x/t.png","file_size":2048,"raw":{"data_url":"https://x/a.png","extension":"png","file_size":2048,"file_type":"image","id":5,"thumb_url":"https://x/t.png"}}"#;
        let empty_att_form = r#"{"id":null,"file_type":null,"extension":null,"data_url":null,"thumb_url":null,"file_size":null,"raw":{}}"#;
        let msg_form = format!(
            concat!(
                r#"{{"id":11,"content":"Hello","message_type":0,"content_type":"text","content_attributes":{{"k":1}},"#,
                r#""created_at":1700000000,"conversation_id":3,"attachments":[{a},{e}],"sender":{{"id":7}},"raw":{m}}}"#
            ),
            a = att_form,
            e = empty_att_form,
            m = text(&message)
        );
        let m = InboxMessage::from_json(&message).unwrap();
        assert_eq!(text(&m), msg_form);
        assert_eq!(text(&m.attachments[0]), att_form);
        assert_eq!(
            text(&InboxConversation::from_json(&conv).unwrap()),
            format!(
                concat!(
                    r#"{{"id":3,"uuid":"u-1","inbox_id":1,"status":"open","contact_last_seen_at":0,"#,
                    r#""agent_last_seen_at":1700000001,"messages":[{m}],"contact":{{"id":7}},"raw":{c}}}"#
                ),
                m = msg_form,
                c = text(&conv)
            )
        );
    }

    #[test]
    fn conversation_and_message_with_nothing_optional() {
        assert_eq!(
            text(&InboxConversation::from_json(&json!({"id": 4})).unwrap()),
            r#"{"id":4,"uuid":null,"inbox_id":null,"status":null,"contact_last_seen_at":null,"agent_last_seen_at":null,"messages":[],"contact":null,"raw":{"id":4}}"#
        );
        assert_eq!(
            text(&InboxMessage::from_json(&json!({"id": 12})).unwrap()),
            r#"{"id":12,"content":null,"message_type":null,"content_type":null,"content_attributes":{},"created_at":null,"conversation_id":null,"attachments":[],"sender":null,"raw":{"id":12}}"#
        );
    }
}
