//! Requests that open a conversation (CommBox "Create Object"), one builder per channel.
//!
//! Each builder fills in the `Type` / `StreamProviderType` / `UserStreamProviderType`
//! combination of the official example for its channel (api-surface.md §1.4); every value can
//! still be overridden.

use super::provider_identity::{self as identity, Identity};
use super::user::User;
use crate::attachment::Attachment;
use crate::commbox::enums::{ObjectStatusType, ObjectType, StreamProviderType};
use crate::error::{encode_error, Error, Result};
use crate::validate;
use serde::Serialize;
use serde_json::{Map, Value};

/// Fields every channel accepts.
#[derive(Debug, Clone, Default)]
struct Common {
    status: Option<ObjectStatusType>,
    manager_id: Option<i64>,
    user_identity: Option<i64>,
    sub_stream_id: Option<i64>,
    stream_provider_id: Option<String>,
    user: Option<User>,
    object_type: Option<ObjectType>,
    stream_provider_type: Option<StreamProviderType>,
    identity_type: Option<StreamProviderType>,
    attachments: Vec<Attachment>,
    extra: Map<String, Value>,
}

/// Adds the setters of [`Common`] to each channel builder, so they are inherent methods
/// (no trait to import) and documented on every builder.
macro_rules! common_setters {
    ($($ty:ident),+) => {$(
        impl $ty {
            /// Initial state (`StatusId`), e.g. [`ObjectStatusType::OPEN`] or `SENT`.
            pub fn status(mut self, status: ObjectStatusType) -> Self {
                self.common.status = Some(status);
                self
            }

            /// The agent the conversation is sent from (`ManagerId`).
            pub fn manager_id(mut self, id: i64) -> Self {
                self.common.manager_id = Some(id);
                self
            }

            /// CommBox's number for the user (`UserIdentity`).
            pub fn user_identity(mut self, id: i64) -> Self {
                self.common.user_identity = Some(id);
                self
            }

            /// The sub-channel (`SubStreamId`).
            pub fn sub_stream_id(mut self, id: i64) -> Self {
                self.common.sub_stream_id = Some(id);
                self
            }

            /// The provider's id of the original conversation (`StreamProviderId`).
            pub fn stream_provider_id(mut self, id: impl Into<String>) -> Self {
                self.common.stream_provider_id = Some(id.into());
                self
            }

            /// The customer record (`User`).
            pub fn user(mut self, user: User) -> Self {
                self.common.user = Some(user);
                self
            }

            /// Overrides the channel's default `Type`.
            pub fn object_type(mut self, t: ObjectType) -> Self {
                self.common.object_type = Some(t);
                self
            }

            /// Overrides the channel's default `StreamProviderType`.
            pub fn stream_provider_type(mut self, t: StreamProviderType) -> Self {
                self.common.stream_provider_type = Some(t);
                self
            }

            /// Overrides the type of the identity (`UserStreamProviderType`); phone types
            /// make the identity a phone number, mail types an e-mail address.
            pub fn identity_type(mut self, t: StreamProviderType) -> Self {
                self.common.identity_type = Some(t);
                self
            }

            /// Attaches a file: the request becomes `multipart/form-data` with one `file`
            /// part per attachment.
            pub fn attachment(mut self, a: Attachment) -> Self {
                self.common.attachments.push(a);
                self
            }

            /// Sets any other top-level field of the object (wins over the builder's own).
            /// For fields this version does not model yet.
            pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
                self.common.extra.insert(name.into(), value.into());
                self
            }
        }

        impl From<$ty> for NewConversation {
            fn from(v: $ty) -> NewConversation {
                NewConversation::$ty(v)
            }
        }
    )+};
}

/// An e-mail conversation (`Type` 5 Mail, `StreamProviderType` 4).
///
/// ```
/// use commbox::{Attachment, EmailConversation, ObjectStatusType};
/// let email = EmailConversation::new("customer@example.com", "Your invoice", "Please find it attached.")
///     .to_named("customer@example.com", "John Doe")
///     .cc("accounts@example.com")
///     .status(ObjectStatusType::SENT)
///     .attachment(Attachment::from_bytes("invoice.txt", b"total: 10".to_vec()));
/// ```
#[derive(Debug, Clone)]
pub struct EmailConversation {
    identity: String,
    subject: String,
    message: String,
    to: Vec<Address>,
    cc: Vec<Address>,
    bcc: Vec<Address>,
    linked: Vec<LinkedAttachment>,
    common: Common,
}

