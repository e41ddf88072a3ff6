//! `commbox webhooks serve`, the built binary: CommBox's shapes from the mock's
//! subscriptions, Chatwoot's signatures, repeats, the body cap, and a receiver killed with
//! -9 between its 2xx and the hand-over.

use commbox::blocking::Client;
use commbox::events::chatwoot_signature;
use commbox::SmsConversation;
use commbox_mock::MockServer;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SECRET: &str = "s3cret";
const CW_SECRET: &str = "whsec-1";

/// A running receiver: its port and the lines it printed on stdout.
struct Receiver {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    fn start(spool: &Path, extra: &[&str]) -> Receiver {
        let mut child = Command::new(env!("CARGO_BIN_EXE_commbox"))
            .args(["webhooks", "serve", "--port", "0", "--spool"])
            .arg(spool)
            .args(["--commbox-secret", SECRET, "--chatwoot-secret", CW_SECRET])
            .args(extra)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group: the kill test kills it with its --exec command, as a
            // crash of the machine would.
            .process_group(0)
            .spawn()
            .expect("runs");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address on stderr: {first:?}"));
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                eprintln!("[receiver] {line}");
            }
        });
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = BufReader::new(child.stdout.take().unwrap());
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Receiver { child, port, lines }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits for `n` lines on stdout and returns them parsed.
    fn wait_lines(&self, n: usize) -> Vec<Value> {
        wait_until(&format!("{n} lines"), || {
            self.lines.lock().unwrap().len() >= n
        });
        let lines = self.lines.lock().unwrap();
        lines
            .iter()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
        post(self.port, path, headers, body)
    }

    /// `kill -9` of its process group (the receiver and any --exec command running).
    fn kill9(mut self) {
        let pid = self.child.id();
        let status = Command::new("kill")
            .args(["-9", "--", &format!("-{pid}")])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().unwrap();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One HTTP/1.1 POST; returns the status and the body of the answer.
fn post(port: u16, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // A refused body may be cut short by the server: the status still comes.
    let _ = s.write_all(body);
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A Chatwoot message_created body.
fn chatwoot_body(content: &str) -> Vec<u8> {
    json!({
        "event": "message_created", "id": 41, "content": content, "message_type": "outgoing",
        "private": false, "sender": {"id": 1, "name": "Agent", "type": "user"},
        "conversation": {"id": 7}, "account": {"id": 1}, "inbox": {"id": 1},
    })
    .to_string()
    .into_bytes()
}

/// POSTs `body` to /chatwoot signed with `secret` at `ts`, as delivery `id`.
fn chatwoot_post(r: &Receiver, secret: &str, ts: u64, id: &str, body: &[u8]) -> u16 {
    let ts = ts.to_string();
    let sig = chatwoot_signature(secret.as_bytes(), &ts, body);
    r.post(
        "/chatwoot",
        &[
            ("content-type", "application/json"),
            ("x-chatwoot-signature", &sig),
            ("x-chatwoot-timestamp", &ts),
            ("x-chatwoot-delivery", id),
        ],
        body,
    )
    .0
}

fn spool_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("spool.log")).unwrap_or_default()
}

#[test]
fn commbox_shapes_from_the_mock_subscriptions_come_out_as_lines() {
    let dir = tempfile::tempdir().unwrap();
    let r = Receiver::start(dir.path(), &[]);
    let mock = MockServer::start().unwrap();
    for format in ["json", "xml", "payload"] {
        mock.subscribe_webhooks(json!({
            "platform": "commbox", "url": format!("{}/commbox/{SECRET}", r.url()), "format": format,
        }));
    }
    // And one with a wrong secret: refused, nothing out.
    mock.subscribe_webhooks(json!({
        "platform": "commbox", "url": format!("{}/commbox/guess", r.url()), "format": "json",
    }));
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap();
    let id = client
        .create_conversation("S1", SmsConversation::new("+972544444444", "Hello there"))
        .unwrap();
    let lines = r.wait_lines(3);
    let mut formats: Vec<&str> = lines
        .iter()
        .map(|l| l["event"]["format"].as_str().unwrap())
        .collect();
    formats.sort_unstable();
    assert_eq!(formats, ["event_json", "payload_json", "xml"]);
    for l in &lines {
        assert_eq!(l["platform"], "commbox");
        assert!(l["id"].as_str().unwrap().starts_with("sha256:"), "{l}");
        assert!(l["received_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(l["event"]["kind"], "new_conversation");
        assert_eq!(l["event"]["object"]["id"], id);
        assert_eq!(l["event"]["object"]["message"], "Hello there");
    }
    let mut statuses: Vec<i64> = mock
        .webhook_deliveries()
        .iter()
        .map(|d| d["status"].as_i64().unwrap_or(0))
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 404]);
    // Every line confirmed in the spool.
    wait_until("3 acked records", || {
        spool_text(dir.path()).matches("\nacked ").count() == 3
    });
}

