//! Builder handles for new conversations, one constructor per channel.

use crate::boundary::{
    bytes_arg, mut_arg, opt_str_arg, out_arg, ref_arg, run, run_or, str_arg, FfiResult, Slot,
};
use crate::error::{commbox_error, commbox_status};
use crate::strings::give;
use core_api::{
    Attachment, BulkSmsConversation, ChatConversation, EmailConversation, NewConversation,
    ObjectStatusType, ObjectType, SmsConversation, StreamProviderType, User,
    WhatsAppTemplateConversation,
};
use std::ffi::c_char;

/// A new conversation being built: made by one of the `commbox_conversation_new_*`
/// constructors, filled by the setters, sent by `commbox_create_conversation` (which does
/// not consume it: it can be sent again or changed), released by `commbox_conversation_free`.
///
/// Not thread-safe while it is being changed; once built it may be sent from several
/// threads at once. Setters copy their string arguments.
pub struct commbox_conversation {
    inner: Slot<NewConversation>,
}

impl commbox_conversation {
    pub(crate) fn get(&self) -> FfiResult<&NewConversation> {
        self.inner.get()
    }

    fn edit(&mut self, f: impl FnOnce(NewConversation) -> NewConversation) -> FfiResult {
        self.inner.edit(f)
    }

    /// The conversation for a change that may be refused (by channel: the core says which).
    fn change(&mut self) -> FfiResult<&mut NewConversation> {
        self.inner.get_mut()
    }
}

fn make(
    name: &'static str,
    out: *mut *mut commbox_conversation,
    err: *mut *mut commbox_error,
    build: impl FnOnce() -> FfiResult<NewConversation>,
) -> commbox_status {
    run(name, err, || {
        let out = out_arg(out, "out")?;
        let inner = build()?;
        out.write(Box::into_raw(Box::new(commbox_conversation {
            inner: Slot::new(inner),
        })));
        Ok(())
    })
}

/// Reads a new conversation from its JSON form, the one `commbox batch` reads and
/// docs/schemas/NewConversation.json describes, e.g.
/// `{"channel": "sms", "identity": "+972544444444", "message": "Hello", "status": "open"}`.
/// A document that is not a conversation (bad JSON, no or unknown `channel`, an unknown
/// field, a value of the wrong type) fails with `COMMBOX_STATUS_VALIDATION`, whose field is the
/// JSON path (`to[1]`, `user.email`). The values themselves are checked when it is sent, as
/// for the other constructors. On success `*out` owns a new handle, which the setters can
/// still change.
#[no_mangle]
pub extern "C" fn commbox_conversation_from_json(
    json: *const c_char,
    out: *mut *mut commbox_conversation,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_conversation_from_json", out, err, || {
        Ok(NewConversation::from_json(str_arg(json, "json")?)?)
    })
}

/// Starts an e-mail conversation. `identity` is the address it is filed under
/// (`UserStreamProviderId`; also the recipient unless `commbox_conversation_add_recipient`
/// adds others). All strings required. On success `*out` owns a new handle.
#[no_mangle]
pub extern "C" fn commbox_conversation_new_email(
    identity: *const c_char,
    subject: *const c_char,
    message: *const c_char,
    out: *mut *mut commbox_conversation,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_conversation_new_email", out, err, || {
        let identity = str_arg(identity, "identity")?;
        let subject = str_arg(subject, "subject")?;
        let message = str_arg(message, "message")?;
        Ok(EmailConversation::new(identity, subject, message).into())
    })
}

/// Starts an SMS conversation with the customer at `phone` (digits with country code; a
/// leading '+' is removed).
#[no_mangle]
pub extern "C" fn commbox_conversation_new_sms(
    phone: *const c_char,
    message: *const c_char,
    out: *mut *mut commbox_conversation,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_conversation_new_sms", out, err, || {
        let phone = str_arg(phone, "phone")?;
        let message = str_arg(message, "message")?;
        Ok(SmsConversation::new(phone, message).into())
    })
}

