//! Blocking clients: the async clients' calls, each waited for on the calling thread.
//!
//! For programs without an async runtime (scripts, cron jobs, the C library and the Python
//! module's sync classes). Every call runs the async client's code (validation, retries,
//! streaming uploads, logging, errors are the same) on a small runtime the calling thread
//! drives itself: no background thread and no hand-over, so a call costs what it would in
//! a synchronous HTTP library.
//!
//! Called from inside an async runtime (an axum handler, `#[tokio::main]`), a blocking call
//! still works: it runs on a short-lived thread while the caller's thread waits. That holds
//! up the caller's task like any blocking call; async code should use [`crate::Client`].
//!
//! ```no_run
//! # fn main() -> commbox::Result<()> {
//! use commbox::blocking::Client;
//! use commbox::SmsConversation;
//!
//! let client = Client::builder().api_key(std::env::var("COMMBOX_API_KEY").unwrap_or_default()).build()?;
//! let id = client.create_conversation("STREAM_ID", SmsConversation::new("+972544444444", "Hello"))?;
//! # Ok(()) }
//! ```

use crate::builder::{Blocking, Builder};
use crate::chatwoot::message_pages::Pager;
use crate::chatwoot::{
    Contact, Inbox, InboxConversation, InboxMessage, NewContact, NewInboxMessage,
};
use crate::chatwoot::{LiveCloser, LiveEvent, LiveOptions};
use crate::commbox::records::{Conversation, Envelope, Manager, SystemStatus};
use crate::transport::url::PathParam;
use crate::{NewConversation, NewMessage, ObjectStatusType, Result};
use serde_json::Value;
use std::borrow::Cow;
use std::future::Future;

/// Configures a blocking [`Client`] or [`InboxClient`]: the same settings as
/// [`crate::ClientBuilder`], whose `build` and `build_inbox` here return blocking clients.
pub type ClientBuilder = Builder<Blocking>;

/// A blocking CommBox API client: [`crate::Client`]'s calls, each returning when done.
///
/// Cheap to clone (clones share one connection pool) and safe to share between threads:
/// calls made at once from several threads each get a connection of their own. A client
/// made before `fork()` also works in the child, which gets its own pool.
///
/// ```no_run
/// # fn main() -> commbox::Result<()> {
/// use commbox::{blocking::Client, SmsConversation};
/// let client = Client::builder().api_key(std::env::var("COMMBOX_API_KEY").unwrap()).build()?;
/// let id = client.create_conversation("STREAM_ID", SmsConversation::new("+972544444444", "Hello"))?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
}

/// A blocking client of one Chatwoot inbox: [`crate::chatwoot::InboxClient`]'s calls, each
/// returning when done. Cheap to clone, safe to share between threads.
#[derive(Clone, Debug)]
pub struct InboxClient {
    inner: crate::chatwoot::InboxClient,
}

/// Waits for `fut`, a call of a client built on `transport`'s pool.
fn wait<T: Send>(
    transport: &crate::transport::Transport,
    fut: impl Future<Output = Result<T>> + Send,
) -> Result<T> {
    transport.block_on(fut)?
}

