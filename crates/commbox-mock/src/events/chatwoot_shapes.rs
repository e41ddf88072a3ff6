//! Chatwoot's webhook bodies and cable broadcasts for the mock's messages and
//! conversations: the webhook payload has `message_type` as a string ("incoming",
//! "outgoing") and the cable's push data as an integer, as the real server sends them
//! (receiving.md). `echo_id` travels only on the cable.

use std::time::SystemTime;

use serde_json::{json, Map, Value};

use crate::chatwoot::{ChatwootStore, Message};
use crate::clock;

/// `message_type` of an agent's reply.
const OUTGOING: i64 = 1;

/// The agent the mock's replies come from.
pub(crate) const AGENT: (u64, &str, &str) = (1, "Mock Agent", "agent@mock.invalid");

/// A message created in a conversation, with what its events need, read from the store
/// under its lock and delivered after.
#[derive(Debug, Clone)]
pub(crate) struct ChatwootMessageEvent {
    /// The webhook body (`"event": "message_created"` included).
    pub webhook: Value,
    /// The cable broadcast, for the contact's token (`None` for private notes).
    pub cable: Option<Value>,
    pub pubsub_token: String,
}

impl ChatwootStore {
    /// The events of message `message` (index) of conversation `conversation` (index);
    /// `agent`: the mock agent wrote it.
    pub(crate) fn message_event(
        &self,
        conversation: usize,
        message: usize,
        agent: bool,
        private: bool,
    ) -> ChatwootMessageEvent {
        let conv = &self.conversations[conversation];
        let m = &conv.messages[message];
        let contact = self.contact(conv.contact_id);
        let contact_json = contact.map(|c| {
            json!({
                "id": c.id, "name": c.name, "email": c.email, "phone_number": c.phone_number,
                "identifier": c.identifier, "type": "contact",
            })
        });
        let sender = if agent {
            json!({"id": AGENT.0, "name": AGENT.1, "email": AGENT.2, "type": "user"})
        } else {
            contact_json.clone().unwrap_or(Value::Null)
        };
        let inbox = &self.inboxes[conv.inbox];
        let webhook = json!({
            "event": "message_created",
            "id": m.id,
            "content": m.content,
            "content_type": m.content_type,
            "content_attributes": m.content_attributes,
            "message_type": match m.message_type { 1 => "outgoing", 3 => "template", 2 => "activity", _ => "incoming" },
            "private": private,
            "source_id": null,
            "created_at": clock::format_rails(m.created_at),
            "additional_attributes": {},
            "sender": sender,
            "conversation": self.conversation_json(conversation),
            "inbox": {"id": inbox.id, "name": inbox.name},
            "account": {"id": crate::chatwoot::ACCOUNT_ID, "name": "Mock"},
        });
        let mut data = json!({
            "id": m.id,
            "content": m.content,
            "message_type": m.message_type,
            "content_type": m.content_type,
            "content_attributes": m.content_attributes,
            "created_at": clock::unix_seconds(m.created_at),
            "conversation_id": conv.display_id,
            "private": private,
            "sender": sender,
        });
        if let Some(echo) = &m.echo_id {
            data["echo_id"] = json!(echo);
        }
        ChatwootMessageEvent {
            webhook,
            cable: (!private).then(|| json!({"event": "message.created", "data": data})),
            pubsub_token: self.pubsub_token(conversation),
        }
    }

    /// Adds the mock agent's reply to conversation `display_id` of inbox `inbox` (its
    /// identifier) and returns its events; `None` when there is no such conversation. A
    /// private note is not kept (the contact's API never shows those), only announced.
    pub(crate) fn agent_reply(
        &mut self,
        inbox: &str,
        display_id: u64,
        content: &str,
        private: bool,
    ) -> Option<ChatwootMessageEvent> {
        let inbox = self.inbox(inbox).ok()?;
        let conversation = self
            .conversations
            .iter()
            .position(|c| c.inbox == inbox && c.display_id == display_id)?;
        let id = self.next_message_id;
        self.next_message_id += 1;
        self.conversations[conversation].messages.push(Message {
            id,
            content: Some(content.to_owned()),
            echo_id: None,
            message_type: OUTGOING,
            content_type: "text",
            content_attributes: Map::new(),
            created_at: SystemTime::now(),
            sender: None,
            attachments: Vec::new(),
        });
        let index = self.conversations[conversation].messages.len() - 1;
        let event = self.message_event(conversation, index, true, private);
        if private {
            self.conversations[conversation].messages.pop();
        }
        Some(event)
    }

    /// A conversation event (`conversation_created`, `conversation_status_changed`): the
    /// webhook body, the cable broadcast (`conversation.status_changed` only, as Chatwoot
    /// sends a contact) and the contact's pubsub token.
    pub(crate) fn conversation_event(
        &self,
        conversation: usize,
        event: &str,
    ) -> (Value, Option<Value>, String) {
        let conv = &self.conversations[conversation];
        let mut webhook = self.conversation_json(conversation);
        webhook["event"] = json!(event);
        webhook["messages"] = json!([]);
        webhook["inbox"] =
            json!({"id": self.inboxes[conv.inbox].id, "name": self.inboxes[conv.inbox].name});
        webhook["account"] = json!({"id": crate::chatwoot::ACCOUNT_ID, "name": "Mock"});
        let cable = (event == "conversation_status_changed").then(|| {
            webhook["changed_attributes"] = json!([{"status": {"current_value": conv.status}}]);
            json!({"event": "conversation.status_changed", "data": {"id": conv.display_id, "display_id": conv.display_id, "status": conv.status}})
        });
        (webhook, cable, self.pubsub_token(conversation))
    }

    /// A conversation as webhook bodies nest it.
    pub(crate) fn conversation_json(&self, conversation: usize) -> Value {
        let conv = &self.conversations[conversation];
        let contact = self.contact(conv.contact_id);
        json!({
            "id": conv.display_id,
            "display_id": conv.display_id,
            "inbox_id": self.inboxes[conv.inbox].id,
            "status": conv.status,
            "contact_inbox": {"source_id": conv.source_id},
            "meta": {
                "sender": contact.map(|c| json!({
                    "id": c.id, "name": c.name, "email": c.email,
                    "phone_number": c.phone_number, "identifier": c.identifier, "type": "contact",
                })),
                "assignee": null,
            },
        })
    }

    /// The pubsub token of the contact a conversation belongs to (in its inbox).
    pub(crate) fn pubsub_token(&self, conversation: usize) -> String {
        let conv = &self.conversations[conversation];
        self.find_contact_inbox(conv.inbox, &conv.source_id)
            .map(|i| self.contact_inboxes[i].pubsub_token.clone())
            .unwrap_or_default()
    }
}
