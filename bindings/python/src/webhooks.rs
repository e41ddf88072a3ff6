//! Receiving webhooks: the core's parsers and verifier (`commbox::events`) over raw bytes.
//!
//! Each function takes the body as `bytes` (exactly as received), runs the core's parser or
//! verifier with the GIL released, and returns the event's JSON form as plain Python values
//! (`records::to_py`), which `commbox.webhooks` turns into its dataclasses. Errors are the
//! core's, converted by kind (`DecodeError`, `AuthenticationError`, `ValidationError`).

use crate::errors::{self, guard, CallError};
use crate::records;
use commbox::events::{
    parse_chatwoot_event, parse_commbox_delivery, ChatwootDelivery, ChatwootEvent,
    ChatwootWebhookVerifier,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::time::Duration;

/// The core's result as Python values, or its error as the matching exception.
fn reply<'py, T: serde::Serialize>(
    py: Python<'py>,
    result: commbox::Result<T>,
) -> PyResult<Bound<'py, PyAny>> {
    match result {
        Ok(record) => records::to_py(py, &record),
        Err(e) => Err(errors::to_py(py, CallError::Core(e))),
    }
}

/// A CommBox delivery's event (docs/schemas/CommBoxEvent.json) from its raw body and its
/// `Content-Type` (None when the request had none).
#[pyfunction]
#[pyo3(name = "parse_commbox_delivery", signature = (body, content_type))]
pub(crate) fn parse_commbox_delivery_native<'py>(
    py: Python<'py>,
    body: &[u8],
    content_type: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let result = py.detach(|| parse_commbox_delivery(body, content_type));
        reply(py, result)
    })
}

/// A verified Chatwoot delivery (docs/schemas/ChatwootDelivery.json) from its raw body, the
/// request's headers as (name, value) byte pairs, the webhook's secret and the tolerance in
/// seconds; with it, the core's `is_agent_public_reply()` of its event (no part of the JSON
/// form).
#[pyfunction]
#[pyo3(name = "verify_chatwoot", signature = (body, headers, secret, tolerance))]
pub(crate) fn verify_chatwoot_native<'py>(
    py: Python<'py>,
    body: &[u8],
    headers: Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)>,
    secret: &[u8],
    tolerance: f64,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let tolerance = Duration::try_from_secs_f64(tolerance).map_err(|_| {
            errors::validation(
                py,
                "tolerance",
                format!("{tolerance} is not a number of seconds of 0 or more"),
            )
        })?;
        let headers: Vec<(&[u8], &[u8])> = headers
            .iter()
            .map(|(name, value)| (name.as_bytes(), value.as_bytes()))
            .collect();
        let result = py.detach(|| {
            ChatwootWebhookVerifier::new(secret)
                .map(|v| v.tolerance(tolerance))
                .and_then(|v| v.verify(headers, body))
        });
        let reply_flag = result
            .as_ref()
            .is_ok_and(|d: &ChatwootDelivery| d.event.is_agent_public_reply());
        Ok((reply(py, result)?, reply_flag)
            .into_pyobject(py)?
            .into_any())
    })
}

/// A Chatwoot event (docs/schemas/ChatwootEvent.json) from a body, without verification,
/// and the core's `is_agent_public_reply()` of it.
#[pyfunction]
#[pyo3(name = "parse_chatwoot_event", signature = (body))]
pub(crate) fn parse_chatwoot_event_native<'py>(
    py: Python<'py>,
    body: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let result = py.detach(|| parse_chatwoot_event(body));
        let reply_flag = result
            .as_ref()
            .is_ok_and(ChatwootEvent::is_agent_public_reply);
        Ok((reply(py, result)?, reply_flag)
            .into_pyobject(py)?
            .into_any())
    })
}
