//! The C ABI's entry points that take strings and buffers, called the way a C program can
//! call them: any bytes (invalid UTF-8; a string ends at its first NUL, as in C), NULL for
//! any pointer, any length, in any order on the same handles.
//!
//! After every call: the status is never PANIC (a caught panic is a bug), NULL_ARGUMENT and
//! INVALID_UTF8 only come from a NULL or non-UTF-8 argument, an error object comes with
//! every failure and only with failures, every string it holds is NUL-terminated UTF-8,
//! and no error field contains the API key.
//!
//! Calls that would send go to a fixed client whose base URL is 127.0.0.1:1 (nothing
//! listens there: connection refused), so the fuzzer never reaches another host; configs and
//! inbox handles made from fuzzed URLs are checked and freed, never used to send.
//! Attachment paths are files in a scratch directory (a '/' in the name becomes '_').
//! Received webhook bodies (CommBox and Chatwoot) go through the parse and verify calls.
#![no_main]

use commbox_ffi::*;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::OnceLock;

/// The key of the fixed client; no error may contain it.
const KEY: &str = "fuzz-secret-key-7f3a9c";

#[derive(Arbitrary, Debug)]
enum Text {
    Null,
    Bytes(Vec<u8>),
}

/// A C string argument and what the library may say about it.
struct Arg {
    c: Option<CString>,
    null: bool,
    bad_utf8: bool,
}

impl Arg {
    fn new(t: &Text) -> Arg {
        match t {
            Text::Null => Arg {
                c: None,
                null: true,
                bad_utf8: false,
            },
            Text::Bytes(b) => {
                // A C string ends at its first NUL.
                let end = b.iter().position(|&x| x == 0).unwrap_or(b.len());
                let bytes = b[..end].to_vec();
                let bad_utf8 = std::str::from_utf8(&bytes).is_err();
                Arg {
                    c: Some(CString::new(bytes).expect("no NUL before `end`")),
                    null: false,
                    bad_utf8,
                }
            }
        }
    }

    /// A file in the scratch directory: its path, then the bytes with '/' replaced.
    fn path(t: &Text) -> Arg {
        match t {
            Text::Bytes(b) => {
                let mut path = fixed().scratch.clone();
                path.extend(b.iter().map(|&x| if x == b'/' { b'_' } else { x }));
                Arg::new(&Text::Bytes(path))
            }
            Text::Null => Arg::new(t),
        }
    }

    /// The same argument where NULL is allowed: only its bytes can be refused.
    fn optional(&self) -> Arg {
        Arg {
            c: None,
            null: false,
            bad_utf8: self.bad_utf8,
        }
    }

    fn ptr(&self) -> *const c_char {
        self.c.as_ref().map_or(ptr::null(), |c| c.as_ptr())
    }
}

#[derive(Arbitrary, Debug)]
enum Channel {
    /// E-mail (true) or WhatsApp template: three strings.
    Three(bool, Text, Text, Text),
    /// SMS, bulk SMS or chat (by the number modulo 3): two strings.
    Two(u8, Text, Text),
}

/// The three builders that take attachments.
#[derive(Arbitrary, Debug)]
enum Builder {
    Conversation,
    Message,
    InboxMessage,
}

