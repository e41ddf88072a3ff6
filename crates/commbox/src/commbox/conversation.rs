//! Requests that open a conversation (CommBox "Create Object"), one builder per channel,
//! and their one JSON form.
//!
//! Each builder fills in the `Type` / `StreamProviderType` / `UserStreamProviderType`
//! combination of the official example for its channel (api-surface.md §1.4); every value can
//! still be overridden.
//!
//! The JSON form (what `commbox batch`, the C JSON entry points and the Python keyword
//! arguments carry) is one object tagged by `channel`:
//!
//! ```json
//! {"channel": "email", "identity": "customer@example.com", "subject": "Your invoice",
//!  "message": "Please find it attached.", "to": [{"address": "customer@example.com", "name": "John Doe"}],
//!  "status": "open", "attachments": ["invoice.pdf"]}
//! ```
//!
//! Its schema is docs/schemas/NewConversation.json.

use super::provider_identity::{self as identity, Identity};
use super::user::User;
use crate::attachment::Attachment;
use crate::commbox::enums::{ObjectStatusType, ObjectType, StreamProviderType};
use crate::error::{encode_error, Error, Result};
use crate::json_form;
use crate::validate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt;

/// Fields every channel accepts (the common part of each channel's JSON form).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Common {
    /// Initial state (`StatusId`): its number or its name (`"open"`, `"sent"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<ObjectStatusType>,
    /// The agent the conversation is sent from (`ManagerId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    manager_id: Option<i64>,
    /// CommBox's number for the user (`UserIdentity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_identity: Option<i64>,
    /// The sub-channel (`SubStreamId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub_stream_id: Option<i64>,
    /// The provider's id of the original conversation (`StreamProviderId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream_provider_id: Option<String>,
    /// The customer record (`User`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<User>,
    /// Overrides the channel's default `Type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    object_type: Option<ObjectType>,
    /// Overrides the channel's default `StreamProviderType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream_provider_type: Option<StreamProviderType>,
    /// Overrides the type of the identity (`UserStreamProviderType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity_type: Option<StreamProviderType>,
    /// Files to upload: the request becomes `multipart/form-data`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    /// Any other top-level field of the object, sent as given (wins over the builder's own).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    fields: Map<String, Value>,
}

impl Common {
    /// The JSON keys of [`Common`]; a unit test checks them against its schema.
    const KEYS: &'static [&'static str] = &[
        "status",
        "manager_id",
        "user_identity",
        "sub_stream_id",
        "stream_provider_id",
        "user",
        "object_type",
        "stream_provider_type",
        "identity_type",
        "attachments",
        "fields",
    ];
}

fn yes() -> bool {
    true
}

fn is_true(v: &bool) -> bool {
    *v
}

/// An e-mail recipient: `"a@example.com"` or `{"address": "a@example.com", "name": "A"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Address {
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl JsonSchema for Address {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Address".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An e-mail recipient: an address, or the address with a display name.",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"address": {"type": "string"}, "name": {"type": "string"}},
                    "required": ["address"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Address, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            address: String,
            #[serde(default)]
            name: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "an e-mail address, or {\"address\", \"name\"}")]
        enum Form {
            Bare(String),
            Full(Full),
        }
        Ok(match Form::deserialize(d)? {
            Form::Bare(address) => Address::new(address, None),
            Form::Full(f) => Address::new(f.address, f.name),
        })
    }
}

