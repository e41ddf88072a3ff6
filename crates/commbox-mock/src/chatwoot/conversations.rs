//! Conversations of a contact: list, create, show, resolve, typing and last seen.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::errors::{self, Rejection};
use super::params;
use super::store::{ChatwootStore, Conversation, Message, ACTIVITY};
use super::{capitalize, random, respond, RailsRequest};
use crate::state::MockState;

/// Which conversations a lookup by display id may find.
#[derive(Clone, Copy)]
pub(super) enum Scope {
    /// The conversations controller: those of the contact inbox, or all of the contact's
    /// once the contact inbox is HMAC-verified.
    Visible,
    /// The messages routes: any of the contact's conversations.
    Contact,
}

/// `GET .../contacts/{contact_identifier}/conversations`
pub(super) async fn index(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    let Ok(Path((inbox, source_id))) = path else {
        return errors::not_found();
    };
    respond(state.chatwoot(|store| {
        let contact_inbox = store.contact_inbox_in(&inbox, &source_id)?;
        Ok(store
            .visible_conversations(contact_inbox, Scope::Visible)
            .map(|index| store.conversation_view(index, &request.base_url))
            .collect::<Vec<_>>())
    }))
}

/// `POST .../contacts/{contact_identifier}/conversations`
pub(super) async fn create(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    let Ok(Path((inbox, source_id))) = path else {
        return errors::not_found();
    };
    let custom_attributes =
        params::object(&request.params, "custom_attributes").unwrap_or_default();
    let created = state.chatwoot(|store| {
        let contact_inbox = store.contact_inbox_in(&inbox, &source_id)?;
        let before = store.conversations.len();
        let conversation = store.create_conversation(contact_inbox, custom_attributes);
        // An inbox locked to one conversation returns the existing one: no event then.
        let event = (store.conversations.len() > before)
            .then(|| store.conversation_event(conversation, "conversation_created"));
        Ok((
            store.conversation_view(conversation, &request.base_url),
            event,
        ))
    });
    if let Ok((_, Some((webhook, _, _)))) = &created {
        state
            .events
            .chatwoot("conversation_created", webhook.clone());
    }
    respond(created.map(|(view, _)| view))
}

/// `GET .../conversations/{conversation_id}`
pub(super) async fn show(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    with_conversation(&state, path, |store, conversation| {
        respond(Ok(store.conversation_view(conversation, &request.base_url)))
    })
}

/// `POST .../toggle_status`: resolves (only ever resolves) and answers the conversation.
pub(super) async fn toggle_status(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    with_conversation(&state, path, |store, conversation| {
        store.resolve(conversation);
        // Announced from under the store's lock: delivering takes other locks only.
        let (webhook, cable, token) =
            store.conversation_event(conversation, "conversation_status_changed");
        state
            .events
            .chatwoot("conversation_status_changed", webhook);
        if let Some(frame) = cable {
            state.events.broadcast(&token, frame);
        }
        respond(Ok(store.conversation_view(conversation, &request.base_url)))
    })
}

/// `POST .../toggle_typing`: `on`/`off` would notify agents; any value answers an empty 200.
pub(super) async fn toggle_typing(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    let typing = params::scalar(&request.params, "typing_status");
    with_conversation(&state, path, |store, conversation| {
        if typing.is_some() {
            store.conversations[conversation].typing_status = typing;
        }
        errors::head_ok()
    })
}

/// `POST .../update_last_seen`
pub(super) async fn update_last_seen(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    _request: RailsRequest,
) -> Response {
    with_conversation(&state, path, |store, conversation| {
        store.conversations[conversation].contact_last_seen_at = Some(SystemTime::now());
        errors::head_ok()
    })
}

/// Runs `action` on the conversation of a member route, or answers 404.
fn with_conversation(
    state: &MockState,
    path: Result<Path<(String, String, String)>, PathRejection>,
    action: impl FnOnce(&mut ChatwootStore, usize) -> Response,
) -> Response {
    let Ok(Path((inbox, source_id, display_id))) = path else {
        return errors::not_found();
    };
    state.chatwoot(|store| {
        match store
            .contact_inbox_in(&inbox, &source_id)
            .and_then(|ci| store.conversation(ci, &display_id, Scope::Visible))
        {
            Ok(conversation) => action(store, conversation),
            Err(failure) => failure.into_response(),
        }
    })
}

