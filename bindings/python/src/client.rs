//! `NativeClient`: the core client behind `commbox.Client`.
//!
//! Every call converts its Python arguments with the GIL held, then runs the core call
//! with the GIL released, then converts the result and emits the log record with the GIL
//! held again (`call::run`). The client's state lives in a `slot::Slot`, whose mutex is
//! only taken inside the released section and never across Python code.

use crate::call;
use crate::call_log;
use crate::errors::{self, guard, Failure};
use crate::inbox::NativeInboxClient;
use crate::json;
use crate::records;
use crate::requests;
use crate::slot::Slot;
use commbox::{ClientBuilder, PathParam};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};
use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

/// A stream or conversation id: CommBox uses both encrypted strings and integers.
pub(crate) enum Id {
    Int(i64),
    Str(String),
}

// By hand rather than derived: the derived impl tries each variant in turn, and a string id
// (the usual stream id) first failed as an int, building and dropping a TypeError on every
// call (about 6 % of a create's CPU).
impl<'a, 'py> FromPyObject<'a, 'py> for Id {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyString>() {
            return Ok(Id::Str(obj.extract()?));
        }
        if obj.is_instance_of::<PyInt>() {
            return Ok(Id::Int(obj.extract()?));
        }
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "an id must be a str or an int, not {}",
            obj.get_type().name()?
        )))
    }
}

impl PathParam for Id {
    fn to_segment(&self) -> Cow<'_, str> {
        match self {
            Id::Int(n) => Cow::Owned(n.to_string()),
            Id::Str(s) => Cow::Borrowed(s),
        }
    }
}

/// The native client. Use `commbox.Client`, which wraps it with typed methods.
///
/// Safe to share between threads: calls run in parallel with the GIL released and share one
/// connection pool. A client made before `fork()` works in the child (the core gives the
/// child its own pool).
#[pyclass(frozen, module = "commbox._commbox")]
pub(crate) struct NativeClient {
    base_url: String,
    state: Slot<commbox::Client>,
}

#[pymethods]
impl NativeClient {
    /// Builds the client (reading `COMMBOX_*` variables for settings left as None) with the
    /// GIL released: building reads the CA file and starts the connection pool's thread.
    #[new]
    #[pyo3(signature = (
        *,
        api_key = None,
        base_url = None,
        timeout = None,
        connect_timeout = None,
        max_retries = None,
        ca_file = None,
        proxy = None,
        allow_insecure_http = None,
        user_agent_suffix = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_retries: Option<u32>,
        ca_file: Option<PathBuf>,
        proxy: Option<String>,
        allow_insecure_http: Option<bool>,
        user_agent_suffix: Option<String>,
    ) -> PyResult<Self> {
        guard(py, || {
            let mut b = Settings {
                timeout,
                connect_timeout,
                max_retries,
                ca_file,
                proxy,
                allow_insecure_http,
                user_agent_suffix,
            }
            .builder(py)?;
            if let Some(v) = api_key {
                b = b.api_key(v);
            }
            if let Some(v) = base_url {
                b = b.base_url(v);
            }
            let built = py.detach(|| b.build());
            let client = built.map_err(|e| errors::to_py(py, e.into()))?;
            Ok(NativeClient {
                base_url: client.base_url().to_owned(),
                state: Slot::new(client),
            })
        })
    }

    /// The base URL requests go to (validated, without a trailing slash).
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// True once `close()` was called.
    #[getter]
    pub(crate) fn closed(&self) -> bool {
        self.state.closed()
    }

    /// A client of the Chatwoot inbox `inbox_identifier` at `base_url` that shares this
    /// client's connection pool and settings (no API key is sent to it).
    fn inbox(
        slf: &Bound<'_, Self>,
        base_url: String,
        inbox_identifier: String,
    ) -> PyResult<NativeInboxClient> {
        let py = slf.py();
        guard(py, || {
            NativeInboxClient::shared(py, slf.clone().unbind(), base_url, inbox_identifier)
        })
    }

    /// Opens a conversation from its JSON form (`{"channel": "email", …}`) and returns its id.
    fn create_conversation(
        &self,
        py: Python<'_>,
        stream_id: Id,
        form: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        guard(py, || {
            let conversation = requests::conversation(form)?;
            self.call(py, move |c| c.create_conversation(&stream_id, conversation))
        })
    }

    /// Opens a conversation from JSON (the object or `{"data": object}`) and returns its id.
    fn create_conversation_json(
        &self,
        py: Python<'_>,
        stream_id: Id,
        object: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        guard(py, || {
            let object = json::to_json("object", object)?;
            self.call(py, move |c| c.create_conversation_json(&stream_id, &object))
        })
    }

    /// Adds a message from its JSON form and returns its id.
    fn create_message(
        &self,
        py: Python<'_>,
        stream_id: Id,
        object_id: Id,
        form: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        guard(py, || {
            let message = requests::message(form)?;
            self.call(py, move |c| {
                c.create_message(&stream_id, &object_id, message)
            })
        })
    }

    /// Adds a message from JSON (the child or `{"data": child}`) and returns its id.
    fn create_message_json(
        &self,
        py: Python<'_>,
        stream_id: Id,
        object_id: Id,
        child: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        guard(py, || {
            let child = json::to_json("child", child)?;
            self.call(py, move |c| {
                c.create_message_json(&stream_id, &object_id, &child)
            })
        })
    }

    /// A conversation with its messages, in its JSON form.
    fn get_conversation<'py>(
        &self,
        py: Python<'py>,
        stream_id: Id,
        object_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let conversation =
                self.call(py, move |c| c.get_conversation(&stream_id, &object_id))?;
            records::to_py(py, &conversation)
        })
    }

    /// Changes a conversation's status (a number or a documented status name).
    fn set_conversation_status(
        &self,
        py: Python<'_>,
        object_id: Id,
        status: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        guard(py, || {
            let status = requests::status(status)?;
            self.call(py, move |c| c.set_conversation_status(&object_id, status))
        })
    }

    /// The brand's agents and admins, in their JSON form.
    fn managers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let managers = self.call(py, |c| c.managers())?;
            records::to_py(py, &managers)
        })
    }

    /// The API's system status, in its JSON form.
    fn system_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let status = self.call(py, |c| c.system_status())?;
            records::to_py(py, &status)
        })
    }

    /// Sends any request below the base URL and returns the decoded envelope in its JSON form.
    #[pyo3(signature = (method, path, body = None))]
    fn raw_request<'py>(
        &self,
        py: Python<'py>,
        method: String,
        path: String,
        body: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let body = body.map(|b| json::to_json("body", b)).transpose()?;
            let envelope = self.call(py, move |c| c.raw_request(&method, &path, body.as_ref()))?;
            records::to_py(py, &envelope)
        })
    }

    /// Releases the connection pool. Calls after this raise `CommboxError`; calls already
    /// running finish first. Closing twice does nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.state.close(py);
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        format!("NativeClient(base_url={:?})", self.base_url)
    }
}