/// A file the server fetches from a URL (`Content.attachments`, the older JSON form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LinkedAttachment {
    url: String,
    name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct EmailFields {
    /// The address the conversation is filed under (`UserStreamProviderId`); also the
    /// recipient when `to` is empty.
    identity: String,
    subject: String,
    message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    to: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cc: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    bcc: Vec<Address>,
    /// Files the server downloads (`Content.attachments`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachment_urls: Vec<LinkedAttachment>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SmsFields {
    /// The customer's number with country code (a leading `+` is removed).
    identity: String,
    message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct BulkSmsFields {
    /// The number the conversation is filed under.
    identity: String,
    message: String,
    /// The numbers it goes to (`Content.to`); at least one.
    #[serde(default)]
    recipients: Vec<String>,
    /// `sendToClient`: CommBox sends without saving (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    send_to_client: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct WhatsAppTemplateFields {
    /// The customer's WhatsApp number; also the recipient when `to` is empty.
    identity: String,
    /// The approved template's name (`whatsapp_hsm_name`).
    template: String,
    message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    to: Vec<String>,
    /// The template's parameters, in order (`whatsapp_localizable_params`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    params: Vec<String>,
    /// `whatsapp_language_code` (`en`, `he`, `pt_BR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ChatFields {
    /// The customer's phone number or e-mail address (an `@` makes it e-mail).
    identity: String,
    message: String,
    /// `createChildObject`: also store the message as the first child (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    create_child_object: bool,
}

/// Declares the channel builders: each holds its own fields and the common ones, has the
/// common setters as inherent methods (no trait to import), and reads and writes its JSON
/// form (the two parts side by side in one object).
macro_rules! channels {
    ($( $(#[$meta:meta])* $ty:ident($fields:ident) = $channel:ident $name:literal; )+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Serialize, JsonSchema)]
        #[must_use]
        pub struct $ty {
            #[serde(flatten)]
            fields: $fields,
            #[serde(flatten)]
            common: Common,
        }

        impl $ty {
            fn with(fields: $fields) -> $ty {
                $ty { fields, common: Common::default() }
            }

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
                self.common.fields.insert(name.into(), value.into());
                self
            }

            /// Reads the JSON form without its `channel` key: the channel's own fields and
            /// the common ones, side by side.
            fn from_map(mut map: Map<String, Value>) -> Result<$ty> {
                let common = json_form::take_keys(&mut map, Common::KEYS);
                Ok($ty {
                    common: json_form::from_value("conversation", Value::Object(common))?,
                    fields: json_form::from_value("conversation", Value::Object(map))?,
                })
            }
        }

        impl From<$ty> for NewConversation {
            fn from(v: $ty) -> NewConversation {
                NewConversation::$ty(v)
            }
        }
    )+

    /// Any new conversation: what [`crate::Client::create_conversation`] takes. Each channel
    /// builder converts into it.
    ///
    /// Its JSON form is tagged by `channel` (`email`, `sms`, `bulk_sms`,
    /// `whatsapp_template`, `chat`); see [`NewConversation::from_json`].
    #[derive(Debug, Clone, Serialize, JsonSchema)]
    #[serde(tag = "channel")]
    #[allow(clippy::enum_variant_names)]
    #[must_use]
    pub enum NewConversation {
        $(
            #[doc = concat!("See [`", stringify!($ty), "`].")]
            #[serde(rename = $name)]
            $ty($ty),
        )+
    }

    /// A conversation's channel.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Channel {
        $(
            #[doc = concat!("[`", stringify!($ty), "`]")]
            $channel,
        )+
    }

    impl Channel {
        /// Every channel, in the order of the JSON form's documentation.
        pub const ALL: &'static [Channel] = &[$(Channel::$channel),+];

        /// Its name in the JSON form (`email`, `bulk_sms`, …).
        pub fn as_str(self) -> &'static str {
            match self {
                $(Channel::$channel => $name,)+
            }
        }
    }

    impl NewConversation {
        /// The channel of this conversation.
        pub fn channel(&self) -> Channel {
            match self {
                $(NewConversation::$ty(_) => Channel::$channel,)+
            }
        }

        fn common(&self) -> &Common {
            match self {
                $(NewConversation::$ty(c) => &c.common,)+
            }
        }

        fn common_mut(&mut self) -> &mut Common {
            match self {
                $(NewConversation::$ty(c) => &mut c.common,)+
            }
        }

        fn identity_and_message(&self) -> (&str, &str) {
            match self {
                $(NewConversation::$ty(c) => (&c.fields.identity, &c.fields.message),)+
            }
        }

        /// Reads a conversation from its JSON form. Errors name the JSON path (`to[1]`,
        /// `user.email`) and say why; the values themselves are checked when it is sent
        /// (or by [`NewConversation::to_json`]).
        ///
        /// # Errors
        ///
        /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when the JSON is not a
        /// conversation: no or an unknown `channel`, a missing or unknown field, a value of
        /// the wrong type.
        ///
        /// ```
        /// use commbox::NewConversation;
        /// let c = NewConversation::from_json(r#"{"channel": "sms", "identity": "+972544444444", "message": "hi", "status": "open"}"#).unwrap();
        /// assert_eq!(c.to_json().unwrap()["StatusId"], 1);
        /// let e = NewConversation::from_json(r#"{"channel": "sms", "identity": "1", "mesage": "hi"}"#).unwrap_err();
        /// assert_eq!(e.field(), Some("mesage"));
        /// ```
        pub fn from_json(json: &str) -> Result<NewConversation> {
            NewConversation::from_value(json_form::from_str("conversation", json)?)
        }

        /// [`NewConversation::from_json`] from a parsed value.
        ///
        /// # Errors
        ///
        /// As [`NewConversation::from_json`].
        pub fn from_value(value: Value) -> Result<NewConversation> {
            let mut map = json_form::object("conversation", value)?;
            let channel = match map.remove("channel") {
                Some(Value::String(c)) => c,
                Some(other) => {
                    return Err(Error::validation(
                        "channel",
                        format!("expected a string, not {}", json_form::type_name(&other)),
                    ))
                }
                None => return Err(Error::validation("channel", "required")),
            };
            match channel.as_str() {
                $($name => $ty::from_map(map).map(NewConversation::$ty),)+
                other => Err(Error::validation(
                    "channel",
                    format!(
                        "unknown channel {other:?} (known: {})",
                        Channel::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )),
            }
        }
    }
    };
}

