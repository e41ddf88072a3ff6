//! The journal of `commbox batch --journal PATH`: what a rerun needs to send each line at
//! most once.
//!
//! A text file of records, one a line, appended and fsynced:
//!
//! ```text
//! commbox-batch-journal 1
//! started 17 9f2c4e1a0b3d5c7e      before line 17 is sent (the hash of the line's text)
//! done 17 294159                   its answer: the id
//! failed 18 {"kind":"server",…}    its answer: the error's JSON form
//! ```
//!
//! A line's `started` record is on disk before its request leaves, and its outcome after the
//! answer, so a line that was sent always has at least its `started` record. A rerun reads the
//! records in order (a later `started` for the same line, from a rerun, clears its earlier
//! outcome) and decides per line (see [`Recorded::state`]). Writes are grouped: one thread
//! writes every record waiting and fsyncs once for all of them, so `--concurrency` workers
//! cost one fsync per round, not one per record.

use commbox::{Error, RetrySafety};
use serde_json::Value;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// The first line of every journal.
const HEADER: &str = "commbox-batch-journal 1";

/// The flag named by the errors about the journal file.
const FLAG: &str = "--journal";

/// What the journal says about one input line.
#[derive(Debug, Clone, PartialEq)]
pub enum LineState {
    /// Never started: send it.
    New,
    /// Sent and answered with this id: skip it.
    Done(Value),
    /// Sent and failed with this error (its JSON form, as recorded), whose `retry_safety`
    /// decides.
    Failed { error: String, safety: RetrySafety },
    /// Started and never answered (the process stopped): it may have been processed.
    Unknown,
}

/// What an earlier run recorded.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The hash of each started line's text, and its outcome if there was one.
    lines: HashMap<u64, (String, Option<Outcome>)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Done(Value),
    /// The error's JSON form as recorded (keys in their documented order) and its
    /// `retry_safety`.
    Failed(String, RetrySafety),
}

impl Recorded {
    /// The state of line `line` whose text hashes to `hash`; a line whose text differs from
    /// the one recorded as started is refused (it is not the request that was sent).
    pub fn state(&self, line: u64, hash: &str) -> Result<LineState, Error> {
        let Some((recorded, outcome)) = self.lines.get(&line) else {
            return Ok(LineState::New);
        };
        if recorded != hash {
            return Err(Error::validation(
                "line",
                format!(
                    "differs from line {line} as the journal recorded it when it was sent; \
                     a changed batch needs a new journal"
                ),
            ));
        }
        Ok(match outcome {
            None => LineState::Unknown,
            Some(Outcome::Done(id)) => LineState::Done(id.clone()),
            Some(Outcome::Failed(error, safety)) => LineState::Failed {
                error: error.clone(),
                safety: *safety,
            },
        })
    }

    fn read(text: &str) -> Result<Recorded, Error> {
        let mut recorded = Recorded::default();
        let mut lines = text.split_inclusive('\n');
        match lines.next() {
            None => return Ok(recorded),
            Some(first) if first.trim_end() == HEADER => {}
            Some(_) => {
                return Err(Error::file(
                    FLAG,
                    format!("is not a commbox batch journal (its first line is not {HEADER:?})"),
                ))
            }
        }
        for (i, record) in lines.enumerate() {
            // A record cut short by a crash mid-write was never fsynced as a whole: the
            // process died before acting on it, so it is ignored.
            let Some(record) = record.strip_suffix('\n') else {
                break;
            };
            recorded
                .apply(record)
                .map_err(|why| Error::file(FLAG, format!("line {}: {why}", i + 2)))?;
        }
        Ok(recorded)
    }

    fn apply(&mut self, record: &str) -> Result<(), String> {
        let mut parts = record.splitn(3, ' ');
        let (what, line, rest) = (parts.next(), parts.next(), parts.next());
        let line: u64 = line
            .and_then(|l| l.parse().ok())
            .ok_or_else(|| format!("unreadable record {record:?}"))?;
        let rest = rest.ok_or_else(|| format!("unreadable record {record:?}"))?;
        match what {
            Some("started") => {
                self.lines.insert(line, (rest.to_owned(), None));
            }
            Some(kind @ ("done" | "failed")) => {
                let value: Value = serde_json::from_str(rest)
                    .map_err(|e| format!("unreadable record {record:?}: {e}"))?;
                let entry = self
                    .lines
                    .get_mut(&line)
                    .ok_or_else(|| format!("an outcome of line {line}, which never started"))?;
                entry.1 = Some(if kind == "done" {
                    Outcome::Done(value)
                } else {
                    // Anything but "safe" is taken as possibly processed.
                    let safety = match value.get("retry_safety").and_then(Value::as_str) {
                        Some("safe") => RetrySafety::Safe,
                        _ => RetrySafety::MayDuplicate,
                    };
                    Outcome::Failed(rest.to_owned(), safety)
                });
            }
            _ => return Err(format!("unreadable record {record:?}")),
        }
        Ok(())
    }
}

/// The text of a record.
pub fn started(line: u64, hash: &str) -> String {
    format!("started {line} {hash}\n")
}

