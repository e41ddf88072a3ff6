//! The Chatwoot public client API, as served by Chatwoot and its forks (Omnivibe, …):
//! contacts, conversations and messages of one API-channel inbox, on behalf of a contact.
//!
//! It shares the CommBox client's transport (timeouts, retries, TLS, proxy, request ids,
//! logging): build it with [`crate::ClientBuilder::build_inbox`], or from an existing client
//! with [`crate::Client::inbox`].
//!
//! ```no_run
//! # async fn run() -> commbox::Result<()> {
//! use commbox::chatwoot::{NewContact, NewInboxMessage};
//! use commbox::{Attachment, Client};
//!
//! let inbox = Client::builder()
//!     .base_url("https://app.chatwoot.com")
//!     .build_inbox("tK9s3bVnQ1jUq3rP8kE2xYzA")?;
//! let contact = inbox
//!     .create_contact(NewContact::new().name("John Doe").email("john@example.com"))
//!     .await?;
//! let source_id = contact.source_id.clone().expect("create returns it");
//! let conversation = inbox.create_conversation(&source_id, None).await?;
//! inbox
//!     .create_message(
//!         &source_id,
//!         conversation.id,
//!         NewInboxMessage::new("Here is my receipt").attachment(Attachment::from_path("receipt.pdf")),
//!     )
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! [`blocking::InboxClient`](crate::blocking::InboxClient) has the same calls without a
//! runtime (`commbox::blocking::Client::builder()…build_inbox(…)`).
//!
//! Facts worth knowing (shared/reference/api-surface.md §2): creates answer 200; `echo_id`
//! never comes back over HTTP; a wrong `identifier_hash` is a 500, not a 401; contact update
//! returns the full contact without `source_id`; an inbox locked to a single conversation
//! returns the existing one from "create conversation".

pub(crate) mod client;
mod identifier_hash;
mod live;
pub(crate) mod message_pages;
mod message_type;
pub(crate) mod records;
mod requests;

pub use client::InboxClient;
pub use identifier_hash::identifier_hash;
pub use live::{LiveCloser, LiveEvent, LiveEventKind, LiveOptions, LiveReplies};
pub use message_type::MessageType;
pub use records::{Contact, Inbox, InboxConversation, InboxMessage, MessageAttachment};
pub use requests::{
    identifier_hash_to_send, NewContact, NewInboxMessage, MAX_ATTACHMENTS, MAX_CONTENT_CHARS,
};
