//! What the CommBox API returns, decoded leniently with the raw JSON kept.
//!
//! Each record has one JSON form (its `Serialize` impl, schema in `docs/schemas/`), the same
//! in every face: the C library's result strings, the CLI's output and the Python objects.
//! The rule for all of them (docs/json-forms.md):
//!
//! - keys are the Rust field names (snake_case), in declaration order;
//! - every key is always present: a value the server did not send is `null`, a list it did not
//!   send is `[]`;
//! - enums are their integers (`"status": 2`), unknown values included;
//! - `raw` is the server's JSON as it arrived, so nothing it sent is lost.

use crate::commbox::enums::{ObjectStatusType, ObjectType, StreamProviderType};
use crate::lenient::{self, boolean, int, string};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// A decoded CommBox envelope `{status, description, response_time, data}`, as
/// `Client::raw_request` returns it.
///
/// `status` may arrive as a string or a number; the HTTP status line is the truth and is
/// in `http_status`.
///
/// JSON form: `{"http_status": 200, "status": 200, "description": "…", "response_time":
/// "…", "data": …, "request_id": "…", "raw": {…}}`; `status`, `description` and
/// `response_time` are `null` when the answer had none, `data` is `null` when absent.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Envelope {
    /// The HTTP status of the answer.
    pub http_status: u16,
    /// The envelope's own `status` (read from a number or a numeric string), or null.
    pub status: Option<i64>,
    /// The envelope's `description`, or null.
    pub description: Option<String>,
    /// The envelope's `response_time` (UTC, as sent), or null.
    pub response_time: Option<String>,
    /// The envelope's `data` (null when absent). An answer that is not an envelope at all
    /// is kept whole here.
    pub data: Value,
    /// The `X-Request-Id` this client sent.
    pub request_id: String,
    /// The whole answer as the server sent it (the envelope with `data`).
    pub raw: Value,
}

/// A conversation (CommBox object) with its messages, as `Client::get_conversation`
/// returns it.
///
/// JSON form: `{"id": 294159, "stream_id": "…", "sub_stream_id": null, "status": 1,
/// "object_type": 5, "message": "…", "created_time": "…", "is_manager": false,
/// "messages": [ConversationMessage…], "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Conversation {
    /// The conversation's id (`objectId`).
    pub id: i64,
    /// The stream (channel) it belongs to (`streamId`), or null.
    pub stream_id: Option<String>,
    /// `subStreamId`, or null.
    pub sub_stream_id: Option<i64>,
    /// Its status (`statusId`) as an ObjectStatusType integer (1 open, 2 resolved, …), or null.
    pub status: Option<ObjectStatusType>,
    /// Its channel type (`type`) as an ObjectType integer, or null.
    pub object_type: Option<ObjectType>,
    /// The first (or last) message text (`message`), or null.
    pub message: Option<String>,
    /// When it was created (`createdTime`, as sent), or null.
    pub created_time: Option<String>,
    /// Whether an agent opened it (`isManager`), or null.
    pub is_manager: Option<bool>,
    /// Its messages, oldest first (`childs`); `[]` when none were sent.
    pub messages: Vec<ConversationMessage>,
    /// Everything the server sent for this object, `childs` included.
    pub raw: Value,
}

/// A message (CommBox child) in a conversation.
///
/// JSON form: `{"id": 1, "object_id": 294159, "object_type": 5, "message": "…",
/// "content": null, "created_time": "…", "is_manager": true, "stream_provider_type": 4,
/// "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ConversationMessage {
    /// The message's id (`id`).
    pub id: i64,
    /// The conversation it belongs to (`objectId`), or null.
    pub object_id: Option<i64>,
    /// Its type (`type`) as an ObjectType integer, or null.
    pub object_type: Option<ObjectType>,
    /// Its text (`message`), or null.
    pub message: Option<String>,
    /// `content`, a JSON text in CommBox's data model (an object sent as such is written as
    /// its JSON text), or null.
    pub content: Option<String>,
    /// When it was written (`createdTime`, as sent), or null.
    pub created_time: Option<String>,
    /// Whether an agent wrote it (`isManager`, at the top or in `user`), or null.
    pub is_manager: Option<bool>,
    /// The channel it came through (`streamProviderType`) as an integer, or null.
    pub stream_provider_type: Option<StreamProviderType>,
    /// Everything the server sent for this message.
    pub raw: Value,
}