/// The record of an answer: the id, or the error's JSON form (one line: compact JSON escapes
/// newlines).
pub fn outcome(line: u64, result: &Result<Value, Error>) -> String {
    match result {
        Ok(id) => format!("done {line} {id}\n"),
        Err(e) => format!("failed {line} {}\n", error_json(e)),
    }
}

/// An error's JSON form, compact, keys in their documented order.
pub fn error_json(e: &Error) -> String {
    serde_json::to_string(e).expect("an error serialises")
}

/// The hash a `started` record keeps of a line's text (FNV-1a, 64 bits, in hex): enough to
/// tell an edited line from the one that was sent.
pub fn hash(text: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

type Ack = oneshot::Sender<io::Result<()>>;

/// An open journal; its records are written and fsynced by a thread of its own.
pub struct Journal {
    records: mpsc::Sender<(String, Ack)>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` and reads what earlier runs recorded.
    pub fn open(path: &Path) -> Result<(Journal, Recorded), Error> {
        let io_error = |e: io::Error| Error::file(FLAG, format!("{}: {e}", path.display()));
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io_error)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io_error)?;
        let recorded = Recorded::read(&text)?;
        if text.is_empty() {
            writeln!(file, "{HEADER}").map_err(io_error)?;
        } else if !text.ends_with('\n') {
            // The torn record of a crash: the next record starts on a line of its own.
            file.write_all(b"\n").map_err(io_error)?;
        }
        file.sync_all().map_err(io_error)?;
        if text.is_empty() {
            // A new file's name must survive a power cut too, or a rerun would find no
            // journal and send everything again.
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io_error)?;
        }
        let (records, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("commbox-journal".into())
            .spawn(move || write_records(file, queue))
            .map_err(io_error)?;
        Ok((Journal { records }, recorded))
    }

    /// Queues `record` for writing (records are written in the order they are queued); the
    /// returned [`Written`] says when it is on disk.
    pub fn record(&self, record: String) -> Written {
        let (ack, done) = oneshot::channel();
        // A stopped writer drops `ack`: `wait` reports it.
        let _ = self.records.send((record, ack));
        Written(done)
    }
}

/// A queued record, until it is on disk.
pub struct Written(oneshot::Receiver<io::Result<()>>);

impl Written {
    /// Returns once the record is on disk (fsynced), or why it could not be written.
    pub async fn wait(self) -> io::Result<()> {
        self.0
            .await
            .unwrap_or_else(|_| Err(io::Error::other("the journal writer stopped")))
    }
}

/// The writer thread: every record waiting is written at once, then one fsync, then each
/// writer is told. After a failed write nothing more is written (a later record must not
/// land where an earlier one is missing).
fn write_records(mut file: File, queue: mpsc::Receiver<(String, Ack)>) {
    let mut broken: Option<io::ErrorKind> = None;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        let result = match broken {
            Some(kind) => Err(io::Error::new(kind, "an earlier journal write failed")),
            None => {
                let text: String = batch.iter().map(|(r, _)| r.as_str()).collect();
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_data())
            }
        };
        if let Err(e) = &result {
            broken = Some(e.kind());
        }
        for (_, ack) in batch {
            let _ = ack.send(match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rerun_reads_each_lines_last_state() {
        let text = format!(
            "{HEADER}\nstarted 1 aa\ndone 1 101\nstarted 2 bb\nfailed 2 {}\nstarted 3 cc\n\
             started 4 dd\nfailed 4 {}\nstarted 4 dd\ndone 4 104\nstarted 5 ee\nfailed 5 {}\nstarted 6 f",
            json!({"kind": "server", "retry_safety": "may_duplicate"}),
            json!({"kind": "rate_limited", "retry_safety": "safe"}),
            json!({"kind": "rate_limited", "retry_safety": "safe"}),
        );
        let r = Recorded::read(&text).unwrap();
        assert_eq!(r.state(1, "aa").unwrap(), LineState::Done(json!(101)));
        assert!(matches!(
            r.state(2, "bb").unwrap(),
            LineState::Failed {
                safety: RetrySafety::MayDuplicate,
                ..
            }
        ));
        assert_eq!(r.state(3, "cc").unwrap(), LineState::Unknown);
        assert_eq!(r.state(4, "dd").unwrap(), LineState::Done(json!(104)));
        assert!(matches!(
            r.state(5, "ee").unwrap(),
            LineState::Failed {
                safety: RetrySafety::Safe,
                ..
            }
        ));
        // Torn last record: never acted on.
        assert_eq!(r.state(6, "f").unwrap(), LineState::New);
        assert_eq!(r.state(7, "gg").unwrap(), LineState::New);
        assert_eq!(r.state(1, "zz").unwrap_err().field(), Some("line"));
    }

    #[test]
    fn other_files_are_refused() {
        assert!(Recorded::read("hello\n").is_err());
        assert!(Recorded::read(&format!("{HEADER}\ndone 3 1\n")).is_err());
        assert!(Recorded::read(&format!("{HEADER}\nsent 3 1\n")).is_err());
        assert!(Recorded::read("").unwrap().lines.is_empty());
    }

    #[test]
    fn hashes_differ() {
        assert_ne!(hash(b"{\"a\":1}"), hash(b"{\"a\":2}"));
        assert_eq!(hash(b"").len(), 16);
    }
}