#[test]
fn commbox_fixtures_posted_directly_and_a_repeat_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let r = Receiver::start(dir.path(), &[]);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../commbox/tests/fixtures/events");
    let xml = std::fs::read(fixtures.join("commbox_object_on_new_child.xml")).unwrap();
    let payload = std::fs::read(fixtures.join("commbox_object_on_new_payload.json")).unwrap();
    let tag = br#"{"Event": {"Subscription": "Tag", "Name": "OnAdd", "Brand": "acme", "Tag": {"tagId": "40", "name": "VIP"}}}"#;
    let path = format!("/commbox/{SECRET}");
    let xml_ct = [("content-type", "application/xml")];
    let json_ct = [("content-type", "application/json")];
    assert_eq!(r.post(&path, &xml_ct, &xml).0, 200);
    assert_eq!(r.post(&path, &json_ct, &payload).0, 200);
    assert_eq!(r.post(&path, &json_ct, tag).0, 200);
    // The same body again: a repeat, answered 200, not handed over twice.
    let (status, answer) = r.post(&path, &xml_ct, &xml);
    assert_eq!(status, 200);
    assert!(answer.contains("\"repeat\":true"), "{answer}");
    // Refused: not spooled, nothing out.
    assert_eq!(r.post("/commbox/guess", &json_ct, tag).0, 404);
    assert_eq!(r.post(&path, &json_ct, b"{\"Event\": ").0, 400);
    let big = vec![b' '; commbox::events::MAX_DELIVERY_BYTES + 1];
    assert_eq!(r.post(&path, &json_ct, &big).0, 413);
    // A last distinct delivery: once it is out, everything before it is too.
    let last = br#"{"Event": {"Subscription": "Chat", "Name": "OnUserExit", "Brand": "acme"}}"#;
    assert_eq!(r.post(&path, &json_ct, last).0, 200);
    let lines = r.wait_lines(4);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(r.lines.lock().unwrap().len(), 4);
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l["event"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds[..3],
        ["new_message", "new_conversation", "tag_changed"]
    );
    assert_eq!(lines[0]["event"]["format"], "xml");
    assert_eq!(lines[1]["event"]["format"], "payload_json");
}

#[test]
fn chatwoot_valid_forged_stale_and_a_repeated_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let r = Receiver::start(dir.path(), &[]);
    let body = chatwoot_body("Tomorrow morning.");
    assert_eq!(chatwoot_post(&r, CW_SECRET, now(), "d-1", &body), 200);
    // Forged: signed with another secret.
    assert_eq!(
        chatwoot_post(&r, "not-the-secret", now(), "d-2", &body),
        401
    );
    // Stale: ten minutes old.
    assert_eq!(chatwoot_post(&r, CW_SECRET, now() - 600, "d-3", &body), 401);
    // Not signed at all.
    let (status, _) = r.post("/chatwoot", &[("x-chatwoot-delivery", "d-4")], &body);
    assert_eq!(status, 401);
    // The same delivery id again (Chatwoot's retry): answered 200, not handed over again.
    assert_eq!(chatwoot_post(&r, CW_SECRET, now(), "d-1", &body), 200);
    assert_eq!(
        chatwoot_post(&r, CW_SECRET, now(), "d-5", &chatwoot_body("Bye")),
        200
    );
    let lines = r.wait_lines(2);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(r.lines.lock().unwrap().len(), 2, "{lines:?}");
    assert_eq!(lines[0]["id"], "d-1");
    assert_eq!(lines[0]["platform"], "chatwoot");
    assert_eq!(lines[0]["event"]["kind"], "message_created");
    assert_eq!(lines[0]["event"]["message"]["content"], "Tomorrow morning.");
    assert_eq!(lines[1]["id"], "d-5");
    let spool = spool_text(dir.path());
    assert!(!spool.contains("d-2") && !spool.contains("d-3") && !spool.contains("d-4"));
}

