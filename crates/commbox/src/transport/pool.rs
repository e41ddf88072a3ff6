//! The HTTP connections: one client for async calls, and "lanes" that blocking calls drive on
//! their own thread; both fork-safe.
//!
//! Async calls use one reqwest client whose connections live on the caller's runtime, like
//! any async HTTP client.
//!
//! Blocking calls run the same async code, but not on a runtime thread of their own as
//! `reqwest::blocking` does: that hands every request over to that thread and sleeps until
//! the answer is handed back, which on loopback cost more CPU than libcurl spends on a whole
//! request (about four context switches per call; bench/NOTES.md has the profile). Here a
//! blocking call borrows a [`Lane`]: a current-thread tokio runtime and the reqwest client
//! whose connections live on it, and drives it with `block_on` on the caller's own thread, as
//! libcurl does. A connection belongs to the runtime that opened it, and a lane is used by
//! one call at a time, so a connection is never touched from two runtimes. The pool grows to
//! as many lanes as calls ever ran at once and keeps them (with their idle connections) for
//! the next calls; the most recently used lane is lent first, so its connections are warm.
//! The lane's client reaches the transport through a task-local ([`LANE_CLIENT`]), so the
//! transport has one code path for both.
//!
//! A child made by fork() must not touch the parent's lanes (their epoll instances and
//! sockets are shared with the parent) nor drop them (their DNS threads do not exist in the
//! child), so the pool remembers the pid that made its lanes; in another process it starts
//! afresh and keeps the inherited lanes unused for the life of the process. Prefork servers
//! (gunicorn, Celery, legacy C daemons) then just work with blocking clients.
//!
//! The pool also holds what every call of its clients shares: a server's request to slow
//! down (429 with `Retry-After`) holds back every call's next attempt, not only the one that
//! was told.

use super::Settings;
use crate::error::{Error, ErrorKind, Result};
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

tokio::task_local! {
    /// The client of the lane a blocking call runs on; unset for async calls.
    static LANE_CLIENT: reqwest::Client;
}

/// Lanes inherited across fork(), kept for the life of the process: they can be neither
/// used nor dropped here, and keeping them reachable (rather than forgetting them) keeps leak
/// checkers quiet. Only forked children ever add to it.
static INHERITED: Mutex<Vec<Lane>> = Mutex::new(Vec::new());

fn keep_forever(lanes: impl IntoIterator<Item = Lane>) {
    INHERITED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .extend(lanes);
}

/// A lane idle for longer than this first lets its runtime read what its connections
/// received meanwhile (see [`Borrowed::block_on`]). Back-to-back calls skip it (it costs two
/// system calls); servers close idle connections after seconds, not milliseconds.
const IDLE_CHECK_AFTER: Duration = Duration::from_millis(10);

/// The connections of one or more transports.
pub(crate) struct Pool {
    settings: Settings,
    lanes: Mutex<Lanes>,
    /// The async calls' client, made at the first async call, with the pid of the process
    /// that made it. A forked child must not reuse the parent's connections: their tasks run
    /// on the parent's runtime threads, which the child does not have, so a request written
    /// to one would wait for an answer no task reads (and a create would then be reported as
    /// one that may have been processed). The child makes its own client instead.
    shared: Mutex<Option<(u32, reqwest::Client)>>,
    /// No attempt starts before this instant (a server asked to slow down).
    not_before: Mutex<Option<Instant>>,
}

struct Lanes {
    pid: u32,
    idle: Vec<Lane>,
}

/// A runtime and the client whose connections live on it; used by one call at a time.
pub(crate) struct Lane {
    // Option only so Drop can shut the runtime down without waiting (see Drop).
    runtime: Option<tokio::runtime::Runtime>,
    client: reqwest::Client,
    last_used: Instant,
}