/// An SMS conversation with one customer (`Type` 4, `StreamProviderType` 5).
///
/// ```
/// use commbox::SmsConversation;
/// let sms = SmsConversation::new("+972544444444", "Your code is 1234");
/// ```
#[derive(Debug, Clone)]
pub struct SmsConversation {
    identity: String,
    message: String,
    common: Common,
}

/// One SMS to several recipients (`sendToClient` and `Content.to`).
///
/// ```
/// use commbox::BulkSmsConversation;
/// let sms = BulkSmsConversation::new("972544444444", "Store closes at 6 today")
///     .recipient("972522222222")
///     .recipient("+972533333333");
/// ```
#[derive(Debug, Clone)]
pub struct BulkSmsConversation {
    identity: String,
    message: String,
    recipients: Vec<String>,
    send_to_client: bool,
    common: Common,
}

/// A WhatsApp template (HSM) message opening a conversation (`StreamProviderType` 7).
///
/// ```
/// use commbox::WhatsAppTemplateConversation;
/// let wa = WhatsAppTemplateConversation::new("972544444444", "order_ready", "Your order is ready")
///     .param("A-1001")
///     .language("en");
/// ```
#[derive(Debug, Clone)]
pub struct WhatsAppTemplateConversation {
    identity: String,
    template: String,
    message: String,
    to: Vec<String>,
    params: Vec<String>,
    language: Option<String>,
    common: Common,
}

/// A chat conversation (`StreamProviderType` 0, `createChildObject`).
///
/// ```
/// use commbox::ChatConversation;
/// let chat = ChatConversation::new("972544444444", "Hello from the website").user_identity(100000000419660);
/// ```
#[derive(Debug, Clone)]
pub struct ChatConversation {
    identity: String,
    message: String,
    create_child_object: bool,
    common: Common,
}

/// Any new conversation: what [`crate::Client::create_conversation`] takes. Each channel
/// builder converts into it.
#[derive(Debug, Clone)]
#[allow(clippy::enum_variant_names)]
pub enum NewConversation {
    /// See [`EmailConversation`].
    EmailConversation(EmailConversation),
    /// See [`SmsConversation`].
    SmsConversation(SmsConversation),
    /// See [`BulkSmsConversation`].
    BulkSmsConversation(BulkSmsConversation),
    /// See [`WhatsAppTemplateConversation`].
    WhatsAppTemplateConversation(WhatsAppTemplateConversation),
    /// See [`ChatConversation`].
    ChatConversation(ChatConversation),
}

common_setters!(
    EmailConversation,
    SmsConversation,
    BulkSmsConversation,
    WhatsAppTemplateConversation,
    ChatConversation
);

/// Applies `$call` to whichever channel builder `$self` holds, keeping the variant.
macro_rules! on_variant {
    ($self:ident, $c:ident => $call:expr) => {
        match $self {
            NewConversation::EmailConversation($c) => NewConversation::EmailConversation($call),
            NewConversation::SmsConversation($c) => NewConversation::SmsConversation($call),
            NewConversation::BulkSmsConversation($c) => NewConversation::BulkSmsConversation($call),
            NewConversation::WhatsAppTemplateConversation($c) => {
                NewConversation::WhatsAppTemplateConversation($call)
            }
            NewConversation::ChatConversation($c) => NewConversation::ChatConversation($call),
        }
    };
}

/// The common options, for code that holds a conversation of any channel (the C and
/// Python faces). Each forwards to the channel builder's method of the same name.
impl NewConversation {
    /// See [`EmailConversation::status`].
    pub fn status(self, status: ObjectStatusType) -> Self {
        on_variant!(self, c => c.status(status))
    }

