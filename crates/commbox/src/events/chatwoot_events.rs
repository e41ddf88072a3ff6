//! Chatwoot's webhook events: the model's webhook data plus `"event": "<name>"`.
//!
//! Unlike the public API and the cable, webhooks carry `message_type` as a string
//! (`"incoming"`, `"outgoing"`, `"template"`), and they carry private notes too.

use super::{body_text, check_size, parse_json};
use crate::chatwoot::records::list;
use crate::chatwoot::{Contact, InboxConversation, MessageAttachment, MessageType};
use crate::error::Result;
use crate::lenient::{boolean, field, int, string};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// Which Chatwoot event a delivery carries (its `event`).
///
/// JSON form: the event's name as Chatwoot spells it (`"message_created"`, …), `"other"` for
/// one this version does not know (the name is in [`ChatwootEvent::event`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatwootEventKind {
    /// `message_created` ([`ChatwootEvent::message`]): private notes and the contact's own
    /// messages included; see [`ChatwootEvent::is_agent_public_reply`].
    MessageCreated,
    /// `message_updated` ([`ChatwootEvent::message`]).
    MessageUpdated,
    /// `conversation_created` ([`ChatwootEvent::conversation`]).
    ConversationCreated,
    /// `conversation_status_changed` ([`ChatwootEvent::conversation`],
    /// [`ChatwootEvent::changed_attributes`]).
    ConversationStatusChanged,
    /// `conversation_updated` ([`ChatwootEvent::conversation`],
    /// [`ChatwootEvent::changed_attributes`]).
    ConversationUpdated,
    /// `contact_created` ([`ChatwootEvent::contact`]).
    ContactCreated,
    /// `contact_updated` ([`ChatwootEvent::contact`], [`ChatwootEvent::changed_attributes`]).
    ContactUpdated,
    /// `webwidget_triggered`: a contact opened the website widget ([`ChatwootEvent::contact`],
    /// the current conversation in [`ChatwootEvent::conversation`]).
    WebwidgetTriggered,
    /// `conversation_typing_on` ([`ChatwootEvent::user`] is typing in
    /// [`ChatwootEvent::conversation`]).
    ConversationTypingOn,
    /// `conversation_typing_off`.
    ConversationTypingOff,
    /// `inbox_created` ([`ChatwootEvent::inbox`]).
    InboxCreated,
    /// `inbox_updated` ([`ChatwootEvent::inbox`]).
    InboxUpdated,
    /// Any other event.
    Other,
}

impl ChatwootEventKind {
    /// The kind of the event called `name` (`Other` for a name this version does not know).
    pub fn from_name(name: &str) -> ChatwootEventKind {
        use ChatwootEventKind as K;
        match name.trim() {
            "message_created" => K::MessageCreated,
            "message_updated" => K::MessageUpdated,
            "conversation_created" => K::ConversationCreated,
            "conversation_status_changed" => K::ConversationStatusChanged,
            "conversation_updated" => K::ConversationUpdated,
            "contact_created" => K::ContactCreated,
            "contact_updated" => K::ContactUpdated,
            "webwidget_triggered" => K::WebwidgetTriggered,
            "conversation_typing_on" => K::ConversationTypingOn,
            "conversation_typing_off" => K::ConversationTypingOff,
            "inbox_created" => K::InboxCreated,
            "inbox_updated" => K::InboxUpdated,
            _ => K::Other,
        }
    }
}

/// Who sent a message, or who is typing.
///
/// JSON form: `{"id": 1, "name": "Agent Smith", "sender_type": "user", "email": null,
/// "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChatwootSender {
    /// `id`, or null.
    pub id: Option<i64>,
    /// `name`, or null.
    pub name: Option<String>,
    /// `type` as sent: `user` (an agent), `contact`, `agent_bot`; or the message's
    /// `sender_type` (`User`, `Contact`, …) when the sender has none; or null.
    pub sender_type: Option<String>,
    /// `email`, or null.
    pub email: Option<String>,
    /// What was sent for the sender.
    pub raw: Value,
}

impl ChatwootSender {
    /// True for an agent (type `user`, any case).
    pub fn is_agent(&self) -> bool {
        self.sender_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("user"))
    }

    fn from_json(v: &Value, fallback_type: Option<String>) -> ChatwootSender {
        ChatwootSender {
            id: int(v, &["id"]),
            name: string(v, &["name"]),
            sender_type: string(v, &["type"]).or(fallback_type),
            email: string(v, &["email"]),
            raw: v.clone(),
        }
    }
}

/// An account or an inbox, as an event names it.
///
/// JSON form: `{"id": 1, "name": "Acme", "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChatwootRef {
    /// `id`, or null.
    pub id: Option<i64>,
    /// `name`, or null.
    pub name: Option<String>,
    /// What was sent.
    pub raw: Value,
}

impl ChatwootRef {
    fn from_json(v: &Value) -> ChatwootRef {
        ChatwootRef {
            id: int(v, &["id"]),
            name: string(v, &["name"]),
            raw: v.clone(),
        }
    }
}