impl Pool {
    /// Makes the first lane now, so bad settings (CA file, proxy) fail at construction.
    pub(crate) fn new(settings: &Settings) -> Result<Pool> {
        let first = Lane::new(settings)?;
        Ok(Pool {
            settings: settings.clone(),
            lanes: Mutex::new(Lanes {
                pid: std::process::id(),
                idle: vec![first],
            }),
            shared: Mutex::new(None),
            not_before: Mutex::new(None),
        })
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The client for the call being polled: its lane's for a blocking call, else the
    /// shared async one (whose connections live on the runtime that polls them).
    pub(crate) fn client(&self) -> Result<reqwest::Client> {
        if let Ok(client) = LANE_CLIENT.try_with(reqwest::Client::clone) {
            return Ok(client);
        }
        let pid = std::process::id();
        let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((made_by, client)) = shared.as_ref() {
            if *made_by == pid {
                return Ok(client.clone());
            }
        }
        // Once per process, under the lock so that concurrent first calls share one client.
        let client = build_client(&self.settings)?;
        if let Some(inherited) = shared.replace((pid, client.clone())) {
            // The parent's: its connections can be neither used nor cleanly closed here.
            std::mem::forget(inherited);
            log::debug!(target: "commbox", "new async connection pool in forked process {pid}");
        }
        Ok(client)
    }

    /// Runs `fut` to completion on the calling thread, on a borrowed lane whose client
    /// [`client`](Self::client) then returns. Must not be called inside a runtime.
    pub(crate) fn block_on<F: Future>(&self, fut: F) -> Result<F::Output> {
        let mut lane = self.lane(std::process::id())?;
        let client = lane.client().clone();
        Ok(lane.block_on(LANE_CLIENT.scope(client, fut)))
    }

    /// Holds back every call's next attempt for `delay` (capped by the caller).
    pub(crate) fn slow_down(&self, delay: Duration) {
        let until = Instant::now() + delay;
        let mut not_before = self
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if not_before.is_none_or(|t| t < until) {
            *not_before = Some(until);
        }
    }

    /// Waits until no request to slow down is pending.
    pub(crate) async fn rate_limit_pause(&self) {
        let until = *self
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = until {
            if until > Instant::now() {
                log::debug!(target: "commbox", "waiting {} ms: the server asked to slow down", (until - Instant::now()).as_millis());
                tokio::time::sleep_until(until.into()).await;
            }
        }
    }

    /// Lends a lane to the calling thread until the returned guard is dropped; `pid` is
    /// this process's id.
    pub(crate) fn lane(&self, pid: u32) -> Result<Borrowed<'_>> {
        let reused = {
            let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
            if lanes.pid != pid {
                keep_forever(std::mem::take(&mut lanes.idle));
                lanes.pid = pid;
                log::debug!(target: "commbox", "new connection pool in forked process {pid}");
            }
            lanes.idle.pop()
        };
        let lane = match reused {
            Some(lane) => lane,
            // Made outside the lock: building a client loads the root certificates.
            None => Lane::new(&self.settings)?,
        };
        Ok(Borrowed {
            pool: self,
            pid,
            lane: Some(lane),
        })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let lanes = self.lanes.get_mut().unwrap_or_else(PoisonError::into_inner);
        if lanes.pid != std::process::id() {
            keep_forever(std::mem::take(&mut lanes.idle));
        }
    }
}

/// A lane lent to one call; goes back to its pool when dropped.
pub(crate) struct Borrowed<'a> {
    pool: &'a Pool,
    pid: u32,
    lane: Option<Lane>,
}

impl Borrowed<'_> {
    /// The lane's client, for building requests.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.lane().client
    }

    /// Runs `fut` to completion on this thread, driving the lane's connections.
    pub(crate) fn block_on<F: Future>(&mut self, fut: F) -> F::Output {
        let lane = self
            .lane
            .as_mut()
            .expect("a borrowed lane is present until drop");
        let runtime = lane
            .runtime
            .as_ref()
            .expect("a lane has its runtime until drop");
        let idle = lane.last_used.elapsed() > IDLE_CHECK_AFTER;
        let out = runtime.block_on(async {
            if idle {
                // Nobody drove this runtime while the lane sat idle, so a server's close of a
                // keep-alive connection is still unread: hyper would write the request on
                // that dead connection and fail it ("closed before message completed"),
                // which for a create cannot be retried. Each yield lets the runtime poll its
                // sockets once and run what became ready: the first delivers the close, the
                // second lets the connection task act on it, so the pool drops it.
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
            }
            fut.await
        });
        lane.last_used = Instant::now();
        out
    }

    fn lane(&self) -> &Lane {
        self.lane
            .as_ref()
            .expect("a borrowed lane is present until drop")
    }
}

impl Drop for Borrowed<'_> {
    fn drop(&mut self) {
        let Some(lane) = self.lane.take() else { return };
        if std::thread::panicking() {
            // A panic mid-request may leave a connection half-used: drop the lane.
            return;
        }
        let mut lanes = self
            .pool
            .lanes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // A forked child cannot get here with a lane of its parent's: the thread that
        // borrowed it does not exist in the child.
        if lanes.pid == self.pid {
            lanes.idle.push(lane);
        } else {
            keep_forever([lane]);
        }
    }
}

impl Lane {
    fn new(settings: &Settings) -> Result<Lane> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| Error::io(format!("cannot set up the I/O runtime: {e}"), e))?;
        // reqwest registers nothing with the runtime while building; entering it anyway keeps
        // that true if a future version starts a timer or a resolver here.
        let client = {
            let _entered = runtime.enter();
            build_client(settings)?
        };
        Ok(Lane {
            runtime: Some(runtime),
            client,
            last_used: Instant::now(),
        })
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        // Without waiting for a DNS lookup still running on a blocking thread, and without
        // the panic a plain drop gives inside someone else's async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Builds a lane's reqwest client. Fails on an unreadable CA file or a malformed proxy URL.
fn build_client(settings: &Settings) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .user_agent(settings.user_agent.clone())
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        // A redirect would replay a create with its body, or silently turn it into a GET:
        // surface it instead, so the base URL gets fixed.
        .redirect(reqwest::redirect::Policy::none());
    if let Some(path) = &settings.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| Error::io(format!("ca_file {}: cannot read: {e}", path.display()), e))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::validation("ca_file", format!("not a PEM certificate bundle: {e}"))
        })?;
        if certs.is_empty() {
            return Err(Error::validation("ca_file", "holds no PEM certificate"));
        }
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    if let Some(proxy) = &settings.proxy {
        let p = reqwest::Proxy::all(proxy)
            .map_err(|e| Error::validation("proxy", format!("not a proxy URL: {e}")))?;
        b = b.proxy(p);
    }
    b.build().map_err(|e| {
        Error::new(
            ErrorKind::Tls,
            format!("cannot set up the HTTP client: {e}"),
        )
        .with_source(e)
    })
}
