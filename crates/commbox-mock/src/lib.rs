//! An in-memory mock of the CommBox REST API and of Chatwoot's public client API, for tests
//! and demos.
//!
//! The mock listens on `127.0.0.1`. For CommBox it checks the `Authorization: Bearer <key>`
//! header like the real API and answers with CommBox envelopes; for Chatwoot it needs no
//! token and answers with the shapes and Rails error bodies the real server emits. It records
//! every API request of both and can inject faults (error statuses, delays, dropped
//! connections) into either.
//!
//! ```no_run
//! use commbox_mock::{Fault, MockServer};
//!
//! let mock = MockServer::start().expect("mock starts");
//! mock.push_fault(Fault::status(429).with_retry_after("1"));
//! // ... point a client at mock.url() with mock.api_key() ...
//! assert_eq!(mock.requests().len(), mock.request_count());
//! ```
//!
//! # Served routes
//!
//! CommBox (Bearer key required):
//! `POST /streams/{STREAM_ID}/objects`, `POST /streams/{STREAM_ID}/objects/{OBJECT_ID}/child`,
//! `GET /streams/{STREAM_ID}/objects/{OBJECT_ID}`, `POST /objects/{OBJECT_ID}/status/{STATUS_ID}`,
//! `GET /managers`, `GET /core/systemstatus`.
//! Unknown paths answer a 404 envelope; a known path with another method answers 501.
//!
//! Chatwoot public client API (no token), under `/public/api/v1/inboxes/{inbox}` where
//! `{inbox}` is one of [`CHATWOOT_INBOX`], [`CHATWOOT_HMAC_INBOX`], [`CHATWOOT_SINGLE_INBOX`]:
//! `GET` (the inbox), `POST /contacts`, `GET|PATCH|PUT /contacts/{source_id}`,
//! `GET|POST /contacts/{source_id}/conversations`, and under
//! `/contacts/{source_id}/conversations/{id}`: `GET`, `POST /toggle_status`,
//! `POST /toggle_typing`, `POST /update_last_seen`, `GET|POST /messages`,
//! `PATCH|PUT /messages/{message_id}`. Anything else under `/public/api/v1/` answers Rails'
//! `{"status":404,"error":"Not Found"}`.
//!
//! Inspection (no key): `GET /__mock/requests`, `GET /__mock/objects`, `GET /__mock/chatwoot`,
//! `POST /__mock/faults`, `POST /__mock/reset`, `GET /__mock/health`. These return the JSON
//! forms of [`RecordedRequest`], [`StoredObject`], [`ChatwootState`] and [`Fault`].
//!
//! Receiving (see the `events` routes): `POST|GET|DELETE /__mock/webhooks` (subscriptions
//! and their deliveries: CommBox events in the JSON, XML or `payload` shape, Chatwoot events
//! signed with the subscription's secret), `POST /__mock/chatwoot/agent_reply`,
//! `POST /__mock/commbox/agent_reply`, and Chatwoot's ActionCable at `GET /cable`
//! (RoomChannel by `pubsub_token`; `POST /__mock/cable/drop` drops every socket).
//!
//! Chaos mode, for soak tests: `POST /__mock/chaos` with [`ChaosSettings`]
//! (`{"rate":0.05,"seed":7}`) faults that share of API requests at random with the
//! [`ChaosKind`]s (5xx, 429 with and without `Retry-After`, resets before and after
//! processing, short delays); `GET /__mock/chaos` answers a [`ChaosReport`] of what was
//! injected; `DELETE /__mock/chaos` turns it off. Each faulted request's record names its kind
//! in [`RecordedRequest::chaos`]. Queued faults take precedence over chaos.

#![warn(missing_docs)]