    /// See [`EmailConversation::manager_id`].
    pub fn manager_id(self, id: i64) -> Self {
        on_variant!(self, c => c.manager_id(id))
    }

    /// See [`EmailConversation::user_identity`].
    pub fn user_identity(self, id: i64) -> Self {
        on_variant!(self, c => c.user_identity(id))
    }

    /// See [`EmailConversation::sub_stream_id`].
    pub fn sub_stream_id(self, id: i64) -> Self {
        on_variant!(self, c => c.sub_stream_id(id))
    }

    /// See [`EmailConversation::stream_provider_id`].
    pub fn stream_provider_id(self, id: impl Into<String>) -> Self {
        on_variant!(self, c => c.stream_provider_id(id))
    }

    /// See [`EmailConversation::user`].
    pub fn user(self, user: User) -> Self {
        on_variant!(self, c => c.user(user))
    }

    /// See [`EmailConversation::object_type`].
    pub fn object_type(self, t: ObjectType) -> Self {
        on_variant!(self, c => c.object_type(t))
    }

    /// See [`EmailConversation::stream_provider_type`].
    pub fn stream_provider_type(self, t: StreamProviderType) -> Self {
        on_variant!(self, c => c.stream_provider_type(t))
    }

    /// See [`EmailConversation::identity_type`].
    pub fn identity_type(self, t: StreamProviderType) -> Self {
        on_variant!(self, c => c.identity_type(t))
    }

    /// See [`EmailConversation::attachment`].
    pub fn attachment(self, a: Attachment) -> Self {
        on_variant!(self, c => c.attachment(a))
    }

    /// See [`EmailConversation::field`].
    pub fn field(self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        on_variant!(self, c => c.field(name, value))
    }

    /// The channel's name: `email`, `sms`, `bulk_sms`, `whatsapp_template` or `chat`.
    pub fn channel(&self) -> &'static str {
        match self {
            NewConversation::EmailConversation(_) => "email",
            NewConversation::SmsConversation(_) => "sms",
            NewConversation::BulkSmsConversation(_) => "bulk_sms",
            NewConversation::WhatsAppTemplateConversation(_) => "whatsapp_template",
            NewConversation::ChatConversation(_) => "chat",
        }
    }
}

/// An e-mail recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Address {
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

/// An attachment the server fetches from a URL (`Content.attachments`, the older JSON form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct LinkedAttachment {
    path: String,
    name: String,
}

impl EmailConversation {
    /// `identity` is the address the conversation is filed under (`UserStreamProviderId`);
    /// `to` defaults to it when no recipient is added.
    pub fn new(
        identity: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        EmailConversation {
            identity: identity.into(),
            subject: subject.into(),
            message: message.into(),
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            linked: Vec::new(),
            common: Common::default(),
        }
    }

    /// Adds a `to` recipient.
    pub fn to(mut self, address: impl Into<String>) -> Self {
        self.to.push(Address::new(address, None));
        self
    }

    /// Adds a `to` recipient with a display name.
    pub fn to_named(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.to.push(Address::new(address, Some(name.into())));
        self
    }

    /// Adds a `cc` recipient.
    pub fn cc(mut self, address: impl Into<String>) -> Self {
        self.cc.push(Address::new(address, None));
        self
    }

    /// Adds a `cc` recipient with a display name.
    pub fn cc_named(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.cc.push(Address::new(address, Some(name.into())));
        self
    }

    /// Adds a `bcc` recipient.
    pub fn bcc(mut self, address: impl Into<String>) -> Self {
        self.bcc.push(Address::new(address, None));
        self
    }

    /// Adds a `bcc` recipient with a display name.
    pub fn bcc_named(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.bcc.push(Address::new(address, Some(name.into())));
        self
    }

    /// Attaches a file the server downloads from `url` (`Content.attachments`), instead of
    /// uploading it.
    pub fn attachment_url(mut self, url: impl Into<String>, name: impl Into<String>) -> Self {
        self.linked.push(LinkedAttachment {
            path: url.into(),
            name: name.into(),
        });
        self
    }
}

impl Address {
    fn new(address: impl Into<String>, name: Option<String>) -> Address {
        Address {
            address: address.into(),
            name,
        }
    }
}