/// Starts one SMS to several recipients (`sendToClient`, `Content.to`), filed under
/// `phone`. Add recipients with `commbox_conversation_add_recipient` (at least one).
#[no_mangle]
pub extern "C" fn commbox_conversation_new_bulk_sms(
    phone: *const c_char,
    message: *const c_char,
    out: *mut *mut commbox_conversation,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_conversation_new_bulk_sms", out, err, || {
        let phone = str_arg(phone, "phone")?;
        let message = str_arg(message, "message")?;
        Ok(BulkSmsConversation::new(phone, message).into())
    })
}

/// Starts a WhatsApp conversation with the approved template `template_name`, to the
/// customer at `phone` (also the recipient unless others are added).
#[no_mangle]
pub extern "C" fn commbox_conversation_new_whatsapp_template(
    phone: *const c_char,
    template_name: *const c_char,
    message: *const c_char,
    out: *mut *mut commbox_conversation,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make(
        "commbox_conversation_new_whatsapp_template",
        out,
        err,
        || {
            let phone = str_arg(phone, "phone")?;
            let template = str_arg(template_name, "template_name")?;
            let message = str_arg(message, "message")?;
            Ok(WhatsAppTemplateConversation::new(phone, template, message).into())
        },
    )
}

/// Starts a chat conversation with the customer `identity` (phone number or e-mail address;
/// an '@' makes it e-mail).
#[no_mangle]
pub extern "C" fn commbox_conversation_new_chat(
    identity: *const c_char,
    message: *const c_char,
    out: *mut *mut commbox_conversation,
    err: *mut *mut commbox_error,
) -> commbox_status {
    make("commbox_conversation_new_chat", out, err, || {
        let identity = str_arg(identity, "identity")?;
        let message = str_arg(message, "message")?;
        Ok(ChatConversation::new(identity, message).into())
    })
}

/// Releases a conversation handle. NULL is ignored.
#[no_mangle]
pub extern "C" fn commbox_conversation_free(conversation: *mut commbox_conversation) {
    run_or((), || {
        if !conversation.is_null() {
            // SAFETY: made by Box::into_raw in `make`; freed once by the caller.
            drop(unsafe { Box::from_raw(conversation) });
        }
    })
}

/// Applies an integer setter (the shared body of the `commbox_conversation_set_*` calls
/// below, written out one by one because cbindgen does not expand macros).
fn set_int(
    function: &'static str,
    conversation: *mut commbox_conversation,
    err: *mut *mut commbox_error,
    apply: impl FnOnce(NewConversation) -> NewConversation,
) -> commbox_status {
    run(function, err, || {
        mut_arg(conversation, "conversation")?.edit(apply)
    })
}

/// Initial status (`StatusId`, ObjectStatusType: 1 open, 2 resolved, 13 sent, …). All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_status(
    conversation: *mut commbox_conversation,
    status: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    let v = status;
    set_int("commbox_conversation_set_status", conversation, err, |c| {
        c.status(ObjectStatusType(v))
    })
}

/// The agent it is sent from (`ManagerId`). All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_manager_id(
    conversation: *mut commbox_conversation,
    manager_id: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    let v = manager_id;
    set_int(
        "commbox_conversation_set_manager_id",
        conversation,
        err,
        |c| c.manager_id(v),
    )
}

/// CommBox's number for the user (`UserIdentity`). All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_user_identity(
    conversation: *mut commbox_conversation,
    user_identity: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    let v = user_identity;
    set_int(
        "commbox_conversation_set_user_identity",
        conversation,
        err,
        |c| c.user_identity(v),
    )
}

/// The sub-channel (`SubStreamId`). All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_sub_stream_id(
    conversation: *mut commbox_conversation,
    sub_stream_id: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    let v = sub_stream_id;
    set_int(
        "commbox_conversation_set_sub_stream_id",
        conversation,
        err,
        |c| c.sub_stream_id(v),
    )
}