#[derive(Arbitrary, Debug)]
enum Op {
    // A config and a client from fuzzed settings (never used to send).
    ConfigKey(Text),
    /// base URL, User-Agent suffix, proxy (by the number modulo 3).
    ConfigText(u8, Text),
    ConfigInsecure(bool),
    ConfigTimeouts(u64, u64),
    ConfigRetries(u32),
    ClientNew,
    InboxNew(Text),
    ClientInbox(Text, Text),
    // Conversation builders.
    NewConversation(Channel),
    ConversationInt(u8, i64),
    /// stream_provider_id, template param, template language (by the number modulo 3).
    ConversationText(u8, Text),
    User([Text; 6]),
    AttachmentPath(Builder, Text),
    AttachmentBytes(Builder, Option<Vec<u8>>, Text),
    FieldJson(bool, Text, Text),
    Recipient(Text, Text),
    Cc(Text, Text),
    Bcc(Text, Text),
    AttachmentUrl(Text, Text),
    /// `sendToClient` (true) or `createChildObject` (false).
    ConversationFlag(bool, bool),
    ConversationToJson,
    // Message builders.
    NewCustomerMessage(Text, Text),
    NewAgentMessage(i64, Text, Text),
    MessageInt(bool, i64),
    MessageBase64(bool),
    MessageToJson,
    // Chatwoot message builder and the HMAC helper.
    NewInboxMessage(Text),
    EchoId(Text),
    IdentifierHash(Text, Text),
    /// A received CommBox delivery (None: NULL with a length) and its content type (NULL: none).
    CommboxEventParse(Option<Vec<u8>>, Text),
    /// A received Chatwoot delivery: the secret, header (name, value) pairs, the body, and a
    /// tolerance in seconds (None: the default).
    ChatwootWebhookVerify(Text, Vec<(Text, Text)>, Option<Vec<u8>>, Option<u64>),
    /// A Chatwoot webhook body, parsed without verification.
    ChatwootEventParse(Option<Vec<u8>>),
    // Calls on the fixed loopback client: validation, then connection refused.
    CreateConversation(Text),
    CreateConversationJson(Text, Text),
    CreateMessage(Text, i64),
    CreateMessageJson(Text, i64, Text),
    GetConversation(Text, i64),
    RawRequest(Text, Text, Text),
    CreateContact([Text; 8]),
    GetContact(Text),
    VerifiedContact(Text, Text, Text),
    InboxCreateConversation(Text, Text),
    InboxCreateMessage(Text, i64),
    ListMessages(Text, i64, i64),
    UpdateMessage(Text, i64, i64, Text),
    StatusName(i32),
}

/// The handles one input works on.
struct State {
    config: *mut commbox_client_config,
    conversation: *mut commbox_conversation,
    message: *mut commbox_message,
    inbox_message: *mut commbox_inbox_message,
}

impl Drop for State {
    fn drop(&mut self) {
        commbox_client_config_free(self.config);
        commbox_conversation_free(self.conversation);
        commbox_message_free(self.message);
        commbox_inbox_message_free(self.inbox_message);
    }
}

struct Fixed {
    client: *mut commbox_client,
    inbox: *mut commbox_inbox,
    /// The scratch directory, as bytes ending in '/'.
    scratch: Vec<u8>,
}

// SAFETY: the header states that clients and inbox handles are thread-safe; these two are
// made once and never freed.
unsafe impl Send for Fixed {}
// SAFETY: as above.
unsafe impl Sync for Fixed {}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        // Environment proxies would send the loopback calls elsewhere.
        for var in [
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "ALL_PROXY",
            "https_proxy",
            "http_proxy",
        ] {
            std::env::remove_var(var);
        }
        // Attachments name files here: an empty file, a small one, a directory.
        let dir = tempfile::tempdir().expect("scratch dir").keep();
        std::fs::write(dir.join("empty.txt"), b"").expect("scratch file");
        std::fs::write(dir.join("a.pdf"), b"%PDF-1.4 fuzz").expect("scratch file");
        std::fs::create_dir(dir.join("dir")).expect("scratch dir");
        let mut scratch = dir.into_os_string().into_encoded_bytes();
        scratch.push(b'/');

        let config = commbox_client_config_new();
        let key = CString::new(KEY).unwrap();
        let base = CString::new("http://127.0.0.1:1").unwrap();
        let mut err = ptr::null_mut();
        assert_ok(commbox_client_config_set_api_key(
            config,
            key.as_ptr(),
            &mut err,
        ));
        assert_ok(commbox_client_config_set_base_url(
            config,
            base.as_ptr(),
            &mut err,
        ));
        assert_ok(commbox_client_config_set_max_retries(config, 0, &mut err));
        assert_ok(commbox_client_config_set_connect_timeout_ms(
            config, 500, &mut err,
        ));
        assert_ok(commbox_client_config_set_timeout_ms(config, 1000, &mut err));
        let mut client = ptr::null_mut();
        assert_ok(commbox_client_new(config, &mut client, &mut err));
        let inbox_id = CString::new("fuzz-inbox").unwrap();
        let mut inbox = ptr::null_mut();
        assert_ok(commbox_inbox_new(
            config,
            inbox_id.as_ptr(),
            &mut inbox,
            &mut err,
        ));
        commbox_client_config_free(config);
        Fixed {
            client,
            inbox,
            scratch,
        }
    })
}

