//! Receiving: webhook deliveries from CommBox and Chatwoot, parsed into typed events.
//!
//! - CommBox ([`parse_commbox_delivery`]): a delivery's raw body and content type, in any of
//!   the three documented shapes (XML `<Event Subscription Name Brand>`, JSON with an `Event`
//!   wrapper, JSON with a `payload` wrapper), becomes a [`CommBoxEvent`]. CommBox signs
//!   nothing: protect the receiving URL with a secret in its path and, where possible, an
//!   allow-list of source addresses.
//! - Chatwoot ([`ChatwootWebhookVerifier`]): the raw body and the request's headers are
//!   verified (`X-Chatwoot-Signature`, `X-Chatwoot-Timestamp` within a tolerance) and parsed
//!   into a [`ChatwootDelivery`] carrying the [`ChatwootEvent`] and the `X-Chatwoot-Delivery`
//!   id to drop repeats with.
//!
//! Everything received is untrusted: bodies over [`MAX_DELIVERY_BYTES`] are refused before
//! they are read further, XML is read without any DTD (no entity expansion, no external
//! entities), signatures are compared in constant time. An event this version does not
//! know is not an error: it comes back with kind `other` and its payload in `raw`.
//!
//! Every type here has one JSON form (its `Serialize` impl; schemas in `docs/schemas/`), by
//! the rule of docs/json-forms.md: snake_case keys, every key present, `null` when absent,
//! `raw` holding what was sent.
//!
//! ```
//! use commbox::events::{parse_commbox_delivery, CommBoxEventKind};
//! let body = br#"{"Event": {"Subscription": "Tag", "Name": "OnAdd", "Brand": "acme",
//!                "Tag": {"tagId": "40", "name": "VIP"}}}"#;
//! let event = parse_commbox_delivery(body, Some("application/json"))?;
//! assert_eq!(event.kind, CommBoxEventKind::TagChanged);
//! assert_eq!(event.data.unwrap()["name"], "VIP");
//! # Ok::<(), commbox::Error>(())
//! ```
//!
//! # How parsing fails
//!
//! A body that cannot be read at all (over [`MAX_DELIVERY_BYTES`], not UTF-8, malformed or
//! truncated JSON or XML, XML with a DOCTYPE or an undeclared entity) is an
//! [`ErrorKind::Decode`] error whose message starts with the
//! part at fault (`body: …`). Decode, not a new kind: it is what the rest of the library
//! already says for "a body that is not what the API documents", and a new kind would force
//! every face (C status, Python exception, CLI exit code) to map it before the faces receive
//! events at all. A Chatwoot delivery that is not proven authentic is an
//! [`ErrorKind::Authentication`] error (see
//! [`ChatwootWebhookVerifier`]).

mod chatwoot_events;
mod chatwoot_signature;
mod commbox_delivery;
mod commbox_records;
mod xml_to_json;

pub use chatwoot_events::{
    parse_chatwoot_event, ChatwootDelivery, ChatwootEvent, ChatwootEventKind, ChatwootEventMessage,
    ChatwootRef, ChatwootSender,
};
pub use chatwoot_signature::{
    chatwoot_signature, ChatwootWebhookVerifier, DEFAULT_TOLERANCE, DELIVERY_HEADER,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
pub use commbox_delivery::{parse_commbox_delivery, CommBoxEvent, CommBoxEventKind, CommBoxFormat};
pub use commbox_records::{
    ActivityType, CommBoxActivity, CommBoxChild, CommBoxIdentity, CommBoxObject, CommBoxUser,
};

use crate::error::{Error, ErrorKind, Result};

/// The largest delivery body accepted, 1 MiB, for both platforms: larger bodies are refused
/// with a [`Decode`](crate::ErrorKind::Decode) error before they are parsed or hashed.
/// CommBox's and Chatwoot's events are a few KiB (Chatwoot's conversation events carry at
/// most the last messages); a receiver should also cap what it reads from the socket at
/// this size.
pub const MAX_DELIVERY_BYTES: usize = 1024 * 1024;

/// A Decode error about `field` (`body`, a header): the message starts with the field, as a
/// validation error's does. (The error's `field` stays null: only validation and file
/// errors carry one.)
pub(crate) fn decode_error(field: &str, reason: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Decode, format!("{field}: {reason}"))
}

/// Refuses a body over [`MAX_DELIVERY_BYTES`].
pub(crate) fn check_size(body: &[u8]) -> Result<()> {
    if body.len() > MAX_DELIVERY_BYTES {
        return Err(decode_error(
            "body",
            format!(
                "{} bytes is over the limit of {MAX_DELIVERY_BYTES} bytes for a delivery",
                body.len()
            ),
        ));
    }
    Ok(())
}

/// The body as text (UTF-8, a leading byte order mark dropped).
pub(crate) fn body_text(body: &[u8]) -> Result<&str> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    std::str::from_utf8(body).map_err(|e| decode_error("body", format!("not UTF-8: {e}")))
}

/// JSON text as a value, or a Decode error naming `field`.
pub(crate) fn parse_json(field: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| decode_error(field, format!("not valid JSON: {e}")))
}
