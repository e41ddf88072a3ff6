//! `commbox batch` end to end against the mock: a result per line, malformed lines, the
//! concurrency bound, the shared 429 slow-down, the journal, and kill -9 in the middle.

use commbox_mock::{Fault, MockServer};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The command against `mock`, with nothing from the environment but what is set here.
fn batch(mock: &MockServer, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_commbox"));
    cmd.arg("batch")
        .args(args)
        .env_clear()
        .env("COMMBOX_API_KEY", mock.api_key())
        .env("COMMBOX_BASE_URL", mock.url())
        .env("COMMBOX_MAX_RETRIES", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// An SMS conversation whose text carries its line number.
fn sms_line(n: usize) -> String {
    json!({"op": "commbox.conversation", "stream": "s",
           "request": {"channel": "sms", "identity": "+972544444444", "message": format!("line {n}")}})
    .to_string()
}

fn write_lines(dir: &Path, lines: &[String]) -> String {
    let path = dir.join("in.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
    path.to_str().unwrap().to_owned()
}

/// The result lines by line number (each line has exactly one).
fn results(out: &Output) -> BTreeMap<u64, Value> {
    let mut by_line = BTreeMap::new();
    for text in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(text).expect("each result is one JSON line");
        let line = v["line"].as_u64().expect("each result names its line");
        assert!(
            by_line.insert(line, v).is_none(),
            "line {line} has two results"
        );
    }
    by_line
}

/// How many conversations the mock stored for each text.
fn stored_texts(mock: &MockServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for o in mock.objects() {
        let text = o.data["Message"].as_str().unwrap_or_default().to_owned();
        *counts.entry(text).or_insert(0) += 1;
    }
    counts
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

#[test]
fn each_line_gets_its_id_or_error() {
    let mock = MockServer::start().unwrap();
    let stream = "s";
    let conversation = commbox::blocking::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap()
        .create_conversation(
            stream,
            commbox::SmsConversation::new("+972544444444", "first"),
        )
        .unwrap();
    let inbox = commbox::blocking::Client::builder()
        .base_url(mock.url())
        .build_inbox(commbox_mock::CHATWOOT_INBOX)
        .unwrap();
    let contact = inbox
        .create_contact(commbox::chatwoot::NewContact::new().source_id("batch-contact"))
        .unwrap();
    let chat = inbox.create_conversation("batch-contact", None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        sms_line(1),
        json!({"op": "commbox.message", "stream": stream, "conversation": conversation,
               "request": {"identity": "a@b.co", "message": "a reply"}})
        .to_string(),
        String::new(), // blank: skipped, but counted in the numbering
        json!({"op": "chatwoot.message", "contact": contact.source_id.unwrap(),
               "conversation": chat.id, "request": {"content": "from the contact"}})
        .to_string(),
        // Refused by the server: an unknown conversation.
        json!({"op": "commbox.message", "stream": stream, "conversation": "999999",
               "request": {"identity": "a@b.co", "message": "lost"}})
        .to_string(),
    ];
    let input = write_lines(dir.path(), &lines);
    let out = batch(&mock, &[&input])
        .env("CHATWOOT_BASE_URL", mock.url())
        .env("CHATWOOT_INBOX_IDENTIFIER", commbox_mock::CHATWOOT_INBOX)
        .output()
        .unwrap();
    let r = results(&out);
    assert_eq!(r.keys().copied().collect::<Vec<_>>(), [1, 2, 4, 5], "{r:?}");
    let objects = mock.objects();
    let sms = objects
        .iter()
        .find(|o| o.data["Message"] == "line 1")
        .unwrap();
    assert_eq!(r[&1]["id"], json!(sms.id));
    let first = objects
        .iter()
        .find(|o| o.id as i64 == conversation)
        .unwrap();
    assert_eq!(r[&2]["id"], json!(first.children[0].id));
    let state = serde_json::to_value(mock.chatwoot_state())
        .unwrap()
        .to_string();
    assert!(state.contains("from the contact"));
    assert!(r[&4]["id"].is_i64());
    assert_eq!(r[&5]["error"]["kind"], "not_found");
    assert_eq!(r[&5]["error"]["retry_safety"], "safe");
    // `line` comes first, the error's keys in their documented order.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("{\"line\":5,\"error\":{\"kind\":\"not_found\",\"retry_safety\""));
    assert_eq!(code(&out), Some(14), "some failed");

    // Without the lines that fail: 0; stdin works as well as a file.
    let mut child = batch(&mock, &["-"]).stdin(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}\n{}", sms_line(1), sms_line(2)).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        code(&out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(results(&out).len(), 2);
}

#[test]
fn malformed_lines_name_the_line_and_field_and_send_nothing() {
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        "{not json".to_owned(),
        json!({"op": "commbox.sms", "stream": "s", "request": {}}).to_string(),
        json!({"op": "commbox.conversation", "request": {"channel": "sms", "identity": "1", "message": "m"}}).to_string(),
        json!({"op": "commbox.conversation", "stream": "s",
               "request": {"channel": "email", "identity": "a@b.co", "subject": "s", "message": "m", "to": ["a@b.co", 7]}})
        .to_string(),
        json!({"op": "commbox.message", "stream": "s", "conversation": 1, "request": {"identity": "a@b.co"}, "extra": 1}).to_string(),
        // Well formed, but the core's rules refuse it before sending: an empty message.
        json!({"op": "commbox.conversation", "stream": "s",
               "request": {"channel": "sms", "identity": "+972544444444", "message": ""}})
        .to_string(),
        sms_line(7),
    ];
    let input = write_lines(dir.path(), &lines);
    let out = batch(&mock, &[&input]).output().unwrap();
    let r = results(&out);
    let fields: Vec<(u64, &str)> = r
        .iter()
        .filter(|(_, v)| v.get("error").is_some())
        .map(|(n, v)| (*n, v["error"]["field"].as_str().unwrap_or("-")))
        .collect();
    assert_eq!(
        fields,
        [
            (1, "line"),
            (2, "op"),
            (3, "stream"),
            (4, "request.to[1]"),
            (5, "extra"),
            (6, "Message")
        ],
        "{r:?}"
    );
    for n in 1..=6 {
        assert_eq!(r[&n]["error"]["kind"], "validation");
        assert!(r[&n].get("unknown").is_none());
    }
    assert!(r[&7]["id"].is_i64());
    // Only line 7 reached the server.
    assert_eq!(mock.request_count(), 1);
    assert_eq!(code(&out), Some(14));
}

/// The most requests the mock held at once while `child` ran (each is delayed there).
fn max_in_flight(mock: &MockServer, child: &mut Child) -> usize {
    let mut max = 0;
    while child.try_wait().unwrap().is_none() {
        let now = mock.requests().iter().filter(|r| r.status == 0).count();
        max = max.max(now);
        std::thread::sleep(Duration::from_millis(5));
    }
    max
}

#[test]
fn no_more_requests_in_flight_than_the_concurrency() {
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), &(1..=24).map(sms_line).collect::<Vec<_>>());
    for (args, bound) in [(vec!["--concurrency", "3"], 3), (vec![], 4)] {
        mock.reset();
        mock.push_fault(Fault::delay(150).times(24));
        let mut cmd = batch(&mock, &[&input]);
        let mut child = cmd.args(&args).spawn().unwrap();
        let max = max_in_flight(&mock, &mut child);
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), Some(0));
        assert_eq!(results(&out).len(), 24);
        assert_eq!(max, bound, "{args:?}: at most, and up to, {bound} at once");
    }
}

