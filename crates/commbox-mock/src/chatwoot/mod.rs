//! Chatwoot's public client API (`/public/api/v1/inboxes/{inbox_identifier}/...`) as served
//! from memory, with the behaviour of the real Rails server rather than of its swagger.
//!
//! There is no token: the inbox identifier and the contact's `source_id` in the path are the
//! only access control. Requests still pass the shared pipeline, so they are recorded,
//! faulted and reset like CommBox ones.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::{header, request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use serde::Serialize;

use crate::record::{Payload, Upload};
use crate::state::MockState;

mod contacts;
mod conversations;
pub(crate) mod errors;
mod hmac;
mod inboxes;
mod messages;
pub(crate) mod params;
mod random;
mod render;
mod snapshot;
mod store;

pub use snapshot::{
    ChatwootAttachmentState, ChatwootContactState, ChatwootConversationState, ChatwootInboxState,
    ChatwootMessageState, ChatwootState,
};
pub(crate) use store::{ChatwootStore, Message, ACCOUNT_ID};

use errors::Rejection;
use params::Params;

/// Chatwoot routes. Rails' routing error (404) answers everything else under the prefix,
/// via the server's fallbacks.
pub(crate) fn router() -> Router<Arc<MockState>> {
    const INBOX: &str = "/public/api/v1/inboxes/{inbox}";
    const CONTACT: &str = "/public/api/v1/inboxes/{inbox}/contacts/{contact}";
    const CONVERSATION: &str =
        "/public/api/v1/inboxes/{inbox}/contacts/{contact}/conversations/{conversation}";
    Router::new()
        .route(INBOX, get(inboxes::show))
        .route(&format!("{INBOX}/contacts"), post(contacts::create))
        .route(
            CONTACT,
            get(contacts::show)
                .patch(contacts::update)
                .put(contacts::update),
        )
        .route(
            &format!("{CONTACT}/conversations"),
            get(conversations::index).post(conversations::create),
        )
        .route(CONVERSATION, get(conversations::show))
        .route(
            &format!("{CONVERSATION}/toggle_status"),
            post(conversations::toggle_status),
        )
        .route(
            &format!("{CONVERSATION}/toggle_typing"),
            post(conversations::toggle_typing),
        )
        .route(
            &format!("{CONVERSATION}/update_last_seen"),
            post(conversations::update_last_seen),
        )
        .route(
            &format!("{CONVERSATION}/messages"),
            get(messages::index).post(messages::create),
        )
        .route(
            &format!("{CONVERSATION}/messages/{{message}}"),
            patch(messages::update).put(messages::update),
        )
}

/// What a Chatwoot action sees of its request besides the path.
pub(crate) struct RailsRequest {
    /// Body params with the query string merged over them.
    params: Params,
    /// `attachments[]` file parts.
    uploads: Vec<Upload>,
    /// `http://host:port` the client used, for file URLs.
    base_url: String,
}

impl<S: Send + Sync> FromRequestParts<S> for RailsRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut request::Parts, state: &S) -> Result<Self, Response> {
        let body = match Payload::from_request_parts(parts, state).await {
            Ok(Payload(body)) => body,
            Err(never) => match never {},
        };
        // Rails parses params on first use, which every action makes: a body it cannot parse
        // is a 400 (`ActionDispatch::Http::Parameters::ParseError`) before any lookup.
        if body.problem.is_some() {
            return Err(errors::status_only(StatusCode::BAD_REQUEST));
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("127.0.0.1");
        Ok(RailsRequest {
            params: params::request_params(parts.uri.query(), &body),
            uploads: body.uploads.clone(),
            base_url: format!("http://{host}"),
        })
    }
}

/// A view as 200 JSON, or the failure's answer.
fn respond<T: Serialize>(result: Result<T, Rejection>) -> Response {
    match result {
        Ok(view) => errors::ok(&view),
        Err(failure) => failure.into_response(),
    }
}

/// Ruby's `String#capitalize`: first character upper case, the rest lower case.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn capitalizes_like_ruby() {
        assert_eq!(super::capitalize("silent-river-4"), "Silent-river-4");
        assert_eq!(super::capitalize("ALICE Smith"), "Alice smith");
        assert_eq!(super::capitalize(""), "");
    }
}
