//! Requests from Python, as the core's request types.
//!
//! CommBox requests cross in the core's JSON forms: `commbox._requests` builds the dict
//! (its keys are the user's argument names), `json` converts it generically and the core
//! reads it (`NewConversation::from_value`, `NewMessage::from_value`), so every check, and
//! every error's field, is the core's.
//!
//! The Chatwoot requests (`chatwoot_contact`, `chatwoot_message`) cross the same way, as
//! the core's `NewContact` and `NewInboxMessage`.

use crate::errors;
use crate::json;
use commbox::chatwoot::{NewContact, NewInboxMessage};
use commbox::{NewConversation, NewMessage, ObjectStatusType};
use pyo3::prelude::*;
use serde_json::{Map, Value};

/// The core's request for a new conversation, from its JSON form (the dict
/// `commbox._requests` builds from the user's arguments, whose names are its keys).
pub(crate) fn conversation(form: &Bound<'_, PyAny>) -> PyResult<NewConversation> {
    from_form("conversation", form, NewConversation::from_value)
}

/// The core's request for a new message, from its JSON form.
pub(crate) fn message(form: &Bound<'_, PyAny>) -> PyResult<NewMessage> {
    from_form("message", form, NewMessage::from_value)
}

/// A request read by the core (`read`, its type's `from_value`) from its JSON form; `what`
/// names the form when it is not a dict. The core's errors become Python's.
fn from_form<T>(
    what: &str,
    form: &Bound<'_, PyAny>,
    read: fn(Value) -> commbox::Result<T>,
) -> PyResult<T> {
    let value = json::form_to_json(what, form)?;
    read(value).map_err(|e| errors::to_py(form.py(), e.into()))
}

/// A conversation status given as a number or as its documented name (`"resolved"`,
/// `"In Process"`): the core reads it as it reads `status` in a request.
pub(crate) fn status(v: &Bound<'_, PyAny>) -> PyResult<ObjectStatusType> {
    let value = json::to_json("status", v)?;
    serde_json::from_value(value)
        .map_err(|e| errors::to_py(v.py(), commbox::Error::validation("status", e).into()))
}

/// The core's Chatwoot contact request (create or update), from its JSON form (the dict
/// `commbox._chatwoot` builds from the keyword arguments). The core applies every rule,
/// `hmac_token`'s included.
pub(crate) fn chatwoot_contact(form: &Bound<'_, PyAny>) -> PyResult<NewContact> {
    from_form("contact", form, NewContact::from_value)
}

/// The core's Chatwoot message request, from its JSON form (`content`, `echo_id`,
/// `attachments` in the core's JSON form of an attachment).
pub(crate) fn chatwoot_message(form: &Bound<'_, PyAny>) -> PyResult<NewInboxMessage> {
    from_form("message", form, NewInboxMessage::from_value)
}

/// A Python mapping as a JSON object (`custom_attributes`); anything else is a
/// `ValidationError` naming `what`, raised before any I/O.
pub(crate) fn json_object(what: &str, v: &Bound<'_, PyAny>) -> PyResult<Map<String, Value>> {
    match json::to_json(what, v)? {
        Value::Object(map) => Ok(map),
        _ => Err(errors::validation(
            v.py(),
            what,
            "must be a JSON object (a dict)",
        )),
    }
}