/// Declares blocking methods that wait on the async client's method of the same name.
macro_rules! blocking_calls {
    ($(
        $(#[doc = $doc:expr])*
        fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;
    )*) => {$(
        $(#[doc = $doc])*
        ///
        /// # Errors
        ///
        /// As the async call it waits for (linked above).
        pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
            wait(self.inner.transport(), self.inner.$name($($arg),*))
        }
    )*};
}

impl Client {
    /// A builder with the defaults (see [`crate::Client::builder`]).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The async client this one waits on; it shares this client's connections' settings
    /// and its pool of async connections.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// A blocking client of a Chatwoot inbox sharing this client's settings and pool (see
    /// [`crate::Client::inbox`]).
    ///
    /// # Errors
    ///
    /// As [`crate::Client::inbox`]: [`Validation`](crate::ErrorKind::Validation) for a bad
    /// base URL or inbox identifier; nothing is sent.
    pub fn inbox(&self, base_url: &str, inbox_identifier: &str) -> Result<InboxClient> {
        self.inner
            .inbox(base_url, inbox_identifier)
            .map(InboxClient::from)
    }

    blocking_calls! {
        /// Opens a conversation and returns its id; see [`crate::Client::create_conversation`].
        fn create_conversation(&self, stream_id: impl PathParam + Send, conversation: impl Into<NewConversation> + Send) -> i64;
        /// Opens a conversation from JSON you already hold; see
        /// [`crate::Client::create_conversation_json`].
        fn create_conversation_json(&self, stream_id: impl PathParam + Send, object: &Value) -> i64;
        /// Adds a message to a conversation and returns its id; see
        /// [`crate::Client::create_message`].
        fn create_message(&self, stream_id: impl PathParam + Send, object_id: impl PathParam + Send, message: NewMessage) -> i64;
        /// Adds a message from JSON you already hold; see [`crate::Client::create_message_json`].
        fn create_message_json(&self, stream_id: impl PathParam + Send, object_id: impl PathParam + Send, child: &Value) -> i64;
        /// Fetches a conversation with its messages; see [`crate::Client::get_conversation`].
        fn get_conversation(&self, stream_id: impl PathParam + Send, object_id: impl PathParam + Send) -> Conversation;
        /// Changes a conversation's status; see [`crate::Client::set_conversation_status`].
        fn set_conversation_status(&self, object_id: impl PathParam + Send, status: ObjectStatusType) -> ();
        /// Lists agents and admins; see [`crate::Client::managers`].
        fn managers(&self) -> Vec<Manager>;
        /// Checks that CommBox is up and the key is accepted; see
        /// [`crate::Client::system_status`].
        fn system_status(&self) -> SystemStatus;
        /// Sends any request to the API; see [`crate::Client::raw_request`].
        fn raw_request(&self, method: &str, path: &str, body: Option<&Value>) -> Envelope;
    }
}

impl From<crate::Client> for Client {
    /// The blocking form of an async client (sharing its settings and connections' pool).
    fn from(inner: crate::Client) -> Client {
        Client { inner }
    }
}

impl InboxClient {
    /// The async client this one waits on.
    pub fn as_async(&self) -> &crate::chatwoot::InboxClient {
        &self.inner
    }

    /// The Chatwoot installation's base URL.
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    blocking_calls! {
        /// The inbox's public settings; see [`crate::chatwoot::InboxClient::inbox`].
        fn inbox(&self) -> Inbox;
        /// Creates (or finds) a contact; see [`crate::chatwoot::InboxClient::create_contact`].
        fn create_contact(&self, contact: NewContact) -> Contact;
        /// One contact; see [`crate::chatwoot::InboxClient::get_contact`].
        fn get_contact(&self, contact_identifier: &str) -> Contact;
        /// One contact of an inbox with identity validation; see
        /// [`crate::chatwoot::InboxClient::get_verified_contact`].
        fn get_verified_contact(&self, contact_identifier: &str, identifier: &str, identifier_hash: &str) -> Contact;
        /// Changes a contact; see [`crate::chatwoot::InboxClient::update_contact`].
        fn update_contact(&self, contact_identifier: &str, changes: NewContact) -> Contact;
        /// Opens a conversation for the contact; see
        /// [`crate::chatwoot::InboxClient::create_conversation`].
        fn create_conversation(&self, contact_identifier: &str, custom_attributes: Option<serde_json::Map<String, Value>>) -> InboxConversation;
        /// The contact's conversations; see [`crate::chatwoot::InboxClient::list_conversations`].
        fn list_conversations(&self, contact_identifier: &str) -> Vec<InboxConversation>;
        /// One conversation; see [`crate::chatwoot::InboxClient::get_conversation`].
        fn get_conversation(&self, contact_identifier: &str, conversation_id: impl PathParam + Send) -> InboxConversation;
        /// Resolves (or reopens) a conversation; see
        /// [`crate::chatwoot::InboxClient::resolve_conversation`].
        fn resolve_conversation(&self, contact_identifier: &str, conversation_id: impl PathParam + Send) -> InboxConversation;
        /// Shows or hides the contact's typing indicator; see
        /// [`crate::chatwoot::InboxClient::set_typing`].
        fn set_typing(&self, contact_identifier: &str, conversation_id: impl PathParam + Send, typing: bool) -> ();
        /// Marks the conversation seen; see [`crate::chatwoot::InboxClient::update_last_seen`].
        fn update_last_seen(&self, contact_identifier: &str, conversation_id: impl PathParam + Send) -> ();
        /// Posts a message as the contact; see [`crate::chatwoot::InboxClient::create_message`].
        fn create_message(&self, contact_identifier: &str, conversation_id: impl PathParam + Send, message: NewInboxMessage) -> InboxMessage;
        /// A page of the conversation's messages; see
        /// [`crate::chatwoot::InboxClient::list_messages`].
        fn list_messages(&self, contact_identifier: &str, conversation_id: impl PathParam + Send, before: Option<i64>) -> Vec<InboxMessage>;
        /// Submits a form message's values; see
        /// [`crate::chatwoot::InboxClient::update_message`].
        fn update_message(&self, contact_identifier: &str, conversation_id: impl PathParam + Send, message_id: impl PathParam + Send, submitted_values: Value) -> InboxMessage;
    }
}

impl InboxClient {
    /// Every message of the conversation the API shows, newest first, fetched a page (20)
    /// at a time as the iterator is read; see [`crate::chatwoot::InboxClient::messages`].
    /// An error is yielded once and ends the iteration.
    ///
    /// ```no_run
    /// # fn run(inbox: commbox::blocking::InboxClient) -> commbox::Result<()> {
    /// for message in inbox.messages("SOURCE_ID", 7) {
    ///     let message = message?;
    ///     println!("{}: {:?}", message.id, message.content);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn messages<'a, C: PathParam + Send + Sync + 'a>(
        &'a self,
        contact_identifier: &'a str,
        conversation_id: C,
    ) -> Messages<'a, C> {
        Messages {
            client: Cow::Borrowed(self),
            contact_identifier: Cow::Borrowed(contact_identifier),
            conversation_id,
            pager: Pager::default(),
        }
    }

    /// [`messages`](Self::messages) owning its client (a cheap clone) and contact, so the
    /// iterator can be kept and read later (`'static`): for a binding that hands it to
    /// another language.
    pub fn into_messages<C: PathParam + Send + Sync>(
        self,
        contact_identifier: impl Into<String>,
        conversation_id: C,
    ) -> Messages<'static, C> {
        Messages {
            client: Cow::Owned(self),
            contact_identifier: Cow::Owned(contact_identifier.into()),
            conversation_id,
            pager: Pager::default(),
        }
    }
}