#[test]
fn a_429_with_retry_after_slows_every_worker() {
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), &(1..=40).map(sms_line).collect::<Vec<_>>());
    // The first request is told to wait 1 s; the three sent with it take 100 ms. Without
    // the shared slow-down, their workers would then send the other 36 lines at once.
    mock.push_fault(Fault::status(429).with_retry_after("1"));
    mock.push_fault(Fault::delay(100).times(3));
    let child = batch(&mock, &[&input, "--concurrency", "4"])
        .env("COMMBOX_MAX_RETRIES", "2")
        .spawn()
        .unwrap();
    let start = Instant::now();
    while mock.request_count() == 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "no request came");
        std::thread::sleep(Duration::from_millis(2));
    }
    let told = Instant::now();
    std::thread::sleep(Duration::from_millis(700));
    let during = mock.request_count();
    let out = child.wait_with_output().unwrap();
    let took = told.elapsed();
    assert!(
        during <= 4,
        "{during} requests within 0.7 s of the 429: only those already sent may go"
    );
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert_eq!(
        code(&out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(results(&out).len(), 40);
    assert_eq!(
        mock.request_count(),
        41,
        "the one 429 and one request per line"
    );
}

#[test]
fn a_rerun_with_the_journal_sends_only_what_is_safe() {
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let journal = journal.to_str().unwrap();
    let mut lines: Vec<String> = (1..=6).map(sms_line).collect();
    let input = write_lines(dir.path(), &lines);
    // One at a time, so that the faults fall on lines 1 and 2: 503 was not processed
    // (safe to send again), a 500 may have been.
    mock.push_fault(Fault::status(503));
    mock.push_fault(Fault::status(500));
    let args = [input.as_str(), "--concurrency", "1", "--journal", journal];
    let out = batch(&mock, &args).output().unwrap();
    let r = results(&out);
    assert_eq!(r[&1]["error"]["retry_safety"], "safe");
    assert!(r[&1].get("unknown").is_none());
    assert_eq!(r[&2]["error"]["retry_safety"], "may_duplicate");
    assert_eq!(r[&2]["unknown"], true);
    assert_eq!(
        code(&out),
        Some(15),
        "an unknown outcome wins over a failure"
    );
    assert_eq!(mock.request_count(), 6);

    // The rerun sends line 1 again, not line 2, and takes the others from the journal.
    let out = batch(&mock, &args).output().unwrap();
    let r = results(&out);
    assert_eq!(mock.request_count(), 7);
    assert!(r[&1]["id"].is_i64() && r[&1].get("from_journal").is_none());
    assert_eq!(r[&2]["unknown"], true);
    assert_eq!(r[&2]["from_journal"], true);
    assert_eq!(r[&2]["error"]["kind"], "server");
    for n in 3..=6 {
        assert_eq!(r[&n]["from_journal"], true);
        assert!(r[&n]["id"].is_i64());
    }
    assert_eq!(code(&out), Some(15));
    assert_eq!(stored_texts(&mock).get("line 1"), Some(&1));

    // A line changed since it was sent is not the request the journal knows: refused, and
    // lines added since are sent.
    lines[2] = sms_line(33);
    lines.push(sms_line(7));
    write_lines(dir.path(), &lines);
    let out = batch(&mock, &args).output().unwrap();
    let r = results(&out);
    assert_eq!(r[&3]["error"]["field"], "line");
    assert!(r[&7]["id"].is_i64());
    assert_eq!(mock.request_count(), 8);

    // Not a journal: refused before anything is sent (I/O, 13).
    let out = batch(&mock, &[&input, "--journal", &input])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(13));
    assert!(out.stdout.is_empty());
    assert_eq!(mock.request_count(), 8);
}

