//! Requests that add a message to a conversation (CommBox "Create Child").

use super::provider_identity::{self as identity, Identity};
use crate::attachment::Attachment;
use crate::commbox::enums::{ObjectType, StreamProviderType};
use crate::error::{encode_error, Error, Result};
use crate::json_form;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A message in an existing conversation, from the customer or from an agent.
///
/// ```
/// use commbox::{Attachment, NewMessage};
/// // Shown to the agent as written by the customer:
/// let from_customer = NewMessage::from_customer("MrDoe@gmail.com", "Where is my order?");
/// // Sent to the customer by agent 36574658 (its `id` from `Client::managers`):
/// let from_agent = NewMessage::from_agent(36574658, "best.agent@commbox.com", "It ships today.")
///     .attachment(Attachment::from_bytes("label.txt", b"A-1001".to_vec()));
/// ```
///
/// JSON form (schema: docs/schemas/NewMessage.json):
///
/// ```json
/// {"identity": "best.agent@commbox.com", "message": "It ships today.", "agent_id": 36574658,
///  "attachments": ["label.pdf"], "attachments_as_base64": false}
/// ```
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[must_use]
pub struct NewMessage {
    /// The writer's e-mail address or phone number (`UserStreamProviderId`).
    identity: String,
    /// `UserStreamProviderType` (default: inferred from `identity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity_type: Option<StreamProviderType>,
    /// The text; may be empty when there is an attachment.
    #[serde(default)]
    message: String,
    /// Sent by this agent (`UserIdentity`, with `IsManager`); absent: by the customer.
    #[serde(default, rename = "agent_id", skip_serializing_if = "Option::is_none")]
    agent: Option<i64>,
    /// The child's `Type` (default 4, conversation).
    #[serde(default = "conversation_type")]
    object_type: ObjectType,
    /// Files to upload with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    /// Send attachments in CommBox's base64 form instead of as file uploads.
    #[serde(
        default,
        rename = "attachments_as_base64",
        skip_serializing_if = "is_false"
    )]
    base64: bool,
    /// Any other field of the child, sent as given.
    #[serde(default, rename = "fields", skip_serializing_if = "Map::is_empty")]
    extra: Map<String, Value>,
}

fn conversation_type() -> ObjectType {
    ObjectType::CONVERSATION
}

fn is_false(v: &bool) -> bool {
    !*v
}