impl SmsConversation {
    /// `phone` is the customer's number with country code (a leading `+` is removed).
    pub fn new(phone: impl Into<String>, message: impl Into<String>) -> Self {
        SmsConversation {
            identity: phone.into(),
            message: message.into(),
            common: Common::default(),
        }
    }
}

impl BulkSmsConversation {
    /// `phone` is the identity the conversation is filed under; add recipients with
    /// [`BulkSmsConversation::recipient`]. `sendToClient` is on: CommBox sends without saving.
    pub fn new(phone: impl Into<String>, message: impl Into<String>) -> Self {
        BulkSmsConversation {
            identity: phone.into(),
            message: message.into(),
            recipients: Vec::new(),
            send_to_client: true,
            common: Common::default(),
        }
    }

    /// Adds a recipient number (`Content.to`).
    pub fn recipient(mut self, phone: impl Into<String>) -> Self {
        self.recipients.push(phone.into());
        self
    }

    /// Adds several recipient numbers.
    pub fn recipients<I, S>(mut self, phones: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.recipients.extend(phones.into_iter().map(Into::into));
        self
    }

    /// `sendToClient` (default true).
    pub fn send_to_client(mut self, yes: bool) -> Self {
        self.send_to_client = yes;
        self
    }
}

impl WhatsAppTemplateConversation {
    /// `phone` is the customer's WhatsApp number; `template` the approved template's name
    /// (`whatsapp_hsm_name`). `to` defaults to `phone`.
    pub fn new(
        phone: impl Into<String>,
        template: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        WhatsAppTemplateConversation {
            identity: phone.into(),
            template: template.into(),
            message: message.into(),
            to: Vec::new(),
            params: Vec::new(),
            language: None,
            common: Common::default(),
        }
    }

    /// Adds a recipient number (`Content.to`).
    pub fn to(mut self, phone: impl Into<String>) -> Self {
        self.to.push(phone.into());
        self
    }

    /// Adds the next template parameter (`whatsapp_localizable_params`).
    pub fn param(mut self, value: impl Into<String>) -> Self {
        self.params.push(value.into());
        self
    }

    /// Adds several template parameters, in order.
    pub fn params<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.params.extend(values.into_iter().map(Into::into));
        self
    }

    /// The template's language (`whatsapp_language_code`, e.g. `en`, `he`, `pt_BR`).
    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.language = Some(code.into());
        self
    }
}

impl ChatConversation {
    /// `identity` is the customer's phone number or e-mail address; its type is inferred
    /// (an `@` makes it e-mail) unless set with `identity_type`.
    pub fn new(identity: impl Into<String>, message: impl Into<String>) -> Self {
        ChatConversation {
            identity: identity.into(),
            message: message.into(),
            create_child_object: true,
            common: Common::default(),
        }
    }

    /// `createChildObject` (default true): also store the message as the first child.
    pub fn create_child_object(mut self, yes: bool) -> Self {
        self.create_child_object = yes;
        self
    }
}

/// The JSON object CommBox receives, in the field order of its examples.
#[derive(Serialize)]
struct ObjectPayload<'a> {
    #[serde(rename = "Type")]
    object_type: ObjectType,
    #[serde(rename = "StatusId", skip_serializing_if = "Option::is_none")]
    status: Option<ObjectStatusType>,
    #[serde(rename = "StreamProviderType")]
    stream_provider_type: StreamProviderType,
    #[serde(rename = "StreamProviderId", skip_serializing_if = "Option::is_none")]
    stream_provider_id: Option<&'a str>,
    #[serde(rename = "UserStreamProviderId")]
    identity: String,
    #[serde(rename = "UserStreamProviderType")]
    identity_type: StreamProviderType,
    #[serde(rename = "UserIdentity", skip_serializing_if = "Option::is_none")]
    user_identity: Option<i64>,
    #[serde(rename = "SubStreamId", skip_serializing_if = "Option::is_none")]
    sub_stream_id: Option<i64>,
    #[serde(rename = "ManagerId", skip_serializing_if = "Option::is_none")]
    manager_id: Option<i64>,
    #[serde(rename = "sendToClient", skip_serializing_if = "Option::is_none")]
    send_to_client: Option<bool>,
    #[serde(rename = "Content", skip_serializing_if = "Option::is_none")]
    content: Option<Content<'a>>,
    #[serde(rename = "Message")]
    message: &'a str,
    #[serde(rename = "createChildObject", skip_serializing_if = "Option::is_none")]
    create_child_object: Option<bool>,
    #[serde(rename = "User", skip_serializing_if = "Option::is_none")]
    user: Option<&'a User>,
}