use std::io::{self, Write as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

mod api;
mod chaos;
mod chatwoot;
mod clock;
mod commbox;
mod events;
mod faults;
mod inspect;
mod pipeline;
mod record;
mod server;
mod state;
mod tls;

pub use chaos::{ChaosKind, ChaosReport, ChaosSettings};
pub use chatwoot::{
    ChatwootAttachmentState, ChatwootContactState, ChatwootConversationState, ChatwootInboxState,
    ChatwootMessageState, ChatwootState,
};
pub use faults::Fault;
pub use record::{RecordedPart, RecordedRequest};
pub use state::{StoredAttachment, StoredChild, StoredObject};

use state::MockState;

/// API key the mock accepts unless configured otherwise.
pub const DEFAULT_API_KEY: &str = "mock-api-key";

/// Identifier of the seeded plain Chatwoot API inbox ("Mock Inbox", timezone UTC).
pub const CHATWOOT_INBOX: &str = "mock-inbox";

/// Identifier of the seeded Chatwoot inbox with identity validation mandatory
/// (`identity_validation_enabled`): every contact call needs a valid `identifier_hash`.
pub const CHATWOOT_HMAC_INBOX: &str = "hmac-inbox";

/// HMAC key of every seeded Chatwoot inbox: `identifier_hash` is the lowercase hex
/// HMAC-SHA256 of `identifier` with this key.
pub const CHATWOOT_HMAC_TOKEN: &str = "mock-hmac-token";

/// Identifier of the seeded Chatwoot inbox with `lock_to_single_conversation`: creating a
/// conversation for a contact that has one returns its last one.
pub const CHATWOOT_SINGLE_INBOX: &str = "single-inbox";

/// How long shutdown waits for in-flight work (such as delay faults) before abandoning it.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Settings of a mock server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfig {
    /// The only key accepted in `Authorization: Bearer <key>`. Default: [`DEFAULT_API_KEY`].
    pub api_key: String,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Serve HTTPS instead of HTTP, with a fresh self-signed certificate for `127.0.0.1` and
    /// `localhost` written into this directory (created if missing) as `cert.pem`, with its
    /// key as `key.pem`. Clients refuse it unless told to trust `cert.pem` (a CA file), which
    /// is what TLS tests need. Default: `None` (plain HTTP).
    pub tls_dir: Option<PathBuf>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            api_key: DEFAULT_API_KEY.to_owned(),
            port: 0,
            tls_dir: None,
        }
    }
}

/// The acceptor and certificate path of `config`'s HTTPS mode, if it has one.
fn tls_of(config: &MockConfig) -> io::Result<Option<(tokio_rustls::TlsAcceptor, PathBuf)>> {
    config.tls_dir.as_deref().map(tls::self_signed).transpose()
}

/// The base URL of a mock on `port`.
fn base_url(tls: bool, port: u16) -> String {
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://127.0.0.1:{port}")
}

/// A mock running on a background thread with its own tokio runtime, so blocking clients in
/// the calling thread can use it. Dropping it (or [`MockServer::shutdown`]) stops it.
pub struct MockServer {
    addr: SocketAddr,
    /// The certificate file, in HTTPS mode.
    cert: Option<PathBuf>,
    state: Arc<MockState>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a mock with the default key on a free port.
    pub fn start() -> io::Result<MockServer> {
        MockServer::start_with(MockConfig::default())
    }

