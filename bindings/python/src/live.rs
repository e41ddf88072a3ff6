//! What a Chatwoot inbox hears over time, as Python iterators: a contact's live replies
//! (`NativeLive`, behind `commbox.LiveReplies` and `commbox.AsyncLiveReplies`) and a
//! conversation's whole message history page by page (`NativeMessages`,
//! `NativeAsyncMessages`, behind `InboxClient.iter_messages` and its async twin).
//!
//! Conversions only: the subscription (pings, presence, reconnects, echo correlation) is the
//! core's `chatwoot::LiveReplies`, the walk through the pages the core's `messages`
//! iterator and stream, and an event reaches Python in its JSON form (`ChatwootLiveEvent`)
//! with the core's `is_agent_reply()` beside it.
//!
//! - A subscription runs on the module's async runtime (`aio`), for the sync and the async
//!   class alike: one task per subscription, no thread of its own. A sync wait blocks on it
//!   with the GIL released, and takes the GIL back every [`SIGNAL_CHECK`] for a moment to
//!   let Ctrl-C through; an async wait is an `aio::run` call like any other.
//! - `close()` needs no lock: it goes through the core's `LiveCloser`, so it ends a wait
//!   blocked in another thread (which then gets what was already received, then the end).
//! - The sync history iterator holds the core's blocking iterator and fetches a page only
//!   when the items read so far run out; its log record (one per page) is emitted with the
//!   item that needed the page.

use crate::aio;
use crate::async_client::convert;
use crate::call_log;
use crate::client::Id;
use crate::errors::{self, guard, CallError};
use crate::records;
use commbox::chatwoot::{InboxMessage, LiveCloser, LiveEvent, LiveOptions, LiveReplies};
use futures_util::{Stream, StreamExt};
use pyo3::exceptions::{PyStopIteration, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a sync wait runs without the GIL before it looks at Python's signals.
const SIGNAL_CHECK: Duration = Duration::from_millis(200);

/// A number of seconds (an int or a float, 0 or more) as a `Duration`.
fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| errors::validation(py, name, "must be a finite number of seconds, 0 or more"))
}

/// The core's `LiveOptions` from `commbox.LiveOptions`' keyword arguments (None or absent
/// keeps the default).
pub(crate) fn live_options(options: &Bound<'_, PyDict>) -> PyResult<LiveOptions> {
    let py = options.py();
    let mut o = LiveOptions::default();
    for (key, value) in options.iter() {
        if value.is_none() {
            continue;
        }
        let name: String = key.extract()?;
        o = match name.as_str() {
            "max_reconnect_attempts" => o.max_reconnect_attempts(value.extract()?),
            "connect_timeout" => o.connect_timeout(seconds(py, &name, value.extract()?)?),
            "silence_timeout" => o.silence_timeout(seconds(py, &name, value.extract()?)?),
            "presence_every" => o.presence_every(seconds(py, &name, value.extract()?)?),
            "initial_backoff" => o.initial_backoff(seconds(py, &name, value.extract()?)?),
            "max_backoff" => o.max_backoff(seconds(py, &name, value.extract()?)?),
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "unexpected live option {name:?}"
                )))
            }
        };
    }
    Ok(o)
}

/// An event as `(its JSON form, is_agent_reply)`.
fn event_to_py(py: Python<'_>, event: &LiveEvent) -> PyResult<Py<PyAny>> {
    let document = records::to_py(py, event)?;
    let pair = PyTuple::new(
        py,
        [
            document,
            event
                .is_agent_reply()
                .into_pyobject(py)?
                .to_owned()
                .into_any(),
        ],
    )?;
    Ok(pair.into_any().unbind())
}

/// The module's runtime (built on first use).
pub(crate) fn runtime(py: Python<'_>) -> PyResult<tokio::runtime::Handle> {
    aio::runtime()
        .map_err(|e| errors::internal(py, &format!("cannot start the async runtime: {e}")))
}

/// A contact's live subscription. Made by `NativeInboxClient.live`; use
/// `commbox.LiveReplies` or `commbox.AsyncLiveReplies`.
#[pyclass(frozen, module = "commbox._commbox")]
pub(crate) struct NativeLive {
    replies: Arc<tokio::sync::Mutex<LiveReplies>>,
    closer: LiveCloser,
    runtime: tokio::runtime::Handle,
    /// The process that opened it: its connection task runs on that process's runtime,
    /// which a forked child does not have (a wait there would never end).
    pid: u32,
}

impl NativeLive {
    /// Subscribes on the module's runtime (no I/O here: the connection is a task there).
    pub(crate) fn open(
        runtime: tokio::runtime::Handle,
        inbox: &commbox::chatwoot::InboxClient,
        pubsub_token: &str,
        options: LiveOptions,
    ) -> Result<NativeLive, CallError> {
        let replies = {
            let _on = runtime.enter();
            inbox.live_with(pubsub_token, options)?
        };
        Ok(NativeLive {
            closer: replies.closer(),
            replies: Arc::new(tokio::sync::Mutex::new(replies)),
            runtime,
            pid: std::process::id(),
        })
    }

    /// Refuses a wait in a forked child (see `pid`).
    fn same_process(&self, py: Python<'_>) -> PyResult<()> {
        if self.pid == std::process::id() {
            return Ok(());
        }
        Err(errors::validation(
            py,
            "live",
            "this subscription was opened in the parent process before fork(): open one in this process",
        ))
    }
}

