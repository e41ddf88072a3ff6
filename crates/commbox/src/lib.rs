//! # commbox
//!
//! A client for the [CommBox](https://www.commbox.io) API: open conversations on e-mail,
//! SMS, WhatsApp and chat, post messages into them as the customer or as an agent, with
//! attachments streamed from disk.
//!
//! This crate is the core of libcommbox; the C library, the Python module and the
//! `commbox` command are thin faces over it.
//!
//! Two clients with the same calls, as in reqwest: [`Client`] is async (its calls are
//! futures, for tokio programs: axum or actix handlers, `#[tokio::main]`), and
//! [`blocking::Client`] returns when each call is done (scripts, cron jobs, threads). The
//! blocking one runs the async one's code, so both validate, retry, stream and fail alike.
//!
//! ```no_run
//! # async fn run() -> commbox::Result<()> {
//! use commbox::{Attachment, Client, EmailConversation, NewMessage};
//!
//! let client = Client::builder()
//!     .api_key(std::env::var("COMMBOX_API_KEY").unwrap_or_default())
//!     .build()?;
//! let stream = "hNyRN_fLUy7rrOrN9jLpipA=="; // the channel, from the CommBox console
//! let conversation = client
//!     .create_conversation(
//!         stream,
//!         EmailConversation::new("customer@example.com", "Your invoice", "Please find it attached.")
//!             .attachment(Attachment::from_path("invoice.pdf")),
//!     )
//!     .await?;
//! let agent = client.managers().await?.into_iter().next().expect("an agent").id;
//! client
//!     .create_message(
//!         stream,
//!         conversation,
//!         NewMessage::from_agent(agent, "agent@example.com", "Any questions? Just reply."),
//!     )
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! The same without a runtime:
//!
//! ```no_run
//! # fn main() -> commbox::Result<()> {
//! use commbox::{blocking::Client, SmsConversation};
//!
//! let client = Client::builder().api_key("KEY").build()?;
//! let id = client.create_conversation("STREAM", SmsConversation::new("+972544444444", "Hi"))?;
//! # Ok(()) }
//! ```
//!
//! ## Behaviour worth knowing
//!
//! - Every request is validated before any I/O; errors name the field (`Message: required`).
//! - A create is never sent twice unless the server said it did not process it (429, 503);
//!   see [`RetryPolicy`].
//! - Every request carries an `X-Request-Id`, and every [`Error`] carries it.
//! - Dropping an async call's future cancels it: nothing is sent if it had not been yet;
//!   otherwise it is reported as possibly processed (see [`Client`]).
//! - A 429 with `Retry-After` holds back every call of the client (and its clones) for that
//!   long, not only the one that was told.
//! - The API key is never printed: not by `Debug`, logs or errors.
//! - Logging goes through the `log` crate, target `commbox`; headers are allow-listed and
//!   bodies are never logged.
//!
//! ## How calls fail
//!
//! Every fallible function returns an [`Error`]; its [`kind`](Error::kind) is what to act on.
//! The calls that talk to a server ([`Client`]'s and [`InboxClient`](chatwoot::InboxClient)'s,
//! and their [`blocking`] forms) fail in these ways, and each method's own `# Errors` section says only what it adds:
//!
//! - Before anything is sent, the arguments and the request are checked:
//!   [`Validation`](ErrorKind::Validation) names the field at fault ([`Error::field`]), and
//!   [`Io`](ErrorKind::Io) an attachment that is missing, not a regular file or unreadable.
//!   Nothing was sent.
//! - No answer: [`Timeout`](ErrorKind::Timeout) (connecting, or the whole attempt),
//!   [`Connection`](ErrorKind::Connection) (refused, DNS, reset, broken before the answer was
//!   complete) or [`Tls`](ErrorKind::Tls) (certificate not trusted, wrong host). A create that
//!   may have reached the server is not sent again, and the message says so.
//! - An answer whose status is not 2xx, by status:
//!   [`Authentication`](ErrorKind::Authentication) (401, 403),
//!   [`NotFound`](ErrorKind::NotFound) (404), [`RateLimited`](ErrorKind::RateLimited) (429,
//!   with [`Error::retry_after`]), [`Server`](ErrorKind::Server) (5xx), and
//!   [`BadRequest`](ErrorKind::BadRequest) for any other (400, 422, …, and 3xx: redirects are
//!   not followed). The error carries the status, the API's own
//!   [`description`](Error::description) and the body.
//! - A 2xx answer that is not what the API documents (not JSON, a record without its id, more
//!   than 32 MiB): [`Decode`](ErrorKind::Decode), with the body when it was read.
//!
//! By then the client has retried what was safe to retry (see [`RetryPolicy`]);
//! [`Error::is_transient`] says whether sending again later may succeed, and
//! [`Error::retry_safety`] whether sending it again can duplicate it ([`RetrySafety`]).

#![warn(missing_docs)]
// Public API hygiene (issue 11): every fallible public function says how it fails, and a
// builder method whose result is dropped is a mistake the compiler reports. Denied, so that
// they stay fixed.
#![deny(clippy::missing_errors_doc, clippy::return_self_not_must_use)]
#![forbid(unsafe_code)]

#[macro_use]
mod open_enum;

mod attachment;
mod batch_line;
pub mod blocking;
pub mod builder;
pub mod chatwoot;
mod client;
mod commbox;
mod error;
pub mod events;
mod http_error;
mod json_form;
mod lenient;
mod options;
mod transport;
mod validate;

#[cfg(any(fuzzing, test))]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;

pub use attachment::Attachment;
pub use batch_line::{BatchLine, ObjectId};
pub use builder::ClientBuilder;
pub use client::Client;
pub use commbox::conversation::{
    BulkSmsConversation, Channel, ChatConversation, EmailConversation, NewConversation,
    SmsConversation, WhatsAppTemplateConversation,
};
pub use commbox::enums::{ObjectStatusType, ObjectType, StreamProviderType};
pub use commbox::message::NewMessage;
pub use commbox::records::{
    Conversation, ConversationMessage, Created, Envelope, Manager, SystemStatus,
};
pub use commbox::user::User;
pub use error::{Error, ErrorKind, Result, RetrySafety, MAX_ERROR_BODY};
pub use options::{env, ClientOptions, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use transport::observe::CallEvent;
pub use transport::progress::UploadProgress;
pub use transport::retry::{RetryEvent, RetryPolicy};
pub use transport::url::PathParam;

/// This library's version (from Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