/// A message as a webhook carries it (`message_created`, `message_updated`).
///
/// JSON form: `{"id": 9, "content": "Hi", "content_type": "text", "content_attributes": {},
/// "message_type": "outgoing", "private": false, "source_id": null,
/// "sender": ChatwootSender, "conversation_id": 3, "created_at": "…",
/// "attachments": [MessageAttachment…], "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChatwootEventMessage {
    /// `id`, or null.
    pub id: Option<i64>,
    /// `content`, or null (attachment-only messages).
    pub content: Option<String>,
    /// `content_type` (text, input_select, cards, …), or null.
    pub content_type: Option<String>,
    /// `content_attributes` (an object; `{}` when absent).
    pub content_attributes: Value,
    /// `message_type` as a string, as webhooks send it: `incoming`, `outgoing`, `activity`,
    /// `template` (an integer is turned into its name); or null.
    pub message_type: Option<String>,
    /// `private`: a private note, which the contact never sees (false when absent).
    pub private: bool,
    /// `source_id`: the message's id on the channel, or null.
    pub source_id: Option<String>,
    /// `sender`, or null.
    pub sender: Option<ChatwootSender>,
    /// `conversation_id`, else the conversation's `display_id` or `id`; or null.
    pub conversation_id: Option<i64>,
    /// `created_at` as sent (webhooks: ISO 8601 text; unix seconds elsewhere), or null.
    pub created_at: Option<Value>,
    /// `attachments` (`[]` when absent).
    pub attachments: Vec<MessageAttachment>,
    /// What was sent for the message (for a message event: the whole body).
    pub raw: Value,
}

impl ChatwootEventMessage {
    /// True when an agent wrote it (`outgoing`), as opposed to the contact (`incoming`).
    pub fn is_outgoing(&self) -> bool {
        self.message_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("outgoing"))
    }

    /// An agent's public reply: outgoing, not a private note, and the sender is a user (an
    /// agent, not a bot or the contact).
    pub fn is_agent_public_reply(&self) -> bool {
        self.is_outgoing() && !self.private && self.sender.as_ref().is_some_and(|s| s.is_agent())
    }

    fn from_json(v: &Value, conversation: Option<&Value>) -> ChatwootEventMessage {
        let message_type = field(v, &["message_type"]).and_then(|t| match t {
            Value::Number(_) => int(v, &["message_type"]).map(|n| {
                MessageType(n)
                    .name()
                    .map_or_else(|| n.to_string(), str::to_owned)
            }),
            other => crate::lenient::as_string(other),
        });
        ChatwootEventMessage {
            id: int(v, &["id"]),
            content: string(v, &["content"]),
            content_type: string(v, &["content_type"]),
            content_attributes: field(v, &["content_attributes"])
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new())),
            message_type,
            private: boolean(v, &["private"]).unwrap_or(false),
            source_id: string(v, &["source_id"]),
            sender: field(v, &["sender"])
                .filter(|s| s.is_object())
                .map(|s| ChatwootSender::from_json(s, string(v, &["sender_type"]))),
            conversation_id: int(v, &["conversation_id"])
                .or_else(|| conversation.and_then(|c| int(c, &["display_id", "id"]))),
            created_at: field(v, &["created_at"]).cloned(),
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
            raw: v.clone(),
        }
    }
}

/// One Chatwoot webhook event, parsed.
///
/// JSON form: `{"kind": "message_created", "event": "message_created",
/// "message": ChatwootEventMessage, "conversation": ChatwootConversation,
/// "contact": Contact, "user": null, "is_private": null, "changed_attributes": null,
/// "account": ChatwootRef, "inbox": ChatwootRef, "raw": {…}}`. Every key is always present.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChatwootEvent {
    /// Which event.
    pub kind: ChatwootEventKind,
    /// `event` as sent, or null.
    pub event: Option<String>,
    /// For message events: the message; else null.
    pub message: Option<ChatwootEventMessage>,
    /// The conversation: the body itself for conversation events; `conversation` for
    /// message and typing events; `current_conversation` for `webwidget_triggered`; null
    /// when absent or without an id.
    pub conversation: Option<InboxConversation>,
    /// The contact: the body itself for contact events; `contact` for
    /// `webwidget_triggered`; the conversation's `meta.sender` otherwise; null when absent.
    pub contact: Option<Contact>,
    /// For typing events: who is typing (`user`); else null.
    pub user: Option<ChatwootSender>,
    /// For typing events: `is_private` (typing a private note); else null.
    pub is_private: Option<bool>,
    /// `changed_attributes` (conversation and contact updates), or null.
    pub changed_attributes: Option<Value>,
    /// `account`, or null.
    pub account: Option<ChatwootRef>,
    /// `inbox` (the body itself for inbox events), or null.
    pub inbox: Option<ChatwootRef>,
    /// The whole body as sent.
    pub raw: Value,
}

