//! The JSON the real server emits (its jbuilder views and `Contact#as_json`), as ordered
//! structs built under the state lock and serialized after it is released.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::{Map, Value};

use super::store::{ChatwootStore, Contact, Inbox, ACCOUNT_ID, ACTIVITY};
use crate::clock;

/// Characters kept as they are in a URL path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `inboxes/show.json.jbuilder`.
#[derive(Serialize)]
pub(crate) struct InboxView {
    identifier: &'static str,
    identity_validation_enabled: bool,
    name: &'static str,
    timezone: &'static str,
    working_hours: Vec<WorkingHour>,
    working_hours_enabled: bool,
    csat_survey_enabled: bool,
    greeting_enabled: bool,
}

/// One day of `Inbox#weekly_schedule`.
#[derive(Serialize)]
struct WorkingHour {
    day_of_week: u8,
    closed_all_day: bool,
    open_hour: Option<u8>,
    open_minutes: Option<u8>,
    close_hour: Option<u8>,
    close_minutes: Option<u8>,
    open_all_day: bool,
}

pub(crate) fn inbox(inbox: &Inbox) -> InboxView {
    // Chatwoot's default schedule for a new inbox: weekdays 9 to 17, weekends closed.
    let working_hours = (0..7)
        .map(|day| {
            let weekend = day == 0 || day == 6;
            let hour = |value| (!weekend).then_some(value);
            WorkingHour {
                day_of_week: day,
                closed_all_day: weekend,
                open_hour: hour(9),
                open_minutes: hour(0),
                close_hour: hour(17),
                close_minutes: hour(0),
                open_all_day: false,
            }
        })
        .collect();
    InboxView {
        identifier: inbox.identifier,
        identity_validation_enabled: inbox.hmac_mandatory,
        name: inbox.name,
        timezone: inbox.timezone,
        working_hours,
        working_hours_enabled: false,
        csat_survey_enabled: false,
        greeting_enabled: false,
    }
}

/// `contacts/create.json.jbuilder` and `show`: the contact inbox plus `_contact`.
#[derive(Serialize)]
pub(crate) struct ContactInboxView {
    source_id: String,
    pubsub_token: String,
    id: u64,
    name: String,
    email: Option<String>,
    phone_number: Option<String>,
}

/// `Contact#as_json`: every column, as contact update and conversations show it.
#[derive(Serialize)]
pub(crate) struct ContactModel {
    id: u64,
    name: String,
    email: Option<String>,
    phone_number: Option<String>,
    identifier: Option<String>,
    additional_attributes: Map<String, Value>,
    custom_attributes: Map<String, Value>,
    account_id: u64,
    created_at: String,
    updated_at: String,
    last_activity_at: Option<String>,
    contact_type: &'static str,
    middle_name: &'static str,
    last_name: &'static str,
    location: &'static str,
    country_code: &'static str,
    blocked: bool,
    company_id: Option<u64>,
}

/// `Contact#push_event_data`: a message's `sender`.
#[derive(Serialize)]
struct Sender {
    additional_attributes: Map<String, Value>,
    custom_attributes: Map<String, Value>,
    email: Option<String>,
    id: u64,
    identifier: Option<String>,
    name: String,
    phone_number: Option<String>,
    thumbnail: String,
    blocked: bool,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `Attachment#push_event_data` for an uploaded file.
#[derive(Serialize)]
struct AttachmentView {
    id: u64,
    message_id: u64,
    file_type: &'static str,
    account_id: u64,
    extension: Option<String>,
    data_url: String,
    thumb_url: String,
    file_size: u64,
    width: Option<u32>,
    height: Option<u32>,
}

/// `models/_message.json.jbuilder`.
#[derive(Serialize)]
pub(crate) struct MessageView {
    id: u64,
    content: Option<String>,
    message_type: i64,
    content_type: &'static str,
    content_attributes: Map<String, Value>,
    created_at: u64,
    conversation_id: u64,
    /// Absent, not empty, when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<Vec<AttachmentView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<Sender>,
}

/// `models/_conversation.json.jbuilder`.
#[derive(Serialize)]
pub(crate) struct ConversationView {
    id: u64,
    uuid: String,
    inbox_id: u64,
    contact_last_seen_at: u64,
    status: &'static str,
    agent_last_seen_at: u64,
    messages: Vec<MessageView>,
    contact: Option<ContactModel>,
}

impl ChatwootStore {
    pub(crate) fn contact_inbox_view(&self, contact_inbox: usize) -> Option<ContactInboxView> {
        let ci = self.contact_inboxes.get(contact_inbox)?;
        let contact = self.contact(ci.contact_id)?;
        Some(ContactInboxView {
            source_id: ci.source_id.clone(),
            pubsub_token: ci.pubsub_token.clone(),
            id: contact.id,
            name: contact.name.clone(),
            email: contact.email.clone(),
            phone_number: contact.phone_number.clone(),
        })
    }

