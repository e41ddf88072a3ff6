//! Messages of a conversation: list, create (JSON or multipart with attachments), update.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value};

use super::conversations::Scope;
use super::errors::{self, Invalid, Rejection};
use super::params::{self, Params};
use super::store::{Attachment, ChatwootStore, Message, ACTIVITY, INCOMING};
use super::{respond, RailsRequest};
use crate::record::Upload;
use crate::state::MockState;

/// `validates :content, length: { maximum: 150_000 }`.
const MAX_CONTENT_CHARS: usize = 150_000;
/// `Message::NUMBER_OF_PERMITTED_ATTACHMENTS`.
const MAX_ATTACHMENTS: usize = 15;
/// `CONVERSATION_MESSAGE_PER_MINUTE_LIMIT`'s default: more messages than this in a
/// conversation within a minute are refused.
const MESSAGES_PER_MINUTE: usize = 200;
/// How many messages one page of the list holds.
const PAGE: usize = 20;

type ConversationPath = Result<Path<(String, String, String)>, PathRejection>;

/// `GET .../conversations/{conversation_id}/messages?before=<message id>`: the latest 20
/// (before that id, if given), oldest first, without activity messages.
pub(super) async fn index(
    State(state): State<Arc<MockState>>,
    path: ConversationPath,
    request: RailsRequest,
) -> Response {
    let Ok(Path((inbox, source_id, display_id))) = path else {
        return errors::not_found();
    };
    // `params[:before].to_i`: anything without leading digits is 0, which no id is below.
    let before =
        params::present(&request.params, "before").map(|text| params::id(&text).unwrap_or(0));
    respond(state.chatwoot(|store| {
        let conversation = store.message_conversation(&inbox, &source_id, &display_id)?;
        let messages = &store.conversations[conversation].messages;
        let mut page: Vec<usize> = messages
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, m)| m.message_type != ACTIVITY && before.is_none_or(|b| m.id < b))
            .take(PAGE)
            .map(|(index, _)| index)
            .collect();
        page.reverse();
        Ok(page
            .into_iter()
            .map(|index| store.message_view(conversation, index, &request.base_url))
            .collect::<Vec<_>>())
    }))
}

/// `POST .../conversations/{conversation_id}/messages`: `content` and `echo_id` (JSON, form
/// or multipart) and `attachments[]` files. The message is always incoming, from the contact.
pub(super) async fn create(
    State(state): State<Arc<MockState>>,
    path: ConversationPath,
    request: RailsRequest,
) -> Response {
    let Ok(Path((inbox, source_id, display_id))) = path else {
        return errors::not_found();
    };
    let RailsRequest {
        params,
        uploads,
        base_url,
    } = request;
    let created = state.chatwoot(|store| {
        let conversation = store.message_conversation(&inbox, &source_id, &display_id)?;
        let message = store.add_incoming(conversation, &params, uploads)?;
        let event = store.message_event(conversation, message, false, false);
        Ok((store.message_view(conversation, message, &base_url), event))
    });
    if let Ok((_, event)) = &created {
        // What the real server does after the create: the inbox's webhooks, the cable.
        state
            .events
            .chatwoot("message_created", event.webhook.clone());
        if let Some(frame) = &event.cable {
            state.events.broadcast(&event.pubsub_token, frame.clone());
        }
    }
    respond(created.map(|(view, _)| view))
}

/// `PATCH`/`PUT .../messages/{message_id}` with `submitted_values` (bot and CSAT replies).
pub(super) async fn update(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    let Ok(Path((inbox, source_id, display_id, message_id))) = path else {
        return errors::not_found();
    };
    let submitted = request
        .params
        .get("submitted_values")
        .and_then(permit_submitted);
    respond(state.chatwoot(|store| {
        let conversation = store.message_conversation(&inbox, &source_id, &display_id)?;
        let message = params::id(&message_id)
            .and_then(|id| store.message_index(conversation, id))
            .ok_or(Rejection::NotFound)?;
        if let Some(values) = submitted {
            store.conversations[conversation].messages[message]
                .content_attributes
                .insert("submitted_values".to_owned(), values);
        }
        Ok(store.message_view(conversation, message, &request.base_url))
    }))
}

/// `params.permit(submitted_values: [:name, :title, :value, {csat_survey_response:
/// [:feedback_message, :rating]}])`: a hash, or an array of hashes, keeping those keys only.
/// Anything else is not permitted and leaves the message as it is.
fn permit_submitted(value: &Value) -> Option<Value> {
    fn filter(map: &Map<String, Value>) -> Value {
        let mut kept = Map::new();
        for key in ["name", "title", "value"] {
            if let Some(value) = map.get(key).filter(|v| is_scalar(v)) {
                kept.insert(key.to_owned(), value.clone());
            }
        }
        if let Some(Value::Object(csat)) = map.get("csat_survey_response") {
            let mut response = Map::new();
            for key in ["feedback_message", "rating"] {
                if let Some(value) = csat.get(key).filter(|v| is_scalar(v)) {
                    response.insert(key.to_owned(), value.clone());
                }
            }
            kept.insert("csat_survey_response".to_owned(), Value::Object(response));
        }
        Value::Object(kept)
    }
    fn is_scalar(value: &Value) -> bool {
        !matches!(value, Value::Array(_) | Value::Object(_))
    }
    match value {
        Value::Object(map) => Some(filter(map)),
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|item| item.as_object().map(filter))
                .collect(),
        )),
        _ => None,
    }
}

