//! What the Chatwoot calls send, validated before any I/O, and their one JSON form each.

use crate::attachment::Attachment;
use crate::error::{Error, Result};
use crate::json_form;
use crate::validate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

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
///
/// JSON form (schema: docs/schemas/NewContact.json), every member optional:
///
/// ```json
/// {"source_id": "crm-42", "identifier": "user-42", "hmac_token": "…", "email": "john@example.com",
///  "name": "John Doe", "phone_number": "+972541234567", "avatar_url": "https://…/me.png",
///  "custom_attributes": {"plan": "gold"}}
/// ```
///
/// `hmac_token` (the inbox's HMAC token) makes `identifier_hash` from `identifier` here; it
/// needs `identifier`, excludes `identifier_hash`, and is never sent, serialised or shown
/// by `Debug`. The JSON form serialised is the one sent: with the computed `identifier_hash`.
#[derive(Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "A Chatwoot contact request (create or update), every member optional. \
                   hmac_token computes identifier_hash from identifier; it needs identifier, \
                   excludes identifier_hash and is never sent."
)]
#[must_use]
pub struct NewContact {
    /// Your id for the contact in this inbox (create only); default: a random UUID.
    #[serde(default)]
    source_id: Option<String>,
    /// Your user id, matched across the account.
    #[serde(default)]
    identifier: Option<String>,
    /// The hex HMAC-SHA256 of `identifier` keyed by the inbox's HMAC token, for inboxes with
    /// identity validation.
    #[serde(default)]
    identifier_hash: Option<String>,
    /// The inbox's HMAC token, to compute `identifier_hash` from `identifier` instead; never
    /// sent.
    #[serde(default)]
    hmac_token: Option<String>,
    /// An e-mail address.
    #[serde(default)]
    email: Option<String>,
    /// The display name.
    #[serde(default)]
    name: Option<String>,
    /// E.164 with the '+' (`+972541234567`).
    #[serde(default)]
    phone_number: Option<String>,
    /// An http(s) URL Chatwoot fetches the picture from.
    #[serde(default)]
    avatar_url: Option<String>,
    /// Any JSON values, by name.
    #[serde(default, deserialize_with = "map_or_null")]
    #[schemars(with = "Option<Map<String, Value>>")]
    custom_attributes: Map<String, Value>,
}

/// A JSON object, with `null` read as an empty one (like every other member left out).
fn map_or_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Map<String, Value>, D::Error> {
    Option::<Map<String, Value>>::deserialize(d).map(Option::unwrap_or_default)
}

impl fmt::Debug for NewContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewContact")
            .field("source_id", &self.source_id)
            .field("identifier", &self.identifier)
            .field("identifier_hash", &self.identifier_hash)
            .field(
                "hmac_token",
                &self.hmac_token.as_ref().map(|_| "<redacted>"),
            )
            .field("email", &self.email)
            .field("name", &self.name)
            .field("phone_number", &self.phone_number)
            .field("avatar_url", &self.avatar_url)
            .field("custom_attributes", &self.custom_attributes)
            .finish()
    }
}

/// Serialised as it is sent: the `identifier_hash` computed from `hmac_token` (if it can
/// be), never the token.
impl Serialize for NewContact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Sent<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            source_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            identifier: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            identifier_hash: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            email: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            name: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            phone_number: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            avatar_url: Option<&'a str>,
            #[serde(skip_serializing_if = "Map::is_empty")]
            custom_attributes: &'a Map<String, Value>,
        }
        Sent {
            source_id: self.source_id.as_deref(),
            identifier: self.identifier.as_deref(),
            identifier_hash: self.resolved_hash().ok().flatten(),
            email: self.email.as_deref(),
            name: self.name.as_deref(),
            phone_number: self.phone_number.as_deref(),
            avatar_url: self.avatar_url.as_deref(),
            custom_attributes: &self.custom_attributes,
        }
        .serialize(s)
    }
}

impl NewContact {
    /// No fields set: Chatwoot makes a contact with a random name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the JSON form. An error is a validation error whose field is the JSON path of
    /// the bad member (or `contact` for the document as a whole); unknown members are
    /// refused.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when the text is not JSON, not
    /// an object, or has an unknown member or a member of the wrong type. The values themselves
    /// (an e-mail address, a phone number) are checked when the contact is sent.
    ///
    /// ```
    /// use commbox::chatwoot::NewContact;
    /// let c = NewContact::from_json(r#"{"name": "John", "custom_attributes": {"plan": "gold"}}"#).unwrap();
    /// assert_eq!(c, NewContact::new().name("John").custom_attribute("plan", "gold"));
    /// let e = NewContact::from_json(r#"{"nmae": "John"}"#).unwrap_err();
    /// assert_eq!(e.field(), Some("nmae"));
    /// ```
    pub fn from_json(json: &str) -> Result<NewContact> {
        json_form::from_object_str("contact", json)
    }