#[derive(Serialize)]
struct ChildPayload<'a> {
    #[serde(rename = "IsManager", skip_serializing_if = "Option::is_none")]
    is_manager: Option<bool>,
    #[serde(rename = "UserIdentity", skip_serializing_if = "Option::is_none")]
    user_identity: Option<i64>,
    #[serde(rename = "Type")]
    object_type: ObjectType,
    #[serde(rename = "UserStreamProviderId")]
    identity: String,
    #[serde(rename = "UserStreamProviderType")]
    identity_type: StreamProviderType,
    #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl NewMessage {
    /// A message on behalf of the customer whose e-mail address or phone number is
    /// `identity` (its type is inferred: an `@` makes it e-mail).
    pub fn from_customer(identity: impl Into<String>, message: impl Into<String>) -> Self {
        NewMessage {
            identity: identity.into(),
            identity_type: None,
            message: message.into(),
            agent: None,
            object_type: ObjectType::CONVERSATION,
            attachments: Vec::new(),
            base64: false,
            extra: Map::new(),
        }
    }

    /// A message on behalf of an agent: `user_identity` is the agent's user id in the brand
    /// (`id` in [`crate::Client::managers`]), `identity` the agent's e-mail or phone.
    pub fn from_agent(
        user_identity: i64,
        identity: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        NewMessage {
            agent: Some(user_identity),
            ..NewMessage::from_customer(identity, message)
        }
    }

    /// Sets `UserStreamProviderType` instead of inferring it (e.g. 7 for an agent writing
    /// from WhatsApp).
    pub fn identity_type(mut self, t: StreamProviderType) -> Self {
        self.identity_type = Some(t);
        self
    }

    /// The child's `Type` (default 4, conversation).
    pub fn object_type(mut self, t: ObjectType) -> Self {
        self.object_type = t;
        self
    }

    /// Attaches a file (sent as a multipart `file` part). With an attachment, the text may
    /// be empty.
    pub fn attachment(mut self, a: Attachment) -> Self {
        self.attachments.push(a);
        self
    }

    /// Sends attachments in CommBox's base64 form `filename:{name};base64:{data}` (still as
    /// multipart `file` fields, streamed) instead of as file uploads.
    pub fn attachments_as_base64(mut self, yes: bool) -> Self {
        self.base64 = yes;
        self
    }

    /// Sets any other field of the child (wins over the builder's own).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// Reads a message from its JSON form; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) for a missing or unknown
    /// field or a value of the wrong type.
    ///
    /// ```
    /// use commbox::NewMessage;
    /// let m = NewMessage::from_json(r#"{"identity": "a@b.co", "message": "hi", "agent_id": 7}"#).unwrap();
    /// assert_eq!(m.to_json().unwrap()["IsManager"], true);
    /// ```
    pub fn from_json(json: &str) -> Result<NewMessage> {
        json_form::from_str("message", json)
    }

    /// [`NewMessage::from_json`] from a parsed value.
    ///
    /// # Errors
    ///
    /// As [`NewMessage::from_json`].
    pub fn from_value(value: Value) -> Result<NewMessage> {
        json_form::from_value("message", value)
    }

    /// Files to upload with it.
    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    pub(crate) fn uses_base64(&self) -> bool {
        self.base64
    }

    /// Validates every field and returns the child JSON (without the `data` wrapper).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation), naming the field as CommBox
    /// does: `UserStreamProviderId` for an identity that does not fit its type (a phone number,
    /// an e-mail address, or for other providers not blank), `Message` when there is neither
    /// text nor an attachment, `UserIdentity` for an agent id that is not positive. The
    /// attached files are not read here: they are checked when the message is sent.
    ///
    /// ```
    /// use commbox::NewMessage;
    /// let json = NewMessage::from_agent(36574658, "best.agent@commbox.com", "hi").to_json().unwrap();
    /// assert_eq!(json["IsManager"], true);
    /// assert_eq!(json["UserStreamProviderType"], 4);
    /// ```
    pub fn to_json(&self) -> Result<Value> {
        let identity_type = self
            .identity_type
            .unwrap_or_else(|| identity::infer_type(&self.identity));
        let Identity(identity) =
            identity::normalize("UserStreamProviderId", &self.identity, identity_type)?;
        let has_text = !self.message.trim().is_empty();
        if !has_text && self.attachments.is_empty() {
            return Err(Error::validation("Message", "required (or attach a file)"));
        }
        if let Some(id) = self.agent {
            if id <= 0 {
                return Err(Error::validation(
                    "UserIdentity",
                    "must be a positive agent id",
                ));
            }
        }
        let payload = ChildPayload {
            is_manager: self.agent.map(|_| true),
            user_identity: self.agent,
            object_type: self.object_type,
            identity,
            identity_type,
            message: has_text.then_some(self.message.as_str()),
        };
        let mut json = serde_json::to_value(payload).map_err(encode_error)?;
        if let Value::Object(map) = &mut json {
            for (k, v) in &self.extra {
                map.insert(k.clone(), v.clone());
            }
        }
        Ok(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn customer_and_agent_match_the_documented_examples() {
        assert_eq!(
            NewMessage::from_customer("MrDoe@gmail.com", "A message on behalf of Mr. John Doe")
                .to_json()
                .unwrap(),
            json!({"Type": 4, "UserStreamProviderId": "MrDoe@gmail.com",
                   "UserStreamProviderType": 4, "Message": "A message on behalf of Mr. John Doe"})
        );
        assert_eq!(
            NewMessage::from_agent(
                36574658,
                "972542660000",
                "A new message on behalf of the agent"
            )
            .identity_type(StreamProviderType::WHATSAPP)
            .to_json()
            .unwrap(),
            json!({"IsManager": true, "UserIdentity": 36574658, "Type": 4,
                   "UserStreamProviderId": "972542660000", "UserStreamProviderType": 7,
                   "Message": "A new message on behalf of the agent"})
        );
    }

    #[test]
    fn message_required_without_attachments() {
        let e = NewMessage::from_customer("a@b.co", "")
            .to_json()
            .unwrap_err();
        assert_eq!(e.field(), Some("Message"));
        let v = NewMessage::from_customer("a@b.co", "")
            .attachment(Attachment::from_bytes("a.txt", b"x".to_vec()))
            .to_json()
            .unwrap();
        assert!(v.get("Message").is_none());
    }

    #[test]
    fn identity_checked_by_type() {
        let e = NewMessage::from_customer("+972-54", "m")
            .to_json()
            .unwrap_err();
        assert_eq!(e.field(), Some("UserStreamProviderId"));
        let e = NewMessage::from_customer("a@b", "m").to_json().unwrap_err();
        assert_eq!(e.field(), Some("UserStreamProviderId"));
    }
}
