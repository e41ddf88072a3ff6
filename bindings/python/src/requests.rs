//! The request specs built by `commbox/_requests.py` as the core's builders.
//!
//! A spec is a plain dict whose keys name the core builder's setters (`identity`,
//! `message`, `to`, `status`, `attachments`, …); `_commbox.pyi` documents its shape. Only
//! types are converted here: every check of the values is the core's, when the call runs.
//! The Chatwoot specs (`chatwoot_contact`, `chatwoot_message`) share the attachment and
//! JSON conversions with the CommBox ones.

use crate::errors;
use crate::json;
use commbox::chatwoot::{self, ContactParams};
use commbox::{
    Attachment, BulkSmsConversation, ChatConversation, EmailConversation, NewConversation,
    NewMessage, ObjectStatusType, ObjectType, SmsConversation, StreamProviderType, User,
    WhatsAppTemplateConversation,
};
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyUnicodeEncodeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// A spec dict, with typed access that names the key in every conversion error.
struct Spec<'a, 'py> {
    what: &'static str,
    dict: &'a Bound<'py, PyDict>,
}

impl<'py> Spec<'_, 'py> {
    fn item(&self, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.dict.get_item(key)?.filter(|v| !v.is_none()))
    }

    /// A key the Python layer always sets: None there is the caller's None.
    fn req<T: FromPyObjectOwned<'py>>(&self, key: &str) -> PyResult<T> {
        let v = self
            .item(key)?
            .ok_or_else(|| match self.dict.contains(key) {
                Ok(true) => PyTypeError::new_err(format!("{key}: expected a value, not None")),
                _ => PyKeyError::new_err(format!("{} spec has no {key:?}", self.what)),
            })?;
        self.convert(key, &v)
    }

    /// A key that may be absent or None.
    fn opt<T: FromPyObjectOwned<'py>>(&self, key: &str) -> PyResult<Option<T>> {
        self.item(key)?.map(|v| self.convert(key, &v)).transpose()
    }

    /// A list-valued key (absent or None: empty).
    fn list(&self, key: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
        match self.item(key)? {
            None => Ok(Vec::new()),
            Some(v) => v.try_iter()?.collect(),
        }
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

/// Builds the core's request for a new conversation from its spec.
pub(crate) fn conversation(spec: &Bound<'_, PyDict>) -> PyResult<NewConversation> {
    let s = Spec {
        what: "conversation",
        dict: spec,
    };
    let channel: String = s.req("channel")?;
    let identity: String = s.req("identity")?;
    let message: String = s.req("message")?;
    let conv: NewConversation = match channel.as_str() {
        "email" => {
            let mut c = EmailConversation::new(identity, s.req::<String>("subject")?, message);
            for (address, name) in recipients(&s, "to")? {
                c = match name {
                    Some(n) => c.to_named(address, n),
                    None => c.to(address),
                };
            }
            for (address, name) in recipients(&s, "cc")? {
                c = match name {
                    Some(n) => c.cc_named(address, n),
                    None => c.cc(address),
                };
            }
            for (address, name) in recipients(&s, "bcc")? {
                c = match name {
                    Some(n) => c.bcc_named(address, n),
                    None => c.bcc(address),
                };
            }
            for item in s.list("attachment_urls")? {
                let (url, name): (String, String) = s.convert("attachment_urls", &item)?;
                c = c.attachment_url(url, name);
            }
            c.into()
        }
        "sms" => SmsConversation::new(identity, message).into(),
        "bulk_sms" => {
            let mut c = BulkSmsConversation::new(identity, message).recipients(strings(&s, "to")?);
            if let Some(yes) = s.opt::<bool>("send_to_client")? {
                c = c.send_to_client(yes);
            }
            c.into()
        }
        "whatsapp_template" => {
            let mut c =
                WhatsAppTemplateConversation::new(identity, s.req::<String>("template")?, message)
                    .params(strings(&s, "params")?);
            for phone in strings(&s, "to")? {
                c = c.to(phone);
            }
            if let Some(lang) = s.opt::<String>("language")? {
                c = c.language(lang);
            }
            c.into()
        }
        "chat" => {
            let mut c = ChatConversation::new(identity, message);
            if let Some(yes) = s.opt::<bool>("create_child_object")? {
                c = c.create_child_object(yes);
            }
            c.into()
        }
        other => {
            return Err(PyKeyError::new_err(format!(
                "unknown conversation channel {other:?}"
            )))
        }
    };
    common(&s, conv)
}

/// The options every channel shares, through the core's `NewConversation` setters.
fn common(s: &Spec<'_, '_>, mut b: NewConversation) -> PyResult<NewConversation> {
    if let Some(v) = s.opt::<i64>("status")? {
        b = b.status(ObjectStatusType(v));
    }
    if let Some(v) = s.opt("manager_id")? {
        b = b.manager_id(v);
    }
    if let Some(v) = s.opt("user_identity")? {
        b = b.user_identity(v);
    }
    if let Some(v) = s.opt("sub_stream_id")? {
        b = b.sub_stream_id(v);
    }
    if let Some(v) = s.opt::<String>("stream_provider_id")? {
        b = b.stream_provider_id(v);
    }
    if let Some(v) = s.item("user")? {
        let dict = v
            .cast::<PyDict>()
            .map_err(|_| PyTypeError::new_err("user: expected a dict spec"))?;
        b = b.user(user(dict)?);
    }
    if let Some(v) = s.opt::<i64>("object_type")? {
        b = b.object_type(ObjectType(v));
    }
    if let Some(v) = s.opt::<i64>("stream_provider_type")? {
        b = b.stream_provider_type(StreamProviderType(v));
    }
    if let Some(v) = s.opt::<i64>("identity_type")? {
        b = b.identity_type(StreamProviderType(v));
    }
    for a in attachments(s)? {
        b = b.attachment(a);
    }
    for (name, value) in fields(s)? {
        b = b.field(name, value);
    }
    Ok(b)
}

fn user(dict: &Bound<'_, PyDict>) -> PyResult<User> {
    let s = Spec { what: "user", dict };
    let mut u = User::new();
    if let Some(v) = s.opt::<String>("unique_id")? {
        u = u.unique_id(v);
    }
    if let Some(v) = s.opt::<String>("first_name")? {
        u = u.first_name(v);
    }
    if let Some(v) = s.opt::<String>("last_name")? {
        u = u.last_name(v);
    }
    if let Some(v) = s.opt::<String>("phone1")? {
        u = u.phone1(v);
    }
    if let Some(v) = s.opt::<String>("email")? {
        u = u.email(v);
    }
    if let Some(v) = s.opt::<String>("remarks")? {
        u = u.remarks(v);
    }
    Ok(u)
}

/// Builds the core's request for a new message from its spec.
pub(crate) fn message(spec: &Bound<'_, PyDict>) -> PyResult<NewMessage> {
    let s = Spec {
        what: "message",
        dict: spec,
    };
    let identity: String = s.req("identity")?;
    let text: String = s.opt("message")?.unwrap_or_default();
    let mut m = match s.opt::<i64>("agent_id")? {
        Some(agent) => NewMessage::from_agent(agent, identity, text),
        None => NewMessage::from_customer(identity, text),
    };
    if let Some(v) = s.opt::<i64>("identity_type")? {
        m = m.identity_type(StreamProviderType(v));
    }
    if let Some(v) = s.opt::<i64>("object_type")? {
        m = m.object_type(ObjectType(v));
    }
    for a in attachments(&s)? {
        m = m.attachment(a);
    }
    if let Some(yes) = s.opt::<bool>("attachments_as_base64")? {
        m = m.attachments_as_base64(yes);
    }
    for (name, value) in fields(&s)? {
        m = m.field(name, value);
    }
    Ok(m)
}

/// `[(address, name or None), …]`.
fn recipients(s: &Spec<'_, '_>, key: &str) -> PyResult<Vec<(String, Option<String>)>> {
    s.list(key)?.iter().map(|v| s.convert(key, v)).collect()
}

fn strings(s: &Spec<'_, '_>, key: &str) -> PyResult<Vec<String>> {
    s.list(key)?.iter().map(|v| s.convert(key, v)).collect()
}

/// Extra top-level fields (`{"name": json value}`), in the order given.
fn fields(s: &Spec<'_, '_>) -> PyResult<Vec<(String, serde_json::Value)>> {
    let Some(v) = s.item("fields")? else {
        return Ok(Vec::new());
    };
    let dict = v
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("fields: expected a dict"))?;
    dict.iter()
        .map(|(k, item)| {
            let name: String = s.convert("fields", &k)?;
            let value = json::to_json(&format!("fields[{name:?}]"), &item)?;
            Ok((name, value))
        })
        .collect()
}