    /// [`NewContact::from_json`] from a parsed value.
    ///
    /// # Errors
    ///
    /// As [`NewContact::from_json`].
    pub fn from_value(value: Value) -> Result<NewContact> {
        json_form::from_object("contact", value)
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
    /// [`identifier_hash`](super::identifier_hash())).
    pub fn identifier_hash(mut self, v: impl Into<String>) -> Self {
        self.identifier_hash = Some(v.into());
        self
    }

    /// The inbox's HMAC token: `identifier_hash` is computed from `identifier` with it when
    /// the request is sent (it needs `identifier`, excludes `identifier_hash`, and is never
    /// sent itself).
    pub fn hmac_token(mut self, v: impl Into<String>) -> Self {
        self.hmac_token = Some(v.into());
        self
    }

    /// Sets `identifier` and the inbox's HMAC token that computes its `identifier_hash`.
    pub fn verified_identifier(self, identifier: impl Into<String>, hmac_token: &str) -> Self {
        self.identifier(identifier).hmac_token(hmac_token)
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

    /// The `identifier_hash` to send: the one given, or the one `hmac_token` computes.
    fn resolved_hash(&self) -> Result<Option<String>> {
        identifier_hash_to_send(
            self.identifier.as_deref(),
            self.identifier_hash.as_deref(),
            self.hmac_token.as_deref(),
        )
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
        if let Some(v) = self.resolved_hash()? {
            validate::required("identifier_hash", &v)?;
            body.insert("identifier_hash".into(), v.into());
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

/// The `identifier_hash` a contact request sends, from what the caller gave: the hash
/// itself, or the inbox's `hmac_token` to compute it from `identifier` (Chatwoot's identity
/// validation). The token needs `identifier`, excludes `identifier_hash` and must not be
/// empty; each refusal is a validation error naming `hmac_token`.
///
/// Every face applies this one rule: [`NewContact`] when it is sent, and the faces' "get a
/// contact" with a token before [`super::InboxClient::get_verified_contact`].
///
/// # Errors
///
/// [`ErrorKind::Validation`](crate::ErrorKind::Validation) naming `hmac_token` when a token is
/// given with `identifier_hash`, without `identifier`, or empty.
///
/// ```
/// use commbox::chatwoot::identifier_hash_to_send;
/// let hash = identifier_hash_to_send(Some("user-42"), None, Some("token")).unwrap();
/// assert_eq!(hash, Some(commbox::chatwoot::identifier_hash("user-42", "token")));
/// let e = identifier_hash_to_send(None, None, Some("token")).unwrap_err();
/// assert_eq!(e.to_string(), "hmac_token: needs identifier: the hash is computed from it");
/// ```
pub fn identifier_hash_to_send(
    identifier: Option<&str>,
    identifier_hash: Option<&str>,
    hmac_token: Option<&str>,
) -> Result<Option<String>> {
    let field = "hmac_token";
    let Some(token) = hmac_token else {
        return Ok(identifier_hash.map(str::to_owned));
    };
    if identifier_hash.is_some() {
        return Err(Error::validation(
            field,
            "give identifier_hash or hmac_token, not both",
        ));
    }
    let Some(identifier) = identifier else {
        return Err(Error::validation(
            field,
            "needs identifier: the hash is computed from it",
        ));
    };
    if token.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    Ok(Some(super::identifier_hash(identifier, token)))
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
/// `attachments[]`, streamed from disk). Not CommBox's [`crate::NewMessage`].
///
/// ```
/// use commbox::{Attachment, chatwoot::NewInboxMessage};
/// let message = NewInboxMessage::new("Here is my receipt")
///     .echo_id("tmp-1")
///     .attachment(Attachment::from_bytes("receipt.txt", b"paid".to_vec()));
/// ```
///
/// JSON form (schema: docs/schemas/NewInboxMessage.json), attachments as in every request
/// (a path, or `{"path", "name", "content_type"}`):
///
/// ```json
/// {"content": "Here is my receipt", "echo_id": "tmp-1", "attachments": ["receipt.pdf"]}
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "A message from the contact to a Chatwoot conversation, every member optional; \
                   attachments are sent as multipart attachments[], streamed from disk."
)]
#[must_use]
pub struct NewInboxMessage {
    /// The text (at most 150 000 characters); may be empty when files are attached.
    #[serde(default)]
    content: String,
    /// A temporary id echoed back on the contact's websocket (never in the HTTP answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    echo_id: Option<String>,
    /// Files to upload (at most 15), streamed from disk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
}

impl NewInboxMessage {
    /// A message with this text (may be empty when files are attached).
    pub fn new(content: impl Into<String>) -> Self {
        NewInboxMessage {
            content: content.into(),
            ..NewInboxMessage::default()
        }
    }

    /// Reads the JSON form. An error is a validation error whose field is the JSON path of
    /// the bad member (`attachments[1]`, or `message` for the document as a whole); unknown
    /// members are refused.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when the text is not JSON, not
    /// an object, or has an unknown member or a member of the wrong type (an attachment that is
    /// neither a path nor an attachment object, inline content that is not base64). The limits
    /// and the files are checked when the message is sent.
    ///
    /// ```
    /// use commbox::chatwoot::NewInboxMessage;
    /// let m = NewInboxMessage::from_json(r#"{"content": "hi", "echo_id": "e-1"}"#).unwrap();
    /// let e = NewInboxMessage::from_json(r#"{"content": 3}"#).unwrap_err();
    /// assert_eq!(e.field(), Some("content"));
    /// ```
    pub fn from_json(json: &str) -> Result<NewInboxMessage> {
        json_form::from_object_str("message", json)
    }

    /// [`NewInboxMessage::from_json`] from a parsed value.
    ///
    /// # Errors
    ///
    /// As [`NewInboxMessage::from_json`].
    pub fn from_value(value: Value) -> Result<NewInboxMessage> {
        json_form::from_object("message", value)
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
        NewInboxMessage::new("é".repeat(MAX_CONTENT_CHARS))
            .validate()
            .unwrap();
        let e = NewInboxMessage::new("x".repeat(MAX_CONTENT_CHARS + 1))
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("content"));
        let mut m = NewInboxMessage::new("x");
        for i in 0..=MAX_ATTACHMENTS {
            m = m.attachment(Attachment::from_bytes(format!("{i}.txt"), vec![]));
        }
        assert_eq!(m.validate().unwrap_err().field(), Some("attachments"));
    }

    #[test]
    fn hmac_token_rules() {
        let with = |c: NewContact| c.to_json(true).map_err(|e| e.to_string());
        let want = crate::chatwoot::identifier_hash("user-7", "tok");
        assert_eq!(
            with(NewContact::new().verified_identifier("user-7", "tok")).unwrap(),
            json!({"identifier": "user-7", "identifier_hash": want})
        );
        assert_eq!(
            with(NewContact::new().hmac_token("tok")).unwrap_err(),
            "hmac_token: needs identifier: the hash is computed from it"
        );
        assert_eq!(
            with(
                NewContact::new()
                    .identifier("u")
                    .identifier_hash("h")
                    .hmac_token("t")
            )
            .unwrap_err(),
            "hmac_token: give identifier_hash or hmac_token, not both"
        );
        assert_eq!(
            with(NewContact::new().identifier("u").hmac_token("")).unwrap_err(),
            "hmac_token: must not be empty"
        );
        // The token is never serialised nor shown; the hash it makes is.
        let c = NewContact::new().verified_identifier("user-7", "tok");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v, json!({"identifier": "user-7", "identifier_hash": want}));
        assert!(!format!("{c:?}").contains("tok\""), "{c:?}");
    }

    #[test]
    fn contact_json_form() {
        let c = NewContact::from_json(
            r#"{"source_id": "s-1", "identifier": "u", "hmac_token": "t", "name": "John",
                "custom_attributes": {"plan": "gold"}, "email": null}"#,
        )
        .unwrap();
        assert_eq!(
            c,
            NewContact::new()
                .source_id("s-1")
                .verified_identifier("u", "t")
                .name("John")
                .custom_attribute("plan", "gold")
        );
        assert_eq!(
            NewContact::from_json(r#"{"custom_attributes": null}"#).unwrap(),
            NewContact::new()
        );
        let e = NewContact::from_json(r#"{"custom_attributes": [1]}"#).unwrap_err();
        assert_eq!(e.field(), Some("custom_attributes"));
        let e = NewContact::from_json(r#"{"phone": "+1"}"#).unwrap_err();
        assert_eq!(e.field(), Some("phone"));
        let e = NewContact::from_json(r#"["s-1"]"#).unwrap_err();
        assert_eq!(e.field(), Some("contact"));
        // What is serialised reads back as the same request.
        let again = NewContact::from_value(serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(again.to_json(true).unwrap(), c.to_json(true).unwrap());
    }

    #[test]
    fn message_json_form() {
        let m = NewInboxMessage::from_json(
            r#"{"content": "hi", "echo_id": "e-1", "attachments": ["a.pdf", {"path": "b.txt", "name": "c.txt"}]}"#,
        )
        .unwrap();
        assert_eq!(m.content(), "hi");
        assert_eq!(m.echo(), Some("e-1"));
        assert_eq!(m.files()[1].name(), "c.txt");
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["content"], "hi");
        assert_eq!(v["attachments"][0]["path"], "a.pdf");
        let e = NewInboxMessage::from_json(r#"{"attachments": ["a.pdf", 3]}"#).unwrap_err();
        assert_eq!(e.field(), Some("attachments[1]"));
        let e = NewInboxMessage::from_json(r#"{"text": "hi"}"#).unwrap_err();
        assert_eq!(e.field(), Some("text"));
        assert_eq!(NewInboxMessage::from_json("{}").unwrap().content(), "");
    }
}