#[derive(Serialize, Default)]
struct Content<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cc: Option<&'a [Address]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bcc: Option<&'a [Address]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<&'a [LinkedAttachment]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whatsapp_hsm_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whatsapp_localizable_params: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whatsapp_language_code: Option<&'a str>,
}

/// A channel's defaults: (`Type`, `StreamProviderType`, `UserStreamProviderType`).
struct Defaults(ObjectType, StreamProviderType, StreamProviderType);

impl NewConversation {
    fn common(&self) -> &Common {
        match self {
            NewConversation::EmailConversation(c) => &c.common,
            NewConversation::SmsConversation(c) => &c.common,
            NewConversation::BulkSmsConversation(c) => &c.common,
            NewConversation::WhatsAppTemplateConversation(c) => &c.common,
            NewConversation::ChatConversation(c) => &c.common,
        }
    }

    /// Files to upload with it.
    pub fn attachments(&self) -> &[Attachment] {
        &self.common().attachments
    }

    /// Validates every field and returns the object JSON (without the `data` wrapper).
    /// Nothing is sent; errors name the field.
    ///
    /// ```
    /// use commbox::{NewConversation, SmsConversation};
    /// let json = NewConversation::from(SmsConversation::new("+972544444444", "hi")).to_json().unwrap();
    /// assert_eq!(json["UserStreamProviderId"], "972544444444");
    /// assert_eq!(json["StreamProviderType"], 5);
    /// let err = NewConversation::from(SmsConversation::new("054-444", "hi")).to_json().unwrap_err();
    /// assert_eq!(err.field(), Some("UserStreamProviderId"));
    /// ```
    pub fn to_json(&self) -> Result<Value> {
        use NewConversation as N;
        let tel = StreamProviderType::TELEPHONE;
        let defaults = match self {
            N::EmailConversation(_) => Defaults(
                ObjectType::MAIL,
                StreamProviderType::MAIL,
                StreamProviderType::MAIL,
            ),
            N::SmsConversation(_) | N::BulkSmsConversation(_) => {
                Defaults(ObjectType::CONVERSATION, tel, tel)
            }
            N::WhatsAppTemplateConversation(_) => {
                Defaults(ObjectType::CONVERSATION, StreamProviderType::WHATSAPP, tel)
            }
            N::ChatConversation(c) => Defaults(
                ObjectType::CONVERSATION,
                StreamProviderType::COMMBOX,
                identity::infer_type(&c.identity),
            ),
        };
        let common = self.common();
        let (identity_raw, message) = match self {
            N::EmailConversation(c) => (&c.identity, &c.message),
            N::SmsConversation(c) => (&c.identity, &c.message),
            N::BulkSmsConversation(c) => (&c.identity, &c.message),
            N::WhatsAppTemplateConversation(c) => (&c.identity, &c.message),
            N::ChatConversation(c) => (&c.identity, &c.message),
        };
        let identity_type = common.identity_type.unwrap_or(defaults.2);
        let Identity(identity) =
            identity::normalize("UserStreamProviderId", identity_raw, identity_type)?;
        validate::required("Message", message)?;
        if let Some(user) = &common.user {
            user.validate()?;
        }
        if let Some(id) = &common.stream_provider_id {
            validate::required("StreamProviderId", id)?;
        }

        let mut content = None;
        let mut send_to_client = None;
        let mut create_child_object = None;
        match self {
            N::EmailConversation(c) => {
                let to: Vec<Address> = if c.to.is_empty() {
                    vec![Address::new(identity.clone(), None)]
                } else {
                    c.to.clone()
                };
                // CommBox writes the subject and display names into the e-mail's own
                // headers, where CR or LF would add headers (a Bcc) to the mail.
                validate::header_value("Content.subject", &c.subject)?;
                check_addresses("Content.to", &to)?;
                check_addresses("Content.cc", &c.cc)?;
                check_addresses("Content.bcc", &c.bcc)?;
                for (i, l) in c.linked.iter().enumerate() {
                    validate::required(&format!("Content.attachments[{i}].path"), &l.path)?;
                    validate::required(&format!("Content.attachments[{i}].name"), &l.name)?;
                }
                content = Some(Content {
                    subject: Some(&c.subject),
                    to: Some(serde_json::to_value(to).map_err(encode_error)?),
                    cc: non_empty(&c.cc),
                    bcc: non_empty(&c.bcc),
                    attachments: non_empty(&c.linked),
                    ..Content::default()
                });
            }
            N::SmsConversation(_) => {}
            N::BulkSmsConversation(c) => {
                if c.recipients.is_empty() {
                    return Err(Error::validation("Content.to", "at least one recipient"));
                }
                let to = phones("Content.to", &c.recipients)?;
                content = Some(Content {
                    to: Some(Value::from(to)),
                    ..Content::default()
                });
                send_to_client = Some(c.send_to_client);
            }
            N::WhatsAppTemplateConversation(c) => {
                validate::required("Content.whatsapp_hsm_name", &c.template)?;
                let to = if c.to.is_empty() {
                    vec![identity.clone()]
                } else {
                    phones("Content.to", &c.to)?
                };
                if let Some(lang) = &c.language {
                    validate::required("Content.whatsapp_language_code", lang)?;
                }
                content = Some(Content {
                    to: Some(Value::from(to)),
                    whatsapp_hsm_name: Some(&c.template),
                    whatsapp_localizable_params: Some(&c.params),
                    whatsapp_language_code: c.language.as_deref(),
                    ..Content::default()
                });
            }
            N::ChatConversation(c) => create_child_object = Some(c.create_child_object),
        }

        let payload = ObjectPayload {
            object_type: common.object_type.unwrap_or(defaults.0),
            status: common.status,
            stream_provider_type: common.stream_provider_type.unwrap_or(defaults.1),
            stream_provider_id: common.stream_provider_id.as_deref(),
            identity,
            identity_type,
            user_identity: common.user_identity,
            sub_stream_id: common.sub_stream_id,
            manager_id: common.manager_id,
            send_to_client,
            content,
            message,
            create_child_object,
            user: common.user.as_ref(),
        };
        let mut json = serde_json::to_value(payload).map_err(encode_error)?;
        if let Value::Object(map) = &mut json {
            for (k, v) in &common.extra {
                map.insert(k.clone(), v.clone());
            }
        }
        Ok(json)
    }
}

