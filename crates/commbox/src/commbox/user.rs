//! The customer record (`User`) sent with a new conversation.

use crate::error::Result;
use crate::validate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The customer (end user) of a conversation: CommBox's `User` object.
///
/// ```
/// use commbox::User;
/// let user = User::new()
///     .unique_id("CUST-12345")
///     .first_name("John")
///     .last_name("Doe")
///     .email("john.doe@example.com")
///     .phone1("05055555555"); // sent as given
/// ```
///
/// JSON form: `{"unique_id", "first_name", "last_name", "phone1", "email", "remarks"}`,
/// each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[must_use]
pub struct User {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unique_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

impl User {
    /// An empty user record; set the fields you have.
    pub fn new() -> User {
        User::default()
    }

    /// Your own id for the customer (`UniqueId`).
    pub fn unique_id(mut self, v: impl Into<String>) -> Self {
        self.unique_id = Some(v.into());
        self
    }

    /// `FirstName`.
    pub fn first_name(mut self, v: impl Into<String>) -> Self {
        self.first_name = Some(v.into());
        self
    }

    /// `LastName`.
    pub fn last_name(mut self, v: impl Into<String>) -> Self {
        self.last_name = Some(v.into());
        self
    }

    /// `Phone1`, passed exactly as given (CommBox stores it as free text).
    pub fn phone1(mut self, v: impl Into<String>) -> Self {
        self.phone1 = Some(v.into());
        self
    }

    /// `Email`, checked to be an e-mail address.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// `Remarks`: free text shown to agents.
    pub fn remarks(mut self, v: impl Into<String>) -> Self {
        self.remarks = Some(v.into());
        self
    }

    /// The `User` object as CommBox names its fields.
    pub(crate) fn wire(&self) -> Value {
        let fields = [
            ("UniqueId", &self.unique_id),
            ("FirstName", &self.first_name),
            ("LastName", &self.last_name),
            ("Phone1", &self.phone1),
            ("Email", &self.email),
            ("Remarks", &self.remarks),
        ];
        let map: Map<String, Value> = fields
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_owned(), Value::from(v.as_str()))))
            .collect();
        Value::Object(map)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(email) = &self.email {
            validate::email("User.Email", email)?;
        }
        Ok(())
    }
}
