//! How the async classes' calls run: the core's async calls on one tokio runtime of the
//! process, awaited from Python through PyO3's coroutines (`async fn` in `#[pymethods]`).
//!
//! - One runtime for every async client of the process: multi-thread with a single worker
//!   thread (it only waits on sockets and timers; the CPU work of a call is small) and at most
//!   [`MAX_BLOCKING_THREADS`] blocking threads (reqwest's DNS lookups). A thousand concurrent
//!   calls are a thousand tasks on that thread, not a thousand threads. It is made at the first
//!   async call, not at import.
//! - A call's future is spawned there when its Python coroutine is first awaited (so a task
//!   cancelled before it starts sends nothing) and awaited through a [`Call`], whose drop
//!   aborts the task: cancelling the Python task drops the core future on the runtime thread,
//!   which is the core's cancellation (nothing sent if not sent yet; otherwise the call is
//!   reported as one that may have been processed).
//! - The Python coroutine is polled with the GIL held, but polling a [`Call`] only checks the
//!   task; the waiting happens on the runtime, without the GIL. PyO3's waker wakes the event
//!   loop with `call_soon_threadsafe`, so any running asyncio loop works, uvloop included.
//! - Fork: a forked child has none of the runtime's threads. The runtime remembers the pid
//!   that made it; in another process the first async call builds a new one, and the parent's
//!   is leaked (dropping it would wait for threads that do not exist there).
//! - Logging: the core reports each call to `call_log::record` on the runtime thread. A call
//!   that ends keeps its event in a task-local slot ([`EVENT`]), and the coroutine emits the
//!   record on the event loop's thread with the call's result, like a sync call. A cancelled
//!   call has no coroutine left to do that: `call_log::record` emits its record right there,
//!   taking the GIL briefly on the runtime thread.

use crate::call_log;
use crate::errors::{self, CallError};
use commbox::CallEvent;
use pyo3::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::runtime::{Builder, Handle};
use tokio::task::JoinHandle;

/// Blocking threads the runtime may start (DNS lookups of host names run on them).
const MAX_BLOCKING_THREADS: usize = 2;

/// The runtime's handle, with the pid of the process that built it.
static RUNTIME: Mutex<Option<(u32, Handle)>> = Mutex::new(None);

/// The runtime of this process, built on first use (again in a forked child).
fn runtime() -> std::io::Result<Handle> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((made_by, handle)) = slot.as_ref() {
        if *made_by == pid {
            return Ok(handle.clone());
        }
    }
    let runtime = Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .thread_name("commbox-async")
        .enable_all()
        .build()?;
    let handle = runtime.handle().clone();
    // Lives as long as the process: there is no moment when every async client is gone for
    // good, and a runtime inherited by a forked child must never be dropped.
    std::mem::forget(runtime);
    *slot = Some((pid, handle.clone()));
    Ok(handle)
}

tokio::task_local! {
    /// Where `call_log::record` leaves the event of the async call being polled.
    static EVENT: Arc<Mutex<Option<CallEvent>>>;
}

/// For `call_log::record`: keeps `event` for the async call being polled, and returns
/// false when no async call is being polled (a sync call: the caller keeps it instead).
pub(crate) fn keep_event(event: &CallEvent) -> bool {
    EVENT
        .try_with(|slot| {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(event.clone());
        })
        .is_ok()
}

/// A spawned call: its output and the event the core reported for it. Dropping it aborts
/// the task, which cancels the core call.
struct Call<T> {
    task: JoinHandle<(commbox::Result<T>, Option<CallEvent>)>,
}

impl<T> Future for Call<T> {
    type Output = Result<(commbox::Result<T>, Option<CallEvent>), String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task).poll(cx).map(|joined| {
            joined.map_err(|e| match e.try_into_panic() {
                Ok(payload) => payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned()),
                Err(e) => format!("the call's task ended early: {e}"),
            })
        })
    }
}

impl<T> Drop for Call<T> {
    fn drop(&mut self) {
        // Does nothing once the task has finished.
        self.task.abort();
    }
}

/// Runs a core call on the runtime and returns its value, or its failure as the matching
/// `commbox` exception; the call's log record is emitted with the GIL held, as for a sync
/// call. `handle` is the client's core handle for this call (it fails once the client is
/// closed) and `op` the call made with it.
///
/// Nothing runs until the returned future is first polled, that is until the Python
/// coroutine is first awaited.
pub(crate) async fn run<H, T, Fut>(
    handle: Result<H, CallError>,
    op: impl FnOnce(H) -> Fut + Send,
) -> PyResult<T>
where
    H: Send,
    T: Send + 'static,
    Fut: Future<Output = commbox::Result<T>> + Send + 'static,
{
    let handle = match handle {
        Ok(h) => h,
        Err(e) => return Err(Python::attach(|py| errors::to_py(py, e))),
    };
    let runtime = runtime().map_err(|e| {
        Python::attach(|py| errors::internal(py, &format!("cannot start the async runtime: {e}")))
    })?;
    let slot = Arc::new(Mutex::new(None));
    let fut = EVENT.scope(slot.clone(), op(handle));
    let call = Call {
        task: runtime.spawn(async move {
            let outcome = fut.await;
            let event = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            (outcome, event)
        }),
    };
    let joined = call.await;
    Python::attach(|py| match joined {
        Ok((outcome, event)) => {
            if let Some(event) = &event {
                call_log::emit(py, event);
            }
            outcome.map_err(|e| errors::to_py(py, e.into()))
        }
        Err(panic) => Err(errors::internal(py, &panic)),
    })
}
