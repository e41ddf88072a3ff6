//! `ClientCell`: a native client's core handle (a `commbox::Client` or a
//! `commbox::chatwoot::InboxClient`), `None` once closed.
//!
//! Fork safety is the core's: its connection pool notices a forked child and builds the
//! child its own, so a handle made before `fork()` can be used and dropped there.

use crate::errors::CallError;
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The state every native client keeps: its core handle, until `close()` takes it.
///
/// The mutex is only taken with the GIL released (or for a moment, without calling Python),
/// and never held across Python code, so it cannot deadlock with the GIL.
pub(crate) struct ClientCell<T> {
    state: Mutex<Option<T>>,
}

impl<T: Clone + Send> ClientCell<T> {
    /// A cell holding `value`.
    pub(crate) fn new(value: T) -> ClientCell<T> {
        ClientCell {
            state: Mutex::new(Some(value)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<T>> {
        // A panic while the lock was held cannot leave the Option half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// True once [`ClientCell::close`] ran.
    pub(crate) fn closed(&self) -> bool {
        self.lock().is_none()
    }

    /// A handle to the core client (cheap: it shares the connection pool).
    pub(crate) fn get(&self) -> Result<T, CallError> {
        self.lock().clone().ok_or(CallError::Closed)
    }

    /// Releases the handle. Calls after this fail with `CallError::Closed`; calls already
    /// running hold a clone and finish first. Closing twice does nothing.
    pub(crate) fn close(&self, py: Python<'_>) {
        let taken = self.lock().take();
        // Dropping closes the pool's connections (system calls): not with the GIL held.
        py.detach(move || drop(taken));
    }
}
