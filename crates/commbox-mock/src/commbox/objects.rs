//! Conversations (objects) and their messages (children).

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::envelope;
use super::fields;
use crate::events::CommBoxObjectEvent;
use crate::record::{self, ParsedBody, Payload};
use crate::state::{MockState, ObjectSnapshot, StoredAttachment, StoredChild};

/// ObjectStatusType values; there is no 12.
const OBJECT_STATUSES: [i64; 14] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15];

/// Integer fields of an object; a non-integer value is a 400.
const OBJECT_INT_FIELDS: [&str; 7] = [
    "Type",
    "StatusId",
    "StreamProviderType",
    "UserStreamProviderType",
    "ManagerId",
    "UserIdentity",
    "SubStreamId",
];

/// Integer fields of a child.
const CHILD_INT_FIELDS: [&str; 3] = ["Type", "UserStreamProviderType", "UserIdentity"];

/// ObjectType 4, "Conversation": what the docs tell callers to send when in doubt.
const DEFAULT_TYPE: i64 = 4;

/// `POST /streams/{STREAM_ID}/objects`
pub(super) async fn create_object(
    State(state): State<Arc<MockState>>,
    path: Result<Path<String>, PathRejection>,
    Payload(body): Payload,
) -> Response {
    let Ok(Path(stream_id)) = path else {
        return envelope::not_found();
    };
    let object = match payload_object(&body) {
        Ok(object) => object,
        Err(problem) => return envelope::bad_request(problem),
    };
    if fields::non_empty_str(object, "Message").is_none() {
        return envelope::bad_request("Message is required");
    }
    if let Err(problem) = check_ints(object, &OBJECT_INT_FIELDS) {
        return envelope::bad_request(&problem);
    }
    if let Err(problem) = check_content(object) {
        return envelope::bad_request(&problem);
    }
    if fields::get(object, "User").is_some_and(|user| !user.is_object()) {
        return envelope::bad_request("User must be an object");
    }
    let status_id = fields::get(object, "StatusId")
        .and_then(fields::as_int)
        .unwrap_or(1);
    let id = state.create_object(
        stream_id.clone(),
        status_id,
        Value::Object(object.clone()),
        body.attachments.clone(),
    );
    state.events.commbox(&CommBoxObjectEvent::New {
        stream_id,
        object_id: id,
        data: Value::Object(object.clone()),
    });
    envelope::ok(json!({ "id": id }))
}

/// `POST /streams/{STREAM_ID}/objects/{OBJECT_ID}/child`
pub(super) async fn create_child(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    Payload(body): Payload,
) -> Response {
    let Some((stream_id, object_id)) = stream_and_object(path) else {
        return envelope::not_found();
    };
    let child = match payload_object(&body) {
        Ok(child) => child,
        Err(problem) => return envelope::bad_request(problem),
    };
    let has_files = !body.attachments.is_empty();
    let message_ok = match fields::get(child, "Message") {
        None => has_files,
        Some(Value::String(text)) => has_files || !text.trim().is_empty(),
        Some(_) => false,
    };
    if !message_ok {
        return envelope::bad_request("Message is required");
    }
    let is_manager = match fields::bool(child, "IsManager") {
        Ok(flag) => flag.unwrap_or(false),
        Err(problem) => return envelope::bad_request(&problem),
    };
    if let Err(problem) = check_ints(child, &CHILD_INT_FIELDS) {
        return envelope::bad_request(&problem);
    }
    if is_manager && fields::get(child, "UserIdentity").is_none() {
        return envelope::bad_request("UserIdentity is required for manager messages");
    }
    match state.add_child(
        &stream_id,
        object_id,
        Value::Object(child.clone()),
        body.attachments.clone(),
    ) {
        Some(id) => {
            state.events.commbox(&CommBoxObjectEvent::NewChild {
                stream_id,
                object_id,
                child_id: id,
                data: Value::Object(child.clone()),
            });
            envelope::ok(json!({ "id": id }))
        }
        None => envelope::not_found(),
    }
}