    pub(crate) fn contact_model(&self, id: u64) -> Option<ContactModel> {
        let contact = self.contact(id)?;
        Some(ContactModel {
            id: contact.id,
            name: contact.name.clone(),
            email: contact.email.clone(),
            phone_number: contact.phone_number.clone(),
            identifier: contact.identifier.clone(),
            additional_attributes: contact.additional_attributes.clone(),
            custom_attributes: contact.custom_attributes.clone(),
            account_id: ACCOUNT_ID,
            created_at: clock::format_rails(contact.created_at),
            updated_at: clock::format_rails(contact.updated_at),
            last_activity_at: contact.last_activity_at.map(clock::format_rails),
            contact_type: contact.contact_type,
            middle_name: "",
            last_name: "",
            location: "",
            country_code: "",
            blocked: false,
            company_id: None,
        })
    }

    /// Message `message` of conversation `conversation` (indices), with file URLs under `base`.
    pub(crate) fn message_view(
        &self,
        conversation: usize,
        message: usize,
        base: &str,
    ) -> MessageView {
        let conv = &self.conversations[conversation];
        let message = &conv.messages[message];
        let attachments = (!message.attachments.is_empty()).then(|| {
            message
                .attachments
                .iter()
                .map(|attachment| {
                    let name = utf8_percent_encode(&attachment.file.name, SEGMENT);
                    let extension = attachment
                        .file
                        .name
                        .rsplit_once('.')
                        .map(|(_, ext)| ext.to_owned())
                        .filter(|ext| !ext.is_empty());
                    let thumb_url = if attachment.file_type == "image" {
                        format!(
                            "{base}/rails/active_storage/representations/{}/{name}",
                            attachment.id
                        )
                    } else {
                        String::new()
                    };
                    AttachmentView {
                        id: attachment.id,
                        message_id: message.id,
                        file_type: attachment.file_type,
                        account_id: ACCOUNT_ID,
                        extension,
                        data_url: format!(
                            "{base}/rails/active_storage/blobs/{}/{name}",
                            attachment.id
                        ),
                        thumb_url,
                        file_size: attachment.file.size,
                        width: None,
                        height: None,
                    }
                })
                .collect()
        });
        MessageView {
            id: message.id,
            content: message.content.clone(),
            message_type: message.message_type,
            content_type: message.content_type,
            content_attributes: message.content_attributes.clone(),
            created_at: clock::unix_seconds(message.created_at),
            conversation_id: conv.display_id,
            attachments,
            sender: message.sender.and_then(|id| self.contact(id)).map(sender),
        }
    }

    pub(crate) fn conversation_view(&self, conversation: usize, base: &str) -> ConversationView {
        let conv = &self.conversations[conversation];
        // `messages.chat`: every message but activity ones, unpaginated.
        let messages = conv
            .messages
            .iter()
            .enumerate()
            .filter(|(_, message)| message.message_type != ACTIVITY)
            .map(|(index, _)| self.message_view(conversation, index, base))
            .collect();
        ConversationView {
            id: conv.display_id,
            uuid: conv.uuid.clone(),
            inbox_id: self.inboxes[conv.inbox].id,
            contact_last_seen_at: conv.contact_last_seen_at.map_or(0, clock::unix_seconds),
            status: conv.status,
            agent_last_seen_at: conv.agent_last_seen_at.map_or(0, clock::unix_seconds),
            messages,
            contact: self.contact_model(conv.contact_id),
        }
    }
}

fn sender(contact: &Contact) -> Sender {
    Sender {
        additional_attributes: contact.additional_attributes.clone(),
        custom_attributes: contact.custom_attributes.clone(),
        email: contact.email.clone(),
        id: contact.id,
        identifier: contact.identifier.clone(),
        name: contact.name.clone(),
        phone_number: contact.phone_number.clone(),
        thumbnail: contact.avatar_url.clone().unwrap_or_default(),
        blocked: false,
        kind: "contact",
    }
}
