//! A per-call hook: one event after each logical call, retries included.
//!
//! Faces turn it into their own records (Python `logging`, a C callback) on the calling
//! thread, after the call, so no foreign lock is taken while the transport runs.

use crate::error::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

/// A function called once after each API call.
pub(crate) type CallObserver = Arc<dyn Fn(&CallEvent) + Send + Sync>;

/// What an observer is told after each API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    /// HTTP method.
    pub method: String,
    /// Path on the API (no host, no query).
    pub path: String,
    /// HTTP status of the final answer, if one arrived.
    pub status: Option<u16>,
    /// How many attempts were made (1 without retries).
    pub attempts: u32,
    /// Time from the first attempt to the end of the last.
    pub elapsed: Duration,
    /// The `X-Request-Id` sent.
    pub request_id: String,
    /// The error's kind, when the call failed.
    pub error: Option<ErrorKind>,
}