/// kill -9 in the middle of 5 000 lines, then a rerun to the end: no line is stored twice,
/// every line is stored once or reported unknown, and at most `--concurrency` are unknown.
#[test]
fn kill_9_midway_then_rerun_sends_no_line_twice() {
    const LINES: usize = 5000;
    const CONCURRENCY: usize = 8;
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), &(1..=LINES).map(sms_line).collect::<Vec<_>>());
    let journal = dir.path().join("journal");
    let concurrency = CONCURRENCY.to_string();
    let args = [
        input.as_str(),
        "--concurrency",
        &concurrency,
        "--journal",
        journal.to_str().unwrap(),
    ];
    let start = Instant::now();
    let mut child = batch(&mock, &args).spawn().unwrap();
    while mock.request_count() < 400 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap(); // SIGKILL
    let killed = child.wait_with_output().unwrap();
    let at_kill = mock.request_count();
    let printed_before = results(&killed).len();

    let out = batch(&mock, &args).output().unwrap();
    let r = results(&out);
    assert_eq!(r.len(), LINES, "every line has a result");
    let unknown: BTreeSet<u64> = r
        .iter()
        .filter(|(_, v)| v.get("unknown").is_some())
        .map(|(n, _)| *n)
        .collect();
    let stored = stored_texts(&mock);
    let twice: Vec<&String> = stored
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(t, _)| t)
        .collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    for n in 1..=LINES {
        let once = stored.get(&format!("line {n}")) == Some(&1);
        assert!(
            once || unknown.contains(&(n as u64)),
            "line {n} is neither stored nor unknown: {:?}",
            r[&(n as u64)]
        );
        if !unknown.contains(&(n as u64)) {
            assert!(r[&(n as u64)]["id"].is_i64(), "{:?}", r[&(n as u64)]);
        }
    }
    assert!(
        unknown.len() <= CONCURRENCY,
        "{} unknown, more than the {CONCURRENCY} that can be in flight",
        unknown.len()
    );
    assert_eq!(code(&out), Some(if unknown.is_empty() { 0 } else { 15 }));
    eprintln!(
        "kill test: {at_kill} requests at the kill ({printed_before} results printed), \
         {} unknown after the rerun {unknown:?}, {} stored, {} requests in all, {:?}",
        unknown.len(),
        stored.len(),
        mock.request_count(),
        start.elapsed()
    );
}