fn assert_ok(status: commbox_status) {
    assert_eq!(status, commbox_status::COMMBOX_STATUS_OK);
}

/// A string the library returned (or NULL): NUL-terminated UTF-8 without the key.
fn checked(p: *const c_char, what: &str) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the library returns NUL-terminated strings that live as long as their owner,
    // which the caller still holds.
    let s = unsafe { CStr::from_ptr(p) };
    let s = s
        .to_str()
        .unwrap_or_else(|_| panic!("{what} is not UTF-8: {s:?}"))
        .to_owned();
    assert!(!s.contains(KEY), "{what} contains the API key: {s}");
    Some(s)
}

/// Checks one call's outcome against its arguments and releases the error.
fn check(status: commbox_status, err: *mut commbox_error, args: &[&Arg], secret: Option<&[u8]>) {
    use commbox_status::*;
    assert_ne!(
        status,
        COMMBOX_STATUS_PANIC,
        "{:?}",
        checked(commbox_error_message(err), "message")
    );
    if status == COMMBOX_STATUS_OK {
        assert!(err.is_null(), "an error object after success");
        return;
    }
    assert!(!err.is_null(), "status {status:?} without an error object");
    assert_eq!(commbox_error_status(err), status);
    if status == COMMBOX_STATUS_NULL_ARGUMENT {
        assert!(
            args.iter().any(|a| a.null),
            "NULL_ARGUMENT without a NULL string"
        );
    }
    if status == COMMBOX_STATUS_INVALID_UTF8 {
        assert!(
            args.iter().any(|a| a.bad_utf8),
            "INVALID_UTF8 for UTF-8 strings"
        );
    }
    let message = checked(commbox_error_message(err), "message").expect("a message");
    assert!(!message.is_empty());
    let mut texts = vec![message];
    texts.extend(checked(commbox_error_field(err), "field"));
    texts.extend(checked(commbox_error_description(err), "description"));
    texts.extend(checked(commbox_error_body(err), "body"));
    texts.extend(checked(commbox_error_request_id(err), "request_id"));
    let _ = commbox_error_http_status(err);
    let retry_after = commbox_error_retry_after(err);
    assert!(
        retry_after == -1.0 || retry_after >= 0.0,
        "retry_after {retry_after}"
    );
    checked(commbox_status_name(status), "status name").expect("a name");
    // A fuzzed key long enough not to occur in a message by chance never shows either.
    if let Some(key) = secret.and_then(|k| std::str::from_utf8(k).ok()) {
        if key.trim().len() >= 12 {
            for t in &texts {
                assert!(!t.contains(key), "an error shows the key {key:?}: {t}");
            }
        }
    }
    commbox_error_free(err);
}

/// A JSON result: UTF-8, parses, freed.
fn take_json(status: commbox_status, out: *mut c_char) {
    if status == commbox_status::COMMBOX_STATUS_OK {
        let s = checked(out, "out_json").expect("written on success");
        serde_json::from_str::<serde_json::Value>(&s).expect("out_json is JSON");
    } else {
        assert!(out.is_null(), "out_json written on failure");
    }
    commbox_string_free(out);
}

fn bytes(data: &Option<Vec<u8>>) -> (*const u8, usize) {
    match data {
        Some(d) => (d.as_ptr(), d.len()),
        // NULL with a length: the library must refuse it, not read it.
        None => (ptr::null(), 3),
    }
}

