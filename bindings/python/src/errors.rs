//! Core errors and Rust panics as the Python exceptions of `commbox._errors`.
//!
//! The exception classes are defined in Python, so that `commbox.TimeoutError` can also be
//! the built-in `TimeoutError` (and `ConnectionError`, `OSError`, `ValueError` likewise).
//! Rust calls one factory there, `_from_native(kind, message, details)`, which holds the
//! kind → class table; the factory is imported once and kept in a `PyOnceLock`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What a native call can fail with, before it becomes a Python exception (`to_py`).
pub(crate) enum CallError {
    /// An error of the core, converted by kind.
    Core(commbox::Error),
    /// The client was closed with `close()` or by leaving its `with` block.
    Closed,
}

impl From<commbox::Error> for CallError {
    fn from(e: commbox::Error) -> CallError {
        CallError::Core(e)
    }
}

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Builds the Python exception for `kind` through `commbox._errors._from_native`.
fn raise(py: Python<'_>, kind: &str, message: &str, details: &Bound<'_, PyDict>) -> PyErr {
    let factory = FROM_NATIVE.get_or_try_init(py, || {
        py.import("commbox._errors")?
            .getattr("_from_native")
            .map(Bound::unbind)
    });
    let made = factory.and_then(|f| f.bind(py).call1((kind, message, details)));
    match made {
        Ok(exception) => PyErr::from_value(exception),
        // Only when the package is broken (the module cannot be imported): say so.
        Err(e) => e,
    }
}

/// Converts a failure of a call into the matching `commbox` exception.
pub(crate) fn to_py(py: Python<'_>, error: CallError) -> PyErr {
    match error {
        CallError::Closed => {
            let details = PyDict::new(py);
            // Refused before anything was sent.
            if let Err(err) = details.set_item("retry_safety", "safe") {
                return err;
            }
            raise(py, "closed", "the client is closed", &details)
        }
        CallError::Core(e) => core_to_py(py, &e),
    }
}

fn core_to_py(py: Python<'_>, e: &commbox::Error) -> PyErr {
    let details = PyDict::new(py);
    let filled = (|| -> PyResult<()> {
        details.set_item("display", e.to_string())?;
        details.set_item("retry_safety", retry_safety(e.retry_safety()))?;
        details.set_item("field", e.field())?;
        details.set_item("reason", e.reason())?;
        details.set_item("status", e.http_status())?;
        details.set_item("description", e.description())?;
        details.set_item("body", e.body())?;
        details.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
        details.set_item("request_id", e.request_id())?;
        details.set_item("server_request_id", e.server_request_id())?;
        Ok(())
    })();
    if let Err(err) = filled {
        return err;
    }
    raise(py, python_kind(e.kind()), e.message(), &details)
}

/// The name `commbox._errors._from_native` knows a kind by (its `_CLASS_OF_KIND` key). No
/// wildcard arm: a new core kind does not compile here until it has a class there too.
fn python_kind(kind: commbox::ErrorKind) -> &'static str {
    use commbox::ErrorKind as K;
    match kind {
        K::Validation => "validation",         // ValidationError
        K::Authentication => "authentication", // AuthenticationError
        K::NotFound => "not_found",            // NotFoundError
        K::RateLimited => "rate_limited",      // RateLimitError
        K::BadRequest => "bad_request",        // BadRequestError
        K::Server => "server",                 // ServerError
        K::Timeout => "timeout",               // TimeoutError
        K::Connection => "connection",         // ConnectionError
        K::Tls => "tls",                       // TlsError
        K::Decode => "decode",                 // DecodeError
        K::Io => "io",                         // FileError
    }
}

/// The name `commbox._errors.RetrySafety` gives a retry safety. No wildcard arm: a new core
/// value does not compile here until Python knows it too.
fn retry_safety(safety: commbox::RetrySafety) -> &'static str {
    match safety {
        commbox::RetrySafety::Safe => "safe",
        commbox::RetrySafety::MayDuplicate => "may_duplicate",
    }
}

/// A validation error built by this face, for a Python value the core cannot take (a
/// negative timeout, an unknown status name). Nothing is sent.
pub(crate) fn validation(py: Python<'_>, field: &str, reason: impl std::fmt::Display) -> PyErr {
    core_to_py(py, &commbox::Error::validation(field, reason))
}

/// Runs `f`, turning a Rust panic into `commbox.CommboxError` instead of letting PyO3
/// raise its `PanicException` (a `BaseException` that `except Exception` would not catch).
pub(crate) fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(internal(py, &what))
        }
    }
}

/// A bug of this library rather than of the call (a panic, a record without a JSON form):
/// `commbox.CommboxError` asking to report it.
pub(crate) fn internal(py: Python<'_>, what: &str) -> PyErr {
    let details = PyDict::new(py);
    raise(
        py,
        "internal",
        &format!("internal error in libcommbox (please report it): {what}"),
        &details,
    )
}

/// Panics inside the panic guard, so the tests can check what Python sees. Only in builds
/// with the `test-hooks` feature (the test suites'), never in a release wheel.
#[cfg(feature = "test-hooks")]
#[pyfunction]
#[pyo3(name = "_panic_for_tests")]
pub(crate) fn panic_for_tests(py: Python<'_>) -> PyResult<()> {
    guard(py, || {
        py.detach(|| -> PyResult<()> { panic!("a test panic") })
    })
}
