//! Entry points for the fuzz targets in `fuzz/` (compiled with `--cfg fuzzing`, which
//! cargo-fuzz sets, and in this crate's own tests, which replay the committed corpus).
//! Not part of the public API.
//!
//! `commbox_delivery` and `chatwoot_webhook` take one webhook delivery as received and run
//! the receiving parsers and verifier on it (their input formats are at each). The others
//! each take one server answer as bytes and run everything the client runs on such an
//! answer: the envelope (or Chatwoot) decoding, the error built from a non-2xx answer, and
//! what every call then reads from the decoded JSON. A panic is a bug; so is a broken
//! invariant, checked with `assert!` so that the fuzzer reports it.
//!
//! Input format (readable, so the seed corpus is real answers copied from the API docs):
//! an optional first line `STATUS[ HEADER]` (HTTP status, then a value sent as both
//! `Retry-After` and `Location`), then the body. Without a leading status line the answer
//! is a 200 and the whole input is the body.

use crate::chatwoot::client as chatwoot;
use crate::commbox::{calls as commbox, envelope};
use crate::error::{Error, ErrorKind, MAX_ERROR_BODY};
use crate::transport::retry::parse_retry_after;
use crate::transport::Response;
use reqwest::header::{HeaderMap, HeaderValue, LOCATION, RETRY_AFTER};
use std::time::{Duration, SystemTime};

/// A CommBox answer: envelope decoding, then every CommBox call's reading of it.
pub fn commbox_answer(data: &[u8]) {
    let resp = response(data);
    let status = resp.status;
    match envelope::decode(resp) {
        Ok(env) => {
            assert!(
                (200..300).contains(&status),
                "HTTP {status} decoded as success"
            );
            assert_eq!(env.http_status, status);
            for result in [
                commbox::created_id(&env).map(drop),
                commbox::conversation_of(&env).map(drop),
                commbox::managers_of(&env).map(drop),
            ] {
                if let Err(e) = result {
                    check_error(&e);
                }
            }
            assert_eq!(commbox::system_status_of(env).http_status, status);
        }
        Err(e) => check_answer_error(&e, status),
    }
}

/// A Chatwoot answer: decoding (on a contact endpoint and elsewhere), then every Chatwoot
/// call's reading of it.
pub fn chatwoot_answer(data: &[u8]) {
    let resp = response(data);
    for contact_endpoint in [false, true] {
        let value = match chatwoot::decode(&resp, contact_endpoint) {
            Ok(v) => v,
            Err(e) => {
                check_answer_error(&e, resp.status);
                continue;
            }
        };
        assert!(resp.is_success(), "HTTP {} decoded as success", resp.status);
        let inbox = crate::chatwoot::Inbox::from_json(&value);
        assert_eq!(inbox.raw, value);
        for result in [
            chatwoot::contact_from(&value).map(drop),
            chatwoot::conversation_from(&value).map(drop),
            chatwoot::message_from(&value).map(drop),
            chatwoot::conversations_from(&value).map(drop),
            chatwoot::messages_from(&value).map(drop),
        ] {
            if let Err(e) = result {
                check_error(&e);
            }
        }
    }
}

/// A CommBox webhook delivery through [`parse_commbox_delivery`](crate::events::parse_commbox_delivery).
///
/// Input format: an optional first line `Content-Type: <type>` (the request's header), then
/// the body; without it the request had no content type.
pub fn commbox_delivery(data: &[u8]) {
    use crate::events::{parse_commbox_delivery, CommBoxEventKind, MAX_DELIVERY_BYTES};
    let (content_type, body) = match data.strip_prefix(b"Content-Type: ") {
        Some(rest) => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let value = String::from_utf8_lossy(&rest[..end]).into_owned();
            (Some(value), rest.get(end + 1..).unwrap_or_default())
        }
        None => (None, data),
    };
    match parse_commbox_delivery(body, content_type.as_deref()) {
        Ok(event) => {
            assert!(body.len() <= MAX_DELIVERY_BYTES);
            // Every event has its one JSON form, every key present.
            let json = serde_json::to_value(&event).expect("an event serialises");
            for key in [
                "kind", "entity", "name", "brand", "format", "object", "child",
            ] {
                assert!(json.get(key).is_some(), "{key} missing from {json}");
            }
            if event.kind == CommBoxEventKind::Other {
                assert!(event.data.is_some(), "an other event keeps its payload");
            }
        }
        Err(e) => check_received_error(&e, &[ErrorKind::Decode], "body: "),
    }
}

