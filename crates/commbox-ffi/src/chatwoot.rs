//! The Chatwoot / Omnivibe public client API: an inbox handle and its calls.
//!
//! Results are JSON strings in the records' JSON form (docs/json-forms.md: `Inbox`,
//! `Contact`, `ChatwootConversation`, `ChatwootMessage`; what the server sent is in `raw`);
//! the values a caller always needs next (`source_id`, conversation and message ids) also
//! come back typed.

use crate::boundary::{
    bytes_arg, mut_arg, opt_out_arg, opt_str_arg, out_arg, ref_arg, run, run_or, str_arg,
    FfiResult, Slot,
};
use crate::calls::parse_json;
use crate::client::{commbox_client, commbox_client_config};
use crate::error::{commbox_error, commbox_status};
use crate::strings::{give, give_json};
use core_api::blocking::{ClientBuilder, InboxClient};
use core_api::chatwoot::{identifier_hash, NewContact, NewInboxMessage};
use core_api::{Attachment, ClientOptions, Error};
use serde_json::Value;
use std::ffi::c_char;

/// A client of one Chatwoot inbox. Made by `commbox_inbox_new` or `commbox_client_inbox`,
/// released by `commbox_inbox_free`. Thread-safe: use it from many threads at once.
pub struct commbox_inbox {
    inner: InboxClient,
}

/// A message from the contact being built: `commbox_inbox_message_new`, then attachments,
/// sent by `commbox_inbox_create_message` (not consumed), released by
/// `commbox_inbox_message_free`. Not thread-safe while being changed.
pub struct commbox_inbox_message {
    inner: Slot<NewInboxMessage>,
}

impl commbox_inbox {
    /// The core's blocking inbox client (for `live.rs`).
    pub(crate) fn blocking(&self) -> &InboxClient {
        &self.inner
    }
}

fn boxed_inbox(out: crate::boundary::Out<*mut commbox_inbox>, inner: InboxClient) {
    out.write(Box::into_raw(Box::new(commbox_inbox { inner })));
}

/// Makes a client for the inbox `inbox_identifier` of the Chatwoot installation set as the
/// config's base URL (`commbox_client_config_set_base_url`, required); timeouts, retries,
/// TLS and proxy come from the config, and no API key is needed.
#[no_mangle]
pub extern "C" fn commbox_inbox_new(
    config: *const commbox_client_config,
    inbox_identifier: *const c_char,
    out: *mut *mut commbox_inbox,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_new", err, || {
        let config = ref_arg(config, "config")?;
        let inbox = str_arg(inbox_identifier, "inbox_identifier")?;
        let out = out_arg(out, "out")?;
        boxed_inbox(out, config.builder().clone().build_inbox(inbox)?);
        Ok(())
    })
}

/// Makes a client for the inbox `inbox_identifier` from client options in their JSON form
/// (see `commbox_client_new_from_json`), whose `base_url` is the Chatwoot installation
/// (required); `api_key` is not used. The environment is not read.
#[no_mangle]
pub extern "C" fn commbox_inbox_new_from_json(
    options_json: *const c_char,
    inbox_identifier: *const c_char,
    out: *mut *mut commbox_inbox,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_new_from_json", err, || {
        let options = ClientOptions::from_json(str_arg(options_json, "options_json")?)?;
        let inbox = str_arg(inbox_identifier, "inbox_identifier")?;
        let out = out_arg(out, "out")?;
        boxed_inbox(
            out,
            ClientBuilder::from_options(options).build_inbox(inbox)?,
        );
        Ok(())
    })
}

/// Makes a client for a Chatwoot inbox at `base_url` that shares `client`'s connection pool
/// and settings. The inbox handle may outlive `client`.
#[no_mangle]
pub extern "C" fn commbox_client_inbox(
    client: *const commbox_client,
    base_url: *const c_char,
    inbox_identifier: *const c_char,
    out: *mut *mut commbox_inbox,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_inbox", err, || {
        let client = ref_arg(client, "client")?;
        let base = str_arg(base_url, "base_url")?;
        let inbox = str_arg(inbox_identifier, "inbox_identifier")?;
        let out = out_arg(out, "out")?;
        boxed_inbox(out, client.inner.inbox(base, inbox)?);
        Ok(())
    })
}

