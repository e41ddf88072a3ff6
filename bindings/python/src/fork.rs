//! Fork safety: a core client belongs to the process that built it.
//!
//! reqwest's blocking client drives its connections from a runtime thread. After `fork()`
//! the child has no such thread, so using the parent's client hangs, and dropping it joins
//! a thread that does not exist, which hangs too (pyreqwest#51, reqwest#2555). So a client
//! remembers the pid it was built in: in another process it is never used and never
//! dropped (its memory is left to the process), and the caller builds a new one.

use pyo3::prelude::*;
use std::time::{SystemTime, UNIX_EPOCH};

/// A core client tagged with the process that built it.
pub(crate) struct ProcessClient {
    pid: u32,
    // Always `Some` until dropped; an Option so that Drop can take it out to leak it.
    client: Option<commbox::Client>,
}

impl ProcessClient {
    /// Wraps a client built in this process.
    pub(crate) fn new(client: commbox::Client) -> ProcessClient {
        ProcessClient {
            pid: std::process::id(),
            client: Some(client),
        }
    }

    /// The client, if it was built in this process (`None` in a forked child).
    pub(crate) fn get(&self) -> Option<&commbox::Client> {
        self.client
            .as_ref()
            .filter(|_| self.pid == std::process::id())
    }
}

impl Drop for ProcessClient {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            // In a forked child the parent's runtime thread does not exist: dropping would
            // join it forever. Leaving the client allocated is the only safe choice.
            std::mem::forget(self.client.take());
        }
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
