//! Fork safety: a core client belongs to the process that built it.
//!
//! reqwest's blocking client drives its connections from a runtime thread. After `fork()`
//! the child has no such thread, so using the parent's client hangs, and dropping it joins
//! a thread that does not exist, which hangs too (pyreqwest#51, reqwest#2555). So a client
//! remembers the pid it was built in: in another process it is never used and never
//! dropped (its memory is left to the process), and the caller builds a new one.
//!
//! [`Slot`] is the state every native client keeps: its core handle (a `commbox::Client`
//! or a `commbox::chatwoot::InboxClient`), rebuilt in a forked child, `None` once closed.

use crate::errors::Failure;
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// A core handle tagged with the process that built it.
pub(crate) struct ProcessLocal<T> {
    pid: u32,
    // Always `Some` until dropped; an Option so that Drop can take it out to leak it.
    value: Option<T>,
}

impl<T> ProcessLocal<T> {
    /// Wraps a handle built in this process.
    pub(crate) fn new(value: T) -> ProcessLocal<T> {
        ProcessLocal {
            pid: std::process::id(),
            value: Some(value),
        }
    }

    /// The handle, if it was built in this process (`None` in a forked child).
    pub(crate) fn get(&self) -> Option<&T> {
        self.value
            .as_ref()
            .filter(|_| self.pid == std::process::id())
    }
}

impl<T> Drop for ProcessLocal<T> {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            // In a forked child the parent's runtime thread does not exist: dropping would
            // join it forever. Leaving the handle allocated is the only safe choice.
            std::mem::forget(self.value.take());
        }
    }
}

/// A native client's core handle: built in this process, rebuilt on first use in a forked
/// child, `None` once closed.
///
/// The mutex is only taken with the GIL released (or for a moment, without calling Python),
/// and never held across Python code, so it cannot deadlock with the GIL.
pub(crate) struct Slot<T> {
    state: Mutex<Option<ProcessLocal<T>>>,
}

impl<T: Clone + Send> Slot<T> {
    /// A slot holding `value`, built in this process.
    pub(crate) fn new(value: T) -> Slot<T> {
        Slot {
            state: Mutex::new(Some(ProcessLocal::new(value))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<ProcessLocal<T>>> {
        // A panic while the lock was held cannot leave the Option half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// True once [`Slot::close`] ran.
    pub(crate) fn closed(&self) -> bool {
        self.lock().is_none()
    }

    /// The handle for this process: the one built here, or a new one from `rebuild` in a
    /// forked child. Call it with the GIL released: rebuilding reads the CA file and starts
    /// the connection pool's thread.
    pub(crate) fn get(&self, rebuild: impl FnOnce() -> commbox::Result<T>) -> Result<T, Failure> {
        let mut state = self.lock();
        let slot = state.as_mut().ok_or(Failure::Closed)?;
        if let Some(value) = slot.get() {
            return Ok(value.clone());
        }
        let fresh = rebuild()?;
        // Replacing the parent's handle leaks it (see ProcessLocal's Drop) rather than
        // dropping it.
        *slot = ProcessLocal::new(fresh.clone());
        Ok(fresh)
    }

    /// Releases the handle. Calls after this fail with `Failure::Closed`; calls already
    /// running hold a clone and finish first. Closing twice does nothing.
    pub(crate) fn close(&self, py: Python<'_>) {
        let taken = self.lock().take();
        // Dropping joins the pool's runtime thread: not with the GIL held.
        py.detach(move || drop(taken));
    }
}

/// Called by `os.register_at_fork(after_in_child=...)` (see `commbox/__init__.py`).
///
/// The core draws request ids from a per-thread generator; after `fork()` the child's copy
/// of the forking thread would repeat the parent's ids, so it is reseeded here.
#[pyfunction]
#[pyo3(name = "_after_fork_in_child")]
pub(crate) fn after_fork_in_child() {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    fastrand::seed(nanos ^ (u64::from(std::process::id()) << 32) ^ fastrand::u64(..));
}
