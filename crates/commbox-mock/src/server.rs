//! The accept loop and per-connection serving.
//!
//! `axum::serve` cannot close a socket from inside a handler, and drop faults need exactly
//! that, so connections are served by hand with hyper and each one gets a kill switch.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::Uri;
use axum::middleware;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::api::Api;
use crate::chatwoot;
use crate::commbox;
use crate::commbox::envelope;
use crate::events;
use crate::inspect;
use crate::pipeline;
use crate::state::MockState;

/// Lets a request's handler abort the connection it arrived on.
#[derive(Clone)]
pub(crate) struct ConnectionKiller(Arc<Notify>);

impl ConnectionKiller {
    /// Resets the connection; any response in progress is never sent.
    pub(crate) fn kill(&self) {
        // notify_one stores a permit, so the kill is not lost if the connection task is busy.
        self.0.notify_one();
    }
}

/// The complete application: CommBox and Chatwoot routes, inspection routes, fallbacks,
/// pipeline.
pub(crate) fn app(state: Arc<MockState>) -> Router {
    Router::new()
        .merge(commbox::router(Arc::clone(&state)))
        .merge(chatwoot::router())
        .nest(
            pipeline::INSPECT_PREFIX,
            inspect::router().merge(events::router()),
        )
        .route(pipeline::CABLE_PATH, axum::routing::get(events::cable))
        .fallback(unknown_path)
        .method_not_allowed_fallback(unsupported_method)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            pipeline::intercept,
        ))
        .with_state(state)
}

/// Unknown paths: each API's own 404.
async fn unknown_path(uri: Uri) -> Response {
    match Api::of_path(uri.path()) {
        Api::CommBox => envelope::unknown_path().await,
        Api::Chatwoot => chatwoot::errors::unknown_route().await,
    }
}

/// A known path with another method: CommBox documents 501; Rails has no such route, so 404.
async fn unsupported_method(uri: Uri) -> Response {
    match Api::of_path(uri.path()) {
        Api::CommBox => envelope::unsupported_method().await,
        Api::Chatwoot => chatwoot::errors::unknown_route().await,
    }
}

/// A client that neither completes nor abandons its TLS handshake is dropped after this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until `shutdown` completes; with `tls`, over TLS.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    match &tls {
                        None => {
                            tokio::spawn(serve_plain(stream, app.clone()));
                        }
                        Some(acceptor) => {
                            tokio::spawn(serve_tls(acceptor.clone(), stream, app.clone()));
                        }
                    }
                }
                // Typically EMFILE: back off instead of spinning on the same error.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
}

/// A plain connection: a websocket to `/cable` is served with HTTP upgrades (and no kill
/// switch, which needs the socket back from hyper); everything else as usual.
async fn serve_plain(stream: TcpStream, app: Router) {
    const CABLE: &[u8] = b"GET /cable";
    let mut start = [0u8; CABLE.len()];
    // The request line arrives in the first segment; peek waits for it without taking it.
    let cable = matches!(
        tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut start)).await,
        Ok(Ok(n)) if n == CABLE.len() && start == *CABLE
    );
    if cable {
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            app.clone().oneshot(request)
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades()
            .await;
    } else {
        serve_connection(stream, app).await;
    }
}

/// A client that refuses the certificate ends the handshake; that connection never
/// carries a request, so nothing is recorded.
async fn serve_tls(acceptor: TlsAcceptor, stream: TcpStream, app: Router) {
    if let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        serve_connection(stream, app).await;
    }
}

/// A connection's byte stream, plain or TLS, with the socket under it.
trait Socket: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    fn tcp(&self) -> &TcpStream;
}

impl Socket for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Socket for TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

async fn serve_connection(stream: impl Socket, app: Router) {
    let notify = Arc::new(Notify::new());
    let killer = ConnectionKiller(Arc::clone(&notify));
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(killer.clone());
        app.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new());
    let mut connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = &mut connection => {}
        () = notify.notified() => {
            let parts = connection.into_parts();
            // Linger 0 makes the close a RST, so the client sees a reset rather than a clean
            // EOF it might mistake for a short response.
            let _ = parts.io.inner().tcp().set_zero_linger();
        }
    }
}
