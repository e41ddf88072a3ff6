//! Receiving webhooks: CommBox deliveries parsed, Chatwoot deliveries verified and parsed.
//!
//! Each function hands the raw body (bytes and a length: a body may hold NUL bytes and is
//! never NUL-terminated) to the core's parser or verifier (`commbox::events`) and returns the
//! event in its JSON form (docs/json-forms.md; docs/schemas/CommBoxEvent.json,
//! ChatwootDelivery.json, ChatwootEvent.json): the same document the CLI prints and Python's
//! records are built from. A body the core cannot read is `COMMBOX_STATUS_DECODE`; a Chatwoot
//! delivery not proven authentic is `COMMBOX_STATUS_AUTHENTICATION`. None of them keeps state
//! or does I/O: all are safe to call from any thread at once.

use crate::boundary::{bytes_arg, opt_str_arg, out_arg, run, Failure, FfiResult, Out};
use crate::error::{commbox_error, commbox_status};
use crate::strings::give_json;
use core_api::events::{parse_chatwoot_event, parse_commbox_delivery, ChatwootWebhookVerifier};
use std::ffi::{c_char, CStr};
use std::time::Duration;

/// A NUL-terminated C string read as bytes (header names and values, secrets: not required
/// to be UTF-8; the core matches and hashes bytes).
fn cstr_bytes<'a>(p: *const c_char, name: &'static str) -> FfiResult<&'a [u8]> {
    if p.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-NULL, and the C API requires NUL-terminated strings that stay valid for
    // the duration of the call.
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// `n` (name, value) pairs from two parallel arrays; both may be NULL when `n` is 0.
fn headers_arg<'a>(
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
) -> FfiResult<Vec<(&'a [u8], &'a [u8])>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if names.is_null() {
        return Err(Failure::Null("header_names"));
    }
    if values.is_null() {
        return Err(Failure::Null("header_values"));
    }
    // SAFETY: non-NULL, and the caller guarantees `n` readable pointers in each array for
    // the duration of the call.
    let (names, values) = unsafe {
        (
            std::slice::from_raw_parts(names, n),
            std::slice::from_raw_parts(values, n),
        )
    };
    names
        .iter()
        .zip(values)
        .map(|(&name, &value)| {
            Ok((
                cstr_bytes(name, "header_names")?,
                cstr_bytes(value, "header_values")?,
            ))
        })
        .collect()
}

/// What a verification reads from its C arguments: the secret, the headers, the body.
type VerifyInputs<'a> = (&'a [u8], Vec<(&'a [u8], &'a [u8])>, &'a [u8]);

fn verify_inputs<'a>(
    secret: *const c_char,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    n_headers: usize,
    body: *const u8,
    body_len: usize,
) -> FfiResult<VerifyInputs<'a>> {
    Ok((
        cstr_bytes(secret, "secret")?,
        headers_arg(header_names, header_values, n_headers)?,
        bytes_arg(body, body_len, "body")?,
    ))
}

/// Verifies with the core's verifier (its default tolerance unless one is given) and hands
/// the delivery's JSON form to `out`.
fn verify(
    (secret, headers, body): VerifyInputs<'_>,
    tolerance: Option<Duration>,
    out: Out<*mut c_char>,
) -> FfiResult {
    let mut verifier = ChatwootWebhookVerifier::new(secret)?;
    if let Some(tolerance) = tolerance {
        verifier = verifier.tolerance(tolerance);
    }
    out.write(give_json!(verifier.verify(headers, body)?));
    Ok(())
}

