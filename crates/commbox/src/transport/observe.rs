//! A per-call hook: one event after each logical call, retries included.
//!
//! Faces turn it into their own records (Python `logging`, a C callback) after the call, so
//! no foreign lock is taken while the transport runs. Blocking calls report on the calling
//! thread; async calls on the thread that polls them, and a cancelled call where it is
//! dropped.

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
    /// The error's kind, when the call failed (`None` for a cancelled call too).
    pub error: Option<ErrorKind>,
    /// The caller dropped the call before it ended (a cancelled task, a timeout around it).
    pub cancelled: bool,
    /// A create failed or was cancelled after it was sent and before an answer came: the
    /// server may have processed it (it was not sent again).
    pub may_have_been_processed: bool,
}
