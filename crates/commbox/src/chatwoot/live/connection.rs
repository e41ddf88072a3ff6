//! The cable connection: connect, subscribe, read, keep presence, notice a dead socket,
//! reconnect with backoff and resubscribe. Runs as one task per subscription and hands
//! events to the subscriber through a channel.

use super::event::{read_frame, Frame, LiveEvent};
use super::LiveOptions;
use crate::error::{Error, ErrorKind, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// Where to connect and as whom.
#[derive(Clone)]
pub(crate) struct Target {
    /// `wss://host/cable` (or `ws://` for an http installation).
    pub url: String,
    pub pubsub_token: String,
    pub tls: Option<Arc<rustls::ClientConfig>>,
    pub options: LiveOptions,
}

impl Target {
    fn identifier(&self) -> String {
        json!({"channel": "RoomChannel", "pubsub_token": self.pubsub_token}).to_string()
    }
}

/// Why one connection ended.
enum Ended {
    /// The subscriber is gone or asked to stop.
    Stopped,
    /// The server refused the token, or said not to come back: no reconnect.
    Refused(Error),
    /// Lost (closed, reset, silent): reconnect. `subscribed`: it had been confirmed.
    Lost { subscribed: bool, why: String },
}

/// Runs the subscription until the receiver is dropped or `stop` fires. Sends `Ok(event)`
/// per event and one `Err` before giving up for good.
pub(crate) async fn run(
    target: Target,
    events: mpsc::Sender<Result<LiveEvent>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut delay = target.options.initial_backoff;
    let mut ever_subscribed = false;
    let mut failures = 0u32;
    loop {
        let ended = tokio::select! {
            ended = connection(&target, &events, ever_subscribed) => ended,
            _ = stop.wait_for(|s| *s) => Ended::Stopped,
        };
        match ended {
            Ended::Stopped => return,
            Ended::Refused(e) => {
                let _ = events.send(Err(e)).await;
                return;
            }
            Ended::Lost { subscribed, why } => {
                if subscribed {
                    ever_subscribed = true;
                    delay = target.options.initial_backoff;
                    failures = 0;
                }
                failures += 1;
                if target
                    .options
                    .max_reconnect_attempts
                    .is_some_and(|max| failures > max)
                {
                    let e = Error::new(
                        ErrorKind::Connection,
                        format!("cable: gave up after {} attempts: {why}", failures),
                    );
                    let _ = events.send(Err(e)).await;
                    return;
                }
                log::info!(target: "commbox", "cable: {why}; reconnecting in {} ms", delay.as_millis());
                tokio::select! {
                    _ = tokio::time::sleep(jitter(delay)) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                delay = (delay * 2).min(target.options.max_backoff);
            }
        }
    }
}

/// 50-100 % of `d`, so that many clients dropped at once do not come back at once.
fn jitter(d: Duration) -> Duration {
    d.mul_f64(0.5 + fastrand::f64() / 2.0)
}

async fn connection(
    target: &Target,
    events: &mpsc::Sender<Result<LiveEvent>>,
    reconnecting: bool,
) -> Ended {
    let lost = |subscribed: bool, why: String| Ended::Lost { subscribed, why };
    let connector = target.tls.clone().map(tokio_tungstenite::Connector::Rustls);
    let connect = tokio_tungstenite::connect_async_tls_with_config(
        target.url.as_str(),
        None,
        false,
        connector,
    );
    let socket = match tokio::time::timeout(target.options.connect_timeout, connect).await {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => return lost(false, format!("cannot connect: {e}")),
        Err(_) => return lost(false, "cannot connect: timed out".into()),
    };
    let (mut write, mut read) = socket.split();
    let identifier = target.identifier();
    let subscribe = json!({"command": "subscribe", "identifier": identifier}).to_string();
    if let Err(e) = write.send(Message::text(subscribe)).await {
        return lost(false, format!("cannot subscribe: {e}"));
    }
    let presence = json!({
        "command": "message",
        "identifier": identifier,
        "data": json!({"action": "update_presence"}).to_string(),
    })
    .to_string();
    let mut subscribed = false;
    let mut presence_tick = tokio::time::interval(target.options.presence_every);
    presence_tick.tick().await;
    loop {
        let frame = tokio::select! {
            frame = tokio::time::timeout(target.options.silence_timeout, read.next()) => frame,
            _ = presence_tick.tick(), if subscribed => {
                if let Err(e) = write.send(Message::text(presence.clone())).await {
                    return lost(subscribed, format!("cannot send presence: {e}"));
                }
                continue;
            }
            _ = events.closed() => return Ended::Stopped,
        };
        let text = match frame {
            Err(_) => {
                return lost(
                    subscribed,
                    format!(
                        "no frame (not even a ping) for {} s",
                        target.options.silence_timeout.as_secs()
                    ),
                )
            }
            Ok(None) => return lost(subscribed, "the server closed the socket".into()),
            Ok(Some(Err(e))) => return lost(subscribed, format!("the socket broke: {e}")),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(Message::Close(_)))) => {
                return lost(subscribed, "the server closed the socket".into())
            }
            // Pings are answered by tungstenite; binary frames are not ActionCable's.
            Ok(Some(Ok(_))) => continue,
        };
        match read_frame(text.as_str()) {
            Frame::Welcome | Frame::Ping => {}
            Frame::Confirmed => {
                subscribed = true;
                if reconnecting && events.send(Ok(LiveEvent::reconnected())).await.is_err() {
                    return Ended::Stopped;
                }
            }
            Frame::Rejected => {
                return Ended::Refused(Error::new(
                    ErrorKind::Authentication,
                    "pubsub_token: the server rejected the subscription (unknown or revoked token)",
                ))
            }
            Frame::Disconnect {
                reconnect: false,
                reason,
            } => {
                return Ended::Refused(Error::new(
                    ErrorKind::Authentication,
                    format!(
                        "cable: the server disconnected us for good ({})",
                        reason.as_deref().unwrap_or("no reason given")
                    ),
                ))
            }
            Frame::Disconnect { reason, .. } => {
                return lost(
                    subscribed,
                    format!(
                        "the server asked to reconnect ({})",
                        reason.as_deref().unwrap_or("no reason given")
                    ),
                )
            }
            Frame::Event(event) => {
                if events.send(Ok(*event)).await.is_err() {
                    return Ended::Stopped;
                }
            }
            Frame::Unknown => {
                log::debug!(target: "commbox", "cable: skipped a frame this version does not read ({} bytes)", text.len());
            }
        }
    }
}