/// Parses a CommBox webhook delivery: its raw body (`body_len` bytes at `body`, not
/// NUL-terminated; NULL only when `body_len` is 0) and the request's `Content-Type`
/// (`content_type`, NULL when it had none). XML (`<Event Subscription Name Brand>`), JSON
/// with an `Event` wrapper and JSON with a `payload` wrapper are all read, leniently; an
/// entity or event this version does not know is an event of kind `"other"`, not an error.
///
/// On success `*event_json` receives the event's JSON form (docs/schemas/CommBoxEvent.json:
/// `{"kind": "new_message", "entity": "Object", "name": "OnNewChild", "brand", "format",
/// "object", "child", "activity", "user", "data", "raw"}`); free it with
/// `commbox_string_free`.
///
/// `COMMBOX_STATUS_DECODE` (message starting `body: `) when the body is over 1 MiB, not
/// UTF-8, not valid JSON, or not well-formed XML; XML with a DOCTYPE or an entity is refused,
/// never expanded. CommBox signs nothing: authenticate the request yourself (a secret in the
/// URL path). Thread-safe.
///
/// ```c
/// char *event = NULL;
/// commbox_error *err = NULL;
/// if (commbox_commbox_event_parse(body, body_len, content_type, &event, &err) == COMMBOX_STATUS_OK) {
///     handle(event);                  // {"kind":"new_message",...}
///     commbox_string_free(event);
///     // answer 200 only now: CommBox does not document a retry
/// } else {
///     fprintf(stderr, "%s\n", commbox_error_message(err));   // answer 400
///     commbox_error_free(err);
/// }
/// ```
#[no_mangle]
pub extern "C" fn commbox_commbox_event_parse(
    body: *const u8,
    body_len: usize,
    content_type: *const c_char,
    event_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_commbox_event_parse", err, || {
        let body = bytes_arg(body, body_len, "body")?;
        let content_type = opt_str_arg(content_type, "content_type")?;
        let out = out_arg(event_json, "event_json")?;
        out.write(give_json!(parse_commbox_delivery(body, content_type)?));
        Ok(())
    })
}

/// Verifies a Chatwoot webhook delivery and parses its event. `secret` is the webhook's
/// secret (NUL-terminated); the request's headers are `n_headers` pairs `header_names[i]`,
/// `header_values[i]` (NUL-terminated; names in any case; both arrays may be NULL when
/// `n_headers` is 0); the raw body is `body_len` bytes at `body`, exactly as received (never
/// re-serialised JSON).
///
/// Accepted when `X-Chatwoot-Signature` is `sha256=` and the HMAC-SHA256 of
/// `"{X-Chatwoot-Timestamp}.{body}"` under the secret (compared in constant time) and the
/// timestamp is within 300 s of this machine's clock, either way (see
/// `commbox_chatwoot_webhook_verify_with_tolerance`). On success `*delivery_json` receives
/// the delivery's JSON form (docs/schemas/ChatwootDelivery.json: `{"delivery_id",
/// "timestamp", "verified": true, "event": {...}}`); free it with `commbox_string_free`.
/// `delivery_id` is `X-Chatwoot-Delivery`, the same on a retry: drop a delivery whose id you
/// have seen.
///
/// `COMMBOX_STATUS_AUTHENTICATION` (message starting with the header at fault) when a
/// signature or timestamp header is missing or malformed, the signature does not match, or
/// the timestamp is stale; answer 401. `COMMBOX_STATUS_DECODE` when the body is over 1 MiB
/// (checked first) or, once verified, not JSON. `COMMBOX_STATUS_VALIDATION` (field `secret`)
/// for an empty secret. For installations that sign nothing (before Chatwoot 4.11), there is
/// no "unverified" variant: parse the body with `commbox_chatwoot_event_parse` and read
/// `X-Chatwoot-Delivery` yourself, by that explicit choice. Thread-safe.
///
/// ```c
/// const char *names[] = {"X-Chatwoot-Signature", "X-Chatwoot-Timestamp", "X-Chatwoot-Delivery"};
/// const char *values[] = {signature, timestamp, delivery};
/// char *delivery_json = NULL;
/// commbox_error *err = NULL;
/// commbox_status s = commbox_chatwoot_webhook_verify(secret, names, values, 3, body, body_len,
///                                                    &delivery_json, &err);
/// if (s == COMMBOX_STATUS_OK) {
///     handle(delivery_json);          // {"delivery_id":"…","verified":true,"event":{…}}
///     commbox_string_free(delivery_json);
/// } else {
///     // COMMBOX_STATUS_AUTHENTICATION: answer 401; COMMBOX_STATUS_DECODE: answer 400
///     commbox_error_free(err);
/// }
/// ```
#[no_mangle]
pub extern "C" fn commbox_chatwoot_webhook_verify(
    secret: *const c_char,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    n_headers: usize,
    body: *const u8,
    body_len: usize,
    delivery_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_chatwoot_webhook_verify", err, || {
        let inputs = verify_inputs(
            secret,
            header_names,
            header_values,
            n_headers,
            body,
            body_len,
        )?;
        verify(inputs, None, out_arg(delivery_json, "delivery_json")?)
    })
}

