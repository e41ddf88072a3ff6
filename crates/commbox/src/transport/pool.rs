//! The HTTP connections, driven on the calling thread, and made fork-safe.
//!
//! Why not `reqwest::blocking`: it runs all I/O on a runtime thread of its own, so every call
//! hands its request over to that thread and sleeps until the answer is handed back. On
//! loopback that hand-over cost more CPU than libcurl spends on a whole request (about four
//! context switches per call; bench/NOTES.md has the profile).
//!
//! Here a call borrows a [`Lane`]: a current-thread tokio runtime and the reqwest client whose
//! connections live on it, and drives it with `block_on` on the caller's own thread, as
//! libcurl does. A connection belongs to the runtime that opened it, and a lane is used by
//! one call at a time, so a connection is never touched from two runtimes. The pool grows to
//! as many lanes as calls ever ran at once and keeps them (with their idle connections) for
//! the next calls; the most recently used lane is lent first, so its connections are warm.
//!
//! A child made by fork() must not touch the parent's lanes (their epoll instances and
//! sockets are shared with the parent) nor drop them (their DNS threads do not exist in the
//! child), so the pool remembers the pid that made its lanes; in another process it starts
//! afresh and keeps the inherited lanes unused for the life of the process. Prefork servers
//! (gunicorn, Celery, legacy C daemons) then just work.

use super::Settings;
use crate::error::{Error, ErrorKind, Result};
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

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
        })
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
