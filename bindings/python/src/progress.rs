//! `on_upload_progress=`: the core's upload progress callback, calling a Python function.
//!
//! The core calls it on the thread writing the request (a sync call's own thread, with the
//! GIL released; the runtime thread for async calls) and holds no lock then, so the GIL is
//! taken here for the Python call only and released again. The Python function is
//! `commbox._client._progress_hook`'s wrapper: it builds the `UploadProgress` record, calls the
//! user's function and logs what it raises, so only a `BaseException` can come back here.

use commbox::UploadProgress;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;

/// The core callback that calls `hook(request_id, attempt, index, count, attachment,
/// bytes_sent, total_bytes)`.
pub(crate) fn callback(hook: Py<PyAny>) -> impl Fn(&UploadProgress) + Send + Sync + 'static {
    move |p: &UploadProgress| {
        // Not once the interpreter is exiting (see `aio::with_python`): the upload goes on
        // unreported.
        crate::aio::with_python(|py| {
            let args = (
                p.request_id.as_str(),
                p.attempt,
                p.index,
                p.count,
                p.attachment.as_str(),
                p.bytes_sent,
                p.total_bytes,
            );
            if let Err(e) = hook.call1(py, args) {
                unraisable_or_interrupt(py, e);
            }
        });
    }
}

/// Reports an exception that Python code run inside a native call raised and that cannot be
/// raised from there (a progress callback, a `logging` handler). Ctrl-C lands in such code
/// when the main thread is the one making the call (it runs Python code there): swallowed, it
/// would be lost, so it is raised again in the main thread, where it surfaces when the call
/// returns. Anything else (`SystemExit` from a callback, a failing handler) is reported as
/// unraisable.
pub(crate) fn unraisable_or_interrupt(py: Python<'_>, e: PyErr) {
    if e.is_instance_of::<PyKeyboardInterrupt>(py) {
        let again = py
            .import("_thread")
            .and_then(|t| t.call_method0("interrupt_main"));
        if again.is_ok() {
            return;
        }
    }
    e.write_unraisable(py, None);
}
