//! What the real services send back, so that receivers can be tested end to end: webhook
//! deliveries (CommBox's three shapes, Chatwoot's signed JSON) to the subscriptions made
//! through the control API, and Chatwoot's ActionCable `/cable` with RoomChannel.
//!
//! Control routes (under `/__mock`, never recorded or faulted):
//! - `POST /webhooks` `{"platform": "commbox", "url": "http://127.0.0.1:9000/commbox/s3cret",
//!   "format": "json" | "xml" | "payload"}` or `{"platform": "chatwoot", "url": …,
//!   "secret": "…"}` (no secret: unsigned, as before Chatwoot 4.11) subscribes and answers
//!   `{"id": N}`; `GET /webhooks` lists subscriptions and every delivery attempt with its
//!   outcome; `DELETE /webhooks` forgets both.
//! - `POST /chatwoot/agent_reply` `{"conversation_id": <display id>, "content": "…",
//!   "private": false}`: an agent answers in a Chatwoot conversation; the reply reaches the
//!   webhooks and, unless private, the contact's cable.
//! - `POST /commbox/agent_reply` `{"stream_id": "…", "object_id": N, "message": "…"}`: an
//!   agent answers in a CommBox conversation (an `OnNewChild` with a `ManagerId`).
//! - `POST /cable/drop` closes every open cable socket (for reconnect tests).
//!
//! Deliveries are made once, without retry, like Chatwoot's account and inbox webhooks and
//! CommBox's (whose console only lists failures), over plain HTTP to the subscribed URL.

mod cable;
mod chatwoot_shapes;
mod commbox_shapes;
mod control;
mod deliver;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{broadcast, watch};

pub(crate) use cable::cable;
pub(crate) use commbox_shapes::CommBoxObjectEvent;
pub(crate) use control::{add_subscription, chatwoot_reply, router};

/// A webhook subscription.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Subscription {
    pub id: u64,
    pub platform: Platform,
    pub url: String,
    /// CommBox only: which of the three shapes to send.
    pub format: Option<CommBoxShape>,
    /// Chatwoot only: the secret deliveries are signed with.
    #[serde(skip_serializing)]
    pub secret: Option<String>,
    pub signed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Platform {
    Commbox,
    Chatwoot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CommBoxShape {
    /// `{"Event": {"Subscription", "Name", "Brand", …}}`
    Json,
    /// `<Event Subscription Name Brand>…</Event>`
    Xml,
    /// `{"payload": {…}}` (OnNew only; other events fall back to `json`).
    Payload,
}

/// One delivery attempt, as `GET /__mock/webhooks` lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeliveryRecord {
    pub subscription: u64,
    pub event: String,
    /// Chatwoot's `X-Chatwoot-Delivery`; for CommBox (which sends no id) one of ours.
    pub delivery_id: String,
    pub content_type: &'static str,
    /// The HTTP status the receiver answered, or null when it did not.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout), or null.
    pub error: Option<String>,
    pub body: String,
}

/// A frame for the contacts' cables: the pubsub token it is for, and the broadcast.
#[derive(Debug, Clone)]
pub(crate) struct CableBroadcast {
    pub pubsub_token: String,
    pub message: Value,
}

/// The receiving side of one mock: subscriptions, deliveries, cable subscribers.
pub(crate) struct Events {
    subscriptions: Mutex<Vec<Subscription>>,
    deliveries: Arc<Mutex<Vec<DeliveryRecord>>>,
    next_id: Mutex<u64>,
    cable: broadcast::Sender<CableBroadcast>,
    /// Bumped by `POST /cable/drop`: every open socket closes.
    drops: watch::Sender<u64>,
    /// The mock's runtime, for deliveries started outside it (MockServer's methods).
    runtime: std::sync::OnceLock<tokio::runtime::Handle>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            subscriptions: Mutex::new(Vec::new()),
            deliveries: Arc::new(Mutex::new(Vec::new())),
            next_id: Mutex::new(1),
            cable: broadcast::channel(1024).0,
            drops: watch::channel(0).0,
            runtime: std::sync::OnceLock::new(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Events {
    pub(crate) fn set_runtime(&self, handle: tokio::runtime::Handle) {
        let _ = self.runtime.set(handle);
    }

    /// Where deliveries run: the current runtime, else the mock's.
    fn runtime(&self) -> tokio::runtime::Handle {
        tokio::runtime::Handle::try_current()
            .ok()
            .or_else(|| self.runtime.get().cloned())
            .expect("the mock's runtime is running")
    }

    fn subscribe(&self, mut sub: Subscription) -> u64 {
        let mut next = lock(&self.next_id);
        sub.id = *next;
        *next += 1;
        lock(&self.subscriptions).push(sub.clone());
        sub.id
    }

    fn subscriptions(&self, platform: Platform) -> Vec<Subscription> {
        lock(&self.subscriptions)
            .iter()
            .filter(|s| s.platform == platform)
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&self) {
        lock(&self.subscriptions).clear();
        lock(&self.deliveries).clear();
    }

    /// Closes every open cable socket.
    pub(crate) fn drop_cables(&self) {
        self.drops.send_modify(|n| *n += 1);
    }

    pub(crate) fn deliveries(&self) -> Vec<DeliveryRecord> {
        lock(&self.deliveries).clone()
    }

    /// A CommBox object event, to every CommBox subscription in its chosen shape.
    pub(crate) fn commbox(&self, event: &CommBoxObjectEvent) {
        for sub in self.subscriptions(Platform::Commbox) {
            let (content_type, body) = event.render(sub.format.unwrap_or(CommBoxShape::Json));
            deliver::spawn(
                &self.runtime(),
                sub,
                event.name().to_owned(),
                content_type,
                body,
                self.deliveries.clone(),
            );
        }
    }

    /// A Chatwoot event (`event` already in the body), to every Chatwoot subscription.
    pub(crate) fn chatwoot(&self, event: &str, body: Value) {
        let body = body.to_string();
        for sub in self.subscriptions(Platform::Chatwoot) {
            deliver::spawn(
                &self.runtime(),
                sub,
                event.to_owned(),
                "application/json",
                body.clone(),
                self.deliveries.clone(),
            );
        }
    }

    /// Sends `message` to the cables subscribed with `pubsub_token`.
    pub(crate) fn broadcast(&self, pubsub_token: &str, message: Value) {
        // No subscriber is not an error: nobody is listening.
        let _ = self.cable.send(CableBroadcast {
            pubsub_token: pubsub_token.to_owned(),
            message,
        });
    }
}
