//! One DEBUG record per API call on Python's `logging` logger `commbox`.
//!
//! The core reports each call to an observer on the calling thread, after the call and
//! while the GIL is released. Calling into `logging` from there would need the GIL inside
//! Rust code that other threads may be waiting on: the deadlock of primp#141/#142 (and the
//! reason `pyo3-log` is not used). So the observer only parks the event in a thread-local,
//! and the native method emits the record after the call, with the GIL held and no Rust
//! lock taken. Async calls (`aio.rs`) park it in a task-local instead, and a cancelled async
//! call, which no Python code waits for any more, is emitted where it is dropped: on the
//! async runtime's thread, which holds no lock then and takes the GIL for the record. The
//! record carries method, path, status, duration, retries and request id;
//! the key is not among the event's fields, so it cannot reach a log.

use commbox::CallEvent;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use std::cell::RefCell;

thread_local! {
    static LAST_EVENT: RefCell<Option<CallEvent>> = const { RefCell::new(None) };
}

/// The observer given to the core's `ClientBuilder::on_call`.
pub(crate) fn record(event: &CallEvent) {
    if event.cancelled && crate::aio::keep_event(event) {
        // An async call dropped on the runtime thread: nobody is left to emit it later.
        // Not once the interpreter is exiting (see `aio::with_python`).
        crate::aio::with_python(|py| emit(py, event));
        return;
    }
    if crate::aio::keep_event(event) {
        return;
    }
    LAST_EVENT.with(|slot| *slot.borrow_mut() = Some(event.clone()));
}

/// Forgets an event left by an earlier call on this thread (before a new call starts).
pub(crate) fn clear() {
    LAST_EVENT.with(|slot| slot.borrow_mut().take());
}

/// The event of the call that just ran on this thread, if it reached the transport.
pub(crate) fn take() -> Option<CallEvent> {
    LAST_EVENT.with(|slot| slot.borrow_mut().take())
}

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `logging.DEBUG`.
const DEBUG: i32 = 10;
/// `logging.WARNING`.
const WARNING: i32 = 30;

/// Emits the record for `event` if the `commbox` logger is enabled for its level (DEBUG;
/// WARNING for a call that may have been processed). A failing handler is reported like
/// any other unraisable error and never replaces the call's result; a Ctrl-C that lands in
/// it is raised again (see `progress::unraisable_or_interrupt`).
pub(crate) fn emit(py: Python<'_>, event: &CallEvent) {
    if let Err(e) = try_emit(py, event) {
        crate::progress::unraisable_or_interrupt(py, e);
    }
}

fn try_emit(py: Python<'_>, event: &CallEvent) -> PyResult<()> {
    let logger = LOGGER
        .get_or_try_init(py, || {
            py.import("logging")?
                .call_method1("getLogger", ("commbox",))
                .map(Bound::unbind)
        })?
        .bind(py);
    // A call that may have been processed without the caller knowing (cancelled or failed
    // after it was sent) is what a person may need to check: a WARNING, not a DEBUG.
    let (level, outcome) = if event.may_have_been_processed {
        (
            WARNING,
            ": the server may have processed it (it was not sent again)",
        )
    } else if event.cancelled {
        (DEBUG, ": cancelled (safe to send again)")
    } else {
        (DEBUG, "")
    };
    if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
        return Ok(());
    }
    let status = match (event.status, event.error) {
        (Some(code), _) => code.to_string(),
        (None, Some(kind)) => format!("no answer ({kind})"),
        (None, None) if event.cancelled => "cancelled".to_owned(),
        (None, None) => "no answer".to_owned(),
    };
    let duration_ms = event.elapsed.as_secs_f64() * 1000.0;
    let retries = event.attempts.saturating_sub(1);
    // Structured copies for handlers and formatters (`%(commbox_status)s`, JSON loggers).
    let extra = PyDict::new(py);
    extra.set_item("commbox_method", &event.method)?;
    extra.set_item("commbox_path", &event.path)?;
    extra.set_item("commbox_status", event.status)?;
    extra.set_item("commbox_duration_ms", duration_ms)?;
    extra.set_item("commbox_retries", retries)?;
    extra.set_item("commbox_request_id", &event.request_id)?;
    extra.set_item("commbox_error", event.error.map(|k| k.as_str()))?;
    extra.set_item("commbox_cancelled", event.cancelled)?;
    extra.set_item(
        "commbox_may_have_been_processed",
        event.may_have_been_processed,
    )?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method(
        "log",
        (
            level,
            "%s %s -> %s in %.1f ms, %d retries, request id %s%s",
            &event.method,
            &event.path,
            status,
            duration_ms,
            retries,
            &event.request_id,
            outcome,
        ),
        Some(&kwargs),
    )?;
    Ok(())
}
