//! Posting one delivery to a subscriber, once, over plain HTTP/1.1 (a mock talks to test
//! receivers on loopback; no client library needed for that).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{lock, DeliveryRecord, Platform, Subscription};

/// Chatwoot gives a receiver 5 s.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Delivers `body` to `sub` in the background and logs the attempt in `log`.
pub(super) fn spawn(
    runtime: &tokio::runtime::Handle,
    sub: Subscription,
    event: String,
    content_type: &'static str,
    body: String,
    log: Arc<Mutex<Vec<DeliveryRecord>>>,
) {
    let delivery_id = uuid();
    runtime.spawn(async move {
        let mut headers = vec![("Content-Type", content_type.to_owned())];
        if sub.platform == Platform::Chatwoot {
            headers.push(("X-Chatwoot-Delivery", delivery_id.clone()));
            if let Some(secret) = &sub.secret {
                let ts = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
                    .to_string();
                headers.push(("X-Chatwoot-Signature", signature(secret, &ts, &body)));
                headers.push(("X-Chatwoot-Timestamp", ts));
            }
        }
        let outcome = tokio::time::timeout(TIMEOUT, post(&sub.url, &headers, &body)).await;
        let (status, error) = match outcome {
            Ok(Ok(status)) => (Some(status), None),
            Ok(Err(e)) => (None, Some(e)),
            Err(_) => (None, Some(format!("no answer within {TIMEOUT:?}"))),
        };
        lock(&log).push(DeliveryRecord {
            subscription: sub.id,
            event,
            delivery_id,
            content_type,
            status,
            error,
            body,
        });
    });
}

/// `sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`, as Chatwoot signs.
pub(super) fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn uuid() -> String {
    let h = format!("{:032x}", fastrand::u128(..));
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..]
    )
}

/// POSTs and returns the answer's status.
async fn post(url: &str, headers: &[(&str, String)], body: &str) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: the mock delivers to http:// URLs only"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(authority)
        .await
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: commbox-mock\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("cannot send: {e}"))?;
    // The status line is all we need; read until it is complete.
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        if n == 0 {
            return Err("the receiver closed the connection without answering".into());
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.len() > 8192 {
            break;
        }
    }
    let line = String::from_utf8_lossy(&answer);
    line.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {:?}", line.lines().next()))
}
