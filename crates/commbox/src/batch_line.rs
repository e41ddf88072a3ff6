//! One line of a batch (`commbox batch`): a create request in its JSON form, with where it
//! goes.
//!
//! The request is one of the core's request forms (docs/json-forms.md) unchanged; the line
//! wraps it with `op`, which call it is, and the ids of where it is sent:
//!
//! ```json
//! {"op": "commbox.conversation", "stream": "S", "request": {"channel": "sms", "identity": "+972544444444", "message": "Hi"}}
//! {"op": "commbox.message", "stream": "S", "conversation": 294159, "request": {"identity": "a@b.co", "message": "Thanks"}}
//! {"op": "chatwoot.message", "contact": "SOURCE_ID", "conversation": 7, "request": {"content": "Hello"}}
//! ```
//!
//! Reading a line checks its shape only, like every request form: errors are validation
//! errors whose field is the JSON path in the line (`op`, `stream`, `request.to[1]`). The
//! values are checked when the request is sent, by the same rules as every call.

use crate::chatwoot::NewInboxMessage;
use crate::commbox::conversation::NewConversation;
use crate::commbox::message::NewMessage;
use crate::error::{Error, ErrorKind, Result};
use crate::json_form;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// A create request read from a batch line (schema: docs/schemas/BatchLine.json).
///
/// ```
/// use commbox::BatchLine;
/// let line = BatchLine::from_json(
///     r#"{"op": "commbox.message", "stream": "S", "conversation": 12, "request": {"identity": "a@b.co", "message": "hi"}}"#,
/// ).unwrap();
/// assert_eq!(line.op(), "commbox.message");
/// let e = BatchLine::from_json(r#"{"op": "commbox.conversation", "stream": "S", "request": {"channel": "sms", "identity": "1", "mesage": "hi"}}"#).unwrap_err();
/// assert_eq!(e.field(), Some("request.mesage"));
/// ```
// A line is read once and moved into its call: boxing the larger request would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, JsonSchema)]
#[serde(tag = "op", deny_unknown_fields)]
#[schemars(
    title = "BatchLine",
    description = "One line of `commbox batch`: `op` names the call, `request` is that call's \
                   request in its own JSON form, the other members say where it is sent."
)]
pub enum BatchLine {
    /// Open a CommBox conversation (`POST /streams/{stream}/objects`).
    #[serde(rename = "commbox.conversation")]
    Conversation {
        /// The stream (channel) id.
        stream: String,
        /// The conversation, channel-tagged (NewConversation.json).
        request: NewConversation,
    },
    /// Post a message in a CommBox conversation (`POST /streams/{stream}/objects/{conversation}/child`).
    #[serde(rename = "commbox.message")]
    Message {
        /// The stream (channel) id.
        stream: String,
        /// The conversation (object) id, a number or a string.
        conversation: ObjectId,
        /// The message (NewMessage.json).
        request: NewMessage,
    },
    /// Post a message from a Chatwoot contact (the inbox is the batch's, not the line's).
    #[serde(rename = "chatwoot.message")]
    InboxMessage {
        /// The contact's `source_id`.
        contact: String,
        /// The conversation's (display) id.
        conversation: i64,
        /// The message (NewInboxMessage.json).
        request: NewInboxMessage,
    },
}

/// A CommBox object id as a batch line gives it: a number or a string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged, expecting = "a conversation id (a number or a string)")]
pub enum ObjectId {
    /// `294159`.
    Number(i64),
    /// `"294159"`.
    Text(String),
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectId::Number(n) => write!(f, "{n}"),
            ObjectId::Text(s) => f.write_str(s),
        }
    }
}

/// The `op` of each kind of line, in the order of [`BatchLine`]'s variants.
const OPS: &[&str] = &[
    "commbox.conversation",
    "commbox.message",
    "chatwoot.message",
];

impl BatchLine {
    /// Reads one line: JSON text holding one object.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the text is not JSON or not an object, `op` is missing
    /// or unknown, a member is missing, unknown or of the wrong type, or `request` is not
    /// that op's request form; the field is the JSON path in the line (`request.user.email`).
    pub fn from_json(json: &str) -> Result<BatchLine> {
        let value = serde_json::from_str(json)
            .map_err(|e| Error::validation("line", format!("not valid JSON: {e}")))?;
        BatchLine::from_value(value)
    }

