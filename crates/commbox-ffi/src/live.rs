//! Live replies: a contact's Chatwoot cable subscription as a blocking "next event" with a
//! timeout, closable from another thread.
//!
//! The subscription is the core's blocking one (`commbox::blocking::LiveReplies`: its
//! connection runs on a thread of its own, answers pings, keeps presence, reconnects and
//! resubscribes); events come back in their JSON form (docs/schemas/ChatwootLiveEvent.json),
//! the document Python's `commbox.LiveEvent` is built from. `commbox_live_close` goes through
//! the core's `LiveCloser`, which takes no lock, so it ends a `commbox_live_next` blocked in
//! another thread.

use crate::boundary::{out_arg, ref_arg, run, run_or, str_arg};
use crate::chatwoot::commbox_inbox;
use crate::error::{commbox_error, commbox_status};
use crate::strings::give_json;
use core_api::blocking::LiveReplies;
use core_api::chatwoot::LiveCloser;
use std::ffi::c_char;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// A contact's live subscription: made by `commbox_live_open`, read by `commbox_live_next`,
/// ended by `commbox_live_close` (from any thread), released by `commbox_live_free`.
/// Thread-safe: calls that wait (`commbox_live_next`, `commbox_live_wait_for_echo`) made
/// from several threads at once take turns.
pub struct commbox_live {
    replies: Mutex<LiveReplies>,
    closer: LiveCloser,
}

/// Subscribes to the live updates of the contact owning `pubsub_token` (the `pubsub_token`
/// of the contact's JSON form, from `commbox_inbox_create_contact` or
/// `commbox_inbox_get_contact`) over the installation's `/cable` websocket, as Chatwoot's
/// widget does: the agents' replies as they are sent, the contact's own messages coming
/// back with their `echo_id`, status changes, typing. `*out` receives the subscription;
/// release it with `commbox_live_free`.
///
/// Returns at once: the connection runs on a thread of its own, and reconnects (with
/// backoff, then resubscribes) by itself. `COMMBOX_STATUS_VALIDATION` (field
/// `pubsub_token`) for a blank token; a token the server rejects comes out of
/// `commbox_live_next` as `COMMBOX_STATUS_AUTHENTICATION`. The socket does not replay what
/// was broadcast before it was subscribed. Thread-safe; `inbox` may be freed afterwards.
///
/// ```c
/// commbox_live *live = NULL;
/// if (commbox_live_open(inbox, pubsub_token, &live, &err) != COMMBOX_STATUS_OK) { ... }
/// for (;;) {
///     char *event = NULL;
///     commbox_status s = commbox_live_next(live, 1000, &event, &err);
///     if (s != COMMBOX_STATUS_OK) break;       // closed, or the subscription's final error
///     if (event == NULL) continue;             // nothing within 1 s
///     handle(event);                           // {"kind":"message_created","message":{...},...}
///     commbox_string_free(event);
/// }
/// commbox_live_free(live);
/// ```
#[no_mangle]
pub extern "C" fn commbox_live_open(
    inbox: *const commbox_inbox,
    pubsub_token: *const c_char,
    out: *mut *mut commbox_live,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_live_open", err, || {
        let inbox = ref_arg(inbox, "inbox")?;
        let token = str_arg(pubsub_token, "pubsub_token")?;
        let out = out_arg(out, "out")?;
        let replies = inbox.blocking().live(token)?;
        let live = commbox_live {
            closer: replies.closer(),
            replies: Mutex::new(replies),
        };
        out.write(Box::into_raw(Box::new(live)));
        Ok(())
    })
}

/// Waits up to `timeout_ms` milliseconds (0: only what already arrived) for the next event.
///
/// - `COMMBOX_STATUS_OK` with `*event_json` set: an event in its JSON form
///   (docs/schemas/ChatwootLiveEvent.json: `{"kind": "message_created", "event":
///   "message.created", "message": ChatwootMessage|null, "echo_id": "…"|null,
///   "conversation_id": 42|null, "raw": {…}}`; kinds `message_created`, `message_updated`,
///   `conversation_status_changed`, `typing_on`, `typing_off`, `presence_update`,
///   `reconnected` (the socket was lost and is back: what was sent meanwhile was missed;
///   `commbox_inbox_list_messages` catches up) and `other`). Free it with
///   `commbox_string_free`. An agent's reply is a `message_created` whose message has
///   `"message_type": 1` and a sender whose `type` is not `"contact"`.
/// - `COMMBOX_STATUS_OK` with `*event_json` NULL: nothing came within the timeout.
/// - An error status: the subscription ended. Its final error is returned once
///   (`COMMBOX_STATUS_AUTHENTICATION` for a rejected token); after it, or after
///   `commbox_live_close` once the events already received were read, every call returns
///   `COMMBOX_STATUS_CONNECTION`.
///
/// Thread-safe; blocks the calling thread (ended early by `commbox_live_close`).
#[no_mangle]
pub extern "C" fn commbox_live_next(
    live: *mut commbox_live,
    timeout_ms: u32,
    event_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_live_next", err, || {
        // Shared, not exclusive: commbox_live_close may run in another thread meanwhile.
        let live = ref_arg(live.cast_const(), "live")?;
        let out = out_arg(event_json, "event_json")?;
        let got = live
            .replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_timeout(Duration::from_millis(timeout_ms.into()))?;
        out.write(got.map_or(std::ptr::null_mut(), |event| give_json!(event)));
        Ok(())
    })
}

/// Waits up to `timeout_ms` milliseconds for the message created with `echo_id` (the
/// `echo_id` of a message sent by `commbox_inbox_create_message`) to come back, and writes
/// its event (as `commbox_live_next` does) to `*event_json`; events read meanwhile stay for
/// `commbox_live_next`. `COMMBOX_STATUS_TIMEOUT` when it does not come in time, and the
/// subscription's final error if it ends first. Thread-safe; blocks the calling thread.
#[no_mangle]
pub extern "C" fn commbox_live_wait_for_echo(
    live: *mut commbox_live,
    echo_id: *const c_char,
    timeout_ms: u32,
    event_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_live_wait_for_echo", err, || {
        let live = ref_arg(live.cast_const(), "live")?;
        let echo_id = str_arg(echo_id, "echo_id")?;
        let out = out_arg(event_json, "event_json")?;
        let event = live
            .replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .wait_for_echo(echo_id, Duration::from_millis(timeout_ms.into()))?;
        out.write(give_json!(event));
        Ok(())
    })
}

/// Closes the subscription's socket. Safe to call from any thread, also while
/// `commbox_live_next` waits in another: that call then returns the events already
/// received, then `COMMBOX_STATUS_CONNECTION`. Closing twice does nothing; NULL is ignored.
/// The handle stays valid until `commbox_live_free`.
#[no_mangle]
pub extern "C" fn commbox_live_close(live: *const commbox_live) {
    run_or((), || {
        if let Ok(live) = ref_arg(live, "live") {
            live.closer.close();
        }
    })
}

/// Closes the subscription (if still open) and releases it. NULL is ignored. No other call
/// on this handle may be running or made afterwards (close it and join the threads that
/// read it first).
#[no_mangle]
pub extern "C" fn commbox_live_free(live: *mut commbox_live) {
    run_or((), || {
        if !live.is_null() {
            // SAFETY: made by Box::into_raw in commbox_live_open; freed once by the caller.
            drop(unsafe { Box::from_raw(live) });
        }
    })
}
