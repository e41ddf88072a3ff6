//! What the CommBox API returns, decoded leniently with the raw JSON kept.

use crate::commbox::enums::{ObjectStatusType, ObjectType, StreamProviderType};
use crate::lenient::{self, boolean, int, string};
use serde_json::Value;

/// A decoded CommBox envelope `{status, description, response_time, data}`.
///
/// `status` may arrive as a string or a number; the HTTP status line is the truth and is
/// in [`Envelope::http_status`].
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The HTTP status of the answer.
    pub http_status: u16,
    /// The envelope's own `status`, if it had a readable one.
    pub status: Option<i64>,
    /// The envelope's `description`.
    pub description: Option<String>,
    /// The envelope's `response_time` (UTC, as sent).
    pub response_time: Option<String>,
    /// The envelope's `data` (`null` when absent).
    pub data: Value,
    /// The `X-Request-Id` this client sent.
    pub request_id: String,
}

/// A conversation (CommBox object) with its messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// `objectId`.
    pub id: i64,
    /// `streamId`.
    pub stream_id: Option<String>,
    /// `subStreamId`.
    pub sub_stream_id: Option<i64>,
    /// `statusId`.
    pub status: Option<ObjectStatusType>,
    /// `type`.
    pub object_type: Option<ObjectType>,
    /// The first (or last) message text.
    pub message: Option<String>,
    /// `createdTime`.
    pub created_time: Option<String>,
    /// `isManager`.
    pub is_manager: Option<bool>,
    /// Its messages, oldest first (`childs`).
    pub messages: Vec<ConversationMessage>,
    /// Everything the server sent for this object.
    pub raw: Value,
}

/// A message (CommBox child) in a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationMessage {
    /// `id`.
    pub id: i64,
    /// `object_id`.
    pub object_id: Option<i64>,
    /// `type`.
    pub object_type: Option<ObjectType>,
    /// `message`.
    pub message: Option<String>,
    /// `content` (a JSON string in CommBox's data model).
    pub content: Option<String>,
    /// `createdTime`.
    pub created_time: Option<String>,
    /// `isManager` (at the top or in `user`).
    pub is_manager: Option<bool>,
    /// `streamProviderType`.
    pub stream_provider_type: Option<StreamProviderType>,
    /// Everything the server sent for this message.
    pub raw: Value,
}

/// An agent or admin (`GET /managers`).
#[derive(Debug, Clone, PartialEq)]
pub struct Manager {
    /// `id`: use it as `UserIdentity` for agent messages.
    pub id: i64,
    /// `identityId`.
    pub identity_id: Option<i64>,
    /// `firstName`.
    pub first_name: Option<String>,
    /// `lastName`.
    pub last_name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `userName`.
    pub user_name: Option<String>,
    /// `permissionId` (3 = admin).
    pub permission_id: Option<i64>,
    /// `teamName`.
    pub team_name: Option<String>,
    /// Everything the server sent for this manager.
    pub raw: Value,
}

/// The answer of `GET /core/systemstatus`.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemStatus {
    /// HTTP status (200 when the system and the key are fine).
    pub http_status: u16,
    /// `description`, e.g. "System is operational".
    pub description: String,
    /// `response_time`.
    pub response_time: Option<String>,
}

impl Conversation {
    /// Decodes one object. Children are read from `childs` (also where Commbox.json puts
    /// them, inside `user`).
    pub(crate) fn from_json(v: &Value) -> Option<Conversation> {
        let id = int(v, &["objectId", "id"])?;
        let childs = lenient::field(v, &["childs", "children"])
            .or_else(|| lenient::field(v, &["user"]).and_then(|u| lenient::field(u, &["childs"])))
            .and_then(Value::as_array);
        let messages = childs
            .map(|list| {
                list.iter()
                    .filter_map(ConversationMessage::from_json)
                    .collect()
            })
            .unwrap_or_default();
        Some(Conversation {
            id,
            stream_id: string(v, &["streamId"]),
            sub_stream_id: int(v, &["subStreamId"]),
            status: int(v, &["statusId", "status"]).map(ObjectStatusType),
            object_type: int(v, &["type"]).map(ObjectType),
            message: string(v, &["message"]),
            created_time: string(v, &["createdTime"]),
            is_manager: boolean(v, &["isManager"]),
            messages,
            raw: v.clone(),
        })
    }
}

impl ConversationMessage {
    fn from_json(v: &Value) -> Option<ConversationMessage> {
        let is_manager = boolean(v, &["isManager"])
            .or_else(|| lenient::field(v, &["user"]).and_then(|u| boolean(u, &["isManager"])));
        Some(ConversationMessage {
            id: int(v, &["id", "childId"])?,
            object_id: int(v, &["objectId"]),
            object_type: int(v, &["type"]).map(ObjectType),
            message: string(v, &["message"]),
            content: lenient::field(v, &["content"]).map(|c| match c {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            created_time: string(v, &["createdTime"]),
            is_manager,
            stream_provider_type: int(v, &["streamProviderType"]).map(StreamProviderType),
            raw: v.clone(),
        })
    }
}

impl Manager {
    pub(crate) fn from_json(v: &Value) -> Option<Manager> {
        Some(Manager {
            id: int(v, &["id"])?,
            identity_id: int(v, &["identityId"]),
            first_name: string(v, &["firstName"]),
            last_name: string(v, &["lastName"]),
            email: string(v, &["email"]),
            user_name: string(v, &["userName"]),
            permission_id: int(v, &["permissionId"]),
            team_name: string(v, &["teamName"]),
            raw: v.clone(),
        })
    }
}