/// An agent or admin (`GET /managers`).
///
/// JSON form: `{"id": 36574658, "identity_id": null, "first_name": "Dana",
/// "last_name": "Levi", "email": "…", "user_name": "…", "permission_id": 3,
/// "team_name": null, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Manager {
    /// The agent's id: use it as `UserIdentity` for agent messages.
    pub id: i64,
    /// `identityId`, or null.
    pub identity_id: Option<i64>,
    /// `firstName`, or null.
    pub first_name: Option<String>,
    /// `lastName`, or null.
    pub last_name: Option<String>,
    /// `email`, or null.
    pub email: Option<String>,
    /// `userName`, or null.
    pub user_name: Option<String>,
    /// `permissionId` (3 = admin), or null.
    pub permission_id: Option<i64>,
    /// `teamName`, or null.
    pub team_name: Option<String>,
    /// Everything the server sent for this manager.
    pub raw: Value,
}

/// The answer of `GET /core/systemstatus`.
///
/// JSON form: `{"http_status": 200, "description": "System is operational",
/// "response_time": "…", "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SystemStatus {
    /// HTTP status (200 when the system and the key are fine).
    pub http_status: u16,
    /// `description`, e.g. "System is operational" (empty when the answer had none).
    pub description: String,
    /// `response_time`, or null.
    pub response_time: Option<String>,
    /// The whole answer as the server sent it.
    pub raw: Value,
}

/// What a CommBox create returns: the new conversation's or message's id. The Rust calls
/// (`Client::create_conversation`, `Client::create_message`) and the C library return the id
/// itself; this is its JSON form, which the CLI prints for every CommBox create.
///
/// JSON form: `{"id": 294159}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
pub struct Created {
    /// The id of the conversation (`objectId`) or message (`childId`) just created.
    pub id: i64,
}

impl From<i64> for Created {
    fn from(id: i64) -> Created {
        Created { id }
    }
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

#[cfg(test)]
mod tests {
    //! The exact JSON form of each record, with every optional value present and with none.

    use super::*;
    use serde_json::json;

    fn text<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn conversation_with_every_field_and_a_message() {
        let raw = json!({
            "objectId": 294159, "streamId": "S", "subStreamId": 7, "statusId": 2, "type": 5,
            "message": "Hello", "createdTime": "2024-01-02T03:04:05", "isManager": false,
            "childs": [{"id": 11, "objectId": 294159, "type": 5, "message": "Hi",
                        "content": {"a": 1}, "createdTime": "2024-01-02T03:05:00",
                        "user": {"isManager": true}, "streamProviderType": 4}]
        });
        let c = Conversation::from_json(&raw).unwrap();
        let child = r#"{"content":{"a":1},"createdTime":"2024-01-02T03:05:00","id":11,"message":"Hi","objectId":294159,"streamProviderType":4,"type":5,"user":{"isManager":true}}"#;
        assert_eq!(
            text(&c),
            format!(
                concat!(
                    r#"{{"id":294159,"stream_id":"S","sub_stream_id":7,"status":2,"object_type":5,"message":"Hello","#,
                    r#""created_time":"2024-01-02T03:04:05","is_manager":false,"messages":[{{"id":11,"object_id":294159,"#,
                    r#""object_type":5,"message":"Hi","content":"{{\"a\":1}}","created_time":"2024-01-02T03:05:00","#,
                    r#""is_manager":true,"stream_provider_type":4,"raw":{child}}}],"raw":{{"childs":[{child}],"#,
                    r#""createdTime":"2024-01-02T03:04:05","isManager":false,"message":"Hello","objectId":294159,"#,
                    r#""statusId":2,"streamId":"S","subStreamId":7,"type":5}}}}"#
                ),
                child = child
            )
        );
    }

