//! Entry points for the fuzz targets in `fuzz/` (compiled with `--cfg fuzzing`, which
//! cargo-fuzz sets, and in this crate's own tests, which replay the committed corpus).
//! Not part of the public API.
//!
//! Each takes one server answer as bytes and runs everything the client runs on such an
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
    fn status_line_is_optional() {
        assert_eq!(split(b"{}"), (200, None, &b"{}"[..]));
        assert_eq!(split(b"429 7\n{}"), (429, Some(&b"7"[..]), &b"{}"[..]));
        assert_eq!(split(b"500\n"), (500, None, &b""[..]));
        assert_eq!(split(b"{\n}"), (200, None, &b"{\n}"[..]));
    }
}
