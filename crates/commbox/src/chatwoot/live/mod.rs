//! Live replies: a contact's ActionCable subscription (`<installation>/cable`, RoomChannel
//! by `pubsub_token`), as Chatwoot's own widget listens, so that a program hears the
//! agent's answer as it is sent, and its own messages come back with their `echo_id`.
//!
//! The connection answers the server's pings, keeps the contact's presence, notices a
//! silent or dropped socket, reconnects with backoff and resubscribes (then yields a
//! [`Reconnected`](LiveEventKind::Reconnected) event: what was sent meanwhile was missed, and
//! [`InboxClient::messages`] fetches it). Frames it cannot read are skipped with a log record.

mod connection;
mod event;

pub use event::{LiveEvent, LiveEventKind};

use super::client::InboxClient;
use crate::error::{Error, ErrorKind, Result};
use connection::Target;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How a live subscription behaves; the defaults suit Chatwoot.
#[derive(Debug, Clone)]
#[must_use = "options apply only when given to `live_with`"]
pub struct LiveOptions {
    pub(crate) connect_timeout: Duration,
    pub(crate) silence_timeout: Duration,
    pub(crate) presence_every: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_reconnect_attempts: Option<u32>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            connect_timeout: Duration::from_secs(10),
            // The server pings every 3 s: three missed pings and more is a dead socket.
            silence_timeout: Duration::from_secs(10),
            presence_every: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_reconnect_attempts: None,
        }
    }
}

impl LiveOptions {
    /// Time allowed to open the socket (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// A socket silent this long (no event, no ping) is taken as dead and reopened
    /// (default 10 s; Chatwoot pings every 3 s).
    pub fn silence_timeout(mut self, d: Duration) -> Self {
        self.silence_timeout = d;
        self
    }

    /// How often the contact's presence is renewed (default 30 s).
    pub fn presence_every(mut self, d: Duration) -> Self {
        self.presence_every = d;
        self
    }

    /// The first wait before reconnecting (default 0.5 s); it doubles up to
    /// [`max_backoff`](Self::max_backoff), with jitter.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The longest wait between reconnects (default 30 s).
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Gives up after this many failed connects in a row (default: never).
    pub fn max_reconnect_attempts(mut self, n: u32) -> Self {
        self.max_reconnect_attempts = Some(n);
        self
    }
}

/// A contact's live subscription (async), made by [`InboxClient::live`]. Dropping it
/// closes the socket.
///
/// The connection keeps the contact's presence, takes a socket silent for
/// [`silence_timeout`](LiveOptions::silence_timeout) as dead, reconnects with backoff and
/// resubscribes, then yields a [`Reconnected`](LiveEventKind::Reconnected) event (what was
/// sent meanwhile was missed; [`InboxClient::messages`] fetches it). Frames it cannot read
/// are skipped with a log record.
///
/// ```no_run
/// # async fn run(inbox: commbox::chatwoot::InboxClient) -> commbox::Result<()> {
/// let contact = inbox.get_contact("SOURCE_ID").await?;
/// let mut live = inbox.live(contact.pubsub_token.as_deref().unwrap_or_default())?;
/// while let Some(event) = live.next().await {
///     let event = event?;
///     if event.is_agent_reply() {
///         println!("agent: {:?}", event.message.and_then(|m| m.content));
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LiveReplies {
    events: mpsc::Receiver<Result<LiveEvent>>,
    /// Events read while waiting for an echo, handed out first.
    held: VecDeque<Result<LiveEvent>>,
    stop: Arc<watch::Sender<bool>>,
}

/// Closes a [`LiveReplies`] from anywhere (another task or thread), e.g. to end a reader
/// blocked in `next`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveCloser(Arc<watch::Sender<bool>>);

impl LiveCloser {
    /// Closes the socket; the reader gets what was already received, then the end.
    pub fn close(&self) {
        let _ = self.0.send(true);
    }

    /// Resolves once the subscription is closed (or dropped).
    pub(crate) async fn closed(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|closed| *closed).await;
    }
}

/// Events buffered between the connection and a slow reader.
const BUFFER: usize = 1024;