fn non_empty<T>(v: &[T]) -> Option<&[T]> {
    (!v.is_empty()).then_some(v)
}

fn check_addresses(field: &str, list: &[Address]) -> Result<()> {
    for (i, a) in list.iter().enumerate() {
        validate::email(&format!("{field}[{i}]"), &a.address)?;
        if let Some(name) = &a.name {
            validate::header_value(&format!("{field}[{i}].name"), name)?;
        }
    }
    Ok(())
}

fn phones(field: &str, list: &[String]) -> Result<Vec<String>> {
    list.iter()
        .enumerate()
        .map(|(i, p)| validate::phone(&format!("{field}[{i}]"), p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_of(c: impl Into<NewConversation>) -> Value {
        c.into().to_json().unwrap()
    }

    #[test]
    fn email_matches_the_documented_example() {
        let v = json_of(
            EmailConversation::new("john.doe@gmail.com", "mail subject", "some message")
                .status(ObjectStatusType::OPEN)
                .stream_provider_id("b9910a75a46c492c9cf46a910cdba0012")
                .manager_id(12345)
                .user(
                    User::new()
                        .unique_id("01234567")
                        .last_name("Doe")
                        .first_name("John")
                        .phone1("05055555555")
                        .email("john.doe@gmail.com")
                        .remarks("some remark for user"),
                ),
        );
        assert_eq!(
            v,
            json!({
                "Type": 5, "StatusId": 1, "StreamProviderType": 4,
                "StreamProviderId": "b9910a75a46c492c9cf46a910cdba0012",
                "UserStreamProviderId": "john.doe@gmail.com", "UserStreamProviderType": 4,
                "ManagerId": 12345,
                "Content": {"subject": "mail subject", "to": [{"address": "john.doe@gmail.com"}]},
                "Message": "some message",
                "User": {"UniqueId": "01234567", "LastName": "Doe", "FirstName": "John",
                         "Phone1": "05055555555", "Email": "john.doe@gmail.com",
                         "Remarks": "some remark for user"}
            })
        );
    }

    #[test]
    fn whatsapp_defaults_to_the_identity_and_provider_7() {
        let v = json_of(
            WhatsAppTemplateConversation::new("+972544444444", "test_template", "some message")
                .param("check_1")
                .language("en"),
        );
        assert_eq!(v["StreamProviderType"], 7);
        assert_eq!(v["UserStreamProviderType"], 5);
        assert_eq!(
            v["Content"],
            json!({"to": ["972544444444"], "whatsapp_hsm_name": "test_template",
                   "whatsapp_localizable_params": ["check_1"], "whatsapp_language_code": "en"})
        );
    }

    #[test]
    fn field_errors() {
        let e = NewConversation::from(SmsConversation::new("972544444444", " "))
            .to_json()
            .unwrap_err();
        assert_eq!(e.to_string(), "Message: required");
        let e = NewConversation::from(
            EmailConversation::new("a@b.co", "s", "m")
                .to("ok@b.co")
                .to("not-an-address"),
        )
        .to_json()
        .unwrap_err();
        assert_eq!(e.field(), Some("Content.to[1]"));
        let e = NewConversation::from(BulkSmsConversation::new("972544444444", "m"))
            .to_json()
            .unwrap_err();
        assert_eq!(e.field(), Some("Content.to"));
        let e = NewConversation::from(
            BulkSmsConversation::new("972544444444", "m").recipients(["1", "2x"]),
        )
        .to_json()
        .unwrap_err();
        assert_eq!(e.field(), Some("Content.to[1]"));
        let e = NewConversation::from(WhatsAppTemplateConversation::new("97254", "", "m"))
            .to_json()
            .unwrap_err();
        assert_eq!(e.field(), Some("Content.whatsapp_hsm_name"));
        let e = NewConversation::from(
            ChatConversation::new("97254", "m").user(User::new().email("nope")),
        )
        .to_json()
        .unwrap_err();
        assert_eq!(e.field(), Some("User.Email"));
        let e = NewConversation::from(EmailConversation::new("a@b.co", "Hi\r\nBcc: x@y.io", "m"))
            .to_json()
            .unwrap_err();
        assert_eq!(e.to_string(), "Content.subject: must not contain CR or LF");
        let e = NewConversation::from(
            EmailConversation::new("a@b.co", "s", "m").cc_named("c@d.io", "C\nBcc: x@y.io"),
        )
        .to_json()
        .unwrap_err();
        assert_eq!(e.field(), Some("Content.cc[0].name"));
    }

    #[test]
    fn common_setters_work_on_any_channel() {
        let v = NewConversation::from(SmsConversation::new("1", "m"))
            .status(ObjectStatusType::SENT)
            .manager_id(7)
            .field("X", 1)
            .to_json()
            .unwrap();
        assert_eq!(
            (
                v["StatusId"].as_i64(),
                v["ManagerId"].as_i64(),
                v["X"].as_i64()
            ),
            (Some(13), Some(7), Some(1))
        );
    }

    #[test]
    fn extra_fields_and_overrides() {
        let v = json_of(
            ChatConversation::new("x@y.io", "m")
                .identity_type(StreamProviderType::MAIL)
                .field("Priority", 3),
        );
        assert_eq!(v["UserStreamProviderType"], 4);
        assert_eq!(v["createChildObject"], true);
        assert_eq!(v["Priority"], 3);
    }
}