channels! {
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
    EmailConversation(EmailFields) = Email "email";

    /// An SMS conversation with one customer (`Type` 4, `StreamProviderType` 5).
    ///
    /// ```
    /// use commbox::SmsConversation;
    /// let sms = SmsConversation::new("+972544444444", "Your code is 1234");
    /// ```
    SmsConversation(SmsFields) = Sms "sms";

    /// One SMS to several recipients (`sendToClient` and `Content.to`).
    ///
    /// ```
    /// use commbox::BulkSmsConversation;
    /// let sms = BulkSmsConversation::new("972544444444", "Store closes at 6 today")
    ///     .recipient("972522222222")
    ///     .recipient("+972533333333");
    /// ```
    BulkSmsConversation(BulkSmsFields) = BulkSms "bulk_sms";

    /// A WhatsApp template (HSM) message opening a conversation (`StreamProviderType` 7).
    ///
    /// ```
    /// use commbox::WhatsAppTemplateConversation;
    /// let wa = WhatsAppTemplateConversation::new("972544444444", "order_ready", "Your order is ready")
    ///     .param("A-1001")
    ///     .language("en");
    /// ```
    WhatsAppTemplateConversation(WhatsAppTemplateFields) = WhatsAppTemplate "whatsapp_template";

    /// A chat conversation (`StreamProviderType` 0, `createChildObject`).
    ///
    /// ```
    /// use commbox::ChatConversation;
    /// let chat = ChatConversation::new("972544444444", "Hello from the website").user_identity(100000000419660);
    /// ```
    ChatConversation(ChatFields) = Chat "chat";
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NewConversation {
    fn deserialize<D: serde::Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<NewConversation, D::Error> {
        NewConversation::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
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

impl EmailConversation {
    /// `identity` is the address the conversation is filed under (`UserStreamProviderId`);
    /// `to` defaults to it when no recipient is added.
    pub fn new(
        identity: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        EmailConversation::with(EmailFields {
            identity: identity.into(),
            subject: subject.into(),
            message: message.into(),
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            attachment_urls: Vec::new(),
        })
    }

    /// Adds a `to` recipient.
    pub fn to(mut self, address: impl Into<String>) -> Self {
        self.fields.to.push(Address::new(address, None));
        self
    }

    /// Adds a `to` recipient with a display name.
    pub fn to_named(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.fields
            .to
            .push(Address::new(address, Some(name.into())));
        self
    }

    /// Adds a `cc` recipient.
    pub fn cc(mut self, address: impl Into<String>) -> Self {
        self.fields.cc.push(Address::new(address, None));
        self
    }

    /// Adds a `cc` recipient with a display name.
    pub fn cc_named(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.fields
            .cc
            .push(Address::new(address, Some(name.into())));
        self
    }

    /// Adds a `bcc` recipient.
    pub fn bcc(mut self, address: impl Into<String>) -> Self {
        self.fields.bcc.push(Address::new(address, None));
        self
    }

    /// Adds a `bcc` recipient with a display name.
    pub fn bcc_named(mut self, address: impl Into<String>, name: impl Into<String>) -> Self {
        self.fields
            .bcc
            .push(Address::new(address, Some(name.into())));
        self
    }

    /// Attaches a file the server downloads from `url` (`Content.attachments`), instead of
    /// uploading it.
    pub fn attachment_url(mut self, url: impl Into<String>, name: impl Into<String>) -> Self {
        self.fields.attachment_urls.push(LinkedAttachment {
            url: url.into(),
            name: name.into(),
        });
        self
    }
}

impl SmsConversation {
    /// `phone` is the customer's number with country code (a leading `+` is removed).
    pub fn new(phone: impl Into<String>, message: impl Into<String>) -> Self {
        SmsConversation::with(SmsFields {
            identity: phone.into(),
            message: message.into(),
        })
    }
}

impl BulkSmsConversation {
    /// `phone` is the identity the conversation is filed under; add recipients with
    /// [`BulkSmsConversation::recipient`]. `sendToClient` is on: CommBox sends without saving.
    pub fn new(phone: impl Into<String>, message: impl Into<String>) -> Self {
        BulkSmsConversation::with(BulkSmsFields {
            identity: phone.into(),
            message: message.into(),
            recipients: Vec::new(),
            send_to_client: true,
        })
    }

    /// Adds a recipient number (`Content.to`).
    pub fn recipient(mut self, phone: impl Into<String>) -> Self {
        self.fields.recipients.push(phone.into());
        self
    }

    /// Adds several recipient numbers.
    pub fn recipients<I, S>(mut self, phones: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields
            .recipients
            .extend(phones.into_iter().map(Into::into));
        self
    }

    /// `sendToClient` (default true).
    pub fn send_to_client(mut self, yes: bool) -> Self {
        self.fields.send_to_client = yes;
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
        WhatsAppTemplateConversation::with(WhatsAppTemplateFields {
            identity: phone.into(),
            template: template.into(),
            message: message.into(),
            to: Vec::new(),
            params: Vec::new(),
            language: None,
        })
    }

    /// Adds a recipient number (`Content.to`).
    pub fn to(mut self, phone: impl Into<String>) -> Self {
        self.fields.to.push(phone.into());
        self
    }

    /// Adds the next template parameter (`whatsapp_localizable_params`).
    pub fn param(mut self, value: impl Into<String>) -> Self {
        self.fields.params.push(value.into());
        self
    }

    /// Adds several template parameters, in order.
    pub fn params<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields
            .params
            .extend(values.into_iter().map(Into::into));
        self
    }

    /// The template's language (`whatsapp_language_code`, e.g. `en`, `he`, `pt_BR`).
    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.fields.language = Some(code.into());
        self
    }
}

impl ChatConversation {
    /// `identity` is the customer's phone number or e-mail address; its type is inferred
    /// (an `@` makes it e-mail) unless set with `identity_type`.
    pub fn new(identity: impl Into<String>, message: impl Into<String>) -> Self {
        ChatConversation::with(ChatFields {
            identity: identity.into(),
            message: message.into(),
            create_child_object: true,
        })
    }

    /// `createChildObject` (default true): also store the message as the first child.
    pub fn create_child_object(mut self, yes: bool) -> Self {
        self.fields.create_child_object = yes;
        self
    }
}

/// Changes that apply to some channels only, for code that holds a conversation of any
/// channel (the C handles, `commbox batch`): each says which channels it applies to when
/// given another, so that no face keeps its own list.
impl NewConversation {
    fn only_for(&self, what: &str, channels: &[Channel]) -> Result<()> {
        let channel = self.channel();
        if channels.contains(&channel) {
            return Ok(());
        }
        let names: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
        Err(Error::validation(
            what,
            format!(
                "applies to {} conversations, not {channel}",
                names.join(" and ")
            ),
        ))
    }

    /// Adds a recipient: `to` of an e-mail (with an optional display name), `Content.to`
    /// of a bulk SMS or a WhatsApp template.
    ///
    /// # Errors
    ///
    /// A validation error for other channels, or a display name on a non-e-mail channel.
    pub fn add_recipient(&mut self, address: &str, name: Option<&str>) -> Result<()> {
        use Channel as C;
        self.only_for("to", &[C::Email, C::BulkSms, C::WhatsAppTemplate])?;
        if name.is_some() && self.channel() != C::Email {
            return Err(Error::validation(
                "name",
                "only e-mail recipients have display names",
            ));
        }
        match self {
            NewConversation::EmailConversation(e) => {
                e.fields
                    .to
                    .push(Address::new(address, name.map(str::to_owned)));
            }
            NewConversation::BulkSmsConversation(b) => b.fields.recipients.push(address.into()),
            NewConversation::WhatsAppTemplateConversation(w) => w.fields.to.push(address.into()),
            NewConversation::SmsConversation(_) | NewConversation::ChatConversation(_) => {}
        }
        Ok(())
    }

    /// Adds a `cc` (or, with `blind`, a `bcc`) recipient of an e-mail.
    ///
    /// # Errors
    ///
    /// A validation error for channels other than e-mail.
    pub fn add_copy(&mut self, address: &str, name: Option<&str>, blind: bool) -> Result<()> {
        self.only_for(if blind { "bcc" } else { "cc" }, &[Channel::Email])?;
        if let NewConversation::EmailConversation(e) = self {
            let list = if blind {
                &mut e.fields.bcc
            } else {
                &mut e.fields.cc
            };
            list.push(Address::new(address, name.map(str::to_owned)));
        }
        Ok(())
    }

    /// Adds a file the server downloads from `url` to an e-mail.
    ///
    /// # Errors
    ///
    /// A validation error for channels other than e-mail.
    pub fn add_attachment_url(&mut self, url: &str, name: &str) -> Result<()> {
        self.only_for("attachment_urls", &[Channel::Email])?;
        if let NewConversation::EmailConversation(e) = self {
            e.fields.attachment_urls.push(LinkedAttachment {
                url: url.into(),
                name: name.into(),
            });
        }
        Ok(())
    }

    /// Adds the next parameter of a WhatsApp template.
    ///
    /// # Errors
    ///
    /// A validation error for channels other than `whatsapp_template`.
    pub fn add_template_param(&mut self, value: &str) -> Result<()> {
        self.only_for("params", &[Channel::WhatsAppTemplate])?;
        if let NewConversation::WhatsAppTemplateConversation(w) = self {
            w.fields.params.push(value.into());
        }
        Ok(())
    }

    /// Sets a WhatsApp template's language.
    ///
    /// # Errors
    ///
    /// A validation error for channels other than `whatsapp_template`.
    pub fn set_template_language(&mut self, code: &str) -> Result<()> {
        self.only_for("language", &[Channel::WhatsAppTemplate])?;
        if let NewConversation::WhatsAppTemplateConversation(w) = self {
            w.fields.language = Some(code.into());
        }
        Ok(())
    }

    /// Sets a bulk SMS's `sendToClient`.
    ///
    /// # Errors
    ///
    /// A validation error for channels other than `bulk_sms`.
    pub fn set_send_to_client(&mut self, yes: bool) -> Result<()> {
        self.only_for("send_to_client", &[Channel::BulkSms])?;
        if let NewConversation::BulkSmsConversation(b) = self {
            b.fields.send_to_client = yes;
        }
        Ok(())
    }

    /// Sets a chat's `createChildObject`.
    ///
    /// # Errors
    ///
    /// A validation error for channels other than `chat`.
    pub fn set_create_child_object(&mut self, yes: bool) -> Result<()> {
        self.only_for("create_child_object", &[Channel::Chat])?;
        if let NewConversation::ChatConversation(c) = self {
            c.fields.create_child_object = yes;
        }
        Ok(())
    }
}

/// The common options, for code that holds a conversation of any channel (the C and
/// Python faces).
impl NewConversation {
    /// See [`EmailConversation::status`].
    pub fn status(mut self, status: ObjectStatusType) -> Self {
        self.common_mut().status = Some(status);
        self
    }

    /// See [`EmailConversation::manager_id`].
    pub fn manager_id(mut self, id: i64) -> Self {
        self.common_mut().manager_id = Some(id);
        self
    }

    /// See [`EmailConversation::user_identity`].
    pub fn user_identity(mut self, id: i64) -> Self {
        self.common_mut().user_identity = Some(id);
        self
    }

    /// See [`EmailConversation::sub_stream_id`].
    pub fn sub_stream_id(mut self, id: i64) -> Self {
        self.common_mut().sub_stream_id = Some(id);
        self
    }

    /// See [`EmailConversation::stream_provider_id`].
    pub fn stream_provider_id(mut self, id: impl Into<String>) -> Self {
        self.common_mut().stream_provider_id = Some(id.into());
        self
    }

    /// See [`EmailConversation::user`].
    pub fn user(mut self, user: User) -> Self {
        self.common_mut().user = Some(user);
        self
    }

    /// See [`EmailConversation::object_type`].
    pub fn object_type(mut self, t: ObjectType) -> Self {
        self.common_mut().object_type = Some(t);
        self
    }

    /// See [`EmailConversation::stream_provider_type`].
    pub fn stream_provider_type(mut self, t: StreamProviderType) -> Self {
        self.common_mut().stream_provider_type = Some(t);
        self
    }

    /// See [`EmailConversation::identity_type`].
    pub fn identity_type(mut self, t: StreamProviderType) -> Self {
        self.common_mut().identity_type = Some(t);
        self
    }

    /// See [`EmailConversation::attachment`].
    pub fn attachment(mut self, a: Attachment) -> Self {
        self.common_mut().attachments.push(a);
        self
    }

    /// See [`EmailConversation::field`].
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.common_mut().fields.insert(name.into(), value.into());
        self
    }

    /// Files to upload with it.
    pub fn attachments(&self) -> &[Attachment] {
        &self.common().attachments
    }

    /// Validates every field and returns the object JSON (without the `data` wrapper).
    /// Nothing is sent; errors name the field.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation), naming the field as CommBox
    /// does (`UserStreamProviderId`, `Content.to[1]`): an identity that does not fit its type
    /// (a phone number, an e-mail address, or for other providers not blank), a blank
    /// `Message`, a `User.Email` that is not an e-mail address, a blank `StreamProviderId`; for
    /// an e-mail, recipients that are not addresses, a subject or display name unfit for a mail
    /// header (CR, LF, control characters, too long), a linked attachment without URL or name;
    /// for a bulk SMS, no recipients or one that is not a phone number; for a WhatsApp
    /// template, a blank template name, a recipient that is not a phone number or a blank
    /// language. The attached files are not read here: they are checked when the conversation
    /// is sent.
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
                identity::infer_type(&c.fields.identity),
            ),
        };
        let common = self.common();
        let (identity_raw, message) = self.identity_and_message();
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
                let c = &c.fields;
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
                let mut linked = Vec::with_capacity(c.attachment_urls.len());
                for (i, l) in c.attachment_urls.iter().enumerate() {
                    validate::required(&format!("Content.attachments[{i}].path"), &l.url)?;
                    validate::required(&format!("Content.attachments[{i}].name"), &l.name)?;
                    linked.push(json!({"path": l.url, "name": l.name}));
                }
                content = Some(Content {
                    subject: Some(&c.subject),
                    to: Some(serde_json::to_value(to).map_err(encode_error)?),
                    cc: non_empty(&c.cc),
                    bcc: non_empty(&c.bcc),
                    attachments: (!linked.is_empty()).then_some(linked),
                    ..Content::default()
                });
            }
            N::SmsConversation(_) => {}
            N::BulkSmsConversation(c) => {
                let c = &c.fields;
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
                let c = &c.fields;
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
            N::ChatConversation(c) => create_child_object = Some(c.fields.create_child_object),
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
            user: common.user.as_ref().map(User::wire),
        };
        let mut json = serde_json::to_value(payload).map_err(encode_error)?;
        if let Value::Object(map) = &mut json {
            for (k, v) in &common.fields {
                map.insert(k.clone(), v.clone());
            }
        }
        Ok(json)
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
    user: Option<Value>,
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
    attachments: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whatsapp_hsm_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whatsapp_localizable_params: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whatsapp_language_code: Option<&'a str>,
}

