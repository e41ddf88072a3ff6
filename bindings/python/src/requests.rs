//! Requests from Python, as the core's request types.
//!
//! CommBox requests cross in the core's JSON forms: `commbox._requests` builds the dict
//! (its keys are the user's argument names), `json` converts it generically and the core
//! reads it (`NewConversation::from_value`, `NewMessage::from_value`), so every check, and
//! every error's field, is the core's.
//!
//! The Chatwoot specs (`chatwoot_contact`, `chatwoot_message`) are still dicts read key by
//! key into the core's builders; their attachments are in the core's JSON form too.

use crate::errors;
use crate::json;
use commbox::chatwoot::{self, ContactParams};
use commbox::{Attachment, NewConversation, NewMessage, ObjectStatusType};
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::{PyTypeError, PyUnicodeEncodeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

/// A Chatwoot spec dict, with typed access that names the key in every conversion error.
struct Spec<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
}

impl<'py> Spec<'_, 'py> {
    fn item(&self, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.dict.get_item(key)?.filter(|v| !v.is_none()))
    }

    /// A key that may be absent or None.
    fn opt<T: FromPyObjectOwned<'py>>(&self, key: &str) -> PyResult<Option<T>> {
        self.item(key)?.map(|v| self.convert(key, &v)).transpose()
    }

    fn convert<T: FromPyObjectOwned<'py>>(&self, key: &str, v: &Bound<'py, PyAny>) -> PyResult<T> {
        v.extract::<T>().map_err(|e| {
            let e: PyErr = e.into();
            let py = v.py();
            // A str with lone surrogates (what os.fsdecode makes of bytes that are not
            // UTF-8) is a bad value, like invalid UTF-8 in C: a ValidationError naming it.
            if e.is_instance_of::<PyUnicodeEncodeError>(py) {
                errors::validation(py, key, format!("is not valid UTF-8 ({})", e.value(py)))
            } else {
                PyTypeError::new_err(format!("{key}: {}", e.value(py)))
            }
        })
    }
}

/// The core's request for a new conversation, from its JSON form (the dict
/// `commbox._requests` builds from the user's arguments, whose names are its keys).
pub(crate) fn conversation(form: &Bound<'_, PyAny>) -> PyResult<NewConversation> {
    let value = json::form_to_json("conversation", form)?;
    NewConversation::from_value(value).map_err(|e| errors::to_py(form.py(), e.into()))
}

/// The core's request for a new message, from its JSON form.
pub(crate) fn message(form: &Bound<'_, PyAny>) -> PyResult<NewMessage> {
    let value = json::form_to_json("message", form)?;
    NewMessage::from_value(value).map_err(|e| errors::to_py(form.py(), e.into()))
}

/// The attachments of a Chatwoot message, in the core's JSON form of an attachment (a
/// path, `{"path", "name", "content_type"}` or `{"name", "content_base64", "content_type"}`).
fn attachments(s: &Spec<'_, '_>) -> PyResult<Vec<Attachment>> {
    let py = s.dict.py();
    let Some(v) = s.item("attachments")? else {
        return Ok(Vec::new());
    };
    let bad = |field: String, e: serde_json::Error| errors::validation(py, &field, e);
    match json::to_json("attachments", &v)? {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                serde_json::from_value(item).map_err(|e| bad(format!("attachments[{i}]"), e))
            })
            .collect(),
        other => serde_json::from_value(other).map_err(|e| bad("attachments".to_owned(), e)),
    }
}

/// A conversation status given as a number or as its documented name (`"resolved"`,
/// `"In Process"`), as the core's `ObjectStatusType`.
pub(crate) fn status(v: &Bound<'_, PyAny>) -> PyResult<ObjectStatusType> {
    if let Ok(n) = v.extract::<i64>() {
        return Ok(ObjectStatusType(n));
    }
    if let Ok(name) = v.extract::<String>() {
        return ObjectStatusType::from_name(&name).ok_or_else(|| {
            errors::validation(
                v.py(),
                "status",
                format!("{name:?} is not a known status name"),
            )
        });
    }
    Err(PyTypeError::new_err(
        "status: expected an ObjectStatusType, an int or a status name",
    ))
}

/// Builds the core's Chatwoot contact fields (create or update) from their spec.
///
/// `hmac_token` is this face's shortcut for the core's `verified_identifier`: it computes
/// `identifier_hash` from `identifier`, so it needs `identifier` and excludes
/// `identifier_hash`. Everything else is checked by the core when the call runs.
pub(crate) fn chatwoot_contact(spec: &Bound<'_, PyDict>) -> PyResult<ContactParams> {
    let py = spec.py();
    let s = Spec { dict: spec };
    let mut c = ContactParams::new();
    if let Some(v) = s.opt::<String>("source_id")? {
        c = c.source_id(v);
    }
    let identifier = s.opt::<String>("identifier")?;
    let hash = s.opt::<String>("identifier_hash")?;
    match (identifier, hash, s.opt::<String>("hmac_token")?) {
        (_, Some(_), Some(_)) => {
            return Err(errors::validation(
                py,
                "hmac_token",
                "give identifier_hash or hmac_token, not both",
            ))
        }
        (None, None, Some(_)) => {
            return Err(errors::validation(
                py,
                "hmac_token",
                "needs identifier: the hash is computed from it",
            ))
        }
        (_, _, Some(token)) if token.is_empty() => {
            return Err(errors::validation(py, "hmac_token", "must not be empty"))
        }
        (Some(identifier), None, Some(token)) => {
            c = c.verified_identifier(identifier, &token);
        }
        (identifier, hash, None) => {
            if let Some(v) = identifier {
                c = c.identifier(v);
            }
            if let Some(v) = hash {
                c = c.identifier_hash(v);
            }
        }
    }
    if let Some(v) = s.opt::<String>("email")? {
        c = c.email(v);
    }
    if let Some(v) = s.opt::<String>("name")? {
        c = c.name(v);
    }
    if let Some(v) = s.opt::<String>("phone_number")? {
        c = c.phone_number(v);
    }
    if let Some(v) = s.opt::<String>("avatar_url")? {
        c = c.avatar_url(v);
    }
    if let Some(v) = s.item("custom_attributes")? {
        for (name, value) in json_object("custom_attributes", &v)? {
            c = c.custom_attribute(name, value);
        }
    }
    Ok(c)
}

/// Builds the core's Chatwoot message from its spec: `content`, `echo_id`, `attachments`
/// (in the core's JSON form, as for CommBox messages).
pub(crate) fn chatwoot_message(spec: &Bound<'_, PyDict>) -> PyResult<chatwoot::NewMessage> {
    let s = Spec { dict: spec };
    let mut m = chatwoot::NewMessage::new(s.opt::<String>("content")?.unwrap_or_default());
    if let Some(v) = s.opt::<String>("echo_id")? {
        m = m.echo_id(v);
    }
    for a in attachments(&s)? {
        m = m.attachment(a);
    }
    Ok(m)
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
