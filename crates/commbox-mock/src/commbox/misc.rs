//! Read-only endpoints with fixed answers: managers and system status.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::envelope;
use crate::clock;

/// `GET /managers`: two agents and an admin (permissionId 3 = admin).
pub(super) async fn managers() -> Response {
    envelope::ok(seeded_managers())
}

fn seeded_managers() -> Value {
    json!([
        {
            // The agent the official Create Child examples send as (`UserIdentity: 36574658`).
            "id": 36574658,
            "identityId": 2192427,
            "streamProviderId": "best.agent@commbox.com",
            "thumbnailUrl": null,
            "brandId": 223221,
            "permissionId": 2,
            "firstName": "Best",
            "lastName": "Agent",
            "email": "best.agent@commbox.com",
            "userName": "best.agent",
            "team": "2343,2445",
            "teamId": 2343,
            "teamName": "VIP",
            "profiles": "234355,24566",
            "maxSyncObjectsAssignments": 3,
            "maxAsyncObjectsAssignments": 5
        },
        {
            "id": 520760,
            "identityId": 2192428,
            "streamProviderId": "dana.admin@commbox.com",
            "thumbnailUrl": null,
            "brandId": 223221,
            "permissionId": 3,
            "firstName": "Dana",
            "lastName": "Admin",
            "email": "dana.admin@commbox.com",
            "userName": "dana.admin",
            "team": "",
            "teamId": 0,
            "teamName": "",
            "profiles": "",
            "maxSyncObjectsAssignments": 2,
            "maxAsyncObjectsAssignments": 4
        },
        {
            "id": 520761,
            "identityId": 2192429,
            "streamProviderId": "sam.support@commbox.com",
            "thumbnailUrl": null,
            "brandId": 223221,
            "permissionId": 2,
            "firstName": "Sam",
            "lastName": "Support",
            "email": "sam.support@commbox.com",
            "userName": "sam.support",
            "team": "2445",
            "teamId": 2445,
            "teamName": "Support",
            "profiles": "24566",
            "maxSyncObjectsAssignments": 3,
            "maxAsyncObjectsAssignments": 6
        }
    ])
}

/// `GET /core/systemstatus`. `status` is deliberately the string `"200"`: the real API mixes
/// string and integer statuses, and clients must cope with both.
pub(super) async fn system_status() -> Response {
    Json(SystemStatus {
        status: "200",
        description: "System is operational",
        response_time: clock::now(),
        data: Value::Null,
    })
    .into_response()
}

/// The envelope with a string `status`, fields in the real API's order.
#[derive(Serialize)]
struct SystemStatus {
    status: &'static str,
    description: &'static str,
    response_time: String,
    data: Value,
}