    #[test]
    fn conversation_with_nothing_optional() {
        let c = Conversation::from_json(&json!({"objectId": "12"})).unwrap();
        assert_eq!(
            text(&c),
            r#"{"id":12,"stream_id":null,"sub_stream_id":null,"status":null,"object_type":null,"message":null,"created_time":null,"is_manager":null,"messages":[],"raw":{"objectId":"12"}}"#
        );
        let m = ConversationMessage::from_json(&json!({"id": 3})).unwrap();
        assert_eq!(
            text(&m),
            r#"{"id":3,"object_id":null,"object_type":null,"message":null,"content":null,"created_time":null,"is_manager":null,"stream_provider_type":null,"raw":{"id":3}}"#
        );
    }

    #[test]
    fn manager_with_and_without_optional_fields() {
        let m = Manager::from_json(&json!({
            "id": 36574658, "identityId": 9, "firstName": "Dana", "lastName": "Levi",
            "email": "dana@example.com", "userName": "dana", "permissionId": 3, "teamName": "Support"
        }))
        .unwrap();
        assert_eq!(
            text(&m),
            r#"{"id":36574658,"identity_id":9,"first_name":"Dana","last_name":"Levi","email":"dana@example.com","user_name":"dana","permission_id":3,"team_name":"Support","raw":{"email":"dana@example.com","firstName":"Dana","id":36574658,"identityId":9,"lastName":"Levi","permissionId":3,"teamName":"Support","userName":"dana"}}"#
        );
        let m = Manager::from_json(&json!({"id": 1})).unwrap();
        assert_eq!(
            text(&m),
            r#"{"id":1,"identity_id":null,"first_name":null,"last_name":null,"email":null,"user_name":null,"permission_id":null,"team_name":null,"raw":{"id":1}}"#
        );
    }

    #[test]
    fn envelope_and_system_status() {
        let raw = json!({"status": "200", "description": "System is operational",
                         "response_time": "2024-01-02 03:04:05", "data": null});
        let env = Envelope {
            http_status: 200,
            status: Some(200),
            description: Some("System is operational".into()),
            response_time: Some("2024-01-02 03:04:05".into()),
            data: Value::Null,
            request_id: "req-1".into(),
            raw: raw.clone(),
        };
        assert_eq!(
            text(&env),
            r#"{"http_status":200,"status":200,"description":"System is operational","response_time":"2024-01-02 03:04:05","data":null,"request_id":"req-1","raw":{"data":null,"description":"System is operational","response_time":"2024-01-02 03:04:05","status":"200"}}"#
        );
        assert_eq!(
            text(&crate::commbox::calls::system_status_of(env)),
            r#"{"http_status":200,"description":"System is operational","response_time":"2024-01-02 03:04:05","raw":{"data":null,"description":"System is operational","response_time":"2024-01-02 03:04:05","status":"200"}}"#
        );
        let bare = Envelope {
            http_status: 204,
            status: None,
            description: None,
            response_time: None,
            data: json!([1]),
            request_id: "req-2".into(),
            raw: json!([1]),
        };
        assert_eq!(
            text(&bare),
            r#"{"http_status":204,"status":null,"description":null,"response_time":null,"data":[1],"request_id":"req-2","raw":[1]}"#
        );
        assert_eq!(
            text(&crate::commbox::calls::system_status_of(bare)),
            r#"{"http_status":204,"description":"","response_time":null,"raw":[1]}"#
        );
    }

    #[test]
    fn created() {
        assert_eq!(text(&Created::from(294159)), r#"{"id":294159}"#);
    }
}
