//! Chatwoot's webhook signatures: `X-Chatwoot-Signature: sha256=<hex>`, the HMAC-SHA256
//! of `"{X-Chatwoot-Timestamp}.{raw body}"` keyed with the webhook's secret (Chatwoot 4.11+
//! for account webhooks, 4.13+ for API-channel inboxes and agent bots).

use super::chatwoot_events::{parse_chatwoot_event, ChatwootDelivery};
use super::check_size;
use crate::error::{Error, ErrorKind, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The header with the signature, `sha256=<lowercase hex>`.
pub const SIGNATURE_HEADER: &str = "X-Chatwoot-Signature";
/// The header with the unix time (seconds) the delivery was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Chatwoot-Timestamp";
/// The header with the delivery's id (a UUID), to drop a delivery seen before.
pub const DELIVERY_HEADER: &str = "X-Chatwoot-Delivery";
/// How far `X-Chatwoot-Timestamp` may be from the receiver's clock, either way: 300 s.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The signature Chatwoot sends for `body` signed at `timestamp` (the header's text):
/// `sha256=` and the lowercase hex HMAC-SHA256 of `"{timestamp}.{body}"` keyed with
/// `secret`. For tests and mocks that play Chatwoot; receivers use
/// [`ChatwootWebhookVerifier`], which compares in constant time.
///
/// ```
/// let sig = commbox::events::chatwoot_signature(b"secret", "1700000000", br#"{"event":"x"}"#);
/// assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
/// ```
#[must_use]
pub fn chatwoot_signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Verifies and parses Chatwoot webhook deliveries: one per webhook secret, cheap to clone,
/// safe to share between threads.
///
/// A delivery is accepted when `X-Chatwoot-Signature` is the HMAC of
/// `"{X-Chatwoot-Timestamp}.{raw body}"` under the secret (compared in constant time) and
/// the timestamp is within the tolerance of the receiver's clock (default
/// [`DEFAULT_TOLERANCE`], either way). The headers are any iterator of (name, value) pairs,
/// names matched ignoring ASCII case, so any HTTP framework's header map fits; the body
/// must be the raw bytes as received, never re-serialised JSON.
///
/// ```
/// use commbox::events::{chatwoot_signature, ChatwootEventKind, ChatwootWebhookVerifier};
/// use std::time::{Duration, UNIX_EPOCH};
/// let body = br#"{"event": "message_created", "id": 9, "message_type": "outgoing",
///                "private": false, "sender": {"id": 1, "type": "user"}}"#;
/// let headers = [
///     ("x-chatwoot-signature", chatwoot_signature(b"whsec", "1700000000", body)),
///     ("x-chatwoot-timestamp", "1700000000".to_owned()),
///     ("x-chatwoot-delivery", "2f1c…".to_owned()),
/// ];
/// let verifier = ChatwootWebhookVerifier::new("whsec")?;
/// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_060);
/// let delivery = verifier.verify_at(headers, body, now)?;
/// assert_eq!(delivery.delivery_id.as_deref(), Some("2f1c…"));
/// assert_eq!(delivery.event.kind, ChatwootEventKind::MessageCreated);
/// assert!(delivery.event.is_agent_public_reply());
/// # Ok::<(), commbox::Error>(())
/// ```
///
/// # The errors it gives, and why Authentication
///
/// A missing, malformed or wrong signature, a missing, malformed or stale timestamp: each is
/// an [`ErrorKind::Authentication`] error whose message names the header and says what is
/// wrong (`X-Chatwoot-Signature: does not match the body …`). Authentication, not
/// Validation: the request is well formed but not proven to come from your Chatwoot, which
/// is what the kind means for calls (a 401/403); a receiver answers it with 401 and logs it,
/// while Validation is for arguments a caller got wrong and fixes in code. A stale
/// timestamp is the same case (a replayed delivery is not proven fresh).
#[derive(Clone)]
pub struct ChatwootWebhookVerifier {
    /// None: verification off, by the user's explicit choice.
    secret: Option<Vec<u8>>,
    tolerance: Duration,
}

impl fmt::Debug for ChatwootWebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatwootWebhookVerifier")
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl ChatwootWebhookVerifier {
    /// A verifier for the webhook whose secret is `secret` (Chatwoot shows it with the
    /// webhook, or with the API-channel inbox).
    ///
    /// # Errors
    ///
    /// [`Validation`](ErrorKind::Validation) (field `secret`) when the secret is empty.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<ChatwootWebhookVerifier> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(Error::validation(
                "secret",
                "required (use ChatwootWebhookVerifier::unverified() to accept unsigned \
                 deliveries)",
            ));
        }
        Ok(ChatwootWebhookVerifier {
            secret: Some(secret.to_vec()),
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// A "verifier" that checks nothing: for Chatwoot installations older than 4.11 (4.13
    /// for API-channel inboxes), which sign nothing. Only by explicit choice: anyone who
    /// can reach the URL can then post events, so protect it otherwise (a secret path).
    /// The headers are still read: the delivery id when sent.
    pub fn unverified() -> ChatwootWebhookVerifier {
        ChatwootWebhookVerifier {
            secret: None,
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// How far the timestamp may be from the clock, either way (default
    /// [`DEFAULT_TOLERANCE`]).
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> ChatwootWebhookVerifier {
        self.tolerance = tolerance;
        self
    }

    /// True when deliveries are verified (made with [`new`](Self::new)).
    pub fn verifies(&self) -> bool {
        self.secret.is_some()
    }

    /// Verifies a delivery against the system clock and parses it; see
    /// [`verify_at`](Self::verify_at).
    ///
    /// # Errors
    ///
    /// As [`verify_at`](Self::verify_at).
    pub fn verify<I, K, V>(&self, headers: I, body: &[u8]) -> Result<ChatwootDelivery>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Verifies a delivery as of `now` (the clock, injectable for tests) and parses its
    /// event. `headers` are the request's (name, value) pairs, in any case; the first of a
    /// repeated header counts.
    ///
    /// # Errors
    ///
    /// - [`Authentication`](ErrorKind::Authentication), naming the header: the signature or
    ///   the timestamp header is missing, the signature is not `sha256=<64 hex digits>` or
    ///   does not match, the timestamp is not unix seconds or is further from `now` than the
    ///   tolerance. (Not checked by an [`unverified`](Self::unverified) verifier.)
    /// - [`Decode`](ErrorKind::Decode): the body is over
    ///   [`MAX_DELIVERY_BYTES`](super::MAX_DELIVERY_BYTES) (checked first), or, once
    ///   verified, not UTF-8 or not JSON.
    pub fn verify_at<I, K, V>(
        &self,
        headers: I,
        body: &[u8],
        now: SystemTime,
    ) -> Result<ChatwootDelivery>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        check_size(body)?;
        let mut signature = None;
        let mut timestamp = None;
        let mut delivery = None;
        for (name, value) in headers {
            let name = name.as_ref().trim_ascii();
            let slot = if name.eq_ignore_ascii_case(SIGNATURE_HEADER.as_bytes()) {
                &mut signature
            } else if name.eq_ignore_ascii_case(TIMESTAMP_HEADER.as_bytes()) {
                &mut timestamp
            } else if name.eq_ignore_ascii_case(DELIVERY_HEADER.as_bytes()) {
                &mut delivery
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(value.as_ref().trim_ascii().to_vec());
            }
        }
        let text = |v: Option<Vec<u8>>| v.map(|b| String::from_utf8_lossy(&b).into_owned());
        let (signature, timestamp, delivery_id) =
            (text(signature), text(timestamp), text(delivery));
        let parsed_timestamp = timestamp.as_deref().and_then(|t| t.parse::<i64>().ok());
        let verified = match &self.secret {
            Some(secret) => {
                self.check(
                    secret,
                    signature.as_deref(),
                    timestamp.as_deref(),
                    body,
                    now,
                )?;
                true
            }
            None => false,
        };
        Ok(ChatwootDelivery {
            delivery_id: delivery_id.filter(|d| !d.is_empty()),
            timestamp: parsed_timestamp,
            verified,
            event: parse_chatwoot_event(body)?,
        })
    }

    fn check(
        &self,
        secret: &[u8],
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<()> {
        let refuse = |header: &str, why: String| {
            Error::new(ErrorKind::Authentication, format!("{header}: {why}"))
        };
        let signature = signature.filter(|s| !s.is_empty()).ok_or_else(|| {
            refuse(
                SIGNATURE_HEADER,
                "missing: the delivery is not signed".into(),
            )
        })?;
        let timestamp = timestamp.filter(|s| !s.is_empty()).ok_or_else(|| {
            refuse(
                TIMESTAMP_HEADER,
                "missing: needed to check the signature".into(),
            )
        })?;
        let digest = signature
            .strip_prefix("sha256=")
            .and_then(|h| hex::decode(h).ok())
            .filter(|d| d.len() == 32)
            .ok_or_else(|| {
                refuse(
                    SIGNATURE_HEADER,
                    "not of the form sha256=<64 hex digits>".into(),
                )
            })?;
        mac(secret, timestamp, body)
            .verify_slice(&digest)
            .map_err(|_| {
                refuse(
                    SIGNATURE_HEADER,
                    "does not match the body and timestamp (wrong secret, or the body was \
                     changed: verify the raw bytes as received)"
                        .into(),
                )
            })?;
        let sent = timestamp.parse::<i64>().map_err(|_| {
            refuse(
                TIMESTAMP_HEADER,
                format!("{timestamp:?} is not unix seconds"),
            )
        })?;
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => 0,
        };
        let skew = now.abs_diff(sent);
        if skew > self.tolerance.as_secs() {
            return Err(refuse(
                TIMESTAMP_HEADER,
                format!(
                    "{sent} is {skew} s from this receiver's clock ({now}), more than the \
                     tolerance of {} s: refused as stale (or the clocks disagree)",
                    self.tolerance.as_secs()
                ),
            ));
        }
        Ok(())
    }
}