/// The messages of one conversation, newest first, a page fetched at a time: what
/// [`InboxClient::messages`] returns.
#[derive(Debug)]
#[must_use = "an iterator fetches nothing until it is read"]
pub struct Messages<'a, C> {
    client: Cow<'a, InboxClient>,
    contact_identifier: Cow<'a, str>,
    conversation_id: C,
    pager: Pager,
}

impl<C: PathParam + Send + Sync> Iterator for Messages<'_, C> {
    type Item = Result<InboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(message) = self.pager.pop() {
                return Some(Ok(message));
            }
            let before = self.pager.next_page()?;
            let page =
                self.client
                    .list_messages(&self.contact_identifier, &self.conversation_id, before);
            if let Err(e) = page.and_then(|page| self.pager.take(page)) {
                self.pager.stop();
                return Some(Err(e));
            }
        }
    }
}

impl InboxClient {
    /// Subscribes to the live updates of the contact owning `pubsub_token`; see
    /// [`crate::chatwoot::InboxClient::live`]. The connection runs on a thread of its own.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) for a blank token;
    /// [`Io`](crate::ErrorKind::Io) when the thread cannot be started.
    ///
    /// ```no_run
    /// # fn run(inbox: commbox::blocking::InboxClient, token: &str) -> commbox::Result<()> {
    /// for event in inbox.live(token)? {
    ///     let event = event?;
    ///     if event.is_agent_reply() {
    ///         println!("agent: {:?}", event.message.and_then(|m| m.content));
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn live(&self, pubsub_token: &str) -> Result<LiveReplies> {
        self.live_with(pubsub_token, LiveOptions::default())
    }

