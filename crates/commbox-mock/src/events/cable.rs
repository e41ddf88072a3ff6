//! `GET /cable`: Chatwoot's ActionCable endpoint, as much of it as a contact's client uses:
//! `welcome`, a `ping` every 3 s, RoomChannel subscriptions by `pubsub_token` (confirmed, or
//! rejected for an unknown token), the broadcasts for that token, and `update_presence`
//! messages accepted. `POST /__mock/cable/drop` closes every socket without a close frame,
//! as a dropped connection would.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use crate::clock;
use crate::state::MockState;

/// How often the server pings, as ActionCable does.
const PING_EVERY: Duration = Duration::from_secs(3);

pub(crate) async fn cable(State(state): State<Arc<MockState>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(state, socket))
}

async fn session(state: Arc<MockState>, mut socket: WebSocket) {
    let mut broadcasts = state.events.cable.subscribe();
    let mut drops = state.events.drops.subscribe();
    // (identifier as the client sent it, pubsub token)
    let mut rooms: Vec<(String, String)> = Vec::new();
    if send(&mut socket, json!({"type": "welcome"})).await.is_err() {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            frame = socket.recv() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = command(&state, text.as_str(), &mut rooms) {
                        if send(&mut socket, reply).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            broadcast = broadcasts.recv() => match broadcast {
                Ok(b) => {
                    for (identifier, token) in &rooms {
                        if *token == b.pubsub_token {
                            let frame = json!({"identifier": identifier, "message": b.message});
                            if send(&mut socket, frame).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            _ = ping.tick() => {
                let frame = json!({"type": "ping", "message": clock::unix_seconds(std::time::SystemTime::now())});
                if send(&mut socket, frame).await.is_err() {
                    return;
                }
            }
            _ = drops.changed() => return,
        }
    }
}

/// The answer to a client's command, if it needs one.
fn command(state: &MockState, text: &str, rooms: &mut Vec<(String, String)>) -> Option<Value> {
    let frame: Value = serde_json::from_str(text).ok()?;
    let identifier = frame.get("identifier")?.as_str()?.to_owned();
    match frame.get("command")?.as_str()? {
        "subscribe" => {
            let id: Value = serde_json::from_str(&identifier).ok()?;
            let token = id
                .get("pubsub_token")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let known = id.get("channel").and_then(Value::as_str) == Some("RoomChannel")
                && state.chatwoot(|store| {
                    store
                        .contact_inboxes
                        .iter()
                        .any(|ci| !token.is_empty() && ci.pubsub_token == token)
                });
            if !known {
                return Some(json!({"type": "reject_subscription", "identifier": identifier}));
            }
            if !rooms.iter().any(|(i, _)| *i == identifier) {
                rooms.push((identifier.clone(), token));
            }
            Some(json!({"type": "confirm_subscription", "identifier": identifier}))
        }
        "unsubscribe" => {
            rooms.retain(|(i, _)| *i != identifier);
            None
        }
        // `update_presence` and other channel actions need no answer.
        _ => None,
    }
}

async fn send(socket: &mut WebSocket, frame: Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(frame.to_string().into())).await
}