/// `file_type` helper: the exact content types Chatwoot lists for images and videos, any
/// `audio/` one, everything else (or no content type at all) a file.
fn file_type(content_type: Option<&str>) -> &'static str {
    match content_type {
        Some("image/jpeg" | "image/png" | "image/gif" | "image/bmp" | "image/webp") => "image",
        Some("video/ogg" | "video/mp4" | "video/webm" | "video/quicktime") => "video",
        Some(other) if other.contains("audio/") => "audio",
        _ => "file",
    }
}

impl ChatwootStore {
    /// The messages routes' lookup: any conversation of the contact.
    fn message_conversation(
        &self,
        inbox: &str,
        source_id: &str,
        display_id: &str,
    ) -> Result<usize, Rejection> {
        let contact_inbox = self.contact_inbox_in(inbox, source_id)?;
        self.conversation(contact_inbox, display_id, Scope::Contact)
            .map_err(|_| Rejection::NotFound)
    }

    fn add_incoming(
        &mut self,
        conversation: usize,
        params: &Params,
        uploads: Vec<Upload>,
    ) -> Result<usize, Rejection> {
        // Non-file `attachments` (strings in JSON or text parts) reach `build_attachment`,
        // which calls `content_type` on them: an unhandled NoMethodError, i.e. a 500.
        if !params::is_blank(params.get("attachments")) {
            return Err(Rejection::Crash);
        }
        let content = params::scalar(params, "content");
        let echo_id = params::scalar(params, "echo_id");
        let now = SystemTime::now();

        let mut invalid = Invalid::default();
        if content
            .as_deref()
            .is_some_and(|text| text.chars().count() > MAX_CONTENT_CHARS)
        {
            invalid.add(
                "content",
                &format!("is too long (maximum is {MAX_CONTENT_CHARS} characters)"),
            );
        }
        if uploads.len() > MAX_ATTACHMENTS {
            invalid.add("attachments", "exceeded maximum allowed");
        }
        let minute_ago = now.checked_sub(Duration::from_secs(60)).unwrap_or(now);
        let recent = self.conversations[conversation]
            .messages
            .iter()
            .filter(|m| m.created_at >= minute_ago)
            .count();
        if recent >= MESSAGES_PER_MINUTE {
            invalid.add("base", "Too many messages");
        }
        invalid.into_result()?;

        let id = self.next_message_id;
        self.next_message_id += 1;
        let attachments = uploads
            .into_iter()
            .map(|upload| {
                let attachment_id = self.next_attachment_id;
                self.next_attachment_id += 1;
                Attachment {
                    id: attachment_id,
                    file_type: file_type(upload.sent_content_type.as_deref()),
                    file: upload.file,
                }
            })
            .collect();
        let contact_id = self.conversations[conversation].contact_id;
        let conv = &mut self.conversations[conversation];
        conv.messages.push(Message {
            id,
            content,
            echo_id,
            message_type: INCOMING,
            content_type: "text",
            content_attributes: Map::new(),
            created_at: now,
            sender: Some(contact_id),
            attachments,
        });
        let index = conv.messages.len() - 1;
        // `Message#reopen_conversation`: the contact writing again reopens a resolved one.
        if conv.status == "resolved" {
            conv.status = "open";
            self.add_activity(
                conversation,
                "System reopened the conversation due to a new incoming message.".to_owned(),
            );
        }
        if let Some(contact) = self.contact_mut(contact_id) {
            contact.last_activity_at = Some(now);
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_types() {
        assert_eq!(file_type(Some("image/png")), "image");
        assert_eq!(file_type(Some("image/svg+xml")), "file");
        assert_eq!(file_type(Some("video/mp4")), "video");
        assert_eq!(file_type(Some("audio/mpeg")), "audio");
        assert_eq!(file_type(Some("application/pdf")), "file");
        assert_eq!(file_type(None), "file");
    }

    #[test]
    fn permits_submitted_values() {
        assert_eq!(
            permit_submitted(&json!({"title": "A", "value": "a", "x": 1})),
            Some(json!({"title": "A", "value": "a"}))
        );
        assert_eq!(
            permit_submitted(&json!([{"title": "A", "extra": [1]}, "junk"])),
            Some(json!([{"title": "A"}]))
        );
        assert_eq!(
            permit_submitted(&json!({"csat_survey_response": {"rating": 5, "x": 1}})),
            Some(json!({"csat_survey_response": {"rating": 5}}))
        );
        assert_eq!(permit_submitted(&json!("nope")), None);
    }
}