/// Releases an inbox handle. NULL is ignored.
#[no_mangle]
pub extern "C" fn commbox_inbox_free(inbox: *mut commbox_inbox) {
    run_or((), || {
        if !inbox.is_null() {
            // SAFETY: made by Box::into_raw in boxed_inbox; freed once by the caller.
            drop(unsafe { Box::from_raw(inbox) });
        }
    })
}

/// The inbox's settings in their JSON form (docs/schemas/Inbox.json: `identifier`, `name`,
/// `identity_validation_enabled`, …, `raw`). Free it with `commbox_string_free`.
#[no_mangle]
pub extern "C" fn commbox_inbox_get(
    inbox: *const commbox_inbox,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_get", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(inbox.inner.inbox()?));
        Ok(())
    })
}

/// Contact fields shared by create and update; every string may be NULL (not sent).
struct ContactStrings {
    identifier: *const c_char,
    identifier_hash: *const c_char,
    email: *const c_char,
    name: *const c_char,
    phone_number: *const c_char,
    avatar_url: *const c_char,
    custom_attributes_json: *const c_char,
}

impl ContactStrings {
    fn params(&self) -> FfiResult<NewContact> {
        let mut p = NewContact::new();
        if let Some(v) = opt_str_arg(self.identifier, "identifier")? {
            p = p.identifier(v);
        }
        if let Some(v) = opt_str_arg(self.identifier_hash, "identifier_hash")? {
            p = p.identifier_hash(v);
        }
        if let Some(v) = opt_str_arg(self.email, "email")? {
            p = p.email(v);
        }
        if let Some(v) = opt_str_arg(self.name, "name")? {
            p = p.name(v);
        }
        if let Some(v) = opt_str_arg(self.phone_number, "phone_number")? {
            p = p.phone_number(v);
        }
        if let Some(v) = opt_str_arg(self.avatar_url, "avatar_url")? {
            p = p.avatar_url(v);
        }
        if let Some(v) = opt_str_arg(self.custom_attributes_json, "custom_attributes_json")? {
            match parse_json("custom_attributes_json", v)? {
                Value::Object(map) => {
                    for (k, v) in map {
                        p = p.custom_attribute(k, v);
                    }
                }
                _ => {
                    return Err(Error::validation(
                        "custom_attributes_json",
                        "must be a JSON object",
                    )
                    .into())
                }
            }
        }
        Ok(p)
    }
}

/// Creates a contact in the inbox (or returns the existing one for a known `source_id`).
/// Every input string may be NULL. `*out_source_id` receives the contact's `source_id`
/// (needed by every later call; free it with `commbox_string_free`); `out_json` may be NULL,
/// else it receives the contact's JSON form (docs/schemas/Contact.json: `{"id",
/// "source_id", "pubsub_token", "name", "email", "phone_number", "identifier", "raw"}`).
#[no_mangle]
pub extern "C" fn commbox_inbox_create_contact(
    inbox: *const commbox_inbox,
    source_id: *const c_char,
    identifier: *const c_char,
    identifier_hash: *const c_char,
    email: *const c_char,
    name: *const c_char,
    phone_number: *const c_char,
    avatar_url: *const c_char,
    custom_attributes_json: *const c_char,
    out_source_id: *mut *mut c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_create_contact", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let mut params = ContactStrings {
            identifier,
            identifier_hash,
            email,
            name,
            phone_number,
            avatar_url,
            custom_attributes_json,
        }
        .params()?;
        if let Some(s) = opt_str_arg(source_id, "source_id")? {
            params = params.source_id(s);
        }
        create_contact(inbox, params, out_source_id, out_json)
    })
}

/// Creates a contact from its request in the JSON form (docs/schemas/NewContact.json: every
/// member optional: `source_id`, `identifier`, `identifier_hash`, `hmac_token` (the inbox's
/// token, to compute `identifier_hash` from `identifier` here; never sent), `email`, `name`,
/// `phone_number`, `avatar_url`, `custom_attributes`). Otherwise as
/// `commbox_inbox_create_contact`; errors name the member by its JSON path.
#[no_mangle]
pub extern "C" fn commbox_inbox_create_contact_from_json(
    inbox: *const commbox_inbox,
    contact_json: *const c_char,
    out_source_id: *mut *mut c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_create_contact_from_json", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let params = NewContact::from_json(str_arg(contact_json, "contact_json")?)?;
        create_contact(inbox, params, out_source_id, out_json)
    })
}

