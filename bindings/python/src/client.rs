//! `NativeClient`: the core client behind `commbox.Client`.
//!
//! Every call converts its Python arguments with the GIL held, then runs the core call
//! with the GIL released, then converts the result and emits the log record with the GIL
//! held again (`call::run`). The client's state lives in a `client_cell::ClientCell`, whose
//! mutex is only taken inside the released section and never across Python code.

use crate::call;
use crate::call_log;
use crate::client_cell::ClientCell;
use crate::errors::{self, guard, CallError};
use crate::inbox::NativeInboxClient;
use crate::json;
use crate::progress;
use crate::records;
use crate::requests;
use commbox::blocking::ClientBuilder;
use commbox::{ClientOptions, PathParam};
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyString};
use std::borrow::Cow;

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
    state: ClientCell<commbox::blocking::Client>,
}

#[pymethods]
impl NativeClient {
    /// Builds the client from `options` (the core's `ClientOptions` as a dict; None leaves a
    /// setting to its `COMMBOX_*` variable, then to the default) with the GIL released:
    /// building reads the CA file and starts the connection pool's thread.
    #[new]
    fn new(py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Self> {
        guard(py, || {
            let builder = builder(options)?;
            let built = py.detach(|| builder.build());
            let client = built.map_err(|e| errors::to_py(py, e.into()))?;
            Ok(NativeClient {
                base_url: client.base_url().to_owned(),
                state: ClientCell::new(client),
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
    /// The core client. Runs with the GIL released (it takes the cell's mutex).
    pub(crate) fn client(&self) -> Result<commbox::blocking::Client, CallError> {
        self.state.get()
    }

    /// Runs one core call with the GIL released, then logs it with the GIL held.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        op: impl FnOnce(&commbox::blocking::Client) -> commbox::Result<T> + Send,
    ) -> PyResult<T> {
        call::run(py, || self.client(), op)
    }
}

/// The builder of `commbox.Client` and `commbox.InboxClient`: the core's `ClientOptions`
/// from the dict `commbox._client._options` makes, the `COMMBOX_*` variables for the settings
/// left as None, each call reported to the `commbox` logger, and the upload progress hook if
/// the dict has one. Only types are converted here: the defaults and every check are the
/// core's.
pub(crate) fn builder(options: &Bound<'_, PyDict>) -> PyResult<ClientBuilder> {
    let unknown: Vec<String> = options
        .keys()
        .iter()
        .map(|k| k.str().map(|s| s.to_string()))
        .collect::<PyResult<Vec<_>>>()?
        .into_iter()
        .filter(|k| !OPTION_KEYS.contains(&k.as_str()) && k != PROGRESS_KEY)
        .collect();
    if !unknown.is_empty() {
        return Err(PyTypeError::new_err(format!(
            "unexpected client option(s) {}",
            unknown.join(", ")
        )));
    }
    let progress = options
        .get_item(PROGRESS_KEY)?
        .filter(|v| !v.is_none())
        .map(|hook| progress::callback(hook.unbind()));
    let options = ClientOptions {
        api_key: option(options, "api_key")?,
        base_url: option(options, "base_url")?,
        timeout: option(options, "timeout")?,
        connect_timeout: option(options, "connect_timeout")?,
        max_retries: option(options, "max_retries")?,
        user_agent_suffix: option(options, "user_agent_suffix")?,
        ca_file: option(options, "ca_file")?,
        proxy: option(options, "proxy")?,
        allow_insecure_http: option(options, "allow_insecure_http")?,
    };
    let builder = ClientBuilder::from_options(options)
        .with_env()
        .on_call(call_log::record);
    Ok(match progress {
        Some(callback) => builder.on_upload_progress(callback),
        None => builder,
    })
}

/// The upload progress hook (`commbox._client._progress_hook`), besides the options.
const PROGRESS_KEY: &str = "on_upload_progress";

/// The members of the core's `ClientOptions`.
const OPTION_KEYS: [&str; 9] = [
    "api_key",
    "base_url",
    "timeout",
    "connect_timeout",
    "max_retries",
    "user_agent_suffix",
    "ca_file",
    "proxy",
    "allow_insecure_http",
];

/// One option: absent or None is unset. A value of the wrong type is a `TypeError` naming
/// the option; other conversion errors (a `str` that UTF-8 cannot encode) pass through.
fn option<'py, T: FromPyObjectOwned<'py>>(
    options: &Bound<'py, PyDict>,
    key: &str,
) -> PyResult<Option<T>> {
    let Some(v) = options.get_item(key)?.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    v.extract::<T>().map(Some).map_err(|e| {
        let e: PyErr = e.into();
        let py = options.py();
        if e.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(format!("{key}: {}", e.value(py)))
        } else {
            e
        }
    })
}
