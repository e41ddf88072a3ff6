//! Builder handles for new messages.

use crate::boundary::{
    bytes_arg, mut_arg, out_arg, ref_arg, run, run_or, str_arg, FfiResult, Slot,
};
use crate::error::{commbox_error, commbox_status};
use crate::strings::give;
use core_api::{Attachment, NewMessage, ObjectType, StreamProviderType};
use std::ffi::c_char;

/// A new message being built: made by `commbox_message_new_customer` or
/// `commbox_message_new_agent`, sent by `commbox_create_message` (not consumed), released
/// by `commbox_message_free`. Not thread-safe while being changed; once built it may be
/// sent from several threads at once.
pub struct commbox_message {
    pub(crate) inner: Slot<NewMessage>,
}

impl commbox_message {
    fn edit(&mut self, f: impl FnOnce(NewMessage) -> NewMessage) -> FfiResult {
        self.inner.edit(f)
    }
}

fn make(
    name: &'static str,
    out: *mut *mut commbox_message,
    err: *mut *mut commbox_error,
    build: impl FnOnce() -> FfiResult<NewMessage>,
) -> commbox_status {
    run(name, err, || {
        let out = out_arg(out, "out")?;
        let inner = build()?;
        out.write(Box::into_raw(Box::new(commbox_message {
            inner: Slot::new(inner),
        })));
        Ok(())
    })
}

/// Reads a new message from its JSON form (docs/schemas/NewMessage.json), e.g.
/// `{"identity": "agent@example.com", "message": "It ships today.", "agent_id": 36574658}`.
/// A document that is not a message fails with `COMMBOX_STATUS_VALIDATION` whose field is the
/// JSON path; the values are checked when it is sent. On success `*out` owns a new handle.
#[no_mangle]
pub extern "C" fn commbox_message_from_json(
    json: *const c_char,
    out: *mut *mut commbox_message,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_message_from_json", out, err, || {
        Ok(NewMessage::from_json(str_arg(json, "json")?)?)
    })
}

/// A message on behalf of the customer whose e-mail address or phone number is `identity`.
/// `message` may be empty ("") when a file is attached.
#[no_mangle]
pub extern "C" fn commbox_message_new_customer(
    identity: *const c_char,
    message: *const c_char,
    out: *mut *mut commbox_message,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_message_new_customer", out, err, || {
        let identity = str_arg(identity, "identity")?;
        let message = str_arg(message, "message")?;
        Ok(NewMessage::from_customer(identity, message))
    })
}

/// A message on behalf of an agent: `user_identity` is the agent's user id (`id` in
/// `commbox_list_managers`), `identity` the agent's e-mail address or phone number.
#[no_mangle]
pub extern "C" fn commbox_message_new_agent(
    user_identity: i64,
    identity: *const c_char,
    message: *const c_char,
    out: *mut *mut commbox_message,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_message_new_agent", out, err, || {
        let identity = str_arg(identity, "identity")?;
        let message = str_arg(message, "message")?;
        Ok(NewMessage::from_agent(user_identity, identity, message))
    })
}

/// Releases a message handle. NULL is ignored.
#[no_mangle]
pub extern "C" fn commbox_message_free(message: *mut commbox_message) {
    run_or((), || {
        if !message.is_null() {
            // SAFETY: made by Box::into_raw in `make`; freed once by the caller.
            drop(unsafe { Box::from_raw(message) });
        }
    })
}

/// Sets `UserStreamProviderType` instead of inferring it (4 e-mail, 5 phone, 7 WhatsApp).
#[no_mangle]
pub extern "C" fn commbox_message_set_identity_type(
    message: *mut commbox_message,
    identity_type: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_message_set_identity_type", err, || {
        mut_arg(message, "message")?.edit(|m| m.identity_type(StreamProviderType(identity_type)))
    })
}

/// Sets the message's `Type` (default 4, conversation).
#[no_mangle]
pub extern "C" fn commbox_message_set_object_type(
    message: *mut commbox_message,
    object_type: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_message_set_object_type", err, || {
        mut_arg(message, "message")?.edit(|m| m.object_type(ObjectType(object_type)))
    })
}

/// Attaches the file at `path` (checked when sent, streamed from disk).
#[no_mangle]
pub extern "C" fn commbox_message_add_attachment_path(
    message: *mut commbox_message,
    path: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_message_add_attachment_path", err, || {
        let msg = mut_arg(message, "message")?;
        let path = str_arg(path, "path")?;
        msg.edit(|m| m.attachment(Attachment::from_path(path)))
    })
}

/// Attaches `len` bytes at `data` (copied) under the file name `name`. `data` may be NULL
/// only when `len` is 0.
#[no_mangle]
pub extern "C" fn commbox_message_add_attachment_bytes(
    message: *mut commbox_message,
    data: *const u8,
    len: usize,
    name: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_message_add_attachment_bytes", err, || {
        let msg = mut_arg(message, "message")?;
        let bytes = bytes_arg(data, len, "data")?;
        let name = str_arg(name, "name")?;
        msg.edit(|m| m.attachment(Attachment::from_bytes(name, bytes.to_vec())))
    })
}

/// Sends attachments in CommBox's base64 form `filename:{name};base64:{data}` (true) instead
/// of as file uploads (false, the default).
#[no_mangle]
pub extern "C" fn commbox_message_set_attachments_base64(
    message: *mut commbox_message,
    base64: bool,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_message_set_attachments_base64", err, || {
        mut_arg(message, "message")?.edit(|m| m.attachments_as_base64(base64))
    })
}

/// Sets any other field to a JSON value; fails with `COMMBOX_STATUS_VALIDATION` if `json`
/// is not JSON.
#[no_mangle]
pub extern "C" fn commbox_message_set_field_json(
    message: *mut commbox_message,
    name: *const c_char,
    json: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_message_set_field_json", err, || {
        let msg = mut_arg(message, "message")?;
        let name = str_arg(name, "name")?;
        let value = crate::calls::parse_json(name, str_arg(json, "json")?)?;
        msg.edit(|m| m.field(name, value))
    })
}

/// Validates the message and writes the JSON that would be sent to `*out_json` (free it
/// with `commbox_string_free`). Sends nothing.
#[no_mangle]
pub extern "C" fn commbox_message_to_json(
    message: *const commbox_message,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_message_to_json", err, || {
        let msg = ref_arg(message, "message")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give(&msg.inner.get()?.to_json()?.to_string()));
        Ok(())
    })
}