/// Overrides the channel's `Type` (ObjectType). All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_object_type(
    conversation: *mut commbox_conversation,
    object_type: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    let v = object_type;
    set_int(
        "commbox_conversation_set_object_type",
        conversation,
        err,
        |c| c.object_type(ObjectType(v)),
    )
}

/// Overrides the channel's `StreamProviderType`. All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_stream_provider_type(
    conversation: *mut commbox_conversation,
    stream_provider_type: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    let v = stream_provider_type;
    set_int(
        "commbox_conversation_set_stream_provider_type",
        conversation,
        err,
        |c| c.stream_provider_type(StreamProviderType(v)),
    )
}

/// Overrides the identity's type (`UserStreamProviderType`: 4 e-mail, 5 phone, 7
/// WhatsApp); phone types make the identity a phone number. All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_identity_type(
    conversation: *mut commbox_conversation,
    identity_type: i64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    let v = identity_type;
    set_int(
        "commbox_conversation_set_identity_type",
        conversation,
        err,
        |c| c.identity_type(StreamProviderType(v)),
    )
}

/// The provider's id of the original conversation (`StreamProviderId`). All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_stream_provider_id(
    conversation: *mut commbox_conversation,
    stream_provider_id: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_set_stream_provider_id", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let id = str_arg(stream_provider_id, "stream_provider_id")?;
        conv.edit(|c| c.stream_provider_id(id))
    })
}

/// The customer record (`User`). Each string may be NULL (not sent). `email` is checked
/// when the conversation is sent; `phone1` is sent as given. All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_user(
    conversation: *mut commbox_conversation,
    unique_id: *const c_char,
    first_name: *const c_char,
    last_name: *const c_char,
    phone1: *const c_char,
    email: *const c_char,
    remarks: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_set_user", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let fields = [
            opt_str_arg(unique_id, "unique_id")?,
            opt_str_arg(first_name, "first_name")?,
            opt_str_arg(last_name, "last_name")?,
            opt_str_arg(phone1, "phone1")?,
            opt_str_arg(email, "email")?,
            opt_str_arg(remarks, "remarks")?,
        ];
        let setters: [fn(User, &str) -> User; 6] = [
            |u, v| u.unique_id(v),
            |u, v| u.first_name(v),
            |u, v| u.last_name(v),
            |u, v| u.phone1(v),
            |u, v| u.email(v),
            |u, v| u.remarks(v),
        ];
        let user = fields
            .iter()
            .zip(setters)
            .fold(User::new(), |u, (v, set)| match v {
                Some(v) => set(u, v),
                None => u,
            });
        conv.edit(|c| c.user(user))
    })
}

/// Attaches the file at `path`: checked when sent (exists, regular file, readable) and
/// streamed from disk. Its name and MIME type come from the path. All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_add_attachment_path(
    conversation: *mut commbox_conversation,
    path: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_add_attachment_path", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let path = str_arg(path, "path")?;
        conv.edit(|c| c.attachment(Attachment::from_path(path)))
    })
}

/// Attaches `len` bytes at `data` (copied) under the file name `name` (its extension gives
/// the MIME type). `data` may be NULL only when `len` is 0. All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_add_attachment_bytes(
    conversation: *mut commbox_conversation,
    data: *const u8,
    len: usize,
    name: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_add_attachment_bytes", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let bytes = bytes_arg(data, len, "data")?;
        let name = str_arg(name, "name")?;
        conv.edit(|c| c.attachment(Attachment::from_bytes(name, bytes.to_vec())))
    })
}

/// Sets any other top-level field to a JSON value (`"3"`, `"\"text\""`, `"{...}"`), for
/// fields this version does not model. Fails with `COMMBOX_STATUS_VALIDATION` if `json`
/// is not JSON. All channels.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_field_json(
    conversation: *mut commbox_conversation,
    name: *const c_char,
    json: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_set_field_json", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let name = str_arg(name, "name")?;
        let value = crate::calls::parse_json(name, str_arg(json, "json")?)?;
        conv.edit(|c| c.field(name, value))
    })
}

