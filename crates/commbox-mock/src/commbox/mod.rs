//! The CommBox REST API (`api.commbox.io`) as served from memory.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::state::MockState;

pub(crate) mod envelope;
mod fields;
mod misc;
mod objects;

/// CommBox routes, all behind the Bearer key check.
pub(crate) fn router(state: Arc<MockState>) -> Router<Arc<MockState>> {
    Router::new()
        .route("/streams/{stream_id}/objects", post(objects::create_object))
        .route(
            "/streams/{stream_id}/objects/{object_id}",
            get(objects::get_object),
        )
        .route(
            "/streams/{stream_id}/objects/{object_id}/child",
            post(objects::create_child),
        )
        .route(
            "/objects/{object_id}/status/{status_id}",
            post(objects::set_status),
        )
        .route("/managers", get(misc::managers))
        .route("/core/systemstatus", get(misc::system_status))
        // route_layer, not layer: unknown paths must answer 404 even without a key.
        .route_layer(middleware::from_fn_with_state(state, require_api_key))
}

async fn require_api_key(
    State(state): State<Arc<MockState>>,
    request: Request,
    next: Next,
) -> Response {
    if has_api_key(request.headers(), state.api_key()) {
        next.run(request).await
    } else {
        envelope::error(StatusCode::UNAUTHORIZED, "Unauthorized access")
    }
}

fn has_api_key(headers: &HeaderMap, api_key: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    match value.trim().split_once(char::is_whitespace) {
        Some((scheme, token)) => scheme.eq_ignore_ascii_case("bearer") && token.trim() == api_key,
        None => false,
    }
}
