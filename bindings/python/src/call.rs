//! How every native method runs its core call, for `NativeClient` and `NativeInboxClient`
//! alike: the arguments are converted with the GIL held, then the core call runs with the GIL
//! released (`Python::detach`), then the log record is emitted and the error converted with
//! the GIL held again.

use crate::call_log;
use crate::errors::{self, CallError};
use pyo3::prelude::*;

/// Runs `op` on the handle `handle` gives (the client's core handle for this process), with
/// the GIL released, then logs the call and converts its failure with the GIL held.
///
/// `handle` runs in the released section too: it takes the client's mutex.
pub(crate) fn run<H, T: Send>(
    py: Python<'_>,
    handle: impl FnOnce() -> Result<H, CallError> + Send,
    op: impl FnOnce(&H) -> commbox::Result<T> + Send,
) -> PyResult<T> {
    let (outcome, event) = py.detach(|| {
        call_log::clear();
        let outcome = handle().and_then(|h| op(&h).map_err(CallError::from));
        (outcome, call_log::take())
    });
    if let Some(event) = &event {
        call_log::emit(py, event);
    }
    outcome.map_err(|f| errors::to_py(py, f))
}