/// Adds a recipient: e-mail (`to`, with an optional display `name`), bulk SMS and WhatsApp
/// (a phone number; `name` must be NULL).
#[no_mangle]
pub extern "C" fn commbox_conversation_add_recipient(
    conversation: *mut commbox_conversation,
    address: *const c_char,
    name: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_add_recipient", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let address = str_arg(address, "address")?;
        let name = opt_str_arg(name, "name")?;
        Ok(conv.change()?.add_recipient(address, name)?)
    })
}

fn add_copy(
    function: &'static str,
    conversation: *mut commbox_conversation,
    address: *const c_char,
    name: *const c_char,
    err: *mut *mut commbox_error,
    blind: bool,
) -> commbox_status {
    run(function, err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let address = str_arg(address, "address")?;
        let name = opt_str_arg(name, "name")?;
        Ok(conv.change()?.add_copy(address, name, blind)?)
    })
}

/// Adds a `cc` recipient with an optional display `name` (may be NULL). E-mail only.
#[no_mangle]
pub extern "C" fn commbox_conversation_add_cc(
    conversation: *mut commbox_conversation,
    address: *const c_char,
    name: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    add_copy(
        "commbox_conversation_add_cc",
        conversation,
        address,
        name,
        err,
        false,
    )
}

/// Adds a `bcc` recipient with an optional display `name` (may be NULL). E-mail only.
#[no_mangle]
pub extern "C" fn commbox_conversation_add_bcc(
    conversation: *mut commbox_conversation,
    address: *const c_char,
    name: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    add_copy(
        "commbox_conversation_add_bcc",
        conversation,
        address,
        name,
        err,
        true,
    )
}

/// Attaches a file the server downloads from `url` (`Content.attachments`) under `name`.
/// E-mail only.
#[no_mangle]
pub extern "C" fn commbox_conversation_add_attachment_url(
    conversation: *mut commbox_conversation,
    url: *const c_char,
    name: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_add_attachment_url", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let url = str_arg(url, "url")?;
        let name = str_arg(name, "name")?;
        Ok(conv.change()?.add_attachment_url(url, name)?)
    })
}

/// Adds the next template parameter (`whatsapp_localizable_params`). WhatsApp only.
#[no_mangle]
pub extern "C" fn commbox_conversation_add_template_param(
    conversation: *mut commbox_conversation,
    value: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_add_template_param", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let value = str_arg(value, "value")?;
        Ok(conv.change()?.add_template_param(value)?)
    })
}

/// Sets the template's language (`whatsapp_language_code`, e.g. "en"). WhatsApp only.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_template_language(
    conversation: *mut commbox_conversation,
    language_code: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_set_template_language", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        let code = str_arg(language_code, "language_code")?;
        Ok(conv.change()?.set_template_language(code)?)
    })
}

/// Sets `sendToClient` (default true: send without saving). Bulk SMS only.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_send_to_client(
    conversation: *mut commbox_conversation,
    send_to_client: bool,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_set_send_to_client", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        Ok(conv.change()?.set_send_to_client(send_to_client)?)
    })
}

/// Sets `createChildObject` (default true: the message is also stored as the first
/// message). Chat only.
#[no_mangle]
pub extern "C" fn commbox_conversation_set_create_child_object(
    conversation: *mut commbox_conversation,
    create_child_object: bool,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_set_create_child_object", err, || {
        let conv = mut_arg(conversation, "conversation")?;
        Ok(conv
            .change()?
            .set_create_child_object(create_child_object)?)
    })
}

/// Validates the conversation and writes the JSON object that would be sent (without the
/// `data` wrapper) to `*out_json`; free it with `commbox_string_free`. Sends nothing.
#[no_mangle]
pub extern "C" fn commbox_conversation_to_json(
    conversation: *const commbox_conversation,
    out_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_conversation_to_json", err, || {
        let conv = ref_arg(conversation, "conversation")?;
        let out = out_arg(out_json, "out_json")?;
        let json = conv.get()?.to_json()?;
        out.write(give(&json.to_string()));
        Ok(())
    })
}