impl ChatwootEvent {
    /// True for `message_created` carrying an agent's public reply (outgoing, not private,
    /// sent by a user): what a bridge forwards to the customer.
    pub fn is_agent_public_reply(&self) -> bool {
        self.kind == ChatwootEventKind::MessageCreated
            && self
                .message
                .as_ref()
                .is_some_and(ChatwootEventMessage::is_agent_public_reply)
    }
}

/// A verified (or, by choice, unverified) Chatwoot delivery: its event and its headers.
///
/// JSON form: `{"delivery_id": "…", "timestamp": 1700000000, "verified": true,
/// "event": ChatwootEvent}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChatwootDelivery {
    /// `X-Chatwoot-Delivery`: the same on a retry, so a receiver drops a delivery whose id
    /// it has seen; null when the header was absent (older installations).
    pub delivery_id: Option<String>,
    /// `X-Chatwoot-Timestamp` (unix seconds), or null when absent or not a number.
    pub timestamp: Option<i64>,
    /// True when the signature and timestamp were checked; false only for an
    /// [`unverified`](super::ChatwootWebhookVerifier::unverified) verifier.
    pub verified: bool,
    /// The event.
    pub event: ChatwootEvent,
}

/// Parses a Chatwoot webhook body into its event, without checking any signature (use
/// [`ChatwootWebhookVerifier`](super::ChatwootWebhookVerifier) for deliveries from the
/// network). An unknown event is kind [`Other`](ChatwootEventKind::Other), never an error.
///
/// ```
/// use commbox::events::{parse_chatwoot_event, ChatwootEventKind};
/// let event = parse_chatwoot_event(br#"{"event": "conversation_status_changed", "id": 3,
///     "status": "resolved", "changed_attributes": [{"status": {"current_value": "resolved"}}]}"#)?;
/// assert_eq!(event.kind, ChatwootEventKind::ConversationStatusChanged);
/// assert_eq!(event.conversation.unwrap().status.as_deref(), Some("resolved"));
/// # Ok::<(), commbox::Error>(())
/// ```
///
/// # Errors
///
/// [`Decode`](crate::ErrorKind::Decode) (message starting `body:`) when the body is over
/// [`MAX_DELIVERY_BYTES`](super::MAX_DELIVERY_BYTES), not UTF-8 or not JSON.
pub fn parse_chatwoot_event(body: &[u8]) -> Result<ChatwootEvent> {
    use ChatwootEventKind as K;
    check_size(body)?;
    let v = parse_json("body", body_text(body)?)?;
    let name = string(&v, &["event"]);
    let kind = name
        .as_deref()
        .map_or(K::Other, ChatwootEventKind::from_name);
    let object = |keys: &[&str]| field(&v, keys).filter(|x| x.is_object());
    let conversation_value = match kind {
        K::ConversationCreated | K::ConversationStatusChanged | K::ConversationUpdated => Some(&v),
        K::WebwidgetTriggered => object(&["current_conversation"]),
        _ => object(&["conversation"]),
    };
    let conversation = conversation_value.and_then(conversation_from);
    let meta_sender = conversation_value
        .and_then(|c| field(c, &["meta"]))
        .and_then(|m| field(m, &["sender"]));
    let contact = match kind {
        K::ContactCreated | K::ContactUpdated => Contact::from_json(&v),
        K::WebwidgetTriggered => object(&["contact"]).and_then(Contact::from_json),
        _ => meta_sender.and_then(Contact::from_json),
    };
    let message = matches!(kind, K::MessageCreated | K::MessageUpdated)
        .then(|| ChatwootEventMessage::from_json(&v, conversation_value));
    let typing = matches!(kind, K::ConversationTypingOn | K::ConversationTypingOff);
    let inbox = match kind {
        K::InboxCreated | K::InboxUpdated => Some(ChatwootRef::from_json(&v)),
        _ => object(&["inbox"]).map(ChatwootRef::from_json),
    };
    Ok(ChatwootEvent {
        kind,
        event: name,
        message,
        conversation,
        contact,
        user: if typing {
            object(&["user"]).map(|u| ChatwootSender::from_json(u, None))
        } else {
            None
        },
        is_private: if typing {
            boolean(&v, &["is_private"])
        } else {
            None
        },
        changed_attributes: field(&v, &["changed_attributes"]).cloned(),
        account: object(&["account"]).map(ChatwootRef::from_json),
        inbox,
        raw: v.clone(),
    })
}

/// A conversation from webhook data: its `id` is the display id; `display_id` stands in
/// when `id` is absent.
fn conversation_from(c: &Value) -> Option<InboxConversation> {
    InboxConversation::from_json(c).or_else(|| {
        let display_id = int(c, &["display_id"])?;
        let mut with_id = c.as_object()?.clone();
        with_id.insert("id".into(), Value::from(display_id));
        let mut conversation = InboxConversation::from_json(&Value::Object(with_id))?;
        conversation.raw = c.clone();
        Some(conversation)
    })
}