fn run(state: &mut State, op: &Op) {
    let f = fixed();
    let mut err: *mut commbox_error = ptr::null_mut();
    // Every access goes through `e`, as the library's do.
    let e = ptr::addr_of_mut!(err);
    macro_rules! call {
        ($status:expr, [$($arg:expr),*]) => {{
            let status = $status;
            check(status, take_err(e), &[$(&$arg),*], None);
            status
        }};
    }
    match op {
        Op::ConfigKey(t) => {
            let a = Arg::new(t);
            call!(
                commbox_client_config_set_api_key(state.config, a.ptr(), e),
                [a]
            );
            // The key must not come back in the error that building a client may give.
            let mut client = ptr::null_mut();
            let status = commbox_client_new(state.config, &mut client, e);
            let secret = a.c.as_ref().map(|c| c.as_bytes());
            check(status, take_err(e), &[], secret);
            commbox_client_free(client);
        }
        Op::ConfigText(which, t) => {
            let a = Arg::new(t);
            let setter = match which % 3 {
                0 => commbox_client_config_set_base_url,
                1 => commbox_client_config_set_user_agent_suffix,
                _ => commbox_client_config_set_proxy,
            };
            call!(setter(state.config, a.ptr(), e), [a]);
        }
        Op::ConfigInsecure(b) => {
            call!(
                commbox_client_config_set_allow_insecure_http(state.config, *b, e),
                []
            );
        }
        Op::ConfigTimeouts(total, connect) => {
            call!(
                commbox_client_config_set_timeout_ms(state.config, *total, e),
                []
            );
            call!(
                commbox_client_config_set_connect_timeout_ms(state.config, *connect, e),
                []
            );
        }
        Op::ConfigRetries(n) => {
            call!(
                commbox_client_config_set_max_retries(state.config, *n, e),
                []
            );
        }
        Op::ClientNew => {
            let mut client = ptr::null_mut();
            call!(commbox_client_new(state.config, &mut client, e), []);
            commbox_client_free(client);
        }
        Op::InboxNew(t) => {
            let a = Arg::new(t);
            let mut inbox = ptr::null_mut();
            call!(commbox_inbox_new(state.config, a.ptr(), &mut inbox, e), [a]);
            commbox_inbox_free(inbox);
        }
        Op::ClientInbox(base, id) => {
            let (b, i) = (Arg::new(base), Arg::new(id));
            let mut inbox = ptr::null_mut();
            call!(
                commbox_client_inbox(f.client, b.ptr(), i.ptr(), &mut inbox, e),
                [b, i]
            );
            commbox_inbox_free(inbox);
        }
        Op::NewConversation(channel) => {
            let mut out = ptr::null_mut();
            let o = &mut out as *mut *mut commbox_conversation;
            let status = match channel {
                Channel::Three(email, x, y, z) => {
                    let (x, y, z) = (Arg::new(x), Arg::new(y), Arg::new(z));
                    let new = if *email {
                        commbox_conversation_new_email
                    } else {
                        commbox_conversation_new_whatsapp_template
                    };
                    call!(new(x.ptr(), y.ptr(), z.ptr(), o, e), [x, y, z])
                }
                Channel::Two(which, x, y) => {
                    let (x, y) = (Arg::new(x), Arg::new(y));
                    let new = match which % 3 {
                        0 => commbox_conversation_new_sms,
                        1 => commbox_conversation_new_bulk_sms,
                        _ => commbox_conversation_new_chat,
                    };
                    call!(new(x.ptr(), y.ptr(), o, e), [x, y])
                }
            };
            if status == commbox_status::COMMBOX_STATUS_OK {
                commbox_conversation_free(state.conversation);
                state.conversation = out;
            } else {
                assert!(out.is_null(), "out written on failure");
            }
        }
        Op::ConversationInt(which, v) => {
            let c = state.conversation;
            let setter = match which % 7 {
                0 => commbox_conversation_set_status,
                1 => commbox_conversation_set_manager_id,
                2 => commbox_conversation_set_user_identity,
                3 => commbox_conversation_set_sub_stream_id,
                4 => commbox_conversation_set_object_type,
                5 => commbox_conversation_set_stream_provider_type,
                _ => commbox_conversation_set_identity_type,
            };
            // NULL handle before the first conversation: NULL_ARGUMENT, checked below.
            let null = Arg {
                c: None,
                null: c.is_null(),
                bad_utf8: false,
            };
            call!(setter(c, *v, e), [null]);
        }
        Op::ConversationText(which, t) => {
            let a = Arg::new(t);
            let h = handle(state.conversation);
            let setter = match which % 3 {
                0 => commbox_conversation_set_stream_provider_id,
                1 => commbox_conversation_add_template_param,
                _ => commbox_conversation_set_template_language,
            };
            call!(setter(state.conversation, a.ptr(), e), [a, h]);
        }
        Op::User(fields) => {
            let a: Vec<Arg> = fields.iter().map(Arg::new).collect();
            let h = handle(state.conversation);
            // Every string may be NULL here; none is required.
            let status = commbox_conversation_set_user(
                state.conversation,
                a[0].ptr(),
                a[1].ptr(),
                a[2].ptr(),
                a[3].ptr(),
                a[4].ptr(),
                a[5].ptr(),
                e,
            );
            let optional: Vec<Arg> = a.iter().map(|x| x.optional()).collect();
            let mut refs: Vec<&Arg> = optional.iter().collect();
            refs.push(&h);
            check(status, take_err(e), &refs, None);
        }
        Op::AttachmentPath(builder, t) => {
            let a = Arg::path(t);
            let (status, h) = match builder {
                Builder::Conversation => (
                    commbox_conversation_add_attachment_path(state.conversation, a.ptr(), e),
                    handle(state.conversation),
                ),
                Builder::Message => (
                    commbox_message_add_attachment_path(state.message, a.ptr(), e),
                    handle(state.message),
                ),
                Builder::InboxMessage => (
                    commbox_inbox_message_add_attachment_path(state.inbox_message, a.ptr(), e),
                    handle(state.inbox_message),
                ),
            };
            check(status, take_err(e), &[&a, &h], None);
        }
        Op::AttachmentBytes(builder, data, name) => {
            let n = Arg::new(name);
            let (p, len) = bytes(data);
            let d = null_if(data.is_none());
            let (status, h) = match builder {
                Builder::Conversation => (
                    commbox_conversation_add_attachment_bytes(
                        state.conversation,
                        p,
                        len,
                        n.ptr(),
                        e,
                    ),
                    handle(state.conversation),
                ),
                Builder::Message => (
                    commbox_message_add_attachment_bytes(state.message, p, len, n.ptr(), e),
                    handle(state.message),
                ),
                Builder::InboxMessage => (
                    commbox_inbox_message_add_attachment_bytes(
                        state.inbox_message,
                        p,
                        len,
                        n.ptr(),
                        e,
                    ),
                    handle(state.inbox_message),
                ),
            };
            check(status, take_err(e), &[&n, &h, &d], None);
        }
        Op::FieldJson(conversation, name, json) => {
            let (n, j) = (Arg::new(name), Arg::new(json));
            let (status, h) = if *conversation {
                (
                    commbox_conversation_set_field_json(state.conversation, n.ptr(), j.ptr(), e),
                    handle(state.conversation),
                )
            } else {
                (
                    commbox_message_set_field_json(state.message, n.ptr(), j.ptr(), e),
                    handle(state.message),
                )
            };
            check(status, take_err(e), &[&n, &j, &h], None);
        }
        Op::Recipient(addr, name) | Op::Cc(addr, name) | Op::Bcc(addr, name) => {
            let (a, n) = (Arg::new(addr), Arg::new(name));
            let n_optional = n.optional();
            let h = handle(state.conversation);
            let add = match op {
                Op::Recipient(..) => commbox_conversation_add_recipient,
                Op::Cc(..) => commbox_conversation_add_cc,
                _ => commbox_conversation_add_bcc,
            };
            call!(
                add(state.conversation, a.ptr(), n.ptr(), e),
                [a, n_optional, h]
            );
        }
        Op::AttachmentUrl(url, name) => {
            let (u, n) = (Arg::new(url), Arg::new(name));
            let h = handle(state.conversation);
            call!(
                commbox_conversation_add_attachment_url(state.conversation, u.ptr(), n.ptr(), e),
                [u, n, h]
            );
        }
        Op::ConversationFlag(send_to_client, value) => {
            let h = handle(state.conversation);
            let setter = if *send_to_client {
                commbox_conversation_set_send_to_client
            } else {
                commbox_conversation_set_create_child_object
            };
            call!(setter(state.conversation, *value, e), [h]);
        }
        Op::ConversationToJson => {
            let h = handle(state.conversation);
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_conversation_to_json(state.conversation, &mut out, e),
                [h]
            );
            take_json(status, out);
        }
        Op::NewCustomerMessage(identity, text) => {
            let (i, t) = (Arg::new(identity), Arg::new(text));
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_message_new_customer(i.ptr(), t.ptr(), &mut out, e),
                [i, t]
            );
            replace_message(state, status, out);
        }
        Op::NewAgentMessage(user, identity, text) => {
            let (i, t) = (Arg::new(identity), Arg::new(text));
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_message_new_agent(*user, i.ptr(), t.ptr(), &mut out, e),
                [i, t]
            );
            replace_message(state, status, out);
        }
        Op::MessageInt(identity, v) => {
            let h = handle(state.message);
            let setter = if *identity {
                commbox_message_set_identity_type
            } else {
                commbox_message_set_object_type
            };
            call!(setter(state.message, *v, e), [h]);
        }
        Op::MessageBase64(b) => {
            let h = handle(state.message);
            call!(
                commbox_message_set_attachments_base64(state.message, *b, e),
                [h]
            );
        }
        Op::MessageToJson => {
            let h = handle(state.message);
            let mut out = ptr::null_mut();
            let status = call!(commbox_message_to_json(state.message, &mut out, e), [h]);
            take_json(status, out);
        }
        Op::NewInboxMessage(t) => {
            let a = Arg::new(t);
            let mut out = ptr::null_mut();
            let status = call!(commbox_inbox_message_new(a.ptr(), &mut out, e), [a]);
            if status == commbox_status::COMMBOX_STATUS_OK {
                commbox_inbox_message_free(state.inbox_message);
                state.inbox_message = out;
            }
        }
        Op::EchoId(t) => {
            let a = Arg::new(t);
            let h = handle(state.inbox_message);
            call!(
                commbox_inbox_message_set_echo_id(state.inbox_message, a.ptr(), e),
                [a, h]
            );
        }
        Op::IdentifierHash(id, token) => {
            let (i, t) = (Arg::new(id), Arg::new(token));
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_chatwoot_identifier_hash(i.ptr(), t.ptr(), &mut out, e),
                [i, t]
            );
            if status == commbox_status::COMMBOX_STATUS_OK {
                let hash = checked(out, "identifier_hash").expect("written on success");
                assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
            }
            commbox_string_free(out);
        }
        Op::CommboxEventParse(body, content_type) => {
            let c = Arg::new(content_type);
            let (p, len) = bytes(body);
            let d = null_if(body.is_none());
            let mut out = ptr::null_mut();
            let status = commbox_commbox_event_parse(p, len, c.ptr(), &mut out, e);
            // A NULL content type means "none": only the body can be a NULL argument; the
            // content type can be invalid UTF-8.
            let c_text = Arg {
                c: None,
                null: false,
                bad_utf8: c.bad_utf8,
            };
            check(status, take_err(e), &[&d, &c_text], None);
            take_json(status, out);
        }
        Op::ChatwootWebhookVerify(secret, headers, body, tolerance) => {
            let s = Arg::new(secret);
            let pairs: Vec<(Arg, Arg)> = headers
                .iter()
                .take(8)
                .map(|(n, v)| (Arg::new(n), Arg::new(v)))
                .collect();
            let names: Vec<*const c_char> = pairs.iter().map(|(n, _)| n.ptr()).collect();
            let values: Vec<*const c_char> = pairs.iter().map(|(_, v)| v.ptr()).collect();
            let (p, len) = bytes(body);
            let d = null_if(body.is_none());
            let mut out = ptr::null_mut();
            let (n, v, count) = (names.as_ptr(), values.as_ptr(), names.len());
            let status = match tolerance {
                None => commbox_chatwoot_webhook_verify(s.ptr(), n, v, count, p, len, &mut out, e),
                Some(t) => commbox_chatwoot_webhook_verify_with_tolerance(
                    s.ptr(),
                    n,
                    v,
                    count,
                    p,
                    len,
                    *t,
                    &mut out,
                    e,
                ),
            };
            let mut args: Vec<&Arg> = vec![&s, &d];
            args.extend(pairs.iter().flat_map(|(n, v)| [n, v]));
            check(status, take_err(e), &args, None);
            take_json(status, out);
        }
        Op::ChatwootEventParse(body) => {
            let (p, len) = bytes(body);
            let d = null_if(body.is_none());
            let mut out = ptr::null_mut();
            let status = commbox_chatwoot_event_parse(p, len, &mut out, e);
            check(status, take_err(e), &[&d], None);
            take_json(status, out);
        }
        Op::CreateConversation(stream) => {
            let s = Arg::new(stream);
            let h = handle(state.conversation);
            let mut id = 0;
            call!(
                commbox_create_conversation(f.client, s.ptr(), state.conversation, &mut id, e),
                [s, h]
            );
        }
        Op::CreateConversationJson(stream, json) => {
            let (s, j) = (Arg::new(stream), Arg::new(json));
            let mut id = 0;
            call!(
                commbox_create_conversation_json(f.client, s.ptr(), j.ptr(), &mut id, e),
                [s, j]
            );
        }
        Op::CreateMessage(stream, object) => {
            let s = Arg::new(stream);
            let h = handle(state.message);
            let mut id = 0;
            call!(
                commbox_create_message(f.client, s.ptr(), *object, state.message, &mut id, e),
                [s, h]
            );
        }
        Op::CreateMessageJson(stream, object, json) => {
            let (s, j) = (Arg::new(stream), Arg::new(json));
            let mut id = 0;
            call!(
                commbox_create_message_json(f.client, s.ptr(), *object, j.ptr(), &mut id, e),
                [s, j]
            );
        }
        Op::GetConversation(stream, object) => {
            let s = Arg::new(stream);
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_get_conversation(f.client, s.ptr(), *object, &mut out, e),
                [s]
            );
            take_json(status, out);
        }
        Op::RawRequest(method, path, body) => {
            let (m, p, b) = (Arg::new(method), Arg::new(path), Arg::new(body));
            let b_optional = b.optional();
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_raw_request(f.client, m.ptr(), p.ptr(), b.ptr(), &mut out, e),
                [m, p, b_optional]
            );
            take_json(status, out);
        }
        Op::CreateContact(fields) => {
            let a: Vec<Arg> = fields.iter().map(Arg::new).collect();
            let optional: Vec<Arg> = a.iter().map(|x| x.optional()).collect();
            let (mut source, mut json) = (ptr::null_mut(), ptr::null_mut());
            let status = commbox_inbox_create_contact(
                f.inbox,
                a[0].ptr(),
                a[1].ptr(),
                a[2].ptr(),
                a[3].ptr(),
                a[4].ptr(),
                a[5].ptr(),
                a[6].ptr(),
                a[7].ptr(),
                &mut source,
                &mut json,
                e,
            );
            check(
                status,
                take_err(e),
                &optional.iter().collect::<Vec<_>>(),
                None,
            );
            commbox_string_free(source);
            commbox_string_free(json);
        }
        Op::GetContact(contact) => {
            let c = Arg::new(contact);
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_inbox_get_contact(f.inbox, c.ptr(), &mut out, e),
                [c]
            );
            take_json(status, out);
        }
        Op::VerifiedContact(contact, id, hash) => {
            let (c, i, h) = (Arg::new(contact), Arg::new(id), Arg::new(hash));
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_inbox_get_verified_contact(f.inbox, c.ptr(), i.ptr(), h.ptr(), &mut out, e),
                [c, i, h]
            );
            take_json(status, out);
        }
        Op::InboxCreateConversation(contact, attrs) => {
            let (c, a) = (Arg::new(contact), Arg::new(attrs));
            let a_optional = a.optional();
            let mut id = 0;
            let mut out = ptr::null_mut();
            call!(
                commbox_inbox_create_conversation(f.inbox, c.ptr(), a.ptr(), &mut id, &mut out, e),
                [c, a_optional]
            );
            commbox_string_free(out);
        }
        Op::InboxCreateMessage(contact, conversation) => {
            let c = Arg::new(contact);
            let h = handle(state.inbox_message);
            let mut id = 0;
            let mut out = ptr::null_mut();
            call!(
                commbox_inbox_create_message(
                    f.inbox,
                    c.ptr(),
                    *conversation,
                    state.inbox_message,
                    &mut id,
                    &mut out,
                    e
                ),
                [c, h]
            );
            commbox_string_free(out);
        }
        Op::ListMessages(contact, conversation, before) => {
            let c = Arg::new(contact);
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_inbox_list_messages(f.inbox, c.ptr(), *conversation, *before, &mut out, e),
                [c]
            );
            take_json(status, out);
        }
        Op::UpdateMessage(contact, conversation, message, values) => {
            let (c, v) = (Arg::new(contact), Arg::new(values));
            let mut out = ptr::null_mut();
            let status = call!(
                commbox_inbox_update_message(
                    f.inbox,
                    c.ptr(),
                    *conversation,
                    *message,
                    v.ptr(),
                    &mut out,
                    e
                ),
                [c, v]
            );
            take_json(status, out);
        }
        Op::StatusName(code) => {
            // Only valid enum values may cross the ABI; an unknown one is UB in Rust, so
            // the fuzzer picks among the declared statuses.
            use commbox_status::*;
            let all = [
                COMMBOX_STATUS_OK,
                COMMBOX_STATUS_VALIDATION,
                COMMBOX_STATUS_AUTHENTICATION,
                COMMBOX_STATUS_NOT_FOUND,
                COMMBOX_STATUS_RATE_LIMITED,
                COMMBOX_STATUS_BAD_REQUEST,
                COMMBOX_STATUS_SERVER,
                COMMBOX_STATUS_TIMEOUT,
                COMMBOX_STATUS_CONNECTION,
                COMMBOX_STATUS_TLS,
                COMMBOX_STATUS_DECODE,
                COMMBOX_STATUS_IO,
                COMMBOX_STATUS_NULL_ARGUMENT,
                COMMBOX_STATUS_INVALID_UTF8,
                COMMBOX_STATUS_PANIC,
            ];
            let status = all[code.unsigned_abs() as usize % all.len()];
            checked(commbox_status_name(status), "status name").expect("a name");
        }
    }
}

/// The error a call wrote (or NULL), leaving NULL in its place for the next call.
fn take_err(e: *mut *mut commbox_error) -> *mut commbox_error {
    // SAFETY: `e` points to a local of `run` that outlives every call.
    unsafe { ptr::replace(e, ptr::null_mut()) }
}

/// A handle argument: NULL until the input has made one.
fn handle<T>(p: *mut T) -> Arg {
    null_if(p.is_null())
}

fn null_if(null: bool) -> Arg {
    Arg {
        c: None,
        null,
        bad_utf8: false,
    }
}

fn replace_message(state: &mut State, status: commbox_status, out: *mut commbox_message) {
    if status == commbox_status::COMMBOX_STATUS_OK {
        commbox_message_free(state.message);
        state.message = out;
    } else {
        assert!(out.is_null(), "out written on failure");
    }
}

libfuzzer_sys::fuzz_target!(|ops: Vec<Op>| {
    let mut state = State {
        config: commbox_client_config_new(),
        conversation: ptr::null_mut(),
        message: ptr::null_mut(),
        inbox_message: ptr::null_mut(),
    };
    // Bounded work per input: each send waits for a refused loopback connection.
    for op in ops.iter().take(64) {
        run(&mut state, op);
    }
});
