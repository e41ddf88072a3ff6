//! `commbox webhooks serve`: an HTTP receiver of CommBox and Chatwoot webhooks that spools
//! every accepted delivery durably before answering 2xx and hands it over at least once.
//!
//! The CLI holds no rule of the platforms: CommBox bodies are read by
//! [`parse_commbox_delivery`], Chatwoot's are verified and read by
//! [`ChatwootWebhookVerifier`], bodies are capped at [`MAX_DELIVERY_BYTES`]. What is here is
//! the HTTP side (hyper's HTTP/1 server: the CLI already links hyper through the client, so
//! its server half adds little, and axum's router would be more than two paths need), the
//! spool ([`crate::webhook_spool`]) and the hand-over.

use crate::webhook_spool::{Appended, Spool, Spooled};
use clap::{Args, Subcommand};
use commbox::events::{parse_commbox_delivery, ChatwootWebhookVerifier, MAX_DELIVERY_BYTES};
use commbox::{Error, ErrorKind};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc as tokio_mpsc;

pub const SERVE_HELP: &str = "\
Paths:
  POST /commbox/<secret>  a CommBox delivery (XML or JSON, any of its three shapes); CommBox
                          signs nothing, so the secret in the URL is the protection: a wrong
                          one is answered 404
  POST /chatwoot          a Chatwoot delivery, verified with --chatwoot-secret
                          (X-Chatwoot-Signature over timestamp.body, timestamp within 300 s);
                          a forged or stale one is answered 401 and not spooled

Answers: 200 spooled (or a repeat of a delivery id already spooled: not spooled again),
400 a body the parsers cannot read, 401 not authentic, 404 unknown path or secret,
405 not a POST, 408 a body not sent within 30 s, 413 over 1 MiB, 500 the spool cannot be
written (the receiver then stops).

Each accepted delivery gets an id: Chatwoot's X-Chatwoot-Delivery (the same on Chatwoot's
retries); for CommBox, which sends no id (and Chatwoot before 4.11), \"sha256:\" and the
SHA-256 of the body, so that the same delivery sent again is a repeat. It is appended to
DIR/spool.log and fsynced before the answer, then handed over as one JSON line:
  {\"id\":…,\"platform\":\"commbox\"|\"chatwoot\",\"received_at\":\"RFC 3339\",\"event\":<core JSON form>}
on stdout (flushed), or with --exec to CMD (run by sh -c, the line on its stdin, the id in
COMMBOX_EVENT_ID): exit 0 confirms it, any other outcome is retried with backoff (0.5 s
doubling to 30 s), never dropped. A confirmed hand-over is recorded in the spool (fsynced).
At start, events spooled and not confirmed are handed over first: at least once, so a
consumer drops an id it has seen.

Exit codes:
   0  stopped by Ctrl-C or SIGTERM (what was not handed over stays spooled)
   1  stdout closed (what was not handed over stays spooled)
   2  usage error (bad flags, no platform enabled)
   3  a secret is empty
  10  cannot listen on --bind:--port
  13  the spool cannot be opened, read, written or fsynced";

#[derive(Debug, Args)]
pub struct WebhooksArgs {
    #[command(subcommand)]
    pub command: WebhooksCommand,
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Receive CommBox and Chatwoot webhooks: spool each durably, then print it as a JSON
    /// line (or run --exec CMD with it), at least once.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("platform")
        .args(["commbox_secret", "chatwoot_secret", "chatwoot_unverified"])
        .required(true)
        .multiple(true)
))]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one); the address is printed on stderr.
    #[arg(long)]
    pub port: u16,
    /// Address to listen on (put a TLS proxy in front for the internet).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Directory of the spool (created if missing).
    #[arg(long, value_name = "DIR")]
    pub spool: PathBuf,
    /// Accept CommBox deliveries at /commbox/<S>.
    #[arg(
        long,
        env = "COMMBOX_WEBHOOK_SECRET",
        hide_env_values = true,
        value_name = "S"
    )]
    pub commbox_secret: Option<String>,
    /// Accept Chatwoot deliveries at /chatwoot signed with this webhook secret.
    #[arg(
        long,
        env = "CHATWOOT_WEBHOOK_SECRET",
        hide_env_values = true,
        value_name = "S",
        conflicts_with = "chatwoot_unverified"
    )]
    pub chatwoot_secret: Option<String>,
    /// Accept Chatwoot deliveries at /chatwoot without a signature (installations before
    /// 4.11 sign nothing): anyone who can reach the port can inject events.
    #[arg(long)]
    pub chatwoot_unverified: bool,
    /// Hand each event over to this shell command (on its stdin) instead of stdout.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
}