#[test]
fn chatwoot_agent_reply_from_the_mock_is_verified_and_handed_over() {
    let dir = tempfile::tempdir().unwrap();
    let r = Receiver::start(dir.path(), &[]);
    let mock = MockServer::start().unwrap();
    mock.subscribe_webhooks(json!({
        "platform": "chatwoot", "url": format!("{}/chatwoot", r.url()), "secret": CW_SECRET,
    }));
    let inbox = Client::builder()
        .base_url(mock.url())
        .build_inbox(commbox_mock::CHATWOOT_INBOX)
        .unwrap();
    inbox
        .create_contact(commbox::chatwoot::NewContact::new().source_id("crm-1"))
        .unwrap();
    let conv = inbox.create_conversation("crm-1", None).unwrap();
    let reply = mock
        .chatwoot_agent_reply(conv.id as u64, "Tomorrow.")
        .unwrap();
    wait_until("the reply", || {
        r.lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("Tomorrow."))
    });
    let lines = r.wait_lines(1);
    let line = lines
        .iter()
        .find(|l| l["event"]["message"]["id"] == reply)
        .unwrap();
    assert_eq!(line["event"]["message"]["message_type"], "outgoing");
    assert!(
        !line["id"].as_str().unwrap().starts_with("sha256:"),
        "the delivery id"
    );
}

/// A consumer that records each id it was given at once, then, while `DIR/slow` exists,
/// takes 30 s before it says done.
fn slow_consumer(dir: &Path) -> String {
    let script = dir.join("consumer.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nline=$(cat)\necho \"$COMMBOX_EVENT_ID\" >> {d}/started\n\
             if [ -e {d}/slow ]; then sleep 30; fi\necho \"$line\" >> {d}/done\n",
            d = dir.display()
        ),
    )
    .unwrap();
    format!("sh {}", script.display())
}

fn done_ids(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("done"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn killed_after_its_2xx_and_before_the_hand_over_the_event_comes_out_after_a_restart() {
    let work = tempfile::tempdir().unwrap();
    let spool = work.path().join("spool");
    let exec = slow_consumer(work.path());
    let r = Receiver::start(&spool, &["--exec", &exec]);

    // A: handed over and confirmed before the kill.
    assert_eq!(
        chatwoot_post(&r, CW_SECRET, now(), "d-A", &chatwoot_body("A")),
        200
    );
    wait_until("A confirmed", || {
        spool_text(&spool).contains("acked \"d-A\"")
    });
    assert_eq!(done_ids(work.path()), ["d-A"]);

    // B: acknowledged (the sender saw 200), its hand-over under way, then kill -9.
    std::fs::write(work.path().join("slow"), "").unwrap();
    assert_eq!(
        chatwoot_post(&r, CW_SECRET, now(), "d-B", &chatwoot_body("B")),
        200
    );
    wait_until("B's hand-over started", || {
        std::fs::read_to_string(work.path().join("started"))
            .unwrap_or_default()
            .contains("d-B")
    });
    r.kill9();
    assert_eq!(
        done_ids(work.path()),
        ["d-A"],
        "B was not handed over before the kill"
    );

    // Restart: B comes out, with its id; A does not come again.
    std::fs::remove_file(work.path().join("slow")).unwrap();
    let r = Receiver::start(&spool, &["--exec", &exec]);
    wait_until("B after the restart", || done_ids(work.path()).len() >= 2);
    wait_until("B confirmed", || {
        spool_text(&spool).contains("acked \"d-B\"")
    });
    assert_eq!(done_ids(work.path()), ["d-A", "d-B"]);
    // Chatwoot's retry of B after the restart is a repeat.
    assert_eq!(
        chatwoot_post(&r, CW_SECRET, now(), "d-B", &chatwoot_body("B")),
        200
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(done_ids(work.path()), ["d-A", "d-B"]);
}

#[test]
fn a_failing_exec_is_retried_not_dropped() {
    let work = tempfile::tempdir().unwrap();
    let flag = work.path().join("fail");
    std::fs::write(&flag, "").unwrap();
    let out = work.path().join("out");
    let cmd = format!(
        "if [ -e {f} ]; then rm {f}; exit 3; fi; cat >> {o}",
        f = flag.display(),
        o = out.display()
    );
    let r = Receiver::start(&work.path().join("spool"), &["--exec", &cmd]);
    assert_eq!(
        chatwoot_post(&r, CW_SECRET, now(), "d-R", &chatwoot_body("R")),
        200
    );
    wait_until("the retry", || {
        std::fs::read_to_string(&out)
            .unwrap_or_default()
            .contains("d-R")
    });
}

#[test]
fn help_lists_the_paths_and_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["webhooks", "serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "/commbox/<secret>",
        "/chatwoot",
        "--exec",
        "Exit codes",
        "fsync",
    ] {
        assert!(help.contains(needle), "{needle} in {help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("webhooks serve"), "{help}");
    // No platform enabled: a usage error.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["webhooks", "serve", "--port", "0", "--spool"])
        .arg(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