/// A Chatwoot webhook delivery through [`ChatwootWebhookVerifier`](crate::events::ChatwootWebhookVerifier)
/// and [`parse_chatwoot_event`](crate::events::parse_chatwoot_event).
///
/// Input format, as HTTP writes a request's head: header lines `Name: value`, an empty line,
/// then the body; without an empty line the whole input is the body and there are no
/// headers. The body is verified as sent (its signature is forged unless the fuzzer finds an
/// HMAC), then signed properly, which must give exactly what parsing it gives.
pub fn chatwoot_webhook(data: &[u8]) {
    use crate::events::{chatwoot_signature, parse_chatwoot_event, ChatwootWebhookVerifier};
    const SECRET: &[u8] = b"fuzz-secret";
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (&data[..0], data),
    };
    let headers: Vec<(&[u8], &[u8])> = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            Some((&line[..colon], &line[colon + 1..]))
        })
        .collect();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let verifier = ChatwootWebhookVerifier::new(SECRET).expect("a secret");
    let parsed = parse_chatwoot_event(body);
    match verifier.verify_at(headers.iter().copied(), body, now) {
        Ok(delivery) => {
            assert!(delivery.verified);
            assert_eq!(Some(&delivery.event), parsed.as_ref().ok());
        }
        Err(e) => check_received_error(&e, &[ErrorKind::Authentication, ErrorKind::Decode], ""),
    }
    match &parsed {
        Ok(event) => {
            serde_json::to_value(event).expect("an event serialises");
        }
        Err(e) => check_received_error(e, &[ErrorKind::Decode], "body: "),
    }
    // Properly signed now: verification adds nothing but the check.
    let timestamp = "1750000000";
    let signed = [
        (
            &b"X-Chatwoot-Signature"[..],
            chatwoot_signature(SECRET, timestamp, body).into_bytes(),
        ),
        (&b"X-Chatwoot-Timestamp"[..], timestamp.as_bytes().to_vec()),
    ];
    let verified = verifier.verify_at(signed.iter().map(|(k, v)| (*k, v.as_slice())), body, now);
    match (verified, parsed) {
        (Ok(delivery), Ok(event)) => assert_eq!(delivery.event, event),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("a signed delivery gave {a:?}, its body parsed {b:?}"),
    }
}

/// An error about received data: one of `kinds`, its message starting with `prefix`.
fn check_received_error(e: &Error, kinds: &[ErrorKind], prefix: &str) {
    check_error(e);
    assert!(kinds.contains(&e.kind()), "{e:?}");
    assert!(e.to_string().starts_with(prefix), "{e}");
    assert!(
        e.http_status().is_none() && e.request_id().is_none(),
        "{e:?}"
    );
}

/// Splits the input into a transport [`Response`], as the transport would have built it.
fn response(data: &[u8]) -> Response {
    let (status, header, body) = split(data);
    let mut headers = HeaderMap::new();
    let mut retry_after = None;
    if let Some(value) = header.and_then(|h| HeaderValue::from_bytes(h).ok()) {
        // Fixed "now", so that a crash found with an HTTP date replays the same way.
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        retry_after = value.to_str().ok().and_then(|v| parse_retry_after(v, now));
        headers.insert(RETRY_AFTER, value.clone());
        headers.insert(LOCATION, value);
    }
    Response {
        status,
        headers,
        body: body.to_vec(),
        request_id: "fuzz-request-id".to_owned(),
        server_request_id: None,
        retry_after,
        earlier_attempt_maybe_processed: false,
    }
}

fn split(data: &[u8]) -> (u16, Option<&[u8]>, &[u8]) {
    let Some(newline) = data.iter().position(|&b| b == b'\n') else {
        return (200, None, data);
    };
    let line = &data[..newline];
    let (code, header) = match line.iter().position(|&b| b == b' ') {
        Some(space) => (&line[..space], Some(&line[space + 1..])),
        None => (line, None),
    };
    let parsed = std::str::from_utf8(code)
        .ok()
        .and_then(|c| c.parse::<u32>().ok());
    match parsed {
        // reqwest only ever reports three-digit statuses.
        Some(code) => {
            let code = if (100..1000).contains(&code) {
                code
            } else {
                100 + code % 900
            };
            (code as u16, header, &data[newline + 1..])
        }
        None => (200, None, data),
    }
}

/// The error for an answer with HTTP `status`: its kind follows the status line.
fn check_answer_error(e: &Error, status: u16) {
    check_error(e);
    assert_eq!(e.http_status(), Some(status), "{e:?}");
    let expected = if (200..300).contains(&status) {
        ErrorKind::Decode
    } else {
        ErrorKind::from_status(status)
    };
    assert_eq!(e.kind(), expected, "{e:?}");
    assert_eq!(e.request_id(), Some("fuzz-request-id"));
}

/// What holds for every error: it prints, and the body it keeps is at most MAX_ERROR_BODY bytes.
fn check_error(e: &Error) {
    assert!(!e.to_string().is_empty());
    assert!(!format!("{e:?}").is_empty());
    if let Some(body) = e.body() {
        assert!(body.len() <= MAX_ERROR_BODY, "body of {} bytes", body.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every committed seed (and every crash a fuzzer found, once fixed) replays cleanly in
    /// `make test`, which builds no fuzz target.
    fn replay(target: &str, run: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus")
            .join(target);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.expect("corpus entry").path();
            run(&std::fs::read(&path).expect("corpus file"));
            n += 1;
        }
        assert!(n >= 5, "{dir:?} holds {n} seeds");
    }

    #[test]
    fn commbox_seed_corpus_replays() {
        replay("commbox_envelope", commbox_answer);
    }

    #[test]
    fn chatwoot_seed_corpus_replays() {
        replay("chatwoot_response", chatwoot_answer);
    }

    #[test]
    fn commbox_delivery_seed_corpus_replays() {
        replay("commbox_delivery", commbox_delivery);
    }

    #[test]
    fn chatwoot_webhook_seed_corpus_replays() {
        replay("chatwoot_webhook", chatwoot_webhook);
    }

    #[test]
    fn status_line_is_optional() {
        assert_eq!(split(b"{}"), (200, None, &b"{}"[..]));
        assert_eq!(split(b"429 7\n{}"), (429, Some(&b"7"[..]), &b"{}"[..]));
        assert_eq!(split(b"500\n"), (500, None, &b""[..]));
        assert_eq!(split(b"{\n}"), (200, None, &b"{\n}"[..]));
    }
}