    /// [`BatchLine::from_json`] from a parsed value.
    ///
    /// # Errors
    ///
    /// As [`BatchLine::from_json`].
    pub fn from_value(value: Value) -> Result<BatchLine> {
        let mut map = json_form::object("line", value)?;
        let op = match map.remove("op") {
            Some(Value::String(op)) => op,
            Some(other) => {
                return Err(Error::validation(
                    "op",
                    format!("expected a string, not {}", json_form::type_name(&other)),
                ))
            }
            None => {
                return Err(Error::validation(
                    "op",
                    format!("required (one of: {})", OPS.join(", ")),
                ))
            }
        };
        let request = map
            .remove("request")
            .ok_or_else(|| Error::validation("request", "required"))?;
        let request = Value::Object(json_form::object("request", request)?);
        match op.as_str() {
            "commbox.conversation" => {
                let w: ConversationWhere = members(map)?;
                Ok(BatchLine::Conversation {
                    stream: w.stream,
                    request: in_request(NewConversation::from_value(request))?,
                })
            }
            "commbox.message" => {
                let w: MessageWhere = members(map)?;
                Ok(BatchLine::Message {
                    stream: w.stream,
                    conversation: w.conversation,
                    request: in_request(NewMessage::from_value(request))?,
                })
            }
            "chatwoot.message" => {
                let w: InboxMessageWhere = members(map)?;
                Ok(BatchLine::InboxMessage {
                    contact: w.contact,
                    conversation: w.conversation,
                    request: in_request(NewInboxMessage::from_value(request))?,
                })
            }
            other => Err(Error::validation(
                "op",
                format!("unknown op {other:?} (known: {})", OPS.join(", ")),
            )),
        }
    }

    /// The line's `op`: `commbox.conversation`, `commbox.message` or `chatwoot.message`.
    pub fn op(&self) -> &'static str {
        match self {
            BatchLine::Conversation { .. } => OPS[0],
            BatchLine::Message { .. } => OPS[1],
            BatchLine::InboxMessage { .. } => OPS[2],
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationWhere {
    stream: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageWhere {
    stream: String,
    conversation: ObjectId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InboxMessageWhere {
    contact: String,
    conversation: i64,
}

/// The line's members other than `op` and `request`, read as `T`.
/// A missing one is named (`conversation: required`), not the line.
fn members<T: serde::de::DeserializeOwned>(map: Map<String, Value>) -> Result<T> {
    json_form::from_value("line", Value::Object(map)).map_err(|e| {
        let missing = e
            .reason()
            .and_then(|r| r.strip_prefix("missing field `"))
            .and_then(|r| r.strip_suffix('`'));
        match (e.field(), missing) {
            (Some("line"), Some(name)) => Error::validation(name, "required"),
            _ => e,
        }
    })
}

/// A request form's error, its field put under `request.`.
fn in_request<T>(result: Result<T>) -> Result<T> {
    result.map_err(|e| match (e.kind(), e.field()) {
        (ErrorKind::Validation, Some(field)) => {
            Error::validation(format!("request.{field}"), e.reason().unwrap_or_default())
        }
        _ => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(v: Value) -> String {
        BatchLine::from_value(v)
            .unwrap_err()
            .field()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn every_op_reads_its_request() {
        let l = BatchLine::from_value(json!({"op": "commbox.conversation", "stream": "S",
            "request": {"channel": "sms", "identity": "+972544444444", "message": "hi"}}))
        .unwrap();
        assert!(matches!(l, BatchLine::Conversation { ref stream, .. } if stream == "S"));
        let l = BatchLine::from_value(json!({"op": "commbox.message", "stream": "S",
            "conversation": "77", "request": {"identity": "a@b.co", "message": "hi"}}))
        .unwrap();
        assert!(
            matches!(l, BatchLine::Message { ref conversation, .. } if conversation.to_string() == "77")
        );
        let l = BatchLine::from_value(json!({"op": "chatwoot.message", "contact": "c",
            "conversation": 7, "request": {"content": "hi"}}))
        .unwrap();
        assert_eq!(l.op(), "chatwoot.message");
    }

    #[test]
    fn errors_name_the_member() {
        assert_eq!(field(json!([1])), "line");
        assert_eq!(field(json!({"request": {}})), "op");
        assert_eq!(field(json!({"op": "sms", "request": {}})), "op");
        assert_eq!(field(json!({"op": 3, "request": {}})), "op");
        assert_eq!(
            field(json!({"op": "commbox.message", "stream": "S"})),
            "request"
        );
        assert_eq!(
            field(json!({"op": "commbox.message", "request": []})),
            "request"
        );
        let msg = json!({"identity": "a@b.co", "message": "hi"});
        assert_eq!(
            field(json!({"op": "commbox.message", "stream": "S", "request": msg})),
            "conversation"
        );
        assert_eq!(
            field(
                json!({"op": "commbox.message", "stream": "S", "conversation": 1,
                         "request": msg, "extra": 1})
            ),
            "extra"
        );
        assert_eq!(
            field(
                json!({"op": "chatwoot.message", "contact": "c", "conversation": "x",
                         "request": {"content": "hi"}})
            ),
            "conversation"
        );
        assert_eq!(
            field(json!({"op": "commbox.conversation", "stream": "S",
                         "request": {"channel": "email", "identity": "a@b.co", "subject": "s",
                                     "message": "m", "to": ["a@b.co", 3]}})),
            "request.to[1]"
        );
        assert_eq!(BatchLine::from_json("{").unwrap_err().field(), Some("line"));
    }
}