/// A channel's defaults: (`Type`, `StreamProviderType`, `UserStreamProviderType`).
struct Defaults(ObjectType, StreamProviderType, StreamProviderType);

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

    #[test]
    fn common_keys_match_the_schema() {
        let schema = schemars::schema_for!(Common);
        let props = schema.get("properties").and_then(Value::as_object).unwrap();
        let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut listed = Common::KEYS.to_vec();
        keys.sort_unstable();
        listed.sort_unstable();
        assert_eq!(keys, listed);
    }

    #[test]
    fn json_form_round_trips_every_channel() {
        let all: Vec<NewConversation> = vec![
            EmailConversation::new("a@b.co", "s", "m")
                .to_named("a@b.co", "A")
                .cc("c@d.co")
                .attachment_url("https://x.io/f.pdf", "f.pdf")
                .status(ObjectStatusType::OPEN)
                .user(User::new().email("a@b.co"))
                .field("X", 1)
                .into(),
            SmsConversation::new("+972544444444", "m")
                .manager_id(3)
                .into(),
            BulkSmsConversation::new("1", "m")
                .recipients(["2", "3"])
                .send_to_client(false)
                .into(),
            WhatsAppTemplateConversation::new("1", "t", "m")
                .param("p")
                .language("en")
                .into(),
            ChatConversation::new("a@b.co", "m")
                .create_child_object(false)
                .attachment(Attachment::from_bytes("a.txt", b"hi".to_vec()))
                .into(),
        ];
        for c in all {
            let form = serde_json::to_value(&c).unwrap();
            assert_eq!(form["channel"], c.channel().as_str());
            let back = NewConversation::from_value(form.clone()).unwrap();
            assert_eq!(serde_json::to_value(&back).unwrap(), form);
            assert_eq!(back.to_json().unwrap(), c.to_json().unwrap(), "{form}");
        }
    }

    #[test]
    fn json_form_is_what_the_docs_show() {
        let c = NewConversation::from_value(json!({
            "channel": "email", "identity": "customer@example.com", "subject": "Your invoice",
            "message": "Please find it attached.",
            "to": [{"address": "customer@example.com", "name": "John Doe"}, "x@y.io"],
            "status": "open", "user": {"first_name": "John"}
        }))
        .unwrap();
        let wire = c.to_json().unwrap();
        assert_eq!(wire["StatusId"], 1);
        assert_eq!(wire["User"], json!({"FirstName": "John"}));
        assert_eq!(
            wire["Content"]["to"],
            json!([{"address": "customer@example.com", "name": "John Doe"}, {"address": "x@y.io"}])
        );
    }

    #[test]
    fn json_form_errors_name_the_path() {
        let err = |v: Value| {
            let e = NewConversation::from_value(v).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Validation);
            (
                e.field().unwrap().to_owned(),
                e.reason().unwrap().to_owned(),
            )
        };
        assert_eq!(
            err(json!({"identity": "1"})),
            ("channel".into(), "required".into())
        );
        let (f, r) = err(json!({"channel": "fax", "identity": "1", "message": "m"}));
        assert_eq!(f, "channel");
        assert!(
            r.starts_with("unknown channel \"fax\" (known: email, sms, bulk_sms"),
            "{r}"
        );
        let (f, r) = err(json!({"channel": "sms", "identity": "1", "mesage": "m"}));
        assert_eq!(f, "mesage");
        assert!(r.starts_with("unknown field `mesage`"), "{r}");
        assert_eq!(
            err(json!({"channel": "sms", "identity": "1"})).0,
            "conversation"
        );
        let (f, r) =
            err(json!({"channel": "sms", "identity": "1", "message": "m", "status": "opne"}));
        assert_eq!(f, "status");
        assert!(r.starts_with("unknown ObjectStatusType \"opne\""), "{r}");
        let (f, _) = err(
            json!({"channel": "email", "identity": "a@b.co", "subject": "s",
                                "message": "m", "to": ["a@b.co", 7]}),
        );
        assert_eq!(f, "to[1]");
        let (f, _) = err(json!({"channel": "sms", "identity": "1", "message": "m",
                                "user": {"email": 5}}));
        assert_eq!(f, "user.email");
        let (f, _) = err(json!({"channel": "sms", "identity": "1", "message": "m",
                                "attachments": [{"name": "x"}]}));
        assert_eq!(f, "attachments[0]");
        assert_eq!(err(json!([])).0, "conversation");
    }

    #[test]
    fn channel_only_changes_say_where_they_apply() {
        let mut sms: NewConversation = SmsConversation::new("1", "m").into();
        let e = sms.add_copy("a@b.co", None, false).unwrap_err();
        assert_eq!(e.to_string(), "cc: applies to email conversations, not sms");
        let e = sms.add_recipient("2", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "to: applies to email and bulk_sms and whatsapp_template conversations, not sms"
        );
        let mut bulk: NewConversation = BulkSmsConversation::new("1", "m").into();
        let e = bulk.add_recipient("2", Some("Two")).unwrap_err();
        assert_eq!(e.field(), Some("name"));
        bulk.add_recipient("2", None).unwrap();
        bulk.set_send_to_client(false).unwrap();
        let wire = bulk.to_json().unwrap();
        assert_eq!(
            (wire["Content"]["to"].clone(), wire["sendToClient"].clone()),
            (json!(["2"]), json!(false))
        );
        let mut wa: NewConversation = WhatsAppTemplateConversation::new("1", "t", "m").into();
        wa.add_template_param("p1").unwrap();
        wa.set_template_language("he").unwrap();
        assert!(wa.set_create_child_object(true).is_err());
        assert_eq!(
            wa.to_json().unwrap()["Content"]["whatsapp_language_code"],
            "he"
        );
    }
}
