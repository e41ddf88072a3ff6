//! The control routes of receiving (see the module docs): subscriptions, deliveries, agent
//! replies, dropping cables.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{CommBoxObjectEvent, CommBoxShape, Platform, Subscription};
use crate::state::MockState;

/// Routes relative to `/__mock`.
pub(crate) fn router() -> Router<Arc<MockState>> {
    Router::new()
        .route("/webhooks", post(subscribe).get(list).delete(forget))
        .route("/chatwoot/agent_reply", post(chatwoot_agent_reply))
        .route("/commbox/agent_reply", post(commbox_agent_reply))
        .route("/cable/drop", post(drop_cables))
}

fn bad(problem: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": problem.to_string() })),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSubscription {
    platform: Platform,
    url: String,
    format: Option<CommBoxShape>,
    secret: Option<String>,
}

async fn subscribe(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => return bad(format!("invalid subscription: {e}")),
    };
    match add_subscription(&state, value) {
        Ok(id) => Json(json!({ "id": id })).into_response(),
        Err(problem) => bad(problem),
    }
}

/// Checks and adds a subscription given in its JSON form; returns its id.
pub(crate) fn add_subscription(state: &MockState, value: Value) -> Result<u64, String> {
    let new: NewSubscription =
        serde_json::from_value(value).map_err(|e| format!("invalid subscription: {e}"))?;
    if !new.url.starts_with("http://") {
        return Err("url: the mock delivers to http:// URLs only".into());
    }
    if new.platform == Platform::Chatwoot && new.format.is_some() {
        return Err("format: only CommBox subscriptions choose a shape".into());
    }
    if new.platform == Platform::Commbox && new.secret.is_some() {
        return Err("secret: CommBox signs nothing".into());
    }
    Ok(state.events.subscribe(Subscription {
        id: 0,
        platform: new.platform,
        url: new.url,
        format: new.format,
        signed: new.secret.is_some(),
        secret: new.secret,
    }))
}

async fn list(State(state): State<Arc<MockState>>) -> Response {
    let subscriptions: Vec<Subscription> = {
        let mut all = state.events.subscriptions(Platform::Commbox);
        all.extend(state.events.subscriptions(Platform::Chatwoot));
        all.sort_by_key(|s| s.id);
        all
    };
    Json(json!({
        "subscriptions": subscriptions,
        "deliveries": state.events.deliveries(),
    }))
    .into_response()
}

async fn forget(State(state): State<Arc<MockState>>) -> Response {
    state.events.clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatwootReply {
    /// The inbox identifier (default: the mock's API inbox).
    inbox: Option<String>,
    /// The conversation's display id.
    conversation_id: u64,
    content: String,
    #[serde(default)]
    private: bool,
}

async fn chatwoot_agent_reply(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    let reply: ChatwootReply = match serde_json::from_slice(&body) {
        Ok(reply) => reply,
        Err(e) => return bad(format!("invalid reply: {e}")),
    };
    let inbox = reply.inbox.as_deref().unwrap_or(crate::CHATWOOT_INBOX);
    match chatwoot_reply(
        &state,
        inbox,
        reply.conversation_id,
        &reply.content,
        reply.private,
    ) {
        Some(id) => Json(json!({ "id": id })).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such conversation in that inbox"})),
        )
            .into_response(),
    }
}

/// The mock agent answers in a Chatwoot conversation: stored, then sent to the webhooks
/// and (unless private) the contact's cable. Returns the message id.
pub(crate) fn chatwoot_reply(
    state: &MockState,
    inbox: &str,
    conversation_id: u64,
    content: &str,
    private: bool,
) -> Option<u64> {
    let event =
        state.chatwoot(|store| store.agent_reply(inbox, conversation_id, content, private))?;
    let id = event.webhook["id"].as_u64();
    state.events.chatwoot("message_created", event.webhook);
    if let Some(frame) = event.cable {
        state.events.broadcast(&event.pubsub_token, frame);
    }
    id
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommBoxReply {
    stream_id: String,
    object_id: u64,
    message: String,
    /// The agent's id (`ManagerId`; default 1).
    manager_id: Option<i64>,
}

async fn commbox_agent_reply(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    let reply: CommBoxReply = match serde_json::from_slice(&body) {
        Ok(reply) => reply,
        Err(e) => return bad(format!("invalid reply: {e}")),
    };
    let data = json!({
        "Message": reply.message,
        "IsManager": true,
        "UserIdentity": reply.manager_id.unwrap_or(1),
    });
    match state.add_child(&reply.stream_id, reply.object_id, data.clone(), Vec::new()) {
        Some(child_id) => {
            state.events.commbox(&CommBoxObjectEvent::NewChild {
                stream_id: reply.stream_id,
                object_id: reply.object_id,
                child_id,
                data,
            });
            Json(json!({ "id": child_id })).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such conversation in that stream"})),
        )
            .into_response(),
    }
}

async fn drop_cables(State(state): State<Arc<MockState>>) -> Response {
    state.events.drop_cables();
    Json(Value::Null).into_response()
}