/// `GET /streams/{STREAM_ID}/objects/{OBJECT_ID}?includeChilds=&includeActivityLog=`
pub(super) async fn get_object(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((stream_id, object_id)) = stream_and_object(path) else {
        return envelope::not_found();
    };
    let include_childs = match query_flag(query.as_deref(), "includeChilds") {
        Ok(flag) => flag,
        Err(problem) => return envelope::bad_request(&problem),
    };
    match state.object(&stream_id, object_id) {
        // An array even for one object: that is what the real API returns.
        Some(snapshot) => envelope::ok(json!([object_view(&snapshot, include_childs)])),
        None => envelope::not_found(),
    }
}

/// `POST /objects/{OBJECT_ID}/status/{STATUS_ID}`
pub(super) async fn set_status(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((object_id, status_id))) = path else {
        return envelope::not_found();
    };
    let Ok(object_id) = object_id.parse::<u64>() else {
        return envelope::not_found();
    };
    let status_id = match status_id.parse::<i64>() {
        Ok(status) if OBJECT_STATUSES.contains(&status) => status,
        _ => return envelope::bad_request("Invalid status"),
    };
    if state.set_status(object_id, status_id) {
        state.events.commbox(&CommBoxObjectEvent::StatusChanged {
            object_id,
            status_id,
        });
        envelope::ok(Value::Null)
    } else {
        envelope::not_found()
    }
}

/// Stream id and numeric object id; a non-numeric object id names no object, hence 404.
fn stream_and_object(path: Result<Path<(String, String)>, PathRejection>) -> Option<(String, u64)> {
    let Path((stream_id, object_id)) = path.ok()?;
    Some((stream_id, object_id.parse().ok()?))
}

/// The object/child JSON of a body, or the 400 description explaining why there is none.
fn payload_object(body: &ParsedBody) -> Result<&Map<String, Value>, &'static str> {
    if let Some(problem) = body.problem {
        return Err(problem);
    }
    match &body.payload {
        Some(Value::Object(object)) => Ok(object),
        _ => Err(record::INVALID_BODY),
    }
}

fn check_ints(object: &Map<String, Value>, names: &[&str]) -> Result<(), String> {
    names
        .iter()
        .try_for_each(|name| fields::int(object, name).map(drop))
}

/// `Content` may be an object or its JSON text; either way a `to` must be a list.
fn check_content(object: &Map<String, Value>) -> Result<(), String> {
    let parsed;
    let content = match fields::get(object, "Content") {
        None => return Ok(()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                parsed = value;
                &parsed
            }
            Err(_) => return Ok(()),
        },
        Some(value) => value,
    };
    match content {
        Value::Object(content) => match fields::get(content, "to") {
            None | Some(Value::Array(_)) => Ok(()),
            Some(_) => Err("Content.to must be an array".to_owned()),
        },
        _ => Err("Content must be an object".to_owned()),
    }
}

/// Reads a boolean query parameter the way ASP.NET binds it (`true`/`false`, any case).
fn query_flag(query: Option<&str>, name: &str) -> Result<bool, String> {
    let value = record::parse_urlencoded(query.unwrap_or_default().as_bytes())
        .into_iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value);
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(false),
        Some(value) if value.eq_ignore_ascii_case("true") || value == "1" => Ok(true),
        Some(value) if value.eq_ignore_ascii_case("false") || value == "0" => Ok(false),
        Some(_) => Err(format!("{name} must be true or false")),
    }
}

fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

