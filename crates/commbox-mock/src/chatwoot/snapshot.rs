//! The inspection view of the Chatwoot state (`GET /__mock/chatwoot`,
//! [`MockServer::chatwoot_state`](crate::MockServer::chatwoot_state)).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::store::ChatwootStore;
use crate::clock;

/// Everything the Chatwoot mock holds, inbox by inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatwootState {
    /// The seeded inboxes, in seeding order.
    pub inboxes: Vec<ChatwootInboxState>,
}

/// Compact JSON, exactly what `GET /__mock/chatwoot` returns, so a test can print the state or
/// search it as text.
impl std::fmt::Display for ChatwootState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

/// One inbox with its contacts and conversations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatwootInboxState {
    /// The `{inbox_identifier}` of paths.
    pub identifier: String,
    /// Whether contact calls need a valid `identifier_hash` (`identity_validation_enabled`).
    pub hmac_mandatory: bool,
    /// Whether creating a conversation returns the contact's last one instead.
    pub lock_to_single_conversation: bool,
    /// One entry per contact inbox (a contact reached through two `source_id`s appears
    /// twice, with the same `id`), oldest first.
    pub contacts: Vec<ChatwootContactState>,
    /// Conversations of this inbox, oldest first.
    pub conversations: Vec<ChatwootConversationState>,
}

/// A contact as reached through one contact inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatwootContactState {
    /// Contact id (account-wide).
    pub id: u64,
    /// The `{contact_identifier}` of paths.
    pub source_id: String,
    /// Token of the contact's websocket.
    pub pubsub_token: String,
    /// Name (generated, e.g. `silent-river-482`, when none was given).
    pub name: String,
    /// Email, lowercase.
    pub email: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// External identifier.
    pub identifier: Option<String>,
    /// Custom attributes.
    pub custom_attributes: Map<String, Value>,
    /// Whether a valid `identifier_hash` was presented on show or update.
    pub hmac_verified: bool,
}

/// A conversation and all its messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatwootConversationState {
    /// Display id: the `{conversation_id}` of paths, per inbox from 1.
    pub id: u64,
    /// `source_id` of the contact inbox it was created through.
    pub contact_source_id: String,
    /// `open` or `resolved`.
    pub status: String,
    /// The last `typing_status` received (as sent, even values other than `on`/`off`).
    pub typing_status: Option<String>,
    /// Unix seconds of the last `update_last_seen`, if any.
    pub contact_last_seen_at: Option<u64>,
    /// Custom attributes given at creation.
    pub custom_attributes: Map<String, Value>,
    /// Messages oldest first, activity messages (`message_type` 2) included.
    pub messages: Vec<ChatwootMessageState>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatwootMessageState {
    /// Message id.
    pub id: u64,
    /// Content, if any.
    pub content: Option<String>,
    /// The `echo_id` sent with it (never returned by the API itself).
    pub echo_id: Option<String>,
    /// 0 incoming (from the contact), 2 activity.
    pub message_type: i64,
    /// `content_attributes.submitted_values`, once a message update set it.
    pub submitted_values: Option<Value>,
    /// Uploaded files; their content is never kept.
    pub attachments: Vec<ChatwootAttachmentState>,
}

/// Metadata of an uploaded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatwootAttachmentState {
    /// File name as sent.
    pub name: String,
    /// Content type as sent, or guessed from the name when none was sent.
    pub content_type: String,
    /// `image`, `video`, `audio` or `file`.
    pub file_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
}

impl ChatwootStore {
    pub(crate) fn snapshot(&self) -> ChatwootState {
        let inboxes = self
            .inboxes
            .iter()
            .enumerate()
            .map(|(index, inbox)| ChatwootInboxState {
                identifier: inbox.identifier.to_owned(),
                hmac_mandatory: inbox.hmac_mandatory,
                lock_to_single_conversation: inbox.lock_to_single_conversation,
                contacts: self
                    .contact_inboxes
                    .iter()
                    .filter(|ci| ci.inbox == index)
                    .filter_map(|ci| {
                        let contact = self.contact(ci.contact_id)?;
                        Some(ChatwootContactState {
                            id: contact.id,
                            source_id: ci.source_id.clone(),
                            pubsub_token: ci.pubsub_token.clone(),
                            name: contact.name.clone(),
                            email: contact.email.clone(),
                            phone_number: contact.phone_number.clone(),
                            identifier: contact.identifier.clone(),
                            custom_attributes: contact.custom_attributes.clone(),
                            hmac_verified: ci.hmac_verified,
                        })
                    })
                    .collect(),
                conversations: self
                    .conversations
                    .iter()
                    .filter(|conv| conv.inbox == index)
                    .map(|conv| ChatwootConversationState {
                        id: conv.display_id,
                        contact_source_id: conv.source_id.clone(),
                        status: conv.status.to_owned(),
                        typing_status: conv.typing_status.clone(),
                        contact_last_seen_at: conv.contact_last_seen_at.map(clock::unix_seconds),
                        custom_attributes: conv.custom_attributes.clone(),
                        messages: conv
                            .messages
                            .iter()
                            .map(|message| ChatwootMessageState {
                                id: message.id,
                                content: message.content.clone(),
                                echo_id: message.echo_id.clone(),
                                message_type: message.message_type,
                                submitted_values: message
                                    .content_attributes
                                    .get("submitted_values")
                                    .cloned(),
                                attachments: message
                                    .attachments
                                    .iter()
                                    .map(|attachment| ChatwootAttachmentState {
                                        name: attachment.file.name.clone(),
                                        content_type: attachment.file.content_type.clone(),
                                        file_type: attachment.file_type.to_owned(),
                                        size: attachment.file.size,
                                        sha256: attachment.file.sha256.clone(),
                                    })
                                    .collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        ChatwootState { inboxes }
    }
}
