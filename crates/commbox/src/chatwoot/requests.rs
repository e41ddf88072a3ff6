//! What the Chatwoot calls send, validated before any I/O.

use crate::attachment::Attachment;
use crate::error::{Error, Result};
use crate::validate;
use serde_json::{Map, Value};

/// Chatwoot refuses message content longer than this many characters (422).
pub const MAX_CONTENT_CHARS: usize = 150_000;
/// Chatwoot keeps at most this many attachments per message.
pub const MAX_ATTACHMENTS: usize = 15;

/// The fields of a contact, for [`super::InboxClient::create_contact`] (all optional) and
/// [`super::InboxClient::update_contact`].
///
/// ```
/// use commbox::chatwoot::NewContact;
/// let contact = NewContact::new()
///     .name("John Doe")
///     .email("john@example.com")
///     .phone_number("+972541234567") // E.164, with the '+'
///     .custom_attribute("plan", "gold");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactParams {
    source_id: Option<String>,
    identifier: Option<String>,
    identifier_hash: Option<String>,
    email: Option<String>,
    name: Option<String>,
    phone_number: Option<String>,
    avatar_url: Option<String>,
    custom_attributes: Map<String, Value>,
}

/// The name used for creating: a contact's fields.
pub type NewContact = ContactParams;

impl ContactParams {
    /// No fields set: Chatwoot makes a contact with a random name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Your id for the contact in this inbox (`source_id`, create only). Creating again with
    /// the same one returns the existing contact unchanged. Default: a random UUID.
    pub fn source_id(mut self, v: impl Into<String>) -> Self {
        self.source_id = Some(v.into());
        self
    }

    /// Your user id (`identifier`), matched across the account.
    pub fn identifier(mut self, v: impl Into<String>) -> Self {
        self.identifier = Some(v.into());
        self
    }

    /// `identifier_hash` for inboxes with identity validation (see
    /// [`super::identifier_hash`]).
    pub fn identifier_hash(mut self, v: impl Into<String>) -> Self {
        self.identifier_hash = Some(v.into());
        self
    }

    /// Sets `identifier` and its `identifier_hash` computed with the inbox's HMAC token.
    pub fn verified_identifier(self, identifier: impl Into<String>, hmac_token: &str) -> Self {
        let identifier = identifier.into();
        let hash = super::identifier_hash(&identifier, hmac_token);
        self.identifier(identifier).identifier_hash(hash)
    }

    /// `email`, checked to be an e-mail address.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// `name`.
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }

    /// `phone_number` in E.164 with the '+' (`+972541234567`), as Chatwoot requires.
    pub fn phone_number(mut self, v: impl Into<String>) -> Self {
        self.phone_number = Some(v.into());
        self
    }

    /// `avatar_url`: Chatwoot fetches the picture from it later.
    pub fn avatar_url(mut self, v: impl Into<String>) -> Self {
        self.avatar_url = Some(v.into());
        self
    }

    /// One of `custom_attributes`.
    pub fn custom_attribute(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom_attributes.insert(name.into(), value.into());
        self
    }

    /// Validates and returns the JSON body; `for_create` allows `source_id`.
    pub(crate) fn to_json(&self, for_create: bool) -> Result<Value> {
        let mut body = Map::new();
        if let Some(v) = &self.source_id {
            if !for_create {
                return Err(Error::validation(
                    "source_id",
                    "can only be given when creating a contact",
                ));
            }
            validate::required("source_id", v)?;
            body.insert("source_id".into(), v.clone().into());
        }
        if let Some(v) = &self.identifier {
            validate::required("identifier", v)?;
            body.insert("identifier".into(), v.clone().into());
        }
        if let Some(v) = &self.identifier_hash {
            validate::required("identifier_hash", v)?;
            body.insert("identifier_hash".into(), v.clone().into());
        }
        if let Some(v) = &self.email {
            validate::email("email", v)?;
            body.insert("email".into(), v.clone().into());
        }
        if let Some(v) = &self.name {
            validate::required("name", v)?;
            body.insert("name".into(), v.clone().into());
        }
        if let Some(v) = &self.phone_number {
            e164("phone_number", v)?;
            body.insert("phone_number".into(), v.clone().into());
        }
        if let Some(v) = &self.avatar_url {
            let ok = reqwest::Url::parse(v).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(Error::validation("avatar_url", "not an http(s) URL"));
            }
            body.insert("avatar_url".into(), v.clone().into());
        }
        if !self.custom_attributes.is_empty() {
            body.insert(
                "custom_attributes".into(),
                Value::Object(self.custom_attributes.clone()),
            );
        }
        Ok(Value::Object(body))
    }
}

