//! The HTTP client (one connection pool), made fork-safe.
//!
//! reqwest's blocking client runs its I/O on a runtime thread. A child made by fork() has
//! no such thread: a request through the parent's client waits forever, and so does
//! dropping it (the drop joins that thread). So the pool remembers the pid that built the
//! client; in another process it builds a fresh one and leaks the inherited one instead of
//! dropping it. Prefork servers (gunicorn, Celery, legacy C daemons) then just work.

use super::Settings;
use crate::error::{Error, ErrorKind, Result};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Duration;

/// Clients inherited across fork(), kept for the life of the process: they can be neither
/// used nor dropped here, and keeping them reachable (rather than forgetting them) keeps leak
/// checkers quiet. Only forked children ever add to it.
static INHERITED: Mutex<Vec<reqwest::blocking::Client>> = Mutex::new(Vec::new());

fn keep_forever(client: reqwest::blocking::Client) {
    INHERITED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(client);
}

/// The shared HTTP client of one or more transports.
pub(crate) struct Pool {
    settings: Settings,
    state: RwLock<State>,
}

struct State {
    pid: u32,
    // Option only so Drop can take it out and leak it in a forked child.
    client: Option<reqwest::blocking::Client>,
}

impl Pool {
    /// Builds the client now, so bad settings (CA file, proxy) fail at construction.
    pub(crate) fn new(settings: &Settings) -> Result<Pool> {
        Ok(Pool {
            settings: settings.clone(),
            state: RwLock::new(State {
                pid: std::process::id(),
                client: Some(build(settings)?),
            }),
        })
    }

    /// The client for this process (a cheap handle to the shared pool).
    pub(crate) fn client(&self) -> Result<reqwest::blocking::Client> {
        let pid = std::process::id();
        {
            let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
            if state.pid == pid {
                if let Some(c) = &state.client {
                    return Ok(c.clone());
                }
            }
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.pid != pid || state.client.is_none() {
            let fresh = build(&self.settings)?;
            if let Some(inherited) = state.client.replace(fresh) {
                keep_forever(inherited);
            }
            state.pid = pid;
            log::debug!(target: "commbox", "rebuilt the HTTP client in forked process {pid}");
        }
        state
            .client
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::Connection, "no HTTP client"))
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if state.pid != std::process::id() {
            if let Some(inherited) = state.client.take() {
                keep_forever(inherited);
            }
        }
    }
}

/// Builds the reqwest client. Fails on an unreadable CA file or a malformed proxy URL.
fn build(settings: &Settings) -> Result<reqwest::blocking::Client> {
    let mut b = reqwest::blocking::Client::builder()
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