/// Creates the contact and writes its `source_id` and (if asked) its JSON form.
fn create_contact(
    inbox: &commbox_inbox,
    params: NewContact,
    out_source_id: *mut *mut c_char,
    out_json: *mut *mut c_char,
) -> FfiResult {
    let out_sid = out_arg(out_source_id, "out_source_id")?;
    let out_json = opt_out_arg(out_json);
    // The core refuses a created contact without a source_id (COMMBOX_STATUS_DECODE).
    let contact = inbox.inner.create_contact(params)?;
    out_sid.write(give(contact.source_id.as_deref().unwrap_or_default()));
    if let Some(o) = out_json {
        o.write(give_json!(contact));
    }
    Ok(())
}

/// The contact with this `source_id`, in its JSON form (docs/schemas/Contact.json).
#[no_mangle]
pub extern "C" fn commbox_inbox_get_contact(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_get_contact", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(inbox.inner.get_contact(contact)?));
        Ok(())
    })
}

/// The contact, on an inbox with identity validation: Chatwoot checks the HMAC on this call
/// too, so the contact's `identifier` and `identifier_hash` (see
/// `commbox_chatwoot_identifier_hash`) are sent along. `*out_json` receives its JSON form.
#[no_mangle]
pub extern "C" fn commbox_inbox_get_verified_contact(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    identifier: *const c_char,
    identifier_hash: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_get_verified_contact", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let identifier = str_arg(identifier, "identifier")?;
        let hash = str_arg(identifier_hash, "identifier_hash")?;
        let out = out_arg(out_json, "out_json")?;
        let c = inbox
            .inner
            .get_verified_contact(contact, identifier, hash)?;
        out.write(give_json!(c));
        Ok(())
    })
}

/// Updates a contact (each field may be NULL: unchanged); `*out_json` receives its JSON
/// form, from the full contact model the server returns, which has no `source_id` and no
/// `pubsub_token` (both `null`).
#[no_mangle]
pub extern "C" fn commbox_inbox_update_contact(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    identifier: *const c_char,
    identifier_hash: *const c_char,
    email: *const c_char,
    name: *const c_char,
    phone_number: *const c_char,
    avatar_url: *const c_char,
    custom_attributes_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_update_contact", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let params = ContactStrings {
            identifier,
            identifier_hash,
            email,
            name,
            phone_number,
            avatar_url,
            custom_attributes_json,
        }
        .params()?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(inbox.inner.update_contact(contact, params)?));
        Ok(())
    })
}

/// Updates a contact from a request in the JSON form (see
/// `commbox_inbox_create_contact_from_json`; `source_id` is refused); `*out_json` receives
/// its JSON form as for `commbox_inbox_update_contact`.
#[no_mangle]
pub extern "C" fn commbox_inbox_update_contact_from_json(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    contact_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_update_contact_from_json", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let params = NewContact::from_json(str_arg(contact_json, "contact_json")?)?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(inbox.inner.update_contact(contact, params)?));
        Ok(())
    })
}

/// Opens a conversation for the contact; `custom_attributes_json` may be NULL. `*out_id`
/// receives its display id; `out_json` may be NULL, else it receives the conversation's JSON
/// form (docs/schemas/ChatwootConversation.json).
#[no_mangle]
pub extern "C" fn commbox_inbox_create_conversation(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    custom_attributes_json: *const c_char,
    out_id: *mut i64,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_create_conversation", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let attrs = match opt_str_arg(custom_attributes_json, "custom_attributes_json")? {
            Some(text) => match parse_json("custom_attributes_json", text)? {
                Value::Object(map) => Some(map),
                _ => {
                    return Err(Error::validation(
                        "custom_attributes_json",
                        "must be a JSON object",
                    )
                    .into())
                }
            },
            None => None,
        };
        let out_id = out_arg(out_id, "out_id")?;
        let out_json = opt_out_arg(out_json);
        let conv = inbox.inner.create_conversation(contact, attrs)?;
        out_id.write(conv.id);
        if let Some(o) = out_json {
            o.write(give_json!(conv));
        }
        Ok(())
    })
}