/// Attachment specs: `{"path": str | PathLike}` (streamed from disk when sent) or
/// `{"data": bytes, "name": str}`, each with optional `name` and `content_type`.
fn attachments(s: &Spec<'_, '_>) -> PyResult<Vec<Attachment>> {
    s.list("attachments")?
        .iter()
        .map(|item| {
            let dict = item
                .cast::<PyDict>()
                .map_err(|_| PyTypeError::new_err("attachments: expected dict specs"))?;
            attachment(dict)
        })
        .collect()
}

fn attachment(dict: &Bound<'_, PyDict>) -> PyResult<Attachment> {
    let s = Spec {
        what: "attachment",
        dict,
    };
    let name: Option<String> = s.opt("name")?;
    let mut a = if let Some(path) = s.opt::<PathBuf>("path")? {
        let a = Attachment::from_path(path);
        match name {
            Some(n) => a.with_name(n),
            None => a,
        }
    } else if let Some(data) = s.item("data")? {
        let bytes = data.cast::<PyBytes>().map_err(|_| {
            PyTypeError::new_err("attachment data: expected bytes (the Python layer converts)")
        })?;
        Attachment::from_bytes(name.unwrap_or_default(), bytes.as_bytes().to_vec())
    } else {
        return Err(PyKeyError::new_err(
            "attachment spec has neither path nor data",
        ));
    };
    if let Some(ct) = s.opt::<String>("content_type")? {
        a = a.with_content_type(ct);
    }
    Ok(a)
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
    let s = Spec {
        what: "contact",
        dict: spec,
    };
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
/// (the same attachment specs as CommBox messages).
pub(crate) fn chatwoot_message(spec: &Bound<'_, PyDict>) -> PyResult<chatwoot::NewMessage> {
    let s = Spec {
        what: "message",
        dict: spec,
    };
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
