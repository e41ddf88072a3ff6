//! The core's records as plain dicts; `commbox/_models.py` turns them into typed objects.
//!
//! Enums travel as integers (the Python layer wraps them in its open `IntEnum`s) and `raw`
//! as the JSON the server sent, so unknown fields stay reachable.

use crate::json;
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
