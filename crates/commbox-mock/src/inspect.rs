//! `/__mock/...`: inspection and control routes for tests. No auth, never recorded or faulted
//! (chaos mode included).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::chaos::ChaosSettings;
use crate::faults::Fault;
use crate::state::MockState;

/// Routes relative to `/__mock`.
pub(crate) fn router() -> Router<Arc<MockState>> {
    Router::new()
        .route("/requests", get(requests))
        .route("/objects", get(objects))
        .route("/chatwoot", get(chatwoot))
        .route("/faults", post(push_faults))
        .route("/chaos", get(chaos).post(set_chaos).delete(stop_chaos))
        .route("/reset", post(reset))
        .route("/health", get(health))
}

async fn requests(State(state): State<Arc<MockState>>) -> Response {
    Json(state.requests()).into_response()
}

async fn objects(State(state): State<Arc<MockState>>) -> Response {
    Json(state.objects()).into_response()
}

async fn chatwoot(State(state): State<Arc<MockState>>) -> Response {
    Json(state.chatwoot_state()).into_response()
}

/// Body: one fault object or an array of them. Answers `{"queued": <requests now faulted>}`.
async fn push_faults(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    let faults = match parse_faults(&body) {
        Ok(faults) => faults,
        Err(problem) => {
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": problem }))).into_response()
        }
    };
    let queued = state.push_faults(faults);
    Json(json!({ "queued": queued })).into_response()
}

/// All faults are validated before any is queued, so a bad batch changes nothing.
fn parse_faults(body: &[u8]) -> Result<Vec<Fault>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|err| format!("body is not JSON: {err}"))?;
    let values = match value {
        Value::Array(values) => values,
        single => vec![single],
    };
    values
        .into_iter()
        .map(|value| {
            let fault: Fault =
                serde_json::from_value(value).map_err(|err| format!("invalid fault: {err}"))?;
            match fault.problem() {
                Some(problem) => Err(format!("invalid fault: {problem}")),
                None => Ok(fault),
            }
        })
        .collect()
}

async fn chaos(State(state): State<Arc<MockState>>) -> Response {
    Json(state.chaos.report()).into_response()
}

/// Body: [`ChaosSettings`]. Starts a new report and answers it (all counts 0).
async fn set_chaos(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    let settings = serde_json::from_slice::<ChaosSettings>(&body)
        .map_err(|err| format!("invalid chaos settings: {err}"))
        .and_then(|settings| match settings.problem() {
            Some(problem) => Err(format!("invalid chaos settings: {problem}")),
            None => Ok(settings),
        });
    match settings {
        Ok(settings) => {
            state.chaos.set(Some(settings));
            Json(state.chaos.report()).into_response()
        }
        Err(problem) => {
            (StatusCode::BAD_REQUEST, Json(json!({ "error": problem }))).into_response()
        }
    }
}

/// Turns chaos off and answers the final report (its `settings` then `null`, counts kept).
async fn stop_chaos(State(state): State<Arc<MockState>>) -> Response {
    Json(state.chaos.stop()).into_response()
}

async fn reset(State(state): State<Arc<MockState>>) -> Response {
    state.reset();
    Json(json!({ "reset": true })).into_response()
}

async fn health() -> Response {
    Json(json!({ "ok": true })).into_response()
}
