//! What the Chatwoot mock remembers: seeded inboxes, the account's contacts, contact inboxes,
//! conversations and messages. The operations live next to their routes (contacts.rs, ...).

use std::time::SystemTime;

use serde_json::{Map, Value};

use super::errors::Rejection;
use crate::state::StoredAttachment;
use crate::{CHATWOOT_HMAC_INBOX, CHATWOOT_HMAC_TOKEN, CHATWOOT_INBOX, CHATWOOT_SINGLE_INBOX};

/// The one account every inbox and contact belongs to.
pub(crate) const ACCOUNT_ID: u64 = 1;

/// First contact id. Distinct ranges for contacts, messages and attachments make a client
/// that mixes up ids fail loudly instead of hitting another record by chance.
const FIRST_CONTACT_ID: u64 = 1_001;
const FIRST_MESSAGE_ID: u64 = 50_001;
const FIRST_ATTACHMENT_ID: u64 = 90_001;

/// `message_type` values.
pub(crate) const INCOMING: i64 = 0;
pub(crate) const ACTIVITY: i64 = 2;

/// An API-channel inbox. Inboxes are seeded and survive resets.
pub(crate) struct Inbox {
    /// Database id (`inbox_id` in conversations).
    pub id: u64,
    /// `Channel::Api#identifier`, the `{inbox_identifier}` of paths.
    pub identifier: &'static str,
    pub name: &'static str,
    pub timezone: &'static str,
    /// Key of the `identifier_hash` HMAC.
    pub hmac_token: &'static str,
    /// Shown as `identity_validation_enabled`.
    pub hmac_mandatory: bool,
    pub lock_to_single_conversation: bool,
    /// Next conversation display id; never reset, so ids from before a reset stay unknown.
    pub next_display_id: u64,
}

/// A contact of the account (contacts are account-wide, not per inbox).
#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub id: u64,
    pub name: String,
    /// Lowercased, as `Contact#prepare_email_attribute` stores it.
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub identifier: Option<String>,
    /// Chatwoot downloads it in a job; the mock shows the URL as the thumbnail.
    pub avatar_url: Option<String>,
    pub additional_attributes: Map<String, Value>,
    pub custom_attributes: Map<String, Value>,
    /// `visitor` until an email or phone number makes it a `lead`.
    pub contact_type: &'static str,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub last_activity_at: Option<SystemTime>,
}

/// The link between a contact and an inbox; `source_id` is the `{contact_identifier}`.
#[derive(Debug, Clone)]
pub(crate) struct ContactInbox {
    /// Index into `ChatwootStore::inboxes`.
    pub inbox: usize,
    pub contact_id: u64,
    pub source_id: String,
    pub pubsub_token: String,
    /// Set by a valid `identifier_hash` on contact show or update.
    pub hmac_verified: bool,
}

pub(crate) struct Conversation {
    /// Index into `ChatwootStore::inboxes`.
    pub inbox: usize,
    /// The `{conversation_id}` of paths and the `id` of the JSON.
    pub display_id: u64,
    pub uuid: String,
    pub contact_id: u64,
    /// The contact inbox it was created through.
    pub source_id: String,
    /// `open` or `resolved`.
    pub status: &'static str,
    /// Last `typing_status` param received, as sent.
    pub typing_status: Option<String>,
    pub contact_last_seen_at: Option<SystemTime>,
    pub agent_last_seen_at: Option<SystemTime>,
    pub custom_attributes: Map<String, Value>,
    /// Oldest first, activity messages included.
    pub messages: Vec<Message>,
}

pub(crate) struct Message {
    pub id: u64,
    pub content: Option<String>,
    /// Only recorded: Chatwoot never persists it or returns it over HTTP.
    pub echo_id: Option<String>,
    pub message_type: i64,
    pub content_type: &'static str,
    pub content_attributes: Map<String, Value>,
    pub created_at: SystemTime,
    /// The contact who sent it; `None` for activity messages.
    pub sender: Option<u64>,
    pub attachments: Vec<Attachment>,
}

pub(crate) struct Attachment {
    pub id: u64,
    /// `image`, `video`, `audio` or `file`, from the upload's content type.
    pub file_type: &'static str,
    pub file: StoredAttachment,
}

/// All Chatwoot state of one mock.
pub(crate) struct ChatwootStore {
    pub inboxes: Vec<Inbox>,
    pub contacts: Vec<Contact>,
    pub contact_inboxes: Vec<ContactInbox>,
    pub conversations: Vec<Conversation>,
    pub next_contact_id: u64,
    pub next_message_id: u64,
    pub next_attachment_id: u64,
}

impl ChatwootStore {
    /// The seeded inboxes and nothing else.
    pub(crate) fn new() -> Self {
        let inbox = |id, identifier, name, hmac_mandatory, lock| Inbox {
            id,
            identifier,
            name,
            timezone: "UTC",
            // One key for every seeded inbox, so tests can send a valid hash anywhere.
            hmac_token: CHATWOOT_HMAC_TOKEN,
            hmac_mandatory,
            lock_to_single_conversation: lock,
            next_display_id: 1,
        };
        ChatwootStore {
            inboxes: vec![
                inbox(1, CHATWOOT_INBOX, "Mock Inbox", false, false),
                inbox(2, CHATWOOT_HMAC_INBOX, "Mock HMAC Inbox", true, false),
                inbox(3, CHATWOOT_SINGLE_INBOX, "Mock Single Inbox", false, true),
            ],
            contacts: Vec::new(),
            contact_inboxes: Vec::new(),
            conversations: Vec::new(),
            next_contact_id: FIRST_CONTACT_ID,
            next_message_id: FIRST_MESSAGE_ID,
            next_attachment_id: FIRST_ATTACHMENT_ID,
        }
    }

    /// Forgets contacts, conversations and messages; inboxes and every id counter stay.
    pub(crate) fn clear(&mut self) {
        self.contacts.clear();
        self.contact_inboxes.clear();
        self.conversations.clear();
    }

    /// `Channel::Api.find_by!(identifier:)`.
    pub(crate) fn inbox(&self, identifier: &str) -> Result<usize, Rejection> {
        self.inboxes
            .iter()
            .position(|inbox| inbox.identifier == identifier)
            .ok_or(Rejection::NotFound)
    }

    /// `inbox.contact_inboxes.find_by!(source_id:)`, as an index into `contact_inboxes`.
    pub(crate) fn contact_inbox(&self, inbox: usize, source_id: &str) -> Result<usize, Rejection> {
        self.find_contact_inbox(inbox, source_id)
            .ok_or(Rejection::NotFound)
    }

    pub(crate) fn find_contact_inbox(&self, inbox: usize, source_id: &str) -> Option<usize> {
        self.contact_inboxes
            .iter()
            .position(|ci| ci.inbox == inbox && ci.source_id == source_id)
    }

    pub(crate) fn contact(&self, id: u64) -> Option<&Contact> {
        self.contacts.iter().find(|contact| contact.id == id)
    }

    pub(crate) fn contact_mut(&mut self, id: u64) -> Option<&mut Contact> {
        self.contacts.iter_mut().find(|contact| contact.id == id)
    }

    pub(crate) fn message_index(&self, conversation: usize, message_id: u64) -> Option<usize> {
        self.conversations[conversation]
            .messages
            .iter()
            .position(|message| message.id == message_id)
    }
}