/// `commbox_chatwoot_webhook_verify` with another tolerance: the timestamp may be at most
/// `tolerance_seconds` from this machine's clock, either way (the default is 300). For a
/// receiver whose clock is known to drift, or a test. Thread-safe.
///
/// ```c
/// // accept deliveries signed up to 10 minutes ago (or ahead)
/// commbox_status s = commbox_chatwoot_webhook_verify_with_tolerance(
///     secret, names, values, n, body, body_len, 600, &delivery_json, &err);
/// ```
#[no_mangle]
pub extern "C" fn commbox_chatwoot_webhook_verify_with_tolerance(
    secret: *const c_char,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    n_headers: usize,
    body: *const u8,
    body_len: usize,
    tolerance_seconds: u64,
    delivery_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run(
        "commbox_chatwoot_webhook_verify_with_tolerance",
        err,
        || {
            let inputs = verify_inputs(
                secret,
                header_names,
                header_values,
                n_headers,
                body,
                body_len,
            )?;
            let tolerance = Some(Duration::from_secs(tolerance_seconds));
            verify(inputs, tolerance, out_arg(delivery_json, "delivery_json")?)
        },
    )
}

/// Parses a Chatwoot webhook body (`body_len` bytes at `body`) into its event WITHOUT
/// checking any signature: for bodies already verified, or from an installation that signs
/// nothing, by your explicit choice (protect the URL otherwise). Deliveries from the network
/// go through `commbox_chatwoot_webhook_verify`.
///
/// On success `*event_json` receives the event's JSON form (docs/schemas/ChatwootEvent.json:
/// `{"kind": "message_created", "event", "message", "conversation", "contact", "user",
/// "is_private", "changed_attributes", "account", "inbox", "raw"}`; an unknown event is kind
/// `"other"`); free it with `commbox_string_free`. `COMMBOX_STATUS_DECODE` (message starting
/// `body: `) when the body is over 1 MiB, not UTF-8 or not JSON. Thread-safe.
///
/// ```c
/// char *event = NULL;
/// if (commbox_chatwoot_event_parse(body, body_len, &event, NULL) == COMMBOX_STATUS_OK) {
///     handle(event);                  // {"kind":"message_created",...}
///     commbox_string_free(event);
/// }
/// ```
#[no_mangle]
pub extern "C" fn commbox_chatwoot_event_parse(
    body: *const u8,
    body_len: usize,
    event_json: *mut *mut c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_chatwoot_event_parse", err, || {
        let body = bytes_arg(body, body_len, "body")?;
        let out = out_arg(event_json, "event_json")?;
        out.write(give_json!(parse_chatwoot_event(body)?));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{commbox_error_free, commbox_error_message, commbox_error_status};
    use crate::strings::commbox_string_free;
    use std::ffi::CString;
    use std::ptr;

    fn take(s: *mut c_char) -> serde_json::Value {
        // SAFETY: a string this library just returned.
        let v = serde_json::from_slice(unsafe { CStr::from_ptr(s) }.to_bytes()).unwrap();
        commbox_string_free(s);
        v
    }

    fn sign(body: &[u8], at: u64) -> (CString, CString) {
        let ts = at.to_string();
        let sig = core_api::events::chatwoot_signature(b"whsec", &ts, body);
        (CString::new(sig).unwrap(), CString::new(ts).unwrap())
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn a_commbox_delivery_comes_back_in_its_json_form() {
        let body =
            br#"{"Event": {"Subscription": "Tag", "Name": "OnAdd", "Tag": {"name": "VIP"}}}"#;
        let mut out = ptr::null_mut();
        let s = commbox_commbox_event_parse(
            body.as_ptr(),
            body.len(),
            ptr::null(),
            &mut out,
            ptr::null_mut(),
        );
        assert_eq!(s, commbox_status::COMMBOX_STATUS_OK);
        let v = take(out);
        assert_eq!(v["kind"], "tag_changed");
        assert_eq!(v["data"]["name"], "VIP");
    }

    #[test]
    fn verify_accepts_a_signed_delivery_and_refuses_a_stale_or_forged_one() {
        let body = br#"{"event": "message_created", "id": 9}"#;
        let secret = CString::new("whsec").unwrap();
        let names = [
            c"x-chatwoot-signature".as_ptr(),
            c"X-Chatwoot-Timestamp".as_ptr(),
            c"X-Chatwoot-Delivery".as_ptr(),
        ];
        let delivery = c"d-1";
        let attempt = |at: u64, tolerance: Option<u64>, body: &[u8]| {
            let (sig, ts) = sign(br#"{"event": "message_created", "id": 9}"#, at);
            let values = [sig.as_ptr(), ts.as_ptr(), delivery.as_ptr()];
            let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
            let status = match tolerance {
                None => commbox_chatwoot_webhook_verify(
                    secret.as_ptr(),
                    names.as_ptr(),
                    values.as_ptr(),
                    3,
                    body.as_ptr(),
                    body.len(),
                    &mut out,
                    &mut err,
                ),
                Some(t) => commbox_chatwoot_webhook_verify_with_tolerance(
                    secret.as_ptr(),
                    names.as_ptr(),
                    values.as_ptr(),
                    3,
                    body.as_ptr(),
                    body.len(),
                    t,
                    &mut out,
                    &mut err,
                ),
            };
            let message = if err.is_null() {
                String::new()
            } else {
                assert_eq!(commbox_error_status(err), status);
                // SAFETY: owned by err, read before it is freed.
                let m = unsafe { CStr::from_ptr(commbox_error_message(err)) };
                let m = m.to_string_lossy().into_owned();
                commbox_error_free(err);
                m
            };
            (status, (!out.is_null()).then(|| take(out)), message)
        };
        let (s, v, _) = attempt(now(), None, body);
        assert_eq!(s, commbox_status::COMMBOX_STATUS_OK);
        let v = v.unwrap();
        assert_eq!(
            (v["delivery_id"].as_str(), v["verified"].as_bool()),
            (Some("d-1"), Some(true))
        );
        assert_eq!(v["event"]["kind"], "message_created");
        let (s, v, m) = attempt(now() - 600, None, body);
        assert_eq!(s, commbox_status::COMMBOX_STATUS_AUTHENTICATION);
        assert!(
            v.is_none() && m.starts_with("X-Chatwoot-Timestamp: "),
            "{m}"
        );
        let (s, _, _) = attempt(now() - 600, Some(900), body);
        assert_eq!(s, commbox_status::COMMBOX_STATUS_OK);
        let (s, _, m) = attempt(now(), None, br#"{"event": "message_created", "id": 10}"#);
        assert_eq!(s, commbox_status::COMMBOX_STATUS_AUTHENTICATION);
        assert!(m.starts_with("X-Chatwoot-Signature: "), "{m}");
    }

    #[test]
    fn null_arguments_are_named() {
        let mut err = ptr::null_mut();
        let s = commbox_chatwoot_webhook_verify(
            c"whsec".as_ptr(),
            ptr::null(),
            ptr::null(),
            2,
            ptr::null(),
            0,
            &mut ptr::null_mut(),
            &mut err,
        );
        assert_eq!(s, commbox_status::COMMBOX_STATUS_NULL_ARGUMENT);
        commbox_error_free(err);
        let s = commbox_chatwoot_event_parse(ptr::null(), 3, &mut ptr::null_mut(), ptr::null_mut());
        assert_eq!(s, commbox_status::COMMBOX_STATUS_NULL_ARGUMENT);
    }
}