fn object_view(snapshot: &ObjectSnapshot, include_childs: bool) -> Value {
    let object = &snapshot.object;
    let data = object.data.as_object().unwrap_or_else(|| empty_map());
    let is_manager = match fields::get(data, "IsManager") {
        Some(Value::Bool(flag)) => *flag,
        // "If you put this field, it will send it from agent."
        _ => fields::get(data, "ManagerId").is_some(),
    };
    let mut childs: Vec<Value> = object
        .children
        .iter()
        .zip(&snapshot.child_created_times)
        .map(|(child, created)| child_view(object.id, child, created))
        .collect();
    if !include_childs {
        // "When Children are not included in the request, the API only returns the last message."
        childs = childs.pop().into_iter().collect();
    }
    let content = match fields::get(data, "Content") {
        None => Value::Null,
        Some(Value::String(text)) => Value::String(text.clone()),
        Some(value) => Value::String(value.to_string()),
    };
    let user = fields::get(data, "User")
        .and_then(Value::as_object)
        .unwrap_or_else(|| empty_map());
    json!({
        "objectId": object.id,
        "streamId": object.stream_id,
        "subStreamId": fields::int_or_null(data, "SubStreamId"),
        "statusId": object.status_id,
        "type": fields::get(data, "Type").and_then(fields::as_int).unwrap_or(DEFAULT_TYPE),
        "isManager": is_manager,
        "message": fields::value_or_null(data, "Message"),
        "createdTime": snapshot.created_time,
        "streamProviderType": fields::int_or_null(data, "StreamProviderType"),
        "streamProviderId": fields::value_or_null(data, "StreamProviderId"),
        "userStreamProviderId": fields::value_or_null(data, "UserStreamProviderId"),
        "userStreamProviderType": fields::int_or_null(data, "UserStreamProviderType"),
        "user": {
            "uniqueId": fields::value_or_null(user, "UniqueId"),
            "firstName": fields::value_or_null(user, "FirstName"),
            "lastName": fields::value_or_null(user, "LastName"),
            "phone1": fields::value_or_null(user, "Phone1"),
            "email": fields::value_or_null(user, "Email"),
            "remarks": fields::value_or_null(user, "Remarks"),
        },
        "content": content,
        "attachments": attachments_view(&object.attachments),
        "childs": childs,
    })
}

fn child_view(object_id: u64, child: &StoredChild, created: &str) -> Value {
    let data = child.data.as_object().unwrap_or_else(|| empty_map());
    let is_manager = matches!(fields::get(data, "IsManager"), Some(Value::Bool(true)));
    let user_identity = fields::int_or_null(data, "UserIdentity");
    let provider_type = fields::int_or_null(data, "UserStreamProviderType");
    json!({
        "id": child.id,
        "object_id": object_id,
        "type": fields::get(data, "Type").and_then(fields::as_int).unwrap_or(DEFAULT_TYPE),
        "message": fields::value_or_null(data, "Message"),
        "content": null,
        "createdTime": created,
        "streamProviderType": provider_type,
        "isManager": is_manager,
        "attachments": attachments_view(&child.attachments),
        "user": {
            "id": user_identity,
            "managerId": if is_manager { user_identity.clone() } else { Value::Null },
            "isManager": is_manager,
            "identity": {
                "streamProviderId": fields::value_or_null(data, "UserStreamProviderId"),
                "streamProviderType": provider_type,
            },
        },
    })
}

fn attachments_view(attachments: &[StoredAttachment]) -> Value {
    attachments
        .iter()
        .map(|attachment| {
            json!({
                "name": attachment.name,
                "contentType": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_flags() {
        assert_eq!(query_flag(None, "includeChilds"), Ok(false));
        assert_eq!(
            query_flag(Some("includeChilds=TRUE"), "includeChilds"),
            Ok(true)
        );
        assert_eq!(
            query_flag(Some("a=1&includechilds=0"), "includeChilds"),
            Ok(false)
        );
        assert!(query_flag(Some("includeChilds=maybe"), "includeChilds").is_err());
    }

    #[test]
    fn content_checks() {
        let check = |value: Value| check_content(value.as_object().unwrap());
        assert!(check(json!({"Content": {"to": ["1"]}})).is_ok());
        assert!(check(json!({"Content": {"to": "1"}})).is_err());
        assert!(check(json!({"Content": "{\"to\": 3}"})).is_err());
        assert!(check(json!({"Content": 3})).is_err());
        assert!(check(json!({})).is_ok());
    }
}
