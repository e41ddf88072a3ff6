//! What arrives over the cable, as typed events: ActionCable frames read one by one.

use crate::chatwoot::{InboxMessage, MessageType};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// What happened, coarsely (JSON form: the snake_case name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveEventKind {
    /// `message.created`: a message in one of the contact's conversations (the agent's
    /// reply, or the contact's own message coming back, with its `echo_id`).
    MessageCreated,
    /// `message.updated`.
    MessageUpdated,
    /// `conversation.status_changed` (resolved, reopened…).
    ConversationStatusChanged,
    /// `conversation.typing_on`: an agent is typing.
    TypingOn,
    /// `conversation.typing_off`.
    TypingOff,
    /// `presence.update`.
    PresenceUpdate,
    /// The connection was lost and is back (and resubscribed): events sent meanwhile were
    /// missed; [`InboxClient::messages`](crate::chatwoot::InboxClient::messages) catches up.
    Reconnected,
    /// Any other broadcast, kept in `raw`.
    Other,
}

/// One live event of a contact's subscription.
///
/// JSON form: `{"kind": "message_created", "event": "message.created", "message":
/// ChatwootMessage|null, "echo_id": "…"|null, "conversation_id": 42|null, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "ChatwootLiveEvent")]
pub struct LiveEvent {
    /// What happened.
    pub kind: LiveEventKind,
    /// The broadcast's event name as sent (`message.created`), or null for `reconnected`.
    pub event: Option<String>,
    /// The message, for `message.created` / `message.updated`.
    pub message: Option<InboxMessage>,
    /// The `echo_id` the message was created with, when it was (only the cable returns it).
    pub echo_id: Option<String>,
    /// The conversation (display id) the event is about, when it says.
    pub conversation_id: Option<i64>,
    /// The broadcast's `message` as sent (`{"event": …, "data": …}`), or null.
    pub raw: Value,
}

impl LiveEvent {
    /// Whether this is an agent's reply: a created message that is outgoing and not from the
    /// contact (private notes never reach a contact's cable).
    ///
    /// ```
    /// # use commbox::chatwoot::LiveEvent;
    /// # fn handle(event: LiveEvent) {
    /// if event.is_agent_reply() {
    ///     println!("agent: {:?}", event.message.and_then(|m| m.content));
    /// }
    /// # }
    /// ```
    pub fn is_agent_reply(&self) -> bool {
        self.kind == LiveEventKind::MessageCreated
            && self.message.as_ref().is_some_and(|m| {
                m.message_type == Some(MessageType::OUTGOING)
                    && m.sender
                        .as_ref()
                        .and_then(|s| s.get("type"))
                        .and_then(Value::as_str)
                        != Some("contact")
            })
    }

    pub(crate) fn reconnected() -> LiveEvent {
        LiveEvent {
            kind: LiveEventKind::Reconnected,
            event: None,
            message: None,
            echo_id: None,
            conversation_id: None,
            raw: Value::Null,
        }
    }
}

/// A frame from the server, as the connection acts on it.
#[derive(Debug, PartialEq)]
pub(crate) enum Frame {
    Welcome,
    Ping,
    Confirmed,
    Rejected,
    /// `disconnect`; `reconnect: false` means the server does not want us back.
    Disconnect {
        reconnect: bool,
        reason: Option<String>,
    },
    Event(Box<LiveEvent>),
    /// Not JSON, or a frame this version does not act on: skipped (and logged).
    Unknown,
}

/// Reads one text frame. Never fails: garbage is [`Frame::Unknown`].
pub(crate) fn read_frame(text: &str) -> Frame {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Frame::Unknown;
    };
    match v.get("type").and_then(Value::as_str) {
        Some("welcome") => return Frame::Welcome,
        Some("ping") => return Frame::Ping,
        Some("confirm_subscription") => return Frame::Confirmed,
        Some("reject_subscription") => return Frame::Rejected,
        Some("disconnect") => {
            return Frame::Disconnect {
                reconnect: v.get("reconnect").and_then(Value::as_bool).unwrap_or(true),
                reason: v.get("reason").and_then(Value::as_str).map(str::to_owned),
            }
        }
        _ => {}
    }
    let Some(message) = v.get("message").filter(|m| m.is_object()) else {
        return Frame::Unknown;
    };
    let name = message.get("event").and_then(Value::as_str);
    let data = message.get("data").unwrap_or(&Value::Null);
    let kind = match name {
        Some("message.created") => LiveEventKind::MessageCreated,
        Some("message.updated") => LiveEventKind::MessageUpdated,
        Some("conversation.status_changed") => LiveEventKind::ConversationStatusChanged,
        Some("conversation.typing_on") => LiveEventKind::TypingOn,
        Some("conversation.typing_off") => LiveEventKind::TypingOff,
        Some("presence.update") => LiveEventKind::PresenceUpdate,
        _ => LiveEventKind::Other,
    };
    let is_message = matches!(
        kind,
        LiveEventKind::MessageCreated | LiveEventKind::MessageUpdated
    );
    let message_record = if is_message {
        InboxMessage::from_json(data)
    } else {
        None
    };
    let conversation_id = message_record
        .as_ref()
        .and_then(|m| m.conversation_id)
        .or_else(|| {
            data.get("conversation_id")
                .or_else(|| data.get("display_id"))
                .or_else(|| data.get("id").filter(|_| !is_message))
                .and_then(crate::lenient::as_i64)
        });
    Frame::Event(Box::new(LiveEvent {
        kind,
        event: name.map(str::to_owned),
        message: message_record,
        echo_id: data
            .get("echo_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        conversation_id,
        raw: message.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_of_actioncable() {
        assert_eq!(read_frame(r#"{"type":"welcome"}"#), Frame::Welcome);
        assert_eq!(read_frame(r#"{"type":"ping","message":1}"#), Frame::Ping);
        assert_eq!(
            read_frame(r#"{"type":"disconnect","reason":"unauthorized","reconnect":false}"#),
            Frame::Disconnect {
                reconnect: false,
                reason: Some("unauthorized".into())
            }
        );
        for garbage in ["", "nope", "[1]", r#"{"message": 5}"#, "{\"type\":"] {
            assert_eq!(read_frame(garbage), Frame::Unknown, "{garbage:?}");
        }
    }

    #[test]
    fn a_reply_with_its_echo_id() {
        let f = read_frame(
            r#"{"identifier":"x","message":{"event":"message.created","data":{"id":9,"content":"hi","message_type":1,"conversation_id":4,"echo_id":"e-1","sender":{"type":"user"}}}}"#,
        );
        let Frame::Event(e) = f else { panic!("{f:?}") };
        assert_eq!(e.kind, LiveEventKind::MessageCreated);
        assert_eq!(e.echo_id.as_deref(), Some("e-1"));
        assert_eq!(e.conversation_id, Some(4));
        assert!(e.is_agent_reply());
        let status = read_frame(
            r#"{"identifier":"x","message":{"event":"conversation.status_changed","data":{"id":4,"status":"resolved"}}}"#,
        );
        let Frame::Event(s) = status else { panic!() };
        assert_eq!(s.kind, LiveEventKind::ConversationStatusChanged);
        assert_eq!(s.conversation_id, Some(4));
        assert!(!s.is_agent_reply());
    }
}