/// The contact's conversations as a JSON array of their JSON form
/// (docs/schemas/ChatwootConversation.json).
#[no_mangle]
pub extern "C" fn commbox_inbox_list_conversations(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_list_conversations", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(inbox.inner.list_conversations(contact)?));
        Ok(())
    })
}

/// One conversation with its messages, in its JSON form
/// (docs/schemas/ChatwootConversation.json: `{"id", "uuid", "inbox_id", "status",
/// "contact_last_seen_at", "agent_last_seen_at", "messages": [ChatwootMessage…], "contact",
/// "raw"}`).
#[no_mangle]
pub extern "C" fn commbox_inbox_get_conversation(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    conversation_id: i64,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_get_conversation", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let out = out_arg(out_json, "out_json")?;
        out.write(give_json!(inbox
            .inner
            .get_conversation(contact, conversation_id)?));
        Ok(())
    })
}

/// Resolves the conversation; `out_json` (may be NULL) receives its JSON form.
#[no_mangle]
pub extern "C" fn commbox_inbox_resolve_conversation(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    conversation_id: i64,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_resolve_conversation", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let out = opt_out_arg(out_json);
        let conv = inbox.inner.resolve_conversation(contact, conversation_id)?;
        if let Some(o) = out {
            o.write(give_json!(conv));
        }
        Ok(())
    })
}

/// Turns the contact's typing indicator on (true) or off.
#[no_mangle]
pub extern "C" fn commbox_inbox_set_typing(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    conversation_id: i64,
    typing: bool,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_set_typing", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        inbox.inner.set_typing(contact, conversation_id, typing)?;
        Ok(())
    })
}

/// Marks the conversation as seen by the contact now.
#[no_mangle]
pub extern "C" fn commbox_inbox_update_last_seen(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    conversation_id: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_update_last_seen", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        inbox.inner.update_last_seen(contact, conversation_id)?;
        Ok(())
    })
}

/// A new message with this text (may be "" when files are attached; at most 150 000
/// characters, checked when sent).
#[no_mangle]
pub extern "C" fn commbox_inbox_message_new(
    content: *const c_char,
    out: *mut *mut commbox_inbox_message,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_message_new", err, || {
        let content = str_arg(content, "content")?;
        boxed_message(out_arg(out, "out")?, NewInboxMessage::new(content));
        Ok(())
    })
}

fn boxed_message(out: crate::boundary::Out<*mut commbox_inbox_message>, inner: NewInboxMessage) {
    out.write(Box::into_raw(Box::new(commbox_inbox_message {
        inner: Slot::new(inner),
    })));
}

/// A new message from its JSON form (docs/schemas/NewInboxMessage.json: `{"content",
/// "echo_id", "attachments": [path or {"path", "name", "content_type"}]}`, every member
/// optional). Fails with `COMMBOX_STATUS_VALIDATION` naming the member by its JSON path
/// (`attachments[1]`, or `message` for text that is not a JSON object).
#[no_mangle]
pub extern "C" fn commbox_inbox_message_from_json(
    json: *const c_char,
    out: *mut *mut commbox_inbox_message,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_message_from_json", err, || {
        let message = NewInboxMessage::from_json(str_arg(json, "json")?)?;
        boxed_message(out_arg(out, "out")?, message);
        Ok(())
    })
}

/// Releases a message handle. NULL is ignored.
#[no_mangle]
pub extern "C" fn commbox_inbox_message_free(message: *mut commbox_inbox_message) {
    run_or((), || {
        if !message.is_null() {
            // SAFETY: made by Box::into_raw in commbox_inbox_message_new or _from_json; freed once.
            drop(unsafe { Box::from_raw(message) });
        }
    })
}

impl commbox_inbox_message {
    fn edit(&mut self, f: impl FnOnce(NewInboxMessage) -> NewInboxMessage) -> FfiResult {
        self.inner.edit(f)
    }
}

/// Sets `echo_id`, echoed on the contact's websocket (never in the HTTP answer).
#[no_mangle]
pub extern "C" fn commbox_inbox_message_set_echo_id(
    message: *mut commbox_inbox_message,
    echo_id: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_message_set_echo_id", err, || {
        let msg = mut_arg(message, "message")?;
        let echo = str_arg(echo_id, "echo_id")?;
        msg.edit(|m| m.echo_id(echo))
    })
}

