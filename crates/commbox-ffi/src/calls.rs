//! The API calls. Each takes `const commbox_client *` and may run on any thread.

use crate::boundary::{opt_str_arg, out_arg, ref_arg, run, str_arg, FfiResult};
use crate::client::commbox_client;
use crate::conversation::commbox_conversation;
use crate::error::{commbox_error, commbox_status};
use crate::message::commbox_message;
use crate::strings::give_json;
use core_api::{Error, ObjectStatusType};
use serde_json::Value;
use std::ffi::c_char;

pub(crate) fn parse_json(field: &str, text: &str) -> FfiResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| Error::validation(field, format!("not JSON: {e}")).into())
}

/// Opens the conversation in stream `stream_id` (plain or already URL-encoded) and writes
/// its id to `*out_id` (only on success). Validates every field first: on
/// `COMMBOX_STATUS_VALIDATION` nothing was sent. Blocks until the server answers, the
/// timeout passes or retries are exhausted. Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_create_conversation(
    client: *const commbox_client,
    stream_id: *const c_char,
    conversation: *const commbox_conversation,
    out_id: *mut i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_create_conversation", err, || {
        let client = ref_arg(client, "client")?;
        let stream = str_arg(stream_id, "stream_id")?;
        let conv = ref_arg(conversation, "conversation")?;
        let out = out_arg(out_id, "out_id")?;
        let id = client
            .inner
            .create_conversation(stream, conv.get()?.clone())?;
        out.write(id);
        Ok(())
    })
}

/// Opens a conversation from JSON the caller already holds: the object (`{"Type":5,…}`) or
/// the documented wrapper (`{"data":{…}}`). Only the shape and `Message` are checked.
#[no_mangle]
pub extern "C" fn commbox_create_conversation_json(
    client: *const commbox_client,
    stream_id: *const c_char,
    json: *const c_char,
    out_id: *mut i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_create_conversation_json", err, || {
        let client = ref_arg(client, "client")?;
        let stream = str_arg(stream_id, "stream_id")?;
        let json = parse_json("json", str_arg(json, "json")?)?;
        let out = out_arg(out_id, "out_id")?;
        out.write(client.inner.create_conversation_json(stream, &json)?);
        Ok(())
    })
}

/// Adds `message` to conversation `object_id` (a positive id) and writes the new message's
/// id to `*out_id`. Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_create_message(
    client: *const commbox_client,
    stream_id: *const c_char,
    object_id: i64,
    message: *const commbox_message,
    out_id: *mut i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_create_message", err, || {
        let client = ref_arg(client, "client")?;
        let stream = str_arg(stream_id, "stream_id")?;
        let msg = ref_arg(message, "message")?;
        let out = out_arg(out_id, "out_id")?;
        out.write(
            client
                .inner
                .create_message(stream, object_id, msg.inner.get()?.clone())?,
        );
        Ok(())
    })
}

/// Adds a message from JSON the caller already holds (the child or `{"data":{…}}`).
#[no_mangle]
pub extern "C" fn commbox_create_message_json(
    client: *const commbox_client,
    stream_id: *const c_char,
    object_id: i64,
    json: *const c_char,
    out_id: *mut i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_create_message_json", err, || {
        let client = ref_arg(client, "client")?;
        let stream = str_arg(stream_id, "stream_id")?;
        let json = parse_json("json", str_arg(json, "json")?)?;
        let out = out_arg(out_id, "out_id")?;
        out.write(client.inner.create_message_json(stream, object_id, &json)?);
        Ok(())
    })
}

/// Fetches a conversation with all its messages and writes it to `*out_json` in its JSON
/// form (docs/json-forms.md, docs/schemas/Conversation.json): `{"id", "stream_id",
/// "sub_stream_id", "status", "object_type", "message", "created_time", "is_manager",
/// "messages": [{"id", "object_id", "object_type", "message", "content", "created_time",
/// "is_manager", "stream_provider_type", "raw"}, …], "raw"}`, every key present (`null` when
/// the server did not send it), `raw` being the object as the API returned it (`objectId`,
/// `statusId`, `childs`, …). Free it with `commbox_string_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_get_conversation(
    client: *const commbox_client,
    stream_id: *const c_char,
    object_id: i64,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_get_conversation", err, || {
        let client = ref_arg(client, "client")?;
        let stream = str_arg(stream_id, "stream_id")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(client
            .inner
            .get_conversation(stream, object_id)?));
        Ok(())
    })
}

/// Changes a conversation's status (ObjectStatusType: 1 open, 2 resolved, …). Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_set_conversation_status(
    client: *const commbox_client,
    object_id: i64,
    status: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_set_conversation_status", err, || {
        let client = ref_arg(client, "client")?;
        client
            .inner
            .set_conversation_status(object_id, ObjectStatusType(status))?;
        Ok(())
    })
}

/// Lists agents and admins in `*out_json` as a JSON array of their JSON form
/// (docs/schemas/Manager.json): `[{"id", "identity_id", "first_name", "last_name", "email",
/// "user_name", "permission_id", "team_name", "raw"}, …]`. Free it with
/// `commbox_string_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_list_managers(
    client: *const commbox_client,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_list_managers", err, || {
        let client = ref_arg(client, "client")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(client.inner.managers()?));
        Ok(())
    })
}

/// Checks that CommBox is up and the key works; writes its JSON form
/// (docs/schemas/SystemStatus.json) to `*out_json`:
/// `{"http_status":200,"description":"System is operational","response_time":…,"raw":{…}}`.
/// Free it with `commbox_string_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_system_status(
    client: *const commbox_client,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_system_status", err, || {
        let client = ref_arg(client, "client")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(client.inner.system_status()?));
        Ok(())
    })
}

/// Sends any request (`method` GET/POST/PUT/PATCH/DELETE, `path` below the base URL,
/// already encoded, may carry a query; `json_body` may be NULL) and writes the decoded
/// envelope's JSON form (docs/schemas/Envelope.json)
/// `{"http_status","status","description","response_time","data","request_id","raw"}` to
/// `*out_json`, `raw` being the whole answer. Free it with `commbox_string_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_raw_request(
    client: *const commbox_client,
    method: *const c_char,
    path: *const c_char,
    json_body: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_raw_request", err, || {
        let client = ref_arg(client, "client")?;
        let method = str_arg(method, "method")?;
        let path = str_arg(path, "path")?;
        let body = opt_str_arg(json_body, "json_body")?
            .map(|b| parse_json("json_body", b))
            .transpose()?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(client.inner.raw_request(
            method,
            path,
            body.as_ref()
        )?));
        Ok(())
    })
}
