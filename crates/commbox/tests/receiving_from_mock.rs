//! End to end: the mock delivers what the real services send (CommBox's three shapes,
//! Chatwoot's signed events) when conversations and messages are created, and the core's
//! parsers read them. The receiver here is a plain TCP listener, to see the bytes as sent.

mod common;

use commbox::blocking::Client;
use commbox::chatwoot::{NewContact, NewInboxMessage};
use commbox::events::{
    parse_commbox_delivery, ChatwootEventKind, ChatwootWebhookVerifier, CommBoxEventKind,
    CommBoxFormat,
};
use commbox::{ErrorKind, ObjectStatusType, SmsConversation};
use commbox_mock::{MockServer, CHATWOOT_INBOX};
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One POST as received: its path, headers (lowercase names) and body.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A receiver answering 200 to every POST; returns its base URL and what it received.
fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let log = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (n, v) = h.split_once(':').unwrap();
                headers.push((n.to_ascii_lowercase(), v.trim().to_owned()));
            }
            let len: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            log.lock().unwrap().push(Received {
                path,
                headers,
                body,
            });
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (url, got)
}

/// Waits until `n` deliveries arrived and returns them.
fn wait_for(got: &Arc<Mutex<Vec<Received>>>, n: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = got.lock().unwrap().clone();
        if now.len() >= n {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} deliveries: {now:?}",
            now.len()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn commbox_events_arrive_in_each_shape_and_parse() {
    let mock = MockServer::start().unwrap();
    let (url, got) = receiver();
    for format in ["json", "xml", "payload"] {
        mock.subscribe_webhooks(json!({
            "platform": "commbox", "url": format!("{url}/commbox/s3cret/{format}"), "format": format,
        }));
    }
    let client = common::setup_with(&mock);
    let id = client
        .create_conversation("S1", SmsConversation::new("+972544444444", "Hello there"))
        .unwrap();
    let mut by_shape = wait_for(&got, 3);
    by_shape.sort_by(|a, b| a.path.cmp(&b.path));
    for (r, format) in by_shape.iter().zip([
        CommBoxFormat::EventJson,
        CommBoxFormat::PayloadJson,
        CommBoxFormat::Xml,
    ]) {
        let e = parse_commbox_delivery(&r.body, r.header("content-type")).unwrap();
        assert_eq!(e.kind, CommBoxEventKind::NewConversation, "{}", r.path);
        assert_eq!(e.format, format, "{}", r.path);
        let object = e.object.expect("the object");
        assert_eq!(object.id, Some(id));
        assert_eq!(object.message.as_deref(), Some("Hello there"));
    }

    client
        .create_message(
            "S1",
            id,
            commbox::NewMessage::from_agent(1, "a@example.com", "An agent's answer"),
        )
        .unwrap();
    client
        .set_conversation_status(id, ObjectStatusType::RESOLVED)
        .unwrap();
    let all = wait_for(&got, 9);
    let kinds: Vec<_> = all[3..]
        .iter()
        .map(|r| parse_commbox_delivery(&r.body, r.header("content-type")).unwrap())
        .collect();
    let children: Vec<_> = kinds
        .iter()
        .filter(|e| e.kind == CommBoxEventKind::NewMessage)
        .collect();
    assert_eq!(children.len(), 3, "one OnNewChild per subscription");
    for e in children {
        let child = e.child.as_ref().expect("the child");
        assert_eq!(child.message.as_deref(), Some("An agent's answer"));
        assert_eq!(child.manager_id, Some(1));
    }
    let statuses: Vec<_> = kinds
        .iter()
        .filter(|e| e.kind == CommBoxEventKind::StatusChanged)
        .collect();
    assert_eq!(statuses.len(), 3);
    for e in statuses {
        assert_eq!(
            e.activity.as_ref().unwrap().status,
            Some(ObjectStatusType::RESOLVED)
        );
    }
    // The mock logs each attempt with the receiver's answer, once the answer is read.
    let deadline = Instant::now() + Duration::from_secs(10);
    let deliveries = loop {
        let d = mock.webhook_deliveries();
        if d.len() >= 9 || Instant::now() > deadline {
            break d;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(deliveries.len(), 9);
    assert!(
        deliveries.iter().all(|d| d["status"] == 200),
        "{deliveries:?}"
    );
}

#[test]
fn chatwoot_events_are_signed_and_an_agent_reply_is_an_agent_public_reply() {
    let mock = MockServer::start().unwrap();
    let (url, got) = receiver();
    mock.subscribe_webhooks(json!({
        "platform": "chatwoot", "url": format!("{url}/chatwoot"), "secret": "whsec-1",
    }));
    let inbox = Client::builder()
        .base_url(mock.url())
        .build_inbox(CHATWOOT_INBOX)
        .unwrap();
    let contact = inbox
        .create_contact(NewContact::new().source_id("crm-1").name("Dana"))
        .unwrap();
    let conv = inbox.create_conversation("crm-1", None).unwrap();
    inbox
        .create_message(
            "crm-1",
            conv.id,
            NewInboxMessage::new("When is my order due?"),
        )
        .unwrap();
    let reply_id = mock
        .chatwoot_agent_reply(conv.id as u64, "Tomorrow morning.")
        .unwrap();
    let received = wait_for(&got, 3);
    let verifier = ChatwootWebhookVerifier::new("whsec-1").unwrap();
    let deliveries: Vec<_> = received
        .iter()
        .map(|r| verifier.verify(r.headers.clone(), &r.body).unwrap())
        .collect();
    // Delivered concurrently: tell them apart by content, not by arrival.
    let created: Vec<_> = deliveries
        .iter()
        .filter(|d| d.event.kind == ChatwootEventKind::ConversationCreated)
        .collect();
    assert_eq!(created.len(), 1, "{deliveries:?}");
    assert_eq!(
        created[0].event.conversation.as_ref().map(|c| c.id),
        Some(conv.id)
    );
    let (reply, incoming): (Vec<_>, Vec<_>) = deliveries
        .iter()
        .filter(|d| d.event.kind == ChatwootEventKind::MessageCreated)
        .partition(|d| d.event.is_agent_public_reply());
    let (incoming, reply) = (incoming[0], reply[0]);
    assert_eq!(incoming.event.kind, ChatwootEventKind::MessageCreated);
    let said = incoming.event.message.as_ref().unwrap().content.as_deref();
    assert_eq!(
        said,
        Some("When is my order due?"),
        "the contact's own message"
    );
    assert_eq!(reply.event.kind, ChatwootEventKind::MessageCreated);
    assert!(reply.event.is_agent_public_reply());
    let message = reply.event.message.as_ref().unwrap();
    assert_eq!(message.id, Some(reply_id as i64));
    assert_eq!(message.content.as_deref(), Some("Tomorrow morning."));
    assert_ne!(incoming.delivery_id, reply.delivery_id);
    assert!(reply.delivery_id.is_some());
    let _ = contact;

    // Resolving announces the status change.
    inbox.resolve_conversation("crm-1", conv.id).unwrap();
    let received = wait_for(&got, 4);
    let changed = verifier
        .verify(received[3].headers.clone(), &received[3].body)
        .unwrap();
    assert_eq!(
        changed.event.kind,
        ChatwootEventKind::ConversationStatusChanged
    );

    // Signed with another secret: refused.
    let forged = ChatwootWebhookVerifier::new("not-the-secret").unwrap();
    let e = forged
        .verify(received[0].headers.clone(), &received[0].body)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
}