    /// [`live`](Self::live) with these options.
    ///
    /// # Errors
    ///
    /// As [`live`](Self::live).
    pub fn live_with(&self, pubsub_token: &str, options: LiveOptions) -> Result<LiveReplies> {
        let target = self.inner.live_target(pubsub_token, options)?;
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| crate::Error::io(format!("cannot set up the I/O runtime: {e}"), e))
        };
        let waiter = runtime()?;
        let connection = runtime()?;
        let inner = crate::chatwoot::LiveReplies::spawn_on(connection.handle(), target);
        let closer = inner.closer();
        std::thread::Builder::new()
            .name("commbox-cable".into())
            .spawn(move || {
                // Drives the connection task until the subscription is closed.
                connection.block_on(closer.closed());
            })
            .map_err(|e| crate::Error::io(format!("cannot start the cable thread: {e}"), e))?;
        Ok(LiveReplies { inner, waiter })
    }
}

/// A contact's live subscription, blocking: an iterator of events (see
/// [`crate::chatwoot::LiveReplies`]). Dropping it closes the socket and ends its thread.
#[derive(Debug)]
pub struct LiveReplies {
    inner: crate::chatwoot::LiveReplies,
    /// Runs the waits (timeouts) of this thread's calls.
    waiter: tokio::runtime::Runtime,
}

impl LiveReplies {
    /// The next event within `timeout`: `Ok(Some(event))`, `Ok(None)` when none came in
    /// time, and an error once when the subscription ended for good.
    ///
    /// # Errors
    ///
    /// The subscription's final error ([`Authentication`](crate::ErrorKind::Authentication)
    /// for a rejected token), or [`Connection`](crate::ErrorKind::Connection) when it was
    /// closed.
    pub fn next_timeout(&mut self, timeout: std::time::Duration) -> Result<Option<LiveEvent>> {
        let inner = &mut self.inner;
        match self
            .waiter
            .block_on(async { tokio::time::timeout(timeout, inner.next()).await })
        {
            Err(_) => Ok(None),
            Ok(Some(item)) => item.map(Some),
            Ok(None) => Err(crate::Error::new(
                crate::ErrorKind::Connection,
                "cable: the subscription is closed",
            )),
        }
    }

    /// Waits for the message created with `echo_id` to come back; see
    /// [`crate::chatwoot::LiveReplies::wait_for_echo`].
    ///
    /// # Errors
    ///
    /// [`Timeout`](crate::ErrorKind::Timeout) when it does not come within `timeout`, and
    /// the subscription's final error if it ends first.
    pub fn wait_for_echo(
        &mut self,
        echo_id: &str,
        timeout: std::time::Duration,
    ) -> Result<LiveEvent> {
        let inner = &mut self.inner;
        self.waiter.block_on(inner.wait_for_echo(echo_id, timeout))
    }

    /// A handle that closes this subscription from another thread (ending a blocked
    /// `next`).
    pub fn closer(&self) -> LiveCloser {
        self.inner.closer()
    }
}

impl Iterator for LiveReplies {
    type Item = Result<LiveEvent>;

    /// Blocks until the next event; `None` after the subscription ended.
    fn next(&mut self) -> Option<Self::Item> {
        let inner = &mut self.inner;
        self.waiter.block_on(inner.next())
    }
}

impl From<crate::chatwoot::InboxClient> for InboxClient {
    /// The blocking form of an async inbox client (sharing its settings and pool).
    fn from(inner: crate::chatwoot::InboxClient) -> InboxClient {
        InboxClient { inner }
    }
}
