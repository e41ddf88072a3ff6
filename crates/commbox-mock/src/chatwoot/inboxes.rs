//! `GET /public/api/v1/inboxes/{inbox_identifier}`.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;

use super::{errors, render, respond, RailsRequest};
use crate::state::MockState;

/// `inboxes#show`.
pub(super) async fn show(
    State(state): State<Arc<MockState>>,
    path: Result<Path<String>, PathRejection>,
    _request: RailsRequest,
) -> Response {
    let Ok(Path(inbox)) = path else {
        return errors::not_found();
    };
    respond(state.chatwoot(|store| {
        let inbox = store.inbox(&inbox)?;
        Ok(render::inbox(&store.inboxes[inbox]))
    }))
}