impl NativeClient {
    /// The core client. Runs with the GIL released (it takes the slot's mutex).
    pub(crate) fn client(&self) -> Result<commbox::Client, Failure> {
        self.state.get()
    }

    /// Runs one core call with the GIL released, then logs it with the GIL held.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        op: impl FnOnce(&commbox::Client) -> commbox::Result<T> + Send,
    ) -> PyResult<T> {
        call::run(py, || self.client(), op)
    }
}

/// The transport settings `commbox.Client` and `commbox.InboxClient` share; None leaves a
/// setting to the `COMMBOX_*` environment variables, then to the core's default.
pub(crate) struct Settings {
    pub(crate) timeout: Option<f64>,
    pub(crate) connect_timeout: Option<f64>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) proxy: Option<String>,
    pub(crate) allow_insecure_http: Option<bool>,
    pub(crate) user_agent_suffix: Option<String>,
}

impl Settings {
    /// A builder from the environment with these settings over it, reporting each call to
    /// the `commbox` logger.
    pub(crate) fn builder(self, py: Python<'_>) -> PyResult<ClientBuilder> {
        let mut b = ClientBuilder::from_env().on_call(call_log::record);
        if let Some(v) = self.timeout {
            b = b.timeout(seconds(py, "timeout", v)?);
        }
        if let Some(v) = self.connect_timeout {
            b = b.connect_timeout(seconds(py, "connect_timeout", v)?);
        }
        if let Some(v) = self.max_retries {
            b = b.max_retries(v);
        }
        if let Some(v) = self.ca_file {
            b = b.ca_file(v);
        }
        if let Some(v) = self.proxy {
            b = b.proxy(v);
        }
        if let Some(v) = self.allow_insecure_http {
            b = b.allow_insecure_http(v);
        }
        if let Some(v) = self.user_agent_suffix {
            b = b.user_agent_suffix(v);
        }
        Ok(b)
    }
}

/// Seconds as a `Duration`; zero is left to the core, which names the setting.
fn seconds(py: Python<'_>, field: &str, secs: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(secs)
        .map_err(|_| errors::validation(py, field, "must be a positive number of seconds"))
}
