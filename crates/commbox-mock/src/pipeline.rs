//! The middleware every request passes first: request ids, recording, faults, body reading.
//!
//! Doing this ahead of routing means unknown paths, wrong methods and 401s are recorded and
//! faulted exactly like valid calls, which is what a client's retry tests need.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::Api;
use crate::chaos::ChaosKind;
use crate::commbox::envelope;
use crate::record::{self, RecordedRequest};
use crate::server::ConnectionKiller;
use crate::state::MockState;

/// Response header carrying the server-side request id: the standard one, which clients
/// (libcommbox included) read as the server's request id.
pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The same id under the mock's own name, which earlier versions sent alone.
pub(crate) const MOCK_REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-mock-request-id");

/// Prefix of the inspection routes, which are neither recorded nor faulted.
pub(crate) const INSPECT_PREFIX: &str = "/__mock";

/// Chatwoot's ActionCable endpoint: a websocket, not an API call (never recorded or faulted).
pub(crate) const CABLE_PATH: &str = "/cable";

fn is_inspection(path: &str) -> bool {
    path == INSPECT_PREFIX
        || path == CABLE_PATH
        || path
            .strip_prefix(INSPECT_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Axum middleware wrapping the whole router (fallbacks included).
pub(crate) async fn intercept(
    State(state): State<Arc<MockState>>,
    request: Request,
    next: Next,
) -> Response {
    let request_id = state.next_request_id();
    let mut response = if is_inspection(request.uri().path()) {
        next.run(request).await
    } else {
        handle_api(&state, request_id, request, next).await
    };
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID_HEADER, HeaderValue::from(request_id));
    headers.insert(MOCK_REQUEST_ID_HEADER, HeaderValue::from(request_id));
    response
}

async fn handle_api(
    state: &Arc<MockState>,
    request_id: u64,
    request: Request,
    next: Next,
) -> Response {
    let (mut head, body) = request.into_parts();
    let api = Api::of_path(head.uri.path());
    state.begin_request(RecordedRequest::start(request_id, &head));

    // Chaos draws only where no queued fault applies, so a test's queued faults stay exact.
    let (fault, chaos) = match state.next_fault() {
        Some(fault) => (Some(fault), None),
        None => match state.chaos.pick() {
            Some(pick) => {
                state.update_request(request_id, |record| record.chaos = Some(pick.kind));
                (pick.fault, Some(pick.kind))
            }
            None => (None, None),
        },
    };
    if let Some(fault) = &fault {
        state.update_request(request_id, |record| record.fault = Some(fault.clone()));
        if let Some(delay) = fault.delay_ms {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if fault.drop {
            // The record keeps status 0: no answer is ever sent.
            if let Some(killer) = head.extensions.get::<ConnectionKiller>() {
                killer.kill();
                // The connection task drops this future together with the socket.
                return std::future::pending().await;
            }
            let response = envelope::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "drop faults need the mock's own accept loop",
            );
            return finish(state, request_id, response);
        }
    }

    // Read the body even for status faults: the client can then finish sending and reliably
    // see the faulted answer, and tests can still check what was sent.
    let parsed = record::read_body(&head.headers, body, api).await;
    state.update_request(request_id, |record| {
        record.body_size = parsed.size;
        record.json = parsed.json.clone();
        record.parts = parsed.parts.clone();
    });

    if let Some(response) = fault
        .as_ref()
        .and_then(|fault| fault.response(api, head.extensions.get::<ConnectionKiller>()))
    {
        return finish(state, request_id, response);
    }
    head.extensions.insert(Arc::new(parsed));
    let killer = head.extensions.get::<ConnectionKiller>().cloned();
    let response = next.run(Request::from_parts(head, Body::empty())).await;
    if let (Some(ChaosKind::DropAfter), Some(killer)) = (chaos, killer) {
        // Processed, but the answer is never sent; the record keeps status 0.
        killer.kill();
        return std::future::pending().await;
    }
    finish(state, request_id, response)
}

fn finish(state: &MockState, request_id: u64, response: Response) -> Response {
    let status = response.status().as_u16();
    state.update_request(request_id, |record| record.status = status);
    response
}