impl ChatwootStore {
    /// Inbox by identifier, then its contact inbox by source id.
    pub(super) fn contact_inbox_in(
        &self,
        inbox: &str,
        source_id: &str,
    ) -> Result<usize, Rejection> {
        let inbox = self.inbox(inbox)?;
        self.contact_inbox(inbox, source_id)
    }

    /// Indices of the conversations `scope` lets contact inbox `contact_inbox` see, oldest
    /// first. Display ids are per inbox in the mock, so every scope stays inside the inbox.
    pub(super) fn visible_conversations(
        &self,
        contact_inbox: usize,
        scope: Scope,
    ) -> impl Iterator<Item = usize> + '_ {
        let ci = &self.contact_inboxes[contact_inbox];
        let whole_contact = matches!(scope, Scope::Contact) || ci.hmac_verified;
        self.conversations
            .iter()
            .enumerate()
            .filter(move |(_, conv)| {
                conv.inbox == ci.inbox
                    && if whole_contact {
                        conv.contact_id == ci.contact_id
                    } else {
                        conv.source_id == ci.source_id
                    }
            })
            .map(|(index, _)| index)
    }

    /// `find_by!(display_id:)` among the conversations `scope` allows.
    pub(super) fn conversation(
        &self,
        contact_inbox: usize,
        display_id: &str,
        scope: Scope,
    ) -> Result<usize, Rejection> {
        let display_id = params::id(display_id).ok_or(Rejection::NotFound)?;
        self.visible_conversations(contact_inbox, scope)
            .find(|&index| self.conversations[index].display_id == display_id)
            .ok_or(Rejection::NotFound)
    }

    /// `ConversationBuilder`: with `lock_to_single_conversation`, the contact inbox's last
    /// conversation (whatever its status) instead of a new one.
    fn create_conversation(
        &mut self,
        contact_inbox: usize,
        custom_attributes: serde_json::Map<String, serde_json::Value>,
    ) -> usize {
        let ci = self.contact_inboxes[contact_inbox].clone();
        if self.inboxes[ci.inbox].lock_to_single_conversation {
            if let Some(last) = self
                .conversations
                .iter()
                .rposition(|conv| conv.inbox == ci.inbox && conv.source_id == ci.source_id)
            {
                return last;
            }
        }
        let inbox = &mut self.inboxes[ci.inbox];
        let display_id = inbox.next_display_id;
        inbox.next_display_id += 1;
        self.conversations.push(Conversation {
            inbox: ci.inbox,
            display_id,
            uuid: random::uuid_v4(),
            contact_id: ci.contact_id,
            source_id: ci.source_id,
            status: "open",
            typing_status: None,
            contact_last_seen_at: None,
            agent_last_seen_at: None,
            custom_attributes,
            messages: Vec::new(),
        });
        self.conversations.len() - 1
    }

    /// Resolves an open conversation, leaving the activity message Chatwoot's
    /// `ActivityMessageHandler` writes for a contact; a resolved one is left as it is.
    fn resolve(&mut self, conversation: usize) {
        if self.conversations[conversation].status == "resolved" {
            return;
        }
        let contact_id = self.conversations[conversation].contact_id;
        let name = self
            .contact(contact_id)
            .map(|contact| capitalize(&contact.name))
            .unwrap_or_default();
        self.conversations[conversation].status = "resolved";
        self.add_activity(conversation, format!("Conversation was resolved by {name}"));
    }

    /// Appends an activity message (`message_type` 2, no sender): stored and shown by the
    /// inspection view, never by the public API.
    pub(super) fn add_activity(&mut self, conversation: usize, content: String) {
        let id = self.next_message_id;
        self.next_message_id += 1;
        self.conversations[conversation].messages.push(Message {
            id,
            content: Some(content),
            echo_id: None,
            message_type: ACTIVITY,
            content_type: "text",
            content_attributes: serde_json::Map::new(),
            created_at: SystemTime::now(),
            sender: None,
            attachments: Vec::new(),
        });
    }
}