/// What the request handlers share.
struct State {
    commbox_secret: Option<String>,
    chatwoot: Option<ChatwootWebhookVerifier>,
    spool: Arc<Mutex<Spool>>,
    handover: mpsc::Sender<Spooled>,
    fatal: tokio_mpsc::UnboundedSender<(u8, String)>,
}

pub fn run(a: &WebhooksArgs) -> Result<ExitCode, Error> {
    let WebhooksCommand::Serve(a) = &a.command;
    if a.commbox_secret.as_deref() == Some("") {
        return Err(Error::validation("--commbox-secret", "is empty"));
    }
    let chatwoot = match (&a.chatwoot_secret, a.chatwoot_unverified) {
        (Some(s), _) => Some(ChatwootWebhookVerifier::new(s)?),
        (None, true) => Some(ChatwootWebhookVerifier::unverified()),
        (None, false) => None,
    };
    let (spool, pending) = Spool::open(&a.spool)?;
    let spool = Arc::new(Mutex::new(spool));
    let (fatal_tx, mut fatal_rx) = tokio_mpsc::unbounded_channel();
    let (handover, queue) = mpsc::channel();
    // What an earlier run did not hand over goes first.
    for event in pending {
        let _ = handover.send(event);
    }
    let consumer = Consumer {
        exec: a.exec.clone(),
        spool: spool.clone(),
        fatal: fatal_tx.clone(),
    };
    std::thread::spawn(move || consumer.run(&queue));
    let state = Arc::new(State {
        commbox_secret: a.commbox_secret.clone(),
        chatwoot,
        spool,
        handover,
        fatal: fatal_tx,
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return Err(Error::file("runtime", e)),
    };
    let addr = SocketAddr::new(a.bind, a.port);
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("commbox: cannot listen on {addr}: {e}");
                return Ok(ExitCode::from(10));
            }
        };
        let local = listener.local_addr().map_err(|e| Error::file("--port", e))?;
        eprintln!("commbox: listening on http://{local}");
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| Error::file("SIGTERM", e))?;
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let state = state.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let state = state.clone();
                            async move { Ok::<_, std::convert::Infallible>(handle(&state, req).await) }
                        });
                        let io = hyper_util::rt::TokioIo::new(stream);
                        if let Err(e) = hyper::server::conn::http1::Builder::new()
                            .timer(hyper_util::rt::TokioTimer::new())
                            .header_read_timeout(READ_TIMEOUT)
                            .serve_connection(io, service)
                            .await
                        {
                            log::debug!("connection: {e}");
                        }
                    });
                }
                _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
                _ = term.recv() => return Ok(ExitCode::SUCCESS),
                Some((code, why)) = fatal_rx.recv() => {
                    eprintln!("commbox: {why}");
                    return Ok(ExitCode::from(code));
                }
            }
        }
    })
}

/// The time a sender has to send its headers, and then its body (Chatwoot gives up after
/// 5 s): a client trickling bytes does not hold a connection for ever.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
const BODY_TIMEOUT: Duration = READ_TIMEOUT;

fn answer(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body + "\n")));
    *r.status_mut() = status;
    r
}