#[pymethods]
impl NativeLive {
    /// The next event as `(document, is_agent_reply)`; None when none came within
    /// `timeout` seconds (None: no limit); `StopIteration` once the subscription ended. The
    /// subscription's final error is raised once, as the matching exception.
    #[pyo3(signature = (timeout = None))]
    fn next(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Py<PyAny>>> {
        guard(py, || {
            self.same_process(py)?;
            let limit = timeout.map(|t| seconds(py, "timeout", t)).transpose()?;
            let deadline = limit.and_then(|d| Instant::now().checked_add(d));
            loop {
                let slice = deadline.map_or(SIGNAL_CHECK, |d| {
                    d.saturating_duration_since(Instant::now())
                        .min(SIGNAL_CHECK)
                });
                let replies = &self.replies;
                let got = py.detach(|| {
                    self.runtime.block_on(async {
                        tokio::time::timeout(slice, async { replies.lock().await.next().await })
                            .await
                    })
                });
                match got {
                    Ok(Some(Ok(event))) => return event_to_py(py, &event).map(Some),
                    Ok(Some(Err(e))) => return Err(errors::to_py(py, e.into())),
                    Ok(None) => return Err(PyStopIteration::new_err(())),
                    Err(_) if deadline.is_some_and(|d| Instant::now() >= d) => return Ok(None),
                    Err(_) => py.check_signals()?,
                }
            }
        })
    }

    /// Waits (GIL released) for the message created with `echo_id` to come back; returns
    /// it as `(document, is_agent_reply)`. Events read meanwhile stay for `next`.
    fn wait_for_echo(&self, py: Python<'_>, echo_id: String, timeout: f64) -> PyResult<Py<PyAny>> {
        guard(py, || {
            self.same_process(py)?;
            let limit = seconds(py, "timeout", timeout)?;
            let replies = &self.replies;
            let got = py.detach(|| {
                self.runtime
                    .block_on(async { replies.lock().await.wait_for_echo(&echo_id, limit).await })
            });
            match got {
                Ok(event) => event_to_py(py, &event),
                Err(e) => Err(errors::to_py(py, e.into())),
            }
        })
    }

    /// `next` as an awaitable, without a timeout: None once the subscription ended.
    async fn anext(&self) -> PyResult<Option<Py<PyAny>>> {
        convert(|py| self.same_process(py))?;
        let got = aio::run(Ok(self.replies.clone()), |replies| async move {
            replies.lock().await.next().await.transpose()
        })
        .await?;
        match got {
            Some(event) => convert(|py| event_to_py(py, &event)).map(Some),
            None => Ok(None),
        }
    }

    /// `wait_for_echo` as an awaitable.
    async fn await_echo(&self, echo_id: String, timeout: f64) -> PyResult<Py<PyAny>> {
        let limit = convert(|py| {
            self.same_process(py)?;
            seconds(py, "timeout", timeout)
        })?;
        let event = aio::run(Ok(self.replies.clone()), |replies| async move {
            replies.lock().await.wait_for_echo(&echo_id, limit).await
        })
        .await?;
        convert(|py| event_to_py(py, &event))
    }

    /// Closes the socket, from any thread; waits get what was already received, then the
    /// end. Closing twice does nothing.
    fn close(&self) {
        self.closer.close();
    }

    fn __repr__(&self) -> &'static str {
        "NativeLive"
    }
}

/// A conversation's messages, newest first, a page fetched when needed (the core's blocking
/// iterator). Made by `NativeInboxClient.iter_messages`.
#[pyclass(frozen, module = "commbox._commbox")]
pub(crate) struct NativeMessages {
    pages: Mutex<commbox::blocking::Messages<'static, Id>>,
}

impl NativeMessages {
    pub(crate) fn new(
        inbox: commbox::blocking::InboxClient,
        contact: String,
        conversation_id: Id,
    ) -> NativeMessages {
        NativeMessages {
            pages: Mutex::new(inbox.into_messages(contact, conversation_id)),
        }
    }
}

#[pymethods]
impl NativeMessages {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next message's JSON form; the page it needs is fetched with the GIL released.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        guard(py, || {
            let (item, event) = py.detach(|| {
                call_log::clear();
                let item = self
                    .pages
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .next();
                (item, call_log::take())
            });
            if let Some(event) = &event {
                call_log::emit(py, event);
            }
            match item {
                None => Ok(None),
                Some(Ok(message)) => records::to_py(py, &message).map(|m| Some(m.unbind())),
                Some(Err(e)) => Err(errors::to_py(py, e.into())),
            }
        })
    }
}

type MessageStream = Pin<Box<dyn Stream<Item = commbox::Result<InboxMessage>> + Send>>;

/// The async form of `NativeMessages` (the core's message stream, read on the module's
/// runtime). Made by `NativeAsyncInboxClient.iter_messages`.
#[pyclass(frozen, module = "commbox._commbox")]
pub(crate) struct NativeAsyncMessages {
    pages: Arc<tokio::sync::Mutex<MessageStream>>,
}

impl NativeAsyncMessages {
    pub(crate) fn new(
        inbox: commbox::chatwoot::InboxClient,
        contact: String,
        conversation_id: Id,
    ) -> NativeAsyncMessages {
        NativeAsyncMessages {
            pages: Arc::new(tokio::sync::Mutex::new(Box::pin(
                inbox.into_messages(contact, conversation_id),
            ))),
        }
    }
}

#[pymethods]
impl NativeAsyncMessages {
    /// The next message's JSON form, or None after the last one. A cancelled wait loses
    /// nothing: the page being fetched stays in the stream for the next call.
    async fn next(&self) -> PyResult<Option<Py<PyAny>>> {
        let got = aio::run(Ok(self.pages.clone()), |pages| async move {
            pages.lock().await.next().await.transpose()
        })
        .await?;
        match got {
            Some(message) => {
                convert(|py| records::to_py(py, &message).map(Bound::unbind)).map(Some)
            }
            None => Ok(None),
        }
    }
}
