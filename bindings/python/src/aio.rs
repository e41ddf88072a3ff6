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
//! - Interpreter exit: a thread that takes the GIL while the interpreter finalizes crashes
//!   the process. Every entry of the runtime thread into Python (waking the event loop,
//!   logging a cancelled call) goes through [`with_python`], and an `atexit` hook (which
//!   runs before finalization) closes that gate and waits for the entries in progress, so
//!   none can start or still run once finalization begins. After it, wakes are dropped: no
//!   Python code is left to resume. Before closing it, the hook waits (up to
//!   [`EXIT_DRAIN`]) for the calls still on the runtime, so that a call cancelled just
//!   before exit (`asyncio.run` cancels what is left) still gets its log record.
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
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};
use tokio::runtime::{Builder, Handle};
use tokio::task::JoinHandle;

/// Blocking threads the runtime may start (DNS lookups of host names run on them).
const MAX_BLOCKING_THREADS: usize = 2;

/// Whether the runtime thread may still enter Python, and how many of its entries run now.
struct Gate {
    closed: bool,
    inside: usize,
}

static GATE: Mutex<Gate> = Mutex::new(Gate {
    closed: false,
    inside: 0,
});
static GATE_LEFT: Condvar = Condvar::new();

fn gate() -> MutexGuard<'static, Gate> {
    GATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` with the GIL from a thread that is not Python's (the runtime thread), unless
/// the interpreter is exiting; then returns `None` without touching Python.
pub(crate) fn with_python<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    {
        let mut gate = gate();
        if gate.closed {
            return None;
        }
        gate.inside += 1;
    }
    let out = Python::try_attach(f);
    let mut gate = gate();
    gate.inside -= 1;
    if gate.inside == 0 {
        GATE_LEFT.notify_all();
    }
    out
}

/// The calls on this process's runtime (spawned, not yet dropped), with the pid that
/// counted them: a forked child does not wait for its parent's.
static LIVE: Mutex<(u32, usize)> = Mutex::new((0, 0));
static LIVE_CHANGED: Condvar = Condvar::new();

/// How long the exit hook waits for the calls still on the runtime.
const EXIT_DRAIN: Duration = Duration::from_secs(1);

fn live() -> MutexGuard<'static, (u32, usize)> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A spawned call's future, counted in [`LIVE`] until it is dropped (after the call itself:
/// the fields drop in order, and the call logs its cancellation when dropped).
struct Counted<F> {
    fut: Pin<Box<F>>,
    _counted: Counter,
}

struct Counter(u32);

impl Counter {
    fn new() -> Counter {
        let pid = std::process::id();
        let mut live = live();
        if live.0 != pid {
            *live = (pid, 0);
        }
        live.1 += 1;
        Counter(pid)
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        let mut live = live();
        if live.0 == self.0 {
            live.1 -= 1;
            if live.1 == 0 {
                LIVE_CHANGED.notify_all();
            }
        }
    }
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.fut.as_mut().poll(cx)
    }
}

/// The `atexit` hook: waits a moment for the calls still on the runtime (a call cancelled
/// just before exit logs its record as it is dropped there), then closes the gate and waits
/// until no entry into Python runs; all without the GIL, which those need.
#[pyfunction]
fn close_gate(py: Python<'_>) {
    py.detach(|| {
        let pid = std::process::id();
        let deadline = Instant::now() + EXIT_DRAIN;
        let mut live = live();
        while live.0 == pid && live.1 > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            live = LIVE_CHANGED
                .wait_timeout(live, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(live);
        let mut gate = gate();
        gate.closed = true;
        while gate.inside > 0 {
            gate = GATE_LEFT.wait(gate).unwrap_or_else(PoisonError::into_inner);
        }
    });
}

/// Registers the `atexit` hook (at module import).
pub(crate) fn register_exit_hook(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(close_gate, m)?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}

/// Forwards a wake to the waker of PyO3's coroutine (which calls into Python) through the
/// gate.
struct GatedWaker(Waker);

impl Wake for GatedWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        with_python(|_| self.0.wake_by_ref());
    }
}

/// The runtime's handle, with the pid of the process that built it.
static RUNTIME: Mutex<Option<(u32, Handle)>> = Mutex::new(None);

/// The runtime of this process, built on first use (again in a forked child).
pub(crate) fn runtime() -> std::io::Result<Handle> {
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
        let waker = Waker::from(Arc::new(GatedWaker(cx.waker().clone())));
        let mut cx = Context::from_waker(&waker);
        Pin::new(&mut self.task).poll(&mut cx).map(|joined| {
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
    let task = async move {
        let outcome = fut.await;
        let event = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        (outcome, event)
    };
    let call = Call {
        task: runtime.spawn(Counted {
            fut: Box::pin(task),
            _counted: Counter::new(),
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
