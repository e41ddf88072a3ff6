//! `commbox chatwoot listen`, the built binary, against the mock's `/cable`: an agent's reply
//! injected with the mock comes out as a JSON line, and still does after the mock drops the
//! socket.

use commbox::chatwoot::{NewContact, NewInboxMessage};
use commbox_mock::{MockServer, CHATWOOT_INBOX};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Listener {
    child: Child,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(mock: &MockServer, extra: &[&str]) -> Listener {
    let mut child = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["chatwoot", "listen", "--contact", "live-1"])
        .args(extra)
        .env_clear()
        .env("CHATWOOT_BASE_URL", mock.url())
        .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX)
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let out = BufReader::new(child.stdout.take().unwrap());
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            let v: Value = serde_json::from_str(&line).expect("a JSON line");
            sink.lock().unwrap().push(v);
        }
    });
    Listener { child, lines }
}

/// Sets up a contact "live-1" with a conversation; returns the client and its id.
fn contact(mock: &MockServer) -> (commbox::blocking::InboxClient, i64) {
    let inbox = commbox::blocking::Client::builder()
        .base_url(mock.url())
        .build_inbox(CHATWOOT_INBOX)
        .unwrap();
    inbox
        .create_contact(NewContact::new().source_id("live-1").name("Dana"))
        .unwrap();
    let conv = inbox.create_conversation("live-1", None).unwrap();
    (inbox, conv.id)
}

/// Has the agent reply `{tag}-1`, `{tag}-2`, … until one comes out (the first ones may beat
/// the subscription: the mock does not replay); returns the line.
fn reply_until_heard(mock: &MockServer, l: &Listener, conv: i64, tag: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    for n in 1.. {
        let content = format!("{tag}-{n}");
        mock.chatwoot_agent_reply(conv as u64, &content).unwrap();
        let until = Instant::now() + Duration::from_millis(500);
        while Instant::now() < until {
            if let Some(line) = l
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|v| v["message"]["content"] == content.as_str())
            {
                return line.clone();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(Instant::now() < deadline, "no {tag} reply came out");
    }
    unreachable!()
}

#[test]
fn agent_replies_come_out_as_lines_across_a_dropped_socket() {
    let mock = MockServer::start().unwrap();
    let (inbox, conv) = contact(&mock);
    let l = listen(&mock, &["--agent-replies-only"]);
    let line = reply_until_heard(&mock, &l, conv, "first");
    assert_eq!(line["kind"], "message_created");
    assert_eq!(line["event"], "message.created");
    assert_eq!(line["conversation_id"], conv);
    // The contact's own message is not an agent's reply: filtered out.
    inbox
        .create_message("live-1", conv, NewInboxMessage::new("mine").echo_id("e-1"))
        .unwrap();

    mock.drop_cables();
    let after = reply_until_heard(&mock, &l, conv, "after-drop");
    assert_eq!(after["kind"], "message_created");
    let lines = l.lines.lock().unwrap();
    assert!(
        lines
            .iter()
            .all(|v| v["kind"] == "message_created" && v["message"]["content"] != "mine"),
        "{lines:?}"
    );
}

#[test]
fn without_the_filter_the_contacts_echo_and_the_reconnect_come_out_too() {
    let mock = MockServer::start().unwrap();
    let (inbox, conv) = contact(&mock);
    let l = listen(&mock, &[]);
    reply_until_heard(&mock, &l, conv, "first");
    inbox
        .create_message("live-1", conv, NewInboxMessage::new("mine").echo_id("e-1"))
        .unwrap();
    let echo = wait_line(&l, |v| v["echo_id"] == "e-1");
    assert_eq!(echo["kind"], "message_created");
    assert_eq!(echo["message"]["content"], "mine");
    mock.drop_cables();
    wait_line(&l, |v| v["kind"] == "reconnected");
    reply_until_heard(&mock, &l, conv, "after-drop");
}

/// Waits for a line that `pred` accepts.
fn wait_line(l: &Listener, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = l.lines.lock().unwrap().iter().find(|v| pred(v)) {
            return v.clone();
        }
        assert!(
            Instant::now() < deadline,
            "timed out: {:?}",
            l.lines.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_unknown_contact_is_an_error_with_its_exit_code() {
    let mock = MockServer::start().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["chatwoot", "listen", "--contact", "nobody"])
        .env_clear()
        .env("CHATWOOT_BASE_URL", mock.url())
        .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX)
        .env("COMMBOX_MAX_RETRIES", "0")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}