/// Attaches the file at `path` (sent as `attachments[]`, streamed from disk; at most 15).
#[no_mangle]
pub extern "C" fn commbox_inbox_message_add_attachment_path(
    message: *mut commbox_inbox_message,
    path: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_message_add_attachment_path", err, || {
        let msg = mut_arg(message, "message")?;
        let path = str_arg(path, "path")?;
        msg.edit(|m| m.attachment(Attachment::from_path(path)))
    })
}

/// Attaches `len` bytes at `data` (copied) under `name`; `data` may be NULL when `len` is 0.
#[no_mangle]
pub extern "C" fn commbox_inbox_message_add_attachment_bytes(
    message: *mut commbox_inbox_message,
    data: *const u8,
    len: usize,
    name: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_message_add_attachment_bytes", err, || {
        let msg = mut_arg(message, "message")?;
        let bytes = bytes_arg(data, len, "data")?;
        let name = str_arg(name, "name")?;
        msg.edit(|m| m.attachment(Attachment::from_bytes(name, bytes.to_vec())))
    })
}

/// Posts the message from the contact. `*out_id` receives its id; `out_json` may be NULL,
/// else it receives the message's JSON form (docs/schemas/ChatwootMessage.json: `{"id",
/// "content", "message_type", "content_type", "content_attributes", "created_at",
/// "conversation_id", "attachments": [MessageAttachment…], "sender", "raw"}`).
#[no_mangle]
pub extern "C" fn commbox_inbox_create_message(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    conversation_id: i64,
    message: *const commbox_inbox_message,
    out_id: *mut i64,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_create_message", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let msg = ref_arg(message, "message")?;
        let out_id = out_arg(out_id, "out_id")?;
        let out_json = opt_out_arg(out_json);
        let created =
            inbox
                .inner
                .create_message(contact, conversation_id, msg.inner.get()?.clone())?;
        out_id.write(created.id);
        if let Some(o) = out_json {
            o.write(give_json!(created));
        }
        Ok(())
    })
}

/// Up to 20 messages, oldest first, as a JSON array of their JSON form
/// (docs/schemas/ChatwootMessage.json): the latest, or (when `before` > 0) those with ids
/// below `before`.
#[no_mangle]
pub extern "C" fn commbox_inbox_list_messages(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    conversation_id: i64,
    before: i64,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_list_messages", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let out = out_arg(out_json, "out_json")?;
        let before = (before != 0).then_some(before);
        out.write(give_json!(inbox.inner.list_messages(
            contact,
            conversation_id,
            before
        )?));
        Ok(())
    })
}

/// Answers a bot or CSAT message with `submitted_values_json` (an array or object);
/// `*out_json` receives the message's JSON form.
#[no_mangle]
pub extern "C" fn commbox_inbox_update_message(
    inbox: *const commbox_inbox,
    contact_identifier: *const c_char,
    conversation_id: i64,
    message_id: i64,
    submitted_values_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_inbox_update_message", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let contact = str_arg(contact_identifier, "contact_identifier")?;
        let values = parse_json(
            "submitted_values_json",
            str_arg(submitted_values_json, "submitted_values_json")?,
        )?;
        let out = out_arg(out_json, "out_json")?;
        let m = inbox
            .inner
            .update_message(contact, conversation_id, message_id, values)?;
        out.write(give_json!(m));
        Ok(())
    })
}

/// Computes the `identifier_hash` for `identifier` with the inbox's `hmac_token` (hex
/// HMAC-SHA256) into `*out_hash`; free it with `commbox_string_free`. Sends nothing.
#[no_mangle]
pub extern "C" fn commbox_chatwoot_identifier_hash(
    identifier: *const c_char,
    hmac_token: *const c_char,
    out_hash: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_chatwoot_identifier_hash", err, || {
        let identifier = str_arg(identifier, "identifier")?;
        let token = str_arg(hmac_token, "hmac_token")?;
        let out = out_arg(out_hash, "out_hash")?;
        out.write(give(&identifier_hash(identifier, token)));
        Ok(())
    })
}