async fn handle(state: &Arc<State>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let platform = match path.strip_prefix("/commbox/") {
        Some(secret)
            if state
                .commbox_secret
                .as_deref()
                .is_some_and(|s| same(s, secret)) =>
        {
            "commbox"
        }
        None if path == "/chatwoot" && state.chatwoot.is_some() => "chatwoot",
        _ => return answer(StatusCode::NOT_FOUND, "not found".into()),
    };
    if req.method() != Method::POST {
        return answer(StatusCode::METHOD_NOT_ALLOWED, "POST only".into());
    }
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_big = || {
        answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("over {MAX_DELIVERY_BYTES} bytes"),
        )
    };
    if declared.is_some_and(|n| n > MAX_DELIVERY_BYTES as u64) {
        return too_big();
    }
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, MAX_DELIVERY_BYTES).collect();
    let body = match tokio::time::timeout(BODY_TIMEOUT, body).await {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_big(),
        Ok(Err(e)) => return answer(StatusCode::BAD_REQUEST, format!("body: {e}")),
        Err(_) => return answer(StatusCode::REQUEST_TIMEOUT, "body: too slow".into()),
    };
    let parsed = if platform == "commbox" {
        let content_type = parts
            .headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        parse_commbox_delivery(&body, content_type)
            .and_then(|e| json(&e))
            .map(|e| (body_id(&body), e))
    } else {
        let verifier = state.chatwoot.as_ref().expect("routed only when enabled");
        let headers = parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()));
        verifier.verify(headers, &body).and_then(|d| {
            let id = d.delivery_id.clone().unwrap_or_else(|| body_id(&body));
            Ok((id, json(&d.event)?))
        })
    };
    let (id, event) = match parsed {
        Ok(p) => p,
        Err(e) if e.kind() == ErrorKind::Authentication => {
            log::warn!("refused a {platform} delivery: {e}");
            return answer(StatusCode::UNAUTHORIZED, e.to_string());
        }
        Err(e) => {
            log::warn!("cannot read a {platform} delivery: {e}");
            return answer(StatusCode::BAD_REQUEST, e.to_string());
        }
    };
    let line = format!(
        "{{\"id\":{},\"platform\":\"{platform}\",\"received_at\":\"{}\",\"event\":{event}}}",
        serde_json::Value::from(id.as_str()),
        rfc3339(SystemTime::now()),
    );
    let spooled = Spooled {
        id: id.clone(),
        line,
    };
    let state2 = state.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut spool = state2.spool.lock().unwrap_or_else(PoisonError::into_inner);
        let appended = spool.append(&spooled)?;
        if appended == Appended::New {
            // Under the lock: the hand-over order is the spool's.
            let _ = state2.handover.send(spooled);
        }
        Ok::<_, Error>(appended)
    })
    .await
    .unwrap_or_else(|e| Err(Error::file("--spool", e)));
    let id_json = serde_json::Value::from(id.as_str());
    match outcome {
        Ok(Appended::New) => answer(
            StatusCode::OK,
            format!("{{\"id\":{id_json},\"repeat\":false}}"),
        ),
        Ok(Appended::Repeat) => {
            log::info!("{platform} delivery {id} is a repeat: not spooled again");
            answer(
                StatusCode::OK,
                format!("{{\"id\":{id_json},\"repeat\":true}}"),
            )
        }
        Err(e) => {
            let _ = state.fatal.send((13, e.to_string()));
            answer(StatusCode::INTERNAL_SERVER_ERROR, "cannot spool".into())
        }
    }
}

/// The core's JSON form of an event.
fn json(event: &impl serde::Serialize) -> Result<String, Error> {
    Ok(serde_json::to_string(event).expect("the core's events serialise"))
}

/// The id of a delivery that carries none: the same body is the same delivery.
fn body_id(body: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(body)))
}

/// Compares the path's secret in time independent of where they differ.
fn same(secret: &str, given: &str) -> bool {
    let (a, b) = (Sha256::digest(secret), Sha256::digest(given));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// `2026-12-04T14:38:49.123Z`.
fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Hands the spooled events over, one at a time, in order, and records each confirmation.
struct Consumer {
    exec: Option<String>,
    spool: Arc<Mutex<Spool>>,
    fatal: tokio_mpsc::UnboundedSender<(u8, String)>,
}

impl Consumer {
    fn run(self, queue: &mpsc::Receiver<Spooled>) {
        while let Ok(event) = queue.recv() {
            if let Err((code, why)) = self.hand_over(&event) {
                let _ = self.fatal.send((code, why));
                return;
            }
            let acked = self
                .spool
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .ack(&event.id);
            if let Err(e) = acked {
                let _ = self.fatal.send((13, e.to_string()));
                return;
            }
        }
    }

    /// Returns once the event was handed over; an error stops the receiver.
    fn hand_over(&self, event: &Spooled) -> Result<(), (u8, String)> {
        let Some(cmd) = &self.exec else {
            let mut out = std::io::stdout().lock();
            return writeln!(out, "{}", event.line)
                .and_then(|()| out.flush())
                .map_err(|e| (1, format!("cannot write to stdout: {e}")));
        };
        let mut wait = Duration::from_millis(500);
        loop {
            match run_exec(cmd, event) {
                Ok(()) => return Ok(()),
                Err(why) => {
                    log::warn!(
                        "--exec: event {} not handed over ({why}); again in {wait:?}",
                        event.id
                    );
                    eprintln!(
                        "commbox: --exec: event {} not handed over ({why}); again in {:.1} s",
                        event.id,
                        wait.as_secs_f64()
                    );
                }
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(30));
        }
    }
}

/// Runs `sh -c CMD` with the event's line on stdin; Ok when it exits 0.
fn run_exec(cmd: &str, event: &Spooled) -> Result<(), String> {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("COMMBOX_EVENT_ID", &event.id)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start it: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    // A command that does not read its stdin may close it: its exit status decides.
    let _ = writeln!(stdin, "{}", event.line);
    drop(stdin);
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for it: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(status.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        let t = UNIX_EPOCH + Duration::from_millis(1_796_395_129_007);
        assert_eq!(rfc3339(t), "2026-12-04T14:38:49.007Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }
}
