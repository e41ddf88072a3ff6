//! The core's records as plain dicts; `commbox/_models.py` turns them into typed objects.
//!
//! Enums travel as integers (the Python layer wraps them in its open `IntEnum`s) and `raw`
//! as the JSON the server sent, so unknown fields stay reachable.

use crate::json;
use commbox::chatwoot;
use commbox::{Conversation, ConversationMessage, Envelope, Manager, SystemStatus};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

pub(crate) fn conversation<'py>(py: Python<'py>, c: &Conversation) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", c.id)?;
    d.set_item("stream_id", &c.stream_id)?;
    d.set_item("sub_stream_id", c.sub_stream_id)?;
    d.set_item("status", c.status.map(|s| s.value()))?;
    d.set_item("object_type", c.object_type.map(|t| t.value()))?;
    d.set_item("message", &c.message)?;
    d.set_item("created_time", &c.created_time)?;
    d.set_item("is_manager", c.is_manager)?;
    let messages = PyList::empty(py);
    for m in &c.messages {
        messages.append(message(py, m)?)?;
    }
    d.set_item("messages", messages)?;
    d.set_item("raw", json::to_py(py, &c.raw)?)?;
    Ok(d)
}

fn message<'py>(py: Python<'py>, m: &ConversationMessage) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", m.id)?;
    d.set_item("object_id", m.object_id)?;
    d.set_item("object_type", m.object_type.map(|t| t.value()))?;
    d.set_item("message", &m.message)?;
    d.set_item("content", &m.content)?;
    d.set_item("created_time", &m.created_time)?;
    d.set_item("is_manager", m.is_manager)?;
    d.set_item(
        "stream_provider_type",
        m.stream_provider_type.map(|t| t.value()),
    )?;
    d.set_item("raw", json::to_py(py, &m.raw)?)?;
    Ok(d)
}

pub(crate) fn manager<'py>(py: Python<'py>, m: &Manager) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", m.id)?;
    d.set_item("identity_id", m.identity_id)?;
    d.set_item("first_name", &m.first_name)?;
    d.set_item("last_name", &m.last_name)?;
    d.set_item("email", &m.email)?;
    d.set_item("user_name", &m.user_name)?;
    d.set_item("permission_id", m.permission_id)?;
    d.set_item("team_name", &m.team_name)?;
    d.set_item("raw", json::to_py(py, &m.raw)?)?;
    Ok(d)
}

pub(crate) fn system_status<'py>(
    py: Python<'py>,
    s: &SystemStatus,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("http_status", s.http_status)?;
    d.set_item("description", &s.description)?;
    d.set_item("response_time", &s.response_time)?;
    Ok(d)
}

pub(crate) fn envelope<'py>(py: Python<'py>, e: &Envelope) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("http_status", e.http_status)?;
    d.set_item("status", e.status)?;
    d.set_item("description", &e.description)?;
    d.set_item("response_time", &e.response_time)?;
    d.set_item("data", json::to_py(py, &e.data)?)?;
    d.set_item("request_id", &e.request_id)?;
    Ok(d)
}

/// A Chatwoot inbox's settings (`commbox.Inbox`).
pub(crate) fn chatwoot_inbox<'py>(
    py: Python<'py>,
    i: &chatwoot::Inbox,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("identifier", &i.identifier)?;
    d.set_item("name", &i.name)?;
    d.set_item("identity_validation_enabled", i.identity_validation_enabled)?;
    d.set_item("timezone", &i.timezone)?;
    d.set_item("working_hours_enabled", i.working_hours_enabled)?;
    d.set_item("csat_survey_enabled", i.csat_survey_enabled)?;
    d.set_item("greeting_enabled", i.greeting_enabled)?;
    d.set_item("raw", json::to_py(py, &i.raw)?)?;
    Ok(d)
}

/// A Chatwoot contact (`commbox.Contact`).
pub(crate) fn chatwoot_contact<'py>(
    py: Python<'py>,
    c: &chatwoot::Contact,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", c.id)?;
    d.set_item("source_id", &c.source_id)?;
    d.set_item("pubsub_token", &c.pubsub_token)?;
    d.set_item("name", &c.name)?;
    d.set_item("email", &c.email)?;
    d.set_item("phone_number", &c.phone_number)?;
    d.set_item("identifier", &c.identifier)?;
    d.set_item("raw", json::to_py(py, &c.raw)?)?;
    Ok(d)
}

/// A Chatwoot conversation with its messages (`commbox.ChatwootConversation`).
pub(crate) fn chatwoot_conversation<'py>(
    py: Python<'py>,
    c: &chatwoot::Conversation,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", c.id)?;
    d.set_item("uuid", &c.uuid)?;
    d.set_item("inbox_id", c.inbox_id)?;
    d.set_item("status", &c.status)?;
    d.set_item("contact_last_seen_at", c.contact_last_seen_at)?;
    d.set_item("agent_last_seen_at", c.agent_last_seen_at)?;
    d.set_item("messages", chatwoot_messages(py, &c.messages)?)?;
    let contact = c.contact.as_ref().map(|v| json::to_py(py, v)).transpose()?;
    d.set_item("contact", contact)?;
    d.set_item("raw", json::to_py(py, &c.raw)?)?;
    Ok(d)
}

/// Chatwoot conversations, as a list of record dicts.
pub(crate) fn chatwoot_conversations<'py>(
    py: Python<'py>,
    items: &[chatwoot::Conversation],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for c in items {
        list.append(chatwoot_conversation(py, c)?)?;
    }
    Ok(list)
}

/// A Chatwoot message with its attachments (`commbox.ChatwootMessage`); `message_type` as
/// an int.
pub(crate) fn chatwoot_message<'py>(
    py: Python<'py>,
    m: &chatwoot::Message,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", m.id)?;
    d.set_item("content", &m.content)?;
    d.set_item("message_type", m.message_type.map(|t| t.value()))?;
    d.set_item("content_type", &m.content_type)?;
    d.set_item(
        "content_attributes",
        json::to_py(py, &m.content_attributes)?,
    )?;
    d.set_item("created_at", m.created_at)?;
    d.set_item("conversation_id", m.conversation_id)?;
    let attachments = PyList::empty(py);
    for a in &m.attachments {
        attachments.append(message_attachment(py, a)?)?;
    }
    d.set_item("attachments", attachments)?;
    let sender = m.sender.as_ref().map(|v| json::to_py(py, v)).transpose()?;
    d.set_item("sender", sender)?;
    d.set_item("raw", json::to_py(py, &m.raw)?)?;
    Ok(d)
}

/// Chatwoot messages, as a list of record dicts.
pub(crate) fn chatwoot_messages<'py>(
    py: Python<'py>,
    items: &[chatwoot::Message],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for m in items {
        list.append(chatwoot_message(py, m)?)?;
    }
    Ok(list)
}

fn message_attachment<'py>(
    py: Python<'py>,
    a: &chatwoot::MessageAttachment,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", a.id)?;
    d.set_item("file_type", &a.file_type)?;
    d.set_item("extension", &a.extension)?;
    d.set_item("data_url", &a.data_url)?;
    d.set_item("thumb_url", &a.thumb_url)?;
    d.set_item("file_size", a.file_size)?;
    d.set_item("raw", json::to_py(py, &a.raw)?)?;
    Ok(d)
}