/// Chatwoot's rule for phone numbers: `+`, a non-zero digit, then 1 to 14 digits.
fn e164(field: &str, v: &str) -> Result<()> {
    let digits = v.strip_prefix('+').unwrap_or("");
    let ok = v.starts_with('+')
        && (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            "must be E.164 with the '+', e.g. +972541234567",
        ))
    }
}

/// A message from the contact, with optional attachments (sent as multipart
/// `attachments[]`, streamed from disk).
///
/// ```
/// use commbox::{Attachment, chatwoot::NewMessage};
/// let message = NewMessage::new("Here is my receipt")
///     .echo_id("tmp-1")
///     .attachment(Attachment::from_bytes("receipt.txt", b"paid".to_vec()));
/// ```
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    content: String,
    echo_id: Option<String>,
    attachments: Vec<Attachment>,
}

impl NewMessage {
    /// A message with this text (may be empty when files are attached).
    pub fn new(content: impl Into<String>) -> Self {
        NewMessage {
            content: content.into(),
            ..NewMessage::default()
        }
    }

    /// A temporary id echoed back on the contact's websocket (never in the HTTP answer:
    /// correlate by the returned `id`).
    pub fn echo_id(mut self, v: impl Into<String>) -> Self {
        self.echo_id = Some(v.into());
        self
    }

    /// Attaches a file (at most [`MAX_ATTACHMENTS`]).
    pub fn attachment(mut self, a: Attachment) -> Self {
        self.attachments.push(a);
        self
    }

    pub(crate) fn content(&self) -> &str {
        &self.content
    }

    pub(crate) fn echo(&self) -> Option<&str> {
        self.echo_id.as_deref()
    }

    pub(crate) fn files(&self) -> &[Attachment] {
        &self.attachments
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let chars = self.content.chars().count();
        if chars > MAX_CONTENT_CHARS {
            return Err(Error::validation(
                "content",
                format!("{chars} characters; Chatwoot accepts at most {MAX_CONTENT_CHARS}"),
            ));
        }
        if self.attachments.len() > MAX_ATTACHMENTS {
            return Err(Error::validation(
                "attachments",
                format!(
                    "{} files; Chatwoot keeps at most {MAX_ATTACHMENTS} per message",
                    self.attachments.len()
                ),
            ));
        }
        if let Some(e) = &self.echo_id {
            validate::required("echo_id", e)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phone_numbers_are_e164() {
        for ok in ["+972541234567", "+12", "+123456789012345"] {
            e164("p", ok).unwrap();
        }
        for bad in [
            "972541234567",
            "+0123",
            "+1",
            "+1234567890123456",
            "+97254 123",
            "+",
        ] {
            assert!(e164("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn contact_json() {
        let v = NewContact::new()
            .source_id("s-1")
            .name("John")
            .custom_attribute("plan", "gold")
            .to_json(true)
            .unwrap();
        assert_eq!(
            v,
            json!({"source_id": "s-1", "name": "John", "custom_attributes": {"plan": "gold"}})
        );
        let e = NewContact::new().source_id("s").to_json(false).unwrap_err();
        assert_eq!(e.field(), Some("source_id"));
        let e = NewContact::new()
            .avatar_url("ftp://x")
            .to_json(true)
            .unwrap_err();
        assert_eq!(e.field(), Some("avatar_url"));
    }

    #[test]
    fn message_limits() {
        NewMessage::new("é".repeat(MAX_CONTENT_CHARS))
            .validate()
            .unwrap();
        let e = NewMessage::new("x".repeat(MAX_CONTENT_CHARS + 1))
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("content"));
        let mut m = NewMessage::new("x");
        for i in 0..=MAX_ATTACHMENTS {
            m = m.attachment(Attachment::from_bytes(format!("{i}.txt"), vec![]));
        }
        assert_eq!(m.validate().unwrap_err().field(), Some("attachments"));
    }
}