    /// Starts a mock with `config`. Fails if the port cannot be bound.
    pub fn start_with(config: MockConfig) -> io::Result<MockServer> {
        // Bind here so that an unavailable port is the caller's error, not a dead thread.
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (acceptor, cert) = tls_of(&config)?.unzip();
        let state = Arc::new(MockState::new(config.api_key));
        let app = server::app(Arc::clone(&state));
        let state_for_thread = Arc::clone(&state);
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready, started) = mpsc::channel::<io::Result<()>>();
        // The runtime is created, run and dropped on this thread only: dropping a runtime on a
        // thread that is inside another runtime (e.g. a #[tokio::test]) would panic.
        let thread = std::thread::Builder::new()
            .name("commbox-mock".to_owned())
            .spawn(move || {
                let runtime = match build_runtime() {
                    Ok(runtime) => runtime,
                    Err(err) => {
                        let _ = ready.send(Err(err));
                        return;
                    }
                };
                // Deliveries started from the test's thread (MockServer's methods) run here.
                state_for_thread
                    .events
                    .set_runtime(runtime.handle().clone());
                let listener = {
                    let _context = runtime.enter();
                    tokio::net::TcpListener::from_std(std_listener)
                };
                let listener = match listener {
                    Ok(listener) => listener,
                    Err(err) => {
                        let _ = ready.send(Err(err));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                runtime.block_on(server::serve(listener, app, acceptor, async {
                    // A dropped sender also means stop.
                    let _ = stopped.await;
                }));
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })?;
        let startup = started
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("mock server thread ended during startup")));
        if let Err(err) = startup {
            let _ = thread.join();
            return Err(err);
        }
        Ok(MockServer {
            addr,
            cert,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Base URL, `http://127.0.0.1:PORT` (`https://` in HTTPS mode), without a trailing
    /// slash.
    pub fn url(&self) -> String {
        base_url(self.cert.is_some(), self.addr.port())
    }

    /// In HTTPS mode, the self-signed certificate (PEM) a client must trust to connect.
    pub fn cert_file(&self) -> Option<&Path> {
        self.cert.as_deref()
    }

    /// The accepted API key.
    pub fn api_key(&self) -> &str {
        self.state.api_key()
    }

    /// API requests received so far (not `/__mock` ones), in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// Number of API requests received so far.
    pub fn request_count(&self) -> usize {
        self.state.request_count()
    }

    /// Stored CommBox conversations with their messages, by id.
    pub fn objects(&self) -> Vec<StoredObject> {
        self.state.objects()
    }

    /// The Chatwoot inboxes with their contacts, conversations and messages (what
    /// `GET /__mock/chatwoot` returns).
    pub fn chatwoot_state(&self) -> ChatwootState {
        self.state.chatwoot_state()
    }

    /// Queues a fault for the next API request(s); faults apply in FIFO order.
    ///
    /// # Panics
    ///
    /// If `POST /__mock/faults` would reject the fault (count 0, a status outside 100..=999,
    /// a `retry_after` or `content_type` that is not a valid header value): a test that
    /// queues such a fault is wrong, and silently ignoring it would hide that.
    pub fn push_fault(&self, fault: Fault) {
        if let Some(problem) = fault.problem() {
            panic!("invalid fault {fault:?}: {problem}");
        }
        self.state.push_faults([fault]);
    }

    /// Turns chaos mode on (see [`ChaosSettings`]), replacing earlier settings and counts.
    ///
    /// # Panics
    ///
    /// If `POST /__mock/chaos` would reject the settings (a rate outside 0..=1, no kinds, a
    /// `retry_after` that is not a valid header value).
    pub fn set_chaos(&self, settings: ChaosSettings) {
        if let Some(problem) = settings.problem() {
            panic!("invalid chaos settings {settings:?}: {problem}");
        }
        self.state.chaos.set(Some(settings));
    }

    /// Turns chaos mode off and returns its final report.
    pub fn stop_chaos(&self) -> ChaosReport {
        self.state.chaos.stop()
    }

    /// What chaos mode has injected since it was turned on.
    pub fn chaos_report(&self) -> ChaosReport {
        self.state.chaos.report()
    }

    /// Subscribes `url` to the webhooks of a platform, as `POST /__mock/webhooks` does:
    /// `{"platform": "commbox", "url": "http://…", "format": "json"|"xml"|"payload"}` or
    /// `{"platform": "chatwoot", "url": "http://…", "secret": "…"}`. Returns its id.
    ///
    /// # Panics
    ///
    /// If the route would refuse it (unknown keys, a URL that is not http://, a format for
    /// Chatwoot or a secret for CommBox).
    pub fn subscribe_webhooks(&self, subscription: serde_json::Value) -> u64 {
        events::add_subscription(&self.state, subscription)
            .unwrap_or_else(|problem| panic!("invalid subscription: {problem}"))
    }

    /// Every delivery attempt so far, as `GET /__mock/webhooks` lists them: subscription id,
    /// event, delivery id, content type, the receiver's status or the error, body.
    pub fn webhook_deliveries(&self) -> Vec<serde_json::Value> {
        self.state
            .events
            .deliveries()
            .into_iter()
            .map(|d| serde_json::to_value(d).expect("a delivery record serializes"))
            .collect()
    }

    /// The mock agent replies `content` in conversation `conversation_id` (display id) of
    /// the [`CHATWOOT_INBOX`]: the reply is stored and sent to the Chatwoot webhooks and the
    /// contact's cable. Returns the message id, or `None` for an unknown conversation.
    pub fn chatwoot_agent_reply(&self, conversation_id: u64, content: &str) -> Option<u64> {
        events::chatwoot_reply(&self.state, CHATWOOT_INBOX, conversation_id, content, false)
    }

    /// Closes every open `/cable` socket without a close frame, as a network drop would.
    pub fn drop_cables(&self) {
        self.state.events.drop_cables();
    }

    /// Clears CommBox objects, Chatwoot contacts, conversations and messages, recorded
    /// requests, queued faults and chaos mode; the seeded Chatwoot inboxes stay. Every id keeps
    /// increasing (Chatwoot display ids too); `seq` of recorded requests starts again at 1.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Stops the server and waits for its thread. Dropping does the same.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been reported; re-raising it inside
            // drop could abort the process.
            let _ = thread.join();
        }
    }
}

fn build_runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("commbox-mock-worker")
        .enable_all()
        .build()
}

/// Runs a mock in the current thread until SIGINT or SIGTERM (Ctrl-C on Windows), then
/// returns `Ok(())`.
///
/// Once listening it prints one line, `http://127.0.0.1:PORT` (`https://` in HTTPS mode, once
/// the certificate is written), to stdout and flushes it, so a parent process can read the
/// URL. Used by the `commbox-mock` binary and `commbox mock`.
pub fn run_blocking(config: MockConfig) -> io::Result<()> {
    let runtime = build_runtime()?;
    let (acceptor, cert) = tls_of(&config)?.unzip();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let port = listener.local_addr()?.port();
        {
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{}", base_url(cert.is_some(), port))?;
            stdout.flush()?;
        }
        let state = Arc::new(MockState::new(config.api_key));
        server::serve(listener, server::app(state), acceptor, termination()).await;
        Ok::<(), io::Error>(())
    })?;
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    Ok(())
}

/// Completes on the first SIGINT or SIGTERM.
async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    () = interrupt() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => interrupt().await,
        }
    }
    #[cfg(not(unix))]
    interrupt().await;
}

/// Completes on Ctrl-C; never, if the handler cannot be installed (rather than at once).
async fn interrupt() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
