//! The spool of `commbox webhooks serve --spool DIR`: every accepted delivery is on disk
//! before the sender gets its 2xx, and stays "pending" until its hand-over is confirmed.
//!
//! `DIR/spool.log`, a text file of records, one a line, appended and fsynced:
//!
//! ```text
//! commbox-webhooks-spool 1
//! event {"id":"…","platform":"chatwoot","received_at":"…","event":{…}}   the hand-over line
//! acked "…"                                                            its id, as JSON
//! ```
//!
//! An `event` record is written (and the file fsynced, and the directory when the file is
//! new) before the delivery is answered; its `acked` record after stdout was flushed or the
//! `--exec` command exited 0. At start the file is read back: the ids of all `event`
//! records are the ones already received (a repeat is answered 2xx and not spooled again),
//! and those without an `acked` record are handed over again, in the order received. A last
//! line without its newline is a write the process did not finish (and so never answered):
//! it is cut off before anything is appended.

use commbox::Error;
use std::collections::{HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "commbox-webhooks-spool 1";
const FILE: &str = "spool.log";
const FLAG: &str = "--spool";

/// An event as handed over: its id and its JSON line (without the newline).
#[derive(Debug, Clone, PartialEq)]
pub struct Spooled {
    pub id: String,
    pub line: String,
}

/// The open spool: the file appended to and the ids it holds.
#[derive(Debug)]
pub struct Spool {
    file: File,
    path: PathBuf,
    ids: HashSet<String>,
}

/// What `append` did with an event.
#[derive(Debug, PartialEq, Eq)]
pub enum Appended {
    /// Written and fsynced: hand it over.
    New,
    /// Its id was spooled before: nothing written.
    Repeat,
}

impl Spool {
    /// Opens (or creates) the spool in `dir`; returns it with the events not yet confirmed,
    /// oldest first.
    pub fn open(dir: &Path) -> Result<(Spool, VecDeque<Spooled>), Error> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
        let path = dir.join(FILE);
        let new = !path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| io_error(&path, &e))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| io_error(&path, &e))?;
        // A record cut off by a crash was never answered: drop it.
        let complete = text.rfind('\n').map_or(0, |i| i + 1);
        if complete < text.len() {
            log::warn!(
                "{}: dropping an unfinished last record ({} bytes)",
                path.display(),
                text.len() - complete
            );
            file.set_len(complete as u64)
                .and_then(|()| file.sync_all())
                .map_err(|e| io_error(&path, &e))?;
        }
        let mut spool = Spool {
            file,
            path,
            ids: HashSet::new(),
        };
        let pending = spool.read(&text[..complete])?;
        if complete == 0 {
            spool.write(HEADER)?;
        }
        if new {
            // The file's name in the directory is durable too.
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_error(dir, &e))?;
        }
        Ok((spool, pending))
    }

    /// The records of an earlier run: fills `ids`, returns the events without `acked`.
    fn read(&mut self, text: &str) -> Result<VecDeque<Spooled>, Error> {
        let mut lines = text.lines();
        match lines.next() {
            None => return Ok(VecDeque::new()),
            Some(HEADER) => {}
            Some(_) => return Err(self.corrupt(1, "is not a spool of this version")),
        }
        let mut pending: Vec<Option<Spooled>> = Vec::new();
        let mut at = std::collections::HashMap::new();
        for (n, record) in lines.enumerate() {
            let n = n + 2;
            if let Some(line) = record.strip_prefix("event ") {
                let v: serde_json::Value =
                    serde_json::from_str(line).map_err(|_| self.corrupt(n, "not JSON"))?;
                let id = v["id"]
                    .as_str()
                    .ok_or_else(|| self.corrupt(n, "has no id"))?
                    .to_owned();
                if self.ids.insert(id.clone()) {
                    at.insert(id.clone(), pending.len());
                    pending.push(Some(Spooled {
                        id,
                        line: line.to_owned(),
                    }));
                }
            } else if let Some(id) = record.strip_prefix("acked ") {
                let id: String =
                    serde_json::from_str(id).map_err(|_| self.corrupt(n, "not a JSON string"))?;
                if let Some(i) = at.get(&id) {
                    pending[*i] = None;
                }
            } else {
                return Err(self.corrupt(n, "is not an event or acked record"));
            }
        }
        Ok(pending.into_iter().flatten().collect())
    }

    /// Appends an event unless its id is spooled already; on `New` it is on disk.
    pub fn append(&mut self, event: &Spooled) -> Result<Appended, Error> {
        if self.ids.contains(&event.id) {
            return Ok(Appended::Repeat);
        }
        self.write(&format!("event {}", event.line))?;
        self.ids.insert(event.id.clone());
        Ok(Appended::New)
    }

    /// Records that `id` was handed over.
    pub fn ack(&mut self, id: &str) -> Result<(), Error> {
        let id = serde_json::to_string(id).expect("a string serialises");
        self.write(&format!("acked {id}"))
    }

    /// One record, whole or not at all as far as a reader is concerned, then fsync.
    fn write(&mut self, record: &str) -> Result<(), Error> {
        let mut bytes = Vec::with_capacity(record.len() + 1);
        bytes.extend_from_slice(record.as_bytes());
        bytes.push(b'\n');
        let result = self
            .file
            .seek(SeekFrom::End(0))
            .and_then(|_| self.file.write_all(&bytes))
            .and_then(|()| self.file.sync_data());
        result.map_err(|e| io_error(&self.path, &e))
    }

    fn corrupt(&self, line: usize, what: &str) -> Error {
        Error::file(
            FLAG,
            format!(
                "{} line {line} {what}; move the file aside to start a new spool",
                self.path.display()
            ),
        )
    }
}

fn io_error(path: &Path, e: &io::Error) -> Error {
    Error::file(FLAG, format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> Spooled {
        Spooled {
            id: id.to_owned(),
            line: format!(r#"{{"id":"{id}","platform":"commbox","event":{{}}}}"#),
        }
    }

    #[test]
    fn pending_repeats_and_a_torn_last_record() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, pending) = Spool::open(dir.path()).unwrap();
        assert!(pending.is_empty());
        assert_eq!(s.append(&event("a")).unwrap(), Appended::New);
        assert_eq!(s.append(&event("b")).unwrap(), Appended::New);
        assert_eq!(s.append(&event("a")).unwrap(), Appended::Repeat);
        s.ack("a").unwrap();
        drop(s);
        // A crash in the middle of a record.
        let path = dir.path().join(FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"event {\"id\":\"c\"").unwrap();
        let (mut s, pending) = Spool::open(dir.path()).unwrap();
        assert_eq!(pending, VecDeque::from([event("b")]));
        assert_eq!(s.append(&event("a")).unwrap(), Appended::Repeat);
        assert_eq!(s.append(&event("c")).unwrap(), Appended::New);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.ends_with(
                "acked \"a\"\nevent {\"id\":\"c\",\"platform\":\"commbox\",\"event\":{}}\n"
            ),
            "{text}"
        );
    }
}