impl InboxClient {
    /// Subscribes to the live updates of the contact owning `pubsub_token` (returned by
    /// [`create_contact`](Self::create_contact) and [`get_contact`](Self::get_contact)),
    /// with the default [`LiveOptions`]. The connection runs as a task on the current tokio
    /// runtime.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a blank token or when called outside a tokio runtime
    /// (the blocking client has its own `live`). Connection trouble is not an error here:
    /// the subscription keeps reconnecting; a token the server rejects ends it with an
    /// [`ErrorKind::Authentication`] item.
    pub fn live(&self, pubsub_token: &str) -> Result<LiveReplies> {
        self.live_with(pubsub_token, LiveOptions::default())
    }

    /// [`live`](Self::live) with these options.
    ///
    /// # Errors
    ///
    /// As [`live`](Self::live).
    pub fn live_with(&self, pubsub_token: &str, options: LiveOptions) -> Result<LiveReplies> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::validation(
                "runtime",
                "live replies need a tokio runtime; use commbox::blocking::InboxClient::live without one",
            )
        })?;
        let target = self.live_target(pubsub_token, options)?;
        Ok(LiveReplies::spawn_on(&runtime, target))
    }

    pub(crate) fn live_target(&self, pubsub_token: &str, options: LiveOptions) -> Result<Target> {
        crate::validate::required("pubsub_token", pubsub_token)?;
        let base = self.base_url();
        let (url, tls) = if let Some(rest) = base.strip_prefix("https://") {
            (
                format!("wss://{rest}/cable"),
                Some(self.transport().tls_config()?),
            )
        } else if let Some(rest) = base.strip_prefix("http://") {
            (format!("ws://{rest}/cable"), None)
        } else {
            return Err(Error::validation("base_url", "not an http(s) URL"));
        };
        Ok(Target {
            url,
            pubsub_token: pubsub_token.to_owned(),
            tls,
            options,
        })
    }
}

impl LiveReplies {
    pub(crate) fn spawn_on(runtime: &tokio::runtime::Handle, target: Target) -> LiveReplies {
        let (tx, rx) = mpsc::channel(BUFFER);
        let (stop, stopped) = watch::channel(false);
        runtime.spawn(connection::run(target, tx, stopped));
        LiveReplies {
            events: rx,
            held: VecDeque::new(),
            stop: Arc::new(stop),
        }
    }

    /// The next event; `None` after the subscription ended (closed, or after its final
    /// error was yielded).
    ///
    /// # Errors
    ///
    /// An item is an error once, at the end: [`ErrorKind::Authentication`] when the server
    /// rejects the token, [`ErrorKind::Connection`] after
    /// [`max_reconnect_attempts`](LiveOptions::max_reconnect_attempts).
    pub async fn next(&mut self) -> Option<Result<LiveEvent>> {
        if let Some(held) = self.held.pop_front() {
            return Some(held);
        }
        self.events.recv().await
    }

    /// Waits for the message created with `echo_id` to come back (the one a
    /// [`NewInboxMessage::echo_id`](crate::chatwoot::NewInboxMessage::echo_id) send carried)
    /// and returns it as an event; the other events read meanwhile stay for [`next`](Self::next).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] when it does not come within `timeout`, and the
    /// subscription's final error if it ends first.
    pub async fn wait_for_echo(&mut self, echo_id: &str, timeout: Duration) -> Result<LiveEvent> {
        if let Some(i) = self.held.iter().position(|e| is_echo(e, echo_id)) {
            return self.held.remove(i).expect("found above");
        }
        let wait = async {
            loop {
                match self.events.recv().await {
                    Some(item) if is_echo(&item, echo_id) => return item,
                    Some(Err(e)) => return Err(e),
                    Some(other) => self.held.push_back(other),
                    None => {
                        return Err(Error::new(
                            ErrorKind::Connection,
                            "cable: the subscription ended before the echo came back",
                        ))
                    }
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "echo_id {echo_id:?}: no message came back within {} s",
                        timeout.as_secs_f64()
                    ),
                ))
            })
    }

    /// Closes the socket; [`next`](Self::next) then returns what was already received and
    /// then `None`.
    pub fn close(&self) {
        let _ = self.stop.send(true);
    }

    /// A handle that closes this subscription from another task or thread.
    pub fn closer(&self) -> LiveCloser {
        LiveCloser(self.stop.clone())
    }
}

impl Drop for LiveReplies {
    fn drop(&mut self) {
        self.close();
    }
}

fn is_echo(item: &Result<LiveEvent>, echo_id: &str) -> bool {
    matches!(item, Ok(e) if e.kind == LiveEventKind::MessageCreated && e.echo_id.as_deref() == Some(echo_id))
}
