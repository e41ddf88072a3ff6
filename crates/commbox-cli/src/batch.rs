//! `commbox batch [FILE|-]`: one create request per JSON line, sent concurrently on the async
//! client, one JSON result line per input line.
//!
//! Reading a line is the core's ([`commbox::BatchLine`]); this module only schedules the
//! calls, keeps the journal (batch_journal.rs) and prints.

use crate::args::Global;
use crate::batch_journal::{self as journal, Journal, LineState, Recorded, Written};
use crate::commands;
use clap::Args;
use commbox::chatwoot::InboxClient;
use commbox::{BatchLine, Client, Error, RetrySafety};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use std::collections::VecDeque;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The exit codes of `batch` beyond those of every command.
pub const EXIT_SOME_FAILED: u8 = 14;
pub const EXIT_SOME_UNKNOWN: u8 = 15;
/// Interrupted (Ctrl-C): the lines in flight were finished, the others not sent.
pub const EXIT_INTERRUPTED: u8 = 130;

const BATCH_HELP: &str = "\
Each input line is one request, e.g.
  {\"op\":\"commbox.conversation\",\"stream\":\"S\",\"request\":{\"channel\":\"sms\",\"identity\":\"+972544444444\",\"message\":\"Hi\"}}
  {\"op\":\"commbox.message\",\"stream\":\"S\",\"conversation\":294159,\"request\":{\"identity\":\"a@b.co\",\"message\":\"Thanks\"}}
  {\"op\":\"chatwoot.message\",\"contact\":\"SOURCE_ID\",\"conversation\":7,\"request\":{\"content\":\"Hello\"}}
(`request` is the request's JSON form: docs/json-forms.md). Blank lines are skipped.

Each line gets one result line on stdout, in the order the answers come (match them by
\"line\", the input's line number from 1):
  {\"line\":3,\"id\":294160}                                  sent; the new record's id
  {\"line\":4,\"error\":{...}}                                failed; the error's JSON form
  {\"line\":5,\"error\":{...},\"unknown\":true}                 may have been processed: check it
  {\"line\":6,\"unknown\":true,\"reason\":\"...\"}                an earlier run sent it and stopped
Results taken from the journal carry \"from_journal\":true.

With --journal, a rerun of the same input skips the lines that succeeded, sends again those
that failed safely (nothing was processed: retry_safety \"safe\"), and never sends again a line
that was sent without a known outcome: it reports it as unknown, for a human to check (then
delete that line's records from the journal to send it again).

A 429 with Retry-After holds back every worker, not only the one that got it.

Exit codes:
   0  every line succeeded (now or in an earlier run of the journal)
  14  some lines failed (malformed, refused, …), none is unknown
  15  some lines' outcome is unknown (may have been processed): check them
  130 interrupted (Ctrl-C): the lines in flight were finished, the rest not sent (a rerun with
      the journal sends them); a second Ctrl-C stops at once, leaving those in flight unknown
  (15 wins over 130, and 130 over 14)
  2, 3, 13, …  the batch did not start (bad flags, client settings, unreadable input or
     journal): as for every command";

/// Send one request per JSON line, concurrently, with a result per line (see below).
#[derive(Debug, Args)]
#[command(after_help = BATCH_HELP)]
pub struct BatchArgs {
    /// The JSON-lines file, or - for stdin.
    #[arg(value_name = "FILE", default_value = "-")]
    pub input: PathBuf,
    /// How many requests are in flight at once. The default is small because both APIs
    /// limit the rate per account: 4 hide most of the round trip without drawing 429s, and
    /// any 429 with Retry-After slows every worker anyway.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Record each line's progress in this file (created if missing), so that a rerun with
    /// it skips what was done and never sends twice what may have been processed.
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// The Chatwoot installation, for `chatwoot.message` lines.
    #[arg(long = "chatwoot-url", env = "CHATWOOT_BASE_URL", value_name = "URL")]
    pub chatwoot_url: Option<String>,
    /// The Chatwoot inbox identifier, for `chatwoot.message` lines (it acts as a credential:
    /// prefer the variable).
    #[arg(long, env = "CHATWOOT_INBOX_IDENTIFIER", hide_env_values = true)]
    pub inbox: Option<String>,
}

/// One input line to send.
struct Job {
    line: u64,
    hash: String,
    request: BatchLine,
}

/// The clients the lines need (built only for the ops present).
struct Clients {
    commbox: Option<Client>,
    inbox: Option<InboxClient>,
}

/// One result line, `{"line":N,…}` with `line` first, and what it counts as.
struct Report {
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Sent,
    Failed,
    /// It may have been processed: a human must check.
    Unknown,
}

impl Report {
    /// `{"line":N,"id":ID}`: sent, and this is the new record's id.
    fn id(line: u64, id: &Value) -> Report {
        Report {
            text: format!("{{\"line\":{line},\"id\":{id}}}"),
            kind: Kind::Sent,
        }
    }

    /// `{"line":N,"error":{…}}`, with `"unknown":true` when it may have been processed.
    fn error(line: u64, error_json: &str, unknown: bool) -> Report {
        let (kind, mark) = match unknown {
            true => (Kind::Unknown, ",\"unknown\":true"),
            false => (Kind::Failed, ""),
        };
        Report {
            text: format!("{{\"line\":{line},\"error\":{error_json}{mark}}}"),
            kind,
        }
    }

    /// A line an earlier run started and never recorded an answer for.
    fn unknown(line: u64) -> Report {
        Report {
            text: format!(
                "{{\"line\":{line},\"unknown\":true,\"reason\":\"an earlier run sent it and \
                 stopped before its answer: it may have been processed\"}}"
            ),
            kind: Kind::Unknown,
        }
        .recorded_earlier()
    }

    /// Marks a result read from the journal rather than got now.
    fn recorded_earlier(mut self) -> Report {
        self.text.pop();
        self.text.push_str(",\"from_journal\":true}");
        self
    }
}

#[derive(Default)]
struct Tally {
    failed: usize,
    unknown: usize,
}

/// Runs the command and returns its exit code, or why the batch could not start (then
/// nothing was sent and nothing printed on stdout).
pub fn run(g: &Global, a: &BatchArgs) -> Result<ExitCode, Error> {
    let (early, jobs, clients, journal) = prepare(g, a)?;
    Ok(send_all(early, jobs, clients, journal, a.concurrency))
}

type Prepared = (Vec<Report>, Vec<Job>, Clients, Option<Journal>);

/// Reads the input and the journal, decides each line, builds the clients; nothing is sent
/// and nothing printed yet, so a batch that cannot start prints no result.
fn prepare(g: &Global, a: &BatchArgs) -> Result<Prepared, Error> {
    let input = read_input(&a.input)?;
    let (journal, recorded) = match &a.journal {
        Some(p) => {
            let (j, r) = Journal::open(p)?;
            (Some(j), r)
        }
        None => (None, Recorded::default()),
    };
    let mut early = Vec::new();
    let mut jobs = Vec::new();
    for (i, raw) in input.split(|b| *b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let hash = journal::hash(raw);
        let state = recorded.state(line, &hash);
        let request = std::str::from_utf8(raw)
            .map_err(|_| Error::validation("line", "is not valid UTF-8 text"))
            .and_then(BatchLine::from_json);
        match (state, request) {
            (Err(e), _) | (Ok(LineState::New | LineState::Failed { .. }), Err(e)) => {
                early.push(Report::error(line, &journal::error_json(&e), false));
            }
            (Ok(LineState::Done(id)), _) => early.push(Report::id(line, &id).recorded_earlier()),
            (Ok(LineState::Unknown), _) => early.push(Report::unknown(line)),
            (
                Ok(LineState::Failed {
                    error,
                    safety: RetrySafety::MayDuplicate,
                }),
                _,
            ) => {
                early.push(Report::error(line, &error, true).recorded_earlier());
            }
            (
                Ok(
                    LineState::New
                    | LineState::Failed {
                        safety: RetrySafety::Safe,
                        ..
                    },
                ),
                Ok(request),
            ) => {
                jobs.push(Job {
                    line,
                    hash,
                    request,
                });
            }
        }
    }
    let clients = clients(g, a, &jobs)?;
    Ok((early, jobs, clients, journal))
}

fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    result.map_err(|e| Error::file("FILE", format!("cannot read {}: {e}", path.display())))?;
    Ok(bytes)
}

fn clients(g: &Global, a: &BatchArgs, jobs: &[Job]) -> Result<Clients, Error> {
    let needs = |op: &str| jobs.iter().any(|j| j.request.op() == op);
    let builder = || commbox::ClientBuilder::from_options(commands::options(g)).with_env();
    let commbox = (needs("commbox.conversation") || needs("commbox.message"))
        .then(|| builder().build())
        .transpose()?;
    let inbox = if needs("chatwoot.message") {
        let url = a.chatwoot_url.clone().ok_or_else(|| {
            Error::validation(
                "--chatwoot-url",
                "required for chatwoot.message lines (or CHATWOOT_BASE_URL)",
            )
        })?;
        let id = a.inbox.as_deref().ok_or_else(|| {
            Error::validation(
                "--inbox",
                "required for chatwoot.message lines (or CHATWOOT_INBOX_IDENTIFIER)",
            )
        })?;
        Some(builder().base_url(url).build_inbox(id)?)
    } else {
        None
    };
    Ok(Clients { commbox, inbox })
}

/// Sends the jobs with `concurrency` workers on a runtime of this command and prints every
/// result as it comes.
fn send_all(
    early: Vec<Report>,
    jobs: Vec<Job>,
    clients: Clients,
    journal: Option<Journal>,
    concurrency: u32,
) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("commbox: cannot start the I/O runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let bar = progress_bar(jobs.len());
    let mut printer = Printer {
        bar: &bar,
        tally: Tally::default(),
        broken: false,
    };
    for result in early {
        printer.print(result);
    }
    let queue = Arc::new(Mutex::new(VecDeque::from(jobs)));
    let shared = Arc::new((clients, journal));
    let interrupted = Arc::new(AtomicBool::new(false));
    runtime.block_on(async {
        tokio::spawn(stop_on_ctrl_c(
            Arc::clone(&queue),
            Arc::clone(&interrupted),
            bar.clone(),
        ));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for _ in 0..concurrency {
            let (queue, shared, tx) = (Arc::clone(&queue), Arc::clone(&shared), tx.clone());
            tokio::spawn(async move {
                let mut pending = None;
                while let Some(job) = next(&queue) {
                    let (clients, journal) = (&shared.0, shared.1.as_ref());
                    let result = send_one(clients, journal, job, &queue, &mut pending).await;
                    if tx.send(result).is_err() {
                        break;
                    }
                }
                settle(pending, &queue).await;
            });
        }
        drop(tx);
        while let Some(result) = rx.recv().await {
            bar.inc(1);
            printer.print(result);
            if printer.broken {
                // Nobody reads the results: start no more lines.
                queue.lock().unwrap_or_else(PoisonError::into_inner).clear();
            }
        }
    });
    bar.finish_and_clear();
    if printer.broken {
        return ExitCode::from(1);
    }
    ExitCode::from(match printer.tally {
        Tally { unknown: 1.., .. } => EXIT_SOME_UNKNOWN,
        _ if interrupted.load(Ordering::SeqCst) => EXIT_INTERRUPTED,
        Tally { failed: 1.., .. } => EXIT_SOME_FAILED,
        _ => 0,
    })
}

/// Ctrl-C starts no more lines and lets those in flight finish, so that each gets its
/// result (and its journal record) rather than an unknown outcome; a second Ctrl-C stops
/// at once.
async fn stop_on_ctrl_c(
    queue: Arc<Mutex<VecDeque<Job>>>,
    interrupted: Arc<AtomicBool>,
    bar: ProgressBar,
) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    interrupted.store(true, Ordering::SeqCst);
    let left = {
        let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
        let left = queue.len();
        queue.clear();
        left
    };
    bar.suspend(|| {
        eprintln!(
            "commbox: interrupted: {left} lines not sent; waiting for the answers in flight \
             (Ctrl-C again to stop now: their outcome is then unknown)"
        )
    });
    if tokio::signal::ctrl_c().await.is_ok() {
        std::process::exit(EXIT_INTERRUPTED.into());
    }
}

fn next(queue: &Mutex<VecDeque<Job>>) -> Option<Job> {
    queue
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop_front()
}

/// A worker's record of its last line's outcome: queued, not yet known to be on disk.
type Pending = Option<(u64, Written)>;

/// Sends one line: its `started` record on disk first, its outcome queued after the answer.
/// The outcome is not waited for here: it is written before the worker's next `started`
/// record, in the same fsync as a rule, and each worker waits for its last one before it
/// ends. So a worker has at most one line without a recorded outcome at any time, and a
/// crash leaves at most `--concurrency` lines unknown.
///
/// A journal that cannot be written stops the batch (the lines not started are left for a
/// rerun): this line is not sent if its `started` record failed; a line whose outcome could
/// not be recorded is reported as it went here and as unknown by a rerun.
async fn send_one(
    clients: &Clients,
    journal: Option<&Journal>,
    job: Job,
    queue: &Mutex<VecDeque<Job>>,
    pending: &mut Pending,
) -> Report {
    let line = job.line;
    if let Some(j) = journal {
        let started = j.record(journal::started(line, &job.hash));
        settle(pending.take(), queue).await;
        if let Err(e) = started.wait().await {
            return Report::error(line, &journal::error_json(&stop(queue, e)), false);
        }
    }
    let result = send(clients, job.request).await;
    if let Some(j) = journal {
        *pending = Some((line, j.record(journal::outcome(line, &result))));
    }
    match result {
        Ok(id) => Report::id(line, &id),
        Err(e) => Report::error(
            line,
            &journal::error_json(&e),
            e.retry_safety() == RetrySafety::MayDuplicate,
        ),
    }
}

/// Waits until a line's outcome is on disk; if it cannot be written, says so and stops.
async fn settle(pending: Pending, queue: &Mutex<VecDeque<Job>>) {
    if let Some((line, written)) = pending {
        if let Err(e) = written.wait().await {
            eprintln!(
                "commbox: line {line}: its outcome is not in the journal: a rerun will report \
                 it as unknown; {}",
                stop(queue, e).message()
            );
        }
    }
}

/// Starts no more lines after the journal failed; the error to report.
fn stop(queue: &Mutex<VecDeque<Job>>, e: std::io::Error) -> Error {
    queue.lock().unwrap_or_else(PoisonError::into_inner).clear();
    Error::file(
        "--journal",
        format!("cannot write the journal: {e}; the batch stopped"),
    )
}

/// One request; the result is the new record's id.
async fn send(clients: &Clients, request: BatchLine) -> Result<Value, Error> {
    let missing = || Error::validation("op", "no client for this op");
    match request {
        BatchLine::Conversation { stream, request } => {
            let c = clients.commbox.as_ref().ok_or_else(missing)?;
            c.create_conversation(&stream, request)
                .await
                .map(Value::from)
        }
        BatchLine::Message {
            stream,
            conversation,
            request,
        } => {
            let c = clients.commbox.as_ref().ok_or_else(missing)?;
            c.create_message(&stream, &conversation.to_string(), request)
                .await
                .map(Value::from)
        }
        BatchLine::InboxMessage {
            contact,
            conversation,
            request,
        } => {
            let c = clients.inbox.as_ref().ok_or_else(missing)?;
            c.create_message(&contact, conversation, request)
                .await
                .map(|m| Value::from(m.id))
        }
    }
}

/// A bar on stderr when it is a terminal; hidden otherwise (piped, in a cron job).
fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} lines  {per_sec}  eta {eta}  {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Prints result lines on stdout (above the bar) and counts the failed and unknown ones.
struct Printer<'a> {
    bar: &'a ProgressBar,
    tally: Tally,
    /// Stdout could not be written (a closed pipe).
    broken: bool,
}

impl Printer<'_> {
    fn print(&mut self, result: Report) {
        match result.kind {
            Kind::Sent => {}
            Kind::Failed => self.tally.failed += 1,
            Kind::Unknown => self.tally.unknown += 1,
        }
        if self.tally.failed + self.tally.unknown > 0 {
            self.bar.set_message(format!(
                "{} failed, {} unknown",
                self.tally.failed, self.tally.unknown
            ));
        }
        if self.broken {
            return;
        }
        let written = self.bar.suspend(|| {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", result.text).and_then(|()| out.flush())
        });
        if let Err(e) = written {
            eprintln!("commbox: cannot write the results: {e}");
            self.broken = true;
        }
    }
}
