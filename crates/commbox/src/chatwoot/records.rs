//! What the Chatwoot public API returns, in the shapes the server really emits (integers for
//! ids, timestamps and `message_type`; `content_attributes` an object), decoded leniently
//! with every field kept in `raw`.

use super::MessageType;
use crate::lenient::{boolean, field, int, string};
use serde_json::Value;

/// An API-channel inbox (`GET /public/api/v1/inboxes/{inbox_identifier}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Inbox {
    /// `identifier`.
    pub identifier: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `identity_validation_enabled`: contacts calls need a valid `identifier_hash`.
    pub identity_validation_enabled: bool,
    /// `timezone`.
    pub timezone: Option<String>,
    /// `working_hours_enabled`.
    pub working_hours_enabled: Option<bool>,
    /// `csat_survey_enabled`.
    pub csat_survey_enabled: Option<bool>,
    /// `greeting_enabled`.
    pub greeting_enabled: Option<bool>,
    /// Everything the server sent.
    pub raw: Value,
}

/// A contact. Create and get return `source_id` and `pubsub_token`; update returns the full
/// contact model without them.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// `id` of the contact in the account.
    pub id: i64,
    /// `source_id`: the contact's identifier in this inbox, used in every later path.
    pub source_id: Option<String>,
    /// `pubsub_token`: authenticates the contact's websocket (ActionCable `RoomChannel`).
    pub pubsub_token: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phone_number`.
    pub phone_number: Option<String>,
    /// `identifier` (in the full model only).
    pub identifier: Option<String>,
    /// Everything the server sent.
    pub raw: Value,
}

/// A conversation, with every public message.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// `id`: the display id, used in paths.
    pub id: i64,
    /// `uuid`.
    pub uuid: Option<String>,
    /// `inbox_id`.
    pub inbox_id: Option<i64>,
    /// `status`: open, resolved, pending or snoozed.
    pub status: Option<String>,
    /// `contact_last_seen_at` (unix seconds; 0 when never).
    pub contact_last_seen_at: Option<i64>,
    /// `agent_last_seen_at` (unix seconds).
    pub agent_last_seen_at: Option<i64>,
    /// `messages`: every public, non-activity message.
    pub messages: Vec<Message>,
    /// `contact`: the full contact record.
    pub contact: Option<Value>,
    /// Everything the server sent.
    pub raw: Value,
}

/// A message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `id`.
    pub id: i64,
    /// `content` (null for attachment-only messages).
    pub content: Option<String>,
    /// `message_type`.
    pub message_type: Option<MessageType>,
    /// `content_type` (text, input_select, cards, …).
    pub content_type: Option<String>,
    /// `content_attributes` (an object; `{}` when empty).
    pub content_attributes: Value,
    /// `created_at` (unix seconds).
    pub created_at: Option<i64>,
    /// `conversation_id`: the display id.
    pub conversation_id: Option<i64>,
    /// `attachments` (empty when the key is absent, as it is for messages without files).
    pub attachments: Vec<MessageAttachment>,
    /// `sender`: the contact's (or agent's) public data.
    pub sender: Option<Value>,
    /// Everything the server sent.
    pub raw: Value,
}

/// A file on a message.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageAttachment {
    /// `id`.
    pub id: Option<i64>,
    /// `file_type`: image, video, audio or file (from the upload's content type).
    pub file_type: Option<String>,
    /// `extension`.
    pub extension: Option<String>,
    /// `data_url`: where to download it.
    pub data_url: Option<String>,
    /// `thumb_url`.
    pub thumb_url: Option<String>,
    /// `file_size` in bytes.
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

impl Conversation {
    pub(crate) fn from_json(v: &Value) -> Option<Conversation> {
        Some(Conversation {
            id: int(v, &["id"])?,
            uuid: string(v, &["uuid"]),
            inbox_id: int(v, &["inbox_id"]),
            status: string(v, &["status"]),
            contact_last_seen_at: int(v, &["contact_last_seen_at"]),
            agent_last_seen_at: int(v, &["agent_last_seen_at"]),
            messages: list(field(v, &["messages"]), Message::from_json),
            contact: field(v, &["contact"]).cloned(),
            raw: v.clone(),
        })
    }
}

impl Message {
    pub(crate) fn from_json(v: &Value) -> Option<Message> {
        Some(Message {
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