/// `cmd`'s command line run by script(1) on a pseudo-terminal: what the terminal showed.
fn on_a_terminal(mock: &MockServer, cmd: &str) -> Option<String> {
    let out = Command::new("script")
        .args(["-qec", cmd, "/dev/null"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm")
        .env("COMMBOX_API_KEY", mock.api_key())
        .env("COMMBOX_BASE_URL", mock.url())
        .stdin(Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn progress_bars_on_a_terminal_only() {
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), &(1..=20).map(sms_line).collect::<Vec<_>>());
    let bin = env!("CARGO_BIN_EXE_commbox");
    mock.push_fault(Fault::delay(60).times(20));
    let Some(shown) = on_a_terminal(&mock, &format!("{bin} batch {input} --concurrency 2")) else {
        eprintln!("no script(1) here: the terminal half is skipped");
        return;
    };
    assert!(shown.contains("/20 lines"), "no batch bar: {shown:?}");
    assert!(shown.contains("{\"line\":20,\"id\":"), "{shown:?}");
    // An --attach upload: a bar named after the file.
    let file = dir.path().join("report.bin");
    std::fs::write(&file, vec![7u8; 3 << 20]).unwrap();
    let cmd = format!(
        "{bin} sms --stream s --phone +972544444444 -m hi --attach {}",
        file.display()
    );
    let shown = on_a_terminal(&mock, &cmd).unwrap();
    assert!(
        shown.contains("report.bin") && shown.contains("MiB"),
        "no upload bar: {shown:?}"
    );
    // Piped: no bar, nothing on stderr.
    let out = batch(&mock, &[&input]).output().unwrap();
    assert_eq!(code(&out), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ctrl_c_finishes_the_lines_in_flight_and_a_rerun_sends_the_rest() {
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), &(1..=40).map(sms_line).collect::<Vec<_>>());
    let journal = dir.path().join("journal");
    let args = [
        input.as_str(),
        "--concurrency",
        "4",
        "--journal",
        journal.to_str().unwrap(),
    ];
    mock.push_fault(Fault::delay(400).times(40));
    let child = batch(&mock, &args).spawn().unwrap();
    while mock.request_count() < 4 {
        std::thread::sleep(Duration::from_millis(2));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        code(&out),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    let r = results(&out);
    // Every request that went out got its answer and its result; nothing is unknown.
    assert_eq!(r.len(), mock.request_count());
    assert!(r.len() >= 4 && r.len() < 40, "{}", r.len());
    assert!(r.values().all(|v| v["id"].is_i64()), "{r:?}");

    let out = batch(&mock, &args).output().unwrap();
    assert_eq!(code(&out), Some(0));
    let rerun = results(&out);
    assert_eq!(rerun.len(), 40);
    assert_eq!(mock.request_count(), 40, "each line sent once in all");
    assert!(stored_texts(&mock).values().all(|n| *n == 1));
}
