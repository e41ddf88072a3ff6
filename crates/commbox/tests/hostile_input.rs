//! Hostile and bad input through the Rust face, one table row per case.
//!
//! The case ids (H01…H94) are the same in the C (tests/c/test_hostile.c), Python
//! (tests/python/test_hostile_input.py) and CLI (crates/commbox-cli/tests/hostile_input.rs)
//! suites and in docs/reliability.md. Every case either is refused with a validation error
//! that names the field while the mock records no request, or is sent: then what the mock
//! recorded (path, query, body, multipart headers) and stored is exactly the value given.
//! Cases that only another face can express (NULL pointers, invalid UTF-8 in a `&str`) are
//! not in this table.

mod common;

use commbox::chatwoot::{self, InboxClient, NewContact};
use commbox::*;
use commbox_mock::{MockServer, RecordedRequest, CHATWOOT_HMAC_TOKEN, CHATWOOT_INBOX};
use common::*;
use serde_json::Value;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

const MB: usize = 1 << 20;
/// SHA-256 of no bytes: what a 0-byte attachment must be stored as.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What every case can use: a mock, clients on it, a CommBox conversation and a Chatwoot
/// contact with a conversation to post into, and a directory of files.
struct Fx {
    mock: MockServer,
    client: Client,
    inbox: InboxClient,
    object: i64,
    contact: String,
    conversation: i64,
    dir: tempfile::TempDir,
}

impl Fx {
    fn new() -> Fx {
        let (mock, client) = setup();
        let inbox = client.inbox(&mock.url(), CHATWOOT_INBOX).unwrap();
        let object = client
            .create_conversation("s", SmsConversation::new("972544444444", "start"))
            .unwrap();
        let contact = inbox
            .create_contact(NewContact::new().source_id("hostile-contact"))
            .unwrap()
            .source_id
            .unwrap();
        let conversation = inbox.create_conversation(&contact, None).unwrap().id;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
        Fx {
            mock,
            client,
            inbox,
            object,
            contact,
            conversation,
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The client settings of the suite, for cases about the settings themselves.
    fn builder(&self) -> ClientBuilder {
        builder(&self.mock)
    }

    fn sms(&self, message: impl Into<String>) -> SmsConversation {
        SmsConversation::new("972544444444", message)
    }

    fn customer(&self, text: &str) -> commbox::NewMessage {
        commbox::NewMessage::from_customer("a@b.co", text)
    }

    /// The object stored last (conversations and their messages).
    fn last_object(&self) -> commbox_mock::StoredObject {
        self.mock.objects().pop().expect("an object is stored")
    }

    /// The attachments of the last CommBox message stored in the suite's conversation.
    fn last_child_files(&self) -> Vec<commbox_mock::StoredAttachment> {
        let objects = self.mock.objects();
        let object = objects
            .iter()
            .find(|o| o.id as i64 == self.object)
            .expect("the suite's conversation");
        object
            .children
            .last()
            .expect("a message")
            .attachments
            .clone()
    }

    /// Posts `message` to the suite's Chatwoot conversation.
    fn post(&self, message: chatwoot::NewInboxMessage) -> Result<chatwoot::InboxMessage> {
        self.inbox
            .create_message(&self.contact, self.conversation, message)
    }

    /// What the mock holds for the suite's Chatwoot inbox.
    fn chatwoot_inbox(&self) -> commbox_mock::ChatwootInboxState {
        let state = self.mock.chatwoot_state();
        state
            .inboxes
            .into_iter()
            .find(|i| i.identifier == CHATWOOT_INBOX)
            .unwrap()
    }

    /// The last message stored in the suite's Chatwoot conversation.
    fn last_chatwoot_message(&self) -> commbox_mock::ChatwootMessageState {
        let conversation = self
            .chatwoot_inbox()
            .conversations
            .into_iter()
            .find(|c| c.id as i64 == self.conversation)
            .unwrap();
        conversation.messages.into_iter().last().unwrap()
    }
}

type Call = Box<dyn Fn(&Fx) -> Result<()>>;
type Check = Box<dyn Fn(&Fx, &[RecordedRequest])>;

enum Expect {
    /// A validation error naming this field, and no request on the wire.
    Refused(String),
    /// Sent; `None` when the call succeeds, else the error kind the server's answer maps
    /// to. The check reads what the mock recorded during the call and what it stored.
    Sent(Option<ErrorKind>, Check),
}

struct Case {
    id: &'static str,
    call: Call,
    expect: Expect,
}

fn refused(
    id: &'static str,
    field: impl Into<String>,
    call: impl Fn(&Fx) -> Result<()> + 'static,
) -> Case {
    Case {
        id,
        call: Box::new(call),
        expect: Expect::Refused(field.into()),
    }
}

fn sent(
    id: &'static str,
    call: impl Fn(&Fx) -> Result<()> + 'static,
    check: impl Fn(&Fx, &[RecordedRequest]) + 'static,
) -> Case {
    answered(id, None, call, check)
}

/// Sent as given, and answered with an error (an unknown id reached the right route).
fn sent_then(
    id: &'static str,
    kind: ErrorKind,
    call: impl Fn(&Fx) -> Result<()> + 'static,
    check: impl Fn(&Fx, &[RecordedRequest]) + 'static,
) -> Case {
    answered(id, Some(kind), call, check)
}

fn answered(
    id: &'static str,
    kind: Option<ErrorKind>,
    call: impl Fn(&Fx) -> Result<()> + 'static,
    check: impl Fn(&Fx, &[RecordedRequest]) + 'static,
) -> Case {
    Case {
        id,
        call: Box::new(call),
        expect: Expect::Sent(kind, Box::new(check)),
    }
}

fn ok<T>(r: Result<T>) -> Result<()> {
    r.map(drop)
}

fn run(fx: &Fx, cases: Vec<Case>) {
    let mut seen_ids = std::collections::HashSet::new();
    for case in cases {
        assert!(seen_ids.insert(case.id), "{} twice", case.id);
        let before = fx.mock.request_count();
        let result = (case.call)(fx);
        let requests = fx.mock.requests();
        let during = &requests[before..];
        match case.expect {
            Expect::Refused(field) => {
                let e = result.expect_err(&format!("{}: must be refused", case.id));
                assert_eq!(e.kind(), ErrorKind::Validation, "{}: {e}", case.id);
                assert_eq!(e.field(), Some(field.as_str()), "{}: {e}", case.id);
                assert!(
                    e.to_string().starts_with(&format!("{field}: ")),
                    "{}: the message names the field: {e}",
                    case.id
                );
                assert!(during.is_empty(), "{}: sent {during:#?}", case.id);
            }
            Expect::Sent(kind, check) => {
                match (kind, result) {
                    (None, Ok(())) => {}
                    (Some(k), Err(e)) => assert_eq!(e.kind(), k, "{}: {e}", case.id),
                    (want, got) => panic!("{}: wanted {want:?}, got {got:?}", case.id),
                }
                assert!(!during.is_empty(), "{}: nothing was sent", case.id);
                check(fx, during);
            }
        }
    }
}

fn only(reqs: &[RecordedRequest]) -> &RecordedRequest {
    assert_eq!(reqs.len(), 1, "one request: {reqs:#?}");
    &reqs[0]
}

fn data(reqs: &[RecordedRequest]) -> Value {
    sent_object(only(reqs))
}

/// The file part of a multipart request (the `data`/`content` text parts excluded).
fn file_part(reqs: &[RecordedRequest]) -> &commbox_mock::RecordedPart {
    let parts = &only(reqs).parts;
    let files: Vec<_> = parts.iter().filter(|p| p.name != "data").collect();
    assert_eq!(files.len(), 1, "{parts:#?}");
    files[0]
}

/// Names that must travel in the multipart headers and be stored exactly as written.
const QUOTES: &str = "say \"hi\".txt";
const SEMICOLONS: &str = "a;b=c; filename=x.txt";
const HEBREW: &str = "חשבונית מס.pdf";
const EMOJI: &str = "📎 report 😀.txt";
const BACKSLASHES: &str = "C:\\temp\\end\\";
const PERCENT: &str = "100%25 sure.txt";
const MIXED: &str = "הצעה \"סופית\"; v2 😀.txt";
/// An identifier that would add a header if it were written into one.
const CRLF_IDENTIFIER: &str = "id\r\nX-Evil: 1";

/// A CommBox conversation with one in-memory file named `name`; checks the part's file name
/// and the name stored with the conversation.
fn name_case(id: &'static str, name: &'static str) -> Case {
    sent(
        id,
        move |fx| {
            ok(fx.client.create_conversation(
                "s",
                fx.sms("see file")
                    .attachment(Attachment::from_bytes(name, b"x".to_vec())),
            ))
        },
        move |fx, reqs| {
            assert_eq!(file_part(reqs).filename.as_deref(), Some(name));
            assert_eq!(fx.last_object().attachments[0].name, name);
        },
    )
}

fn cases(fx: &Fx) -> Vec<Case> {
    let attachment_field = |p: &Path| format!("attachment {:?}", p.display().to_string());
    let missing = fx.path("missing.pdf");
    let dir = fx.dir.path().to_owned();
    let fifo = fx.path("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let not_utf8 = fx
        .dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt"));
    std::fs::write(&not_utf8, b"x").unwrap();
    let (missing2, dir2, fifo2, not_utf8_2) =
        (missing.clone(), dir.clone(), fifo.clone(), not_utf8.clone());
    // 'static, so that the rows can share them without copies.
    let big_ascii: &'static str = "x".repeat(MB).leak();
    let big_hebrew: &'static str = "שלום 😀 ".repeat(MB / 16).leak();
    vec![
        // --- empty and whitespace-only strings -------------------------------------------
        refused("H01", "Message", |fx| {
            ok(fx.client.create_conversation("s", fx.sms("")))
        }),
        refused("H02", "Message", |fx| {
            ok(fx
                .client
                .create_conversation("s", ChatConversation::new("a@b.co", " \t\n ")))
        }),
        refused("H03", "Message", |fx| {
            ok(fx.client.create_message("s", fx.object, fx.customer("   ")))
        }),
        bad_stream("H04", ""),
        bad_stream("H05", "   "),
        refused("H06", "UserStreamProviderId", |fx| {
            ok(fx
                .client
                .create_conversation("s", SmsConversation::new("", "m")))
        }),
        refused("H07", "Content.whatsapp_hsm_name", |fx| {
            ok(fx.client.create_conversation(
                "s",
                WhatsAppTemplateConversation::new("972544444444", " \t", "m"),
            ))
        }),
        refused("H08", "api_key", |fx| ok(fx.builder().api_key("").build())),
        refused("H09", "api_key", |fx| {
            ok(fx.builder().api_key(" \t ").build())
        }),
        refused("H10", "inbox_identifier", |fx| {
            ok(fx.client.inbox(&fx.mock.url(), ""))
        }),
        refused("H11", "contact_identifier", |fx| {
            ok(fx.inbox.get_contact("  "))
        }),
        refused("H12", "name", |fx| {
            ok(fx.inbox.create_contact(NewContact::new().name(" \n ")))
        }),
        refused("H13", "echo_id", |fx| {
            ok(fx.post(chatwoot::NewInboxMessage::new("hi").echo_id("  ")))
        }),
        // Chatwoot has no presence validation on content: an empty message is valid.
        sent(
            "H14",
            |fx| ok(fx.post(chatwoot::NewInboxMessage::new(""))),
            |fx, reqs| {
                assert_eq!(only(reqs).json, Some(serde_json::json!({"content": ""})));
                assert_eq!(fx.last_chatwoot_message().content.as_deref(), Some(""));
            },
        ),
        refused("H15", "attachment \"  \"", |fx| {
            ok(fx.client.create_message(
                "s",
                fx.object,
                fx.customer("m")
                    .attachment(Attachment::from_bytes("  ", b"x".to_vec())),
            ))
        }),
        // --- 1 MB strings ------------------------------------------------------------------
        sent(
            "H16",
            move |fx| ok(fx.client.create_conversation("s", fx.sms(big_ascii))),
            move |fx, reqs| {
                assert_eq!(data(reqs)["Message"].as_str(), Some(big_ascii));
                assert_eq!(fx.last_object().data["Message"].as_str(), Some(big_ascii));
            },
        ),
        sent(
            "H17",
            move |fx| {
                ok(fx.client.create_message(
                    "s",
                    fx.object,
                    commbox::NewMessage::from_agent(36574658, "agent@commbox.com", big_hebrew),
                ))
            },
            move |fx, reqs| {
                assert_eq!(data(reqs)["Message"].as_str(), Some(big_hebrew));
                let objects = fx.mock.objects();
                let o = objects.iter().find(|o| o.id as i64 == fx.object).unwrap();
                let child = o.children.last().unwrap();
                assert_eq!(child.data["Message"].as_str(), Some(big_hebrew));
            },
        ),
        refused("H18", "content", move |fx| {
            ok(fx.post(chatwoot::NewInboxMessage::new(big_ascii)))
        }),
        sent(
            "H19",
            |fx| {
                ok(fx.post(chatwoot::NewInboxMessage::new(
                    "é".repeat(chatwoot::MAX_CONTENT_CHARS),
                )))
            },
            |fx, reqs| {
                let want = "é".repeat(chatwoot::MAX_CONTENT_CHARS);
                assert_eq!(
                    only(reqs).json.as_ref().unwrap()["content"].as_str(),
                    Some(want.as_str())
                );
                assert_eq!(fx.last_chatwoot_message().content, Some(want));
            },
        ),
        bad_stream("H20", big_ascii),
        refused("H21", "contact_identifier", move |fx| {
            ok(fx.inbox.get_contact(big_ascii))
        }),
        refused("H22", "api_key", move |fx| {
            ok(fx.builder().api_key(big_ascii).build())
        }),
        sent(
            "H23",
            move |fx| {
                ok(fx
                    .client
                    .create_conversation("s", fx.sms("m").user(User::new().remarks(big_hebrew))))
            },
            move |fx, reqs| {
                assert_eq!(data(reqs)["User"]["Remarks"].as_str(), Some(big_hebrew));
                assert_eq!(
                    fx.last_object().data["User"]["Remarks"].as_str(),
                    Some(big_hebrew)
                );
            },
        ),
        name_case("H24", format!("{}.txt", "n".repeat(MB)).leak()),
        // --- control characters ------------------------------------------------------------
        sent(
            "H25",
            |fx| {
                ok(fx
                    .client
                    .create_conversation("s", fx.sms("a\0b\u{1}\u{1b}[31mc\u{7f}")))
            },
            |fx, reqs| {
                let want = "a\0b\u{1}\u{1b}[31mc\u{7f}";
                assert_eq!(data(reqs)["Message"].as_str(), Some(want));
                assert_eq!(fx.last_object().data["Message"].as_str(), Some(want));
            },
        ),
        bad_stream("H26", "s\u{1}"),
        bad_stream("H27", "s\tt"),
        refused("H28", "contact_identifier", |fx| {
            ok(fx.inbox.get_contact("c\u{1b}[0m"))
        }),
        refused("H29", "attachment \"a\\u{1}b.txt\"", |fx| {
            ok(fx.client.create_conversation(
                "s",
                fx.sms("m")
                    .attachment(Attachment::from_bytes("a\u{1}b.txt", b"x".to_vec())),
            ))
        }),
        refused("H30", "attachment \"a\\u{7f}b.txt\"", |fx| {
            ok(fx.post(
                chatwoot::NewInboxMessage::new("m")
                    .attachment(Attachment::from_bytes("a\u{7f}b.txt", b"x".to_vec())),
            ))
        }),
        name_case("H31", "tab\there.txt"),
        refused("H32", "api_key", |fx| {
            ok(fx.builder().api_key("k\u{1}ey").build())
        }),
        refused("H33", "user_agent_suffix", |fx| {
            ok(fx.builder().user_agent_suffix("app/1\u{1}").build())
        }),
        refused("H34", "base_url", |fx| {
            let url = fx.mock.url();
            let (head, port) = url.rsplit_once(':').unwrap();
            ok(fx.builder().base_url(format!("{head}:1\n{port}")).build())
        }),
        bad_stream("H35", "s\0t"),
        // --- CR/LF in values bound for a header ----------------------------------------------
        Case {
            id: "H36",
            call: Box::new(|fx| {
                let e = fx
                    .builder()
                    .api_key("secret\r\nX-Evil: 1")
                    .build()
                    .unwrap_err();
                assert!(
                    !format!("{e} {e:?}").contains("secret"),
                    "the key is not echoed: {e:?}"
                );
                Err(e)
            }),
            expect: Expect::Refused("api_key".into()),
        },
        refused("H37", "api_key", |fx| {
            ok(fx.builder().api_key("key-from-a-file\n").build())
        }),
        refused("H38", "user_agent_suffix", |fx| {
            ok(fx.builder().user_agent_suffix("app/1\r\nX-Evil: 1").build())
        }),
        refused("H39", "attachment \"a\\r\\nX-Evil: 1.txt\"", |fx| {
            ok(fx.client.create_message(
                "s",
                fx.object,
                fx.customer("m")
                    .attachment(Attachment::from_bytes("a\r\nX-Evil: 1.txt", b"x".to_vec())),
            ))
        }),
        refused("H40", "attachment \"a.txt\"", |fx| {
            ok(fx.client.create_conversation(
                "s",
                fx.sms("m").attachment(
                    Attachment::from_bytes("a.txt", b"x".to_vec())
                        .with_content_type("text/plain\r\nX-Evil: 1"),
                ),
            ))
        }),
        refused("H41", "Content.subject", |fx| {
            ok(fx.client.create_conversation(
                "s",
                EmailConversation::new("a@b.co", "Hi\r\nBcc: x@evil.example", "m"),
            ))
        }),
        refused("H42", "Content.to[0].name", |fx| {
            ok(fx.client.create_conversation(
                "s",
                EmailConversation::new("a@b.co", "Hi", "m")
                    .to_named("a@b.co", "A\r\nBcc: x@evil.example"),
            ))
        }),
        refused("H43", "UserStreamProviderId", |fx| {
            ok(fx.client.create_conversation(
                "s",
                EmailConversation::new("a@b.co\r\nBcc: x@evil.example", "Hi", "m"),
            ))
        }),
        refused("H44", "proxy", |fx| {
            ok(fx.builder().proxy("http://proxy:3128\r\nX: 1").build())
        }),
        sent(
            "H45",
            |fx| {
                // A valid hash over the identifier with its CR/LF: the server can only accept
                // it if the identifier arrived byte for byte.
                let hash = chatwoot::identifier_hash(CRLF_IDENTIFIER, CHATWOOT_HMAC_TOKEN);
                ok(fx
                    .inbox
                    .get_verified_contact(&fx.contact, CRLF_IDENTIFIER, &hash))
            },
            |fx, reqs| {
                let r = only(reqs);
                assert_eq!(
                    r.path,
                    format!(
                        "/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/{}",
                        fx.contact
                    )
                );
                let hash = chatwoot::identifier_hash(CRLF_IDENTIFIER, CHATWOOT_HMAC_TOKEN);
                assert_eq!(
                    r.query.as_deref(),
                    Some(format!("identifier=id%0D%0AX-Evil%3A+1&identifier_hash={hash}").as_str())
                );
                assert!(!r.headers.contains_key("x-evil"), "no header was added");
                let contact = fx
                    .chatwoot_inbox()
                    .contacts
                    .into_iter()
                    .find(|c| c.source_id == fx.contact)
                    .unwrap();
                assert!(contact.hmac_verified);
            },
        ),
        refused("H46", "email", |fx| {
            ok(fx
                .inbox
                .create_contact(NewContact::new().email("a@b.co\r\nBcc: x@evil.example")))
        }),
        sent(
            "H47",
            |fx| ok(fx.post(chatwoot::NewInboxMessage::new("line 1\r\nline 2\n"))),
            |fx, reqs| {
                assert_eq!(
                    only(reqs).json.as_ref().unwrap()["content"],
                    "line 1\r\nline 2\n"
                );
                assert_eq!(
                    fx.last_chatwoot_message().content.as_deref(),
                    Some("line 1\r\nline 2\n")
                );
            },
        ),
        // --- invalid UTF-8 and NUL (a &str is UTF-8 by type; paths are not) -----------------
        refused("H51", attachment_field(&not_utf8), move |fx| {
            ok(fx.client.create_conversation(
                "s",
                fx.sms("m").attachment(Attachment::from_path(&not_utf8_2)),
            ))
        }),
        refused("H53", "attachment \"a\\0b.txt\"", |fx| {
            ok(fx.client.create_conversation(
                "s",
                fx.sms("m").attachment(Attachment::from_path("a\0b.txt")),
            ))
        }),
        // --- ids with '/', '..', '?', '#', '%', spaces, non-ASCII -----------------------------
        stream_case("H54", "a/b", "/streams/a%2Fb/objects", "a/b"),
        bad_stream("H55", ".."),
        bad_stream("H56", "%2e%2E"),
        stream_case("H57", "x?y#z", "/streams/x%3Fy%23z/objects", "x?y#z"),
        stream_case("H58", "50%off", "/streams/50%25off/objects", "50%off"),
        stream_case("H59", "a b=", "/streams/a%20b%3D/objects", "a b="),
        stream_case(
            "H60",
            "שלום 😀",
            "/streams/%D7%A9%D7%9C%D7%95%D7%9D%20%F0%9F%98%80/objects",
            "שלום 😀",
        ),
        // As the CommBox console shows stream ids: already encoded, sent encoded once.
        stream_case(
            "H61",
            "hNyRN_fLUy7rrOrN9jLpipA%3d%3d",
            "/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects",
            "hNyRN_fLUy7rrOrN9jLpipA==",
        ),
        sent_then(
            "H62",
            ErrorKind::NotFound,
            |fx| {
                ok(fx
                    .client
                    .create_message("s", "1/../../managers", fx.customer("m")))
            },
            |_, reqs| {
                assert_eq!(
                    only(reqs).path,
                    "/streams/s/objects/1%2F..%2F..%2Fmanagers/child"
                );
            },
        ),
        refused("H63", "object_id", |fx| {
            ok(fx.client.create_message("s", 0, fx.customer("m")))
        }),
        refused("H64", "object_id", |fx| {
            ok(fx.client.get_conversation("s", -1))
        }),
        sent_then(
            "H65",
            ErrorKind::NotFound,
            |fx| ok(fx.client.get_conversation("s", "7?includeChilds=false#x")),
            |_, reqs| {
                let r = only(reqs);
                assert_eq!(r.path, "/streams/s/objects/7%3FincludeChilds%3Dfalse%23x");
                assert_eq!(r.query.as_deref(), Some("includeChilds=true"));
            },
        ),
        refused("H66", "object_id", |fx| {
            ok(fx
                .client
                .set_conversation_status("..", ObjectStatusType::RESOLVED))
        }),
        refused("H67", "path", |fx| {
            ok(fx
                .client
                .raw_request("GET", "/streams/%2e%2e/managers", None))
        }),
        refused("H68", "path", |fx| {
            ok(fx.client.raw_request("GET", "//evil.example/x", None))
        }),
        sent_then(
            "H69",
            ErrorKind::NotFound,
            |fx| ok(fx.client.inbox(&fx.mock.url(), "a/b?c")?.inbox()),
            |_, reqs| assert_eq!(only(reqs).path, "/public/api/v1/inboxes/a%2Fb%3Fc"),
        ),
        sent(
            "H70",
            |fx| {
                let id = "a/b ?#%25 שלום 😀";
                let created = fx.inbox.create_contact(NewContact::new().source_id(id))?;
                let got = fx.inbox.get_contact(id)?;
                assert_eq!((created.id, got.source_id.as_deref()), (got.id, Some(id)));
                Ok(())
            },
            |_, reqs| {
                assert_eq!(reqs.len(), 2);
                assert_eq!(
                    reqs[0].json.as_ref().unwrap()["source_id"],
                    "a/b ?#%25 שלום 😀"
                );
                assert_eq!(
                    reqs[1].path,
                    format!(
                        "/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/\
                         a%2Fb%20%3F%23%2525%20%D7%A9%D7%9C%D7%95%D7%9D%20%F0%9F%98%80"
                    )
                );
            },
        ),
        refused("H71", "contact_identifier", |fx| {
            ok(fx.inbox.get_contact(".."))
        }),
        sent_then(
            "H72",
            ErrorKind::NotFound,
            |fx| ok(fx.inbox.get_contact("0")),
            |_, reqs| {
                assert_eq!(
                    only(reqs).path,
                    format!("/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/0")
                );
            },
        ),
        refused("H73", "conversation_id", |fx| {
            ok(fx
                .inbox
                .create_message(&fx.contact, 0, chatwoot::NewInboxMessage::new("m")))
        }),
        // --- attachment paths ----------------------------------------------------------------
        refused("H74", attachment_field(&missing), move |fx| {
            ok(fx.client.create_conversation(
                "s",
                fx.sms("m").attachment(Attachment::from_path(&missing2)),
            ))
        }),
        refused("H75", attachment_field(&dir), move |fx| {
            ok(fx
                .post(chatwoot::NewInboxMessage::new("m").attachment(Attachment::from_path(&dir2))))
        }),
        // H76 (an unreadable file) is its own test below: it needs an unprivileged user.
        refused("H77", attachment_field(&fifo), move |fx| {
            ok(fx.client.create_message(
                "s",
                fx.object,
                fx.customer("m").attachment(Attachment::from_path(&fifo2)),
            ))
        }),
        sent(
            "H78",
            |fx| {
                ok(fx.client.create_conversation(
                    "s",
                    fx.sms("m")
                        .attachment(Attachment::from_path(fx.path("empty.txt"))),
                ))
            },
            |fx, reqs| {
                let part = file_part(reqs);
                assert_eq!(
                    (part.filename.as_deref(), part.size),
                    (Some("empty.txt"), 0)
                );
                let stored = &fx.last_object().attachments[0];
                assert_eq!((stored.size, stored.sha256.as_str()), (0, EMPTY_SHA256));
            },
        ),
        sent(
            "H79",
            |fx| {
                ok(fx.client.create_message(
                    "s",
                    fx.object,
                    fx.customer("")
                        .attachment(Attachment::from_path(fx.path("empty.txt")))
                        .attachments_as_base64(true),
                ))
            },
            |fx, reqs| {
                let part = file_part(reqs);
                assert_eq!(part.filename, None, "the base64 form is a text field");
                assert_eq!(part.sha256, sha256_hex(b"filename:empty.txt;base64:"));
                let stored = &fx.last_child_files()[0];
                assert_eq!((stored.name.as_str(), stored.size), ("empty.txt", 0));
            },
        ),
        sent(
            "H80",
            |fx| {
                ok(fx.post(
                    chatwoot::NewInboxMessage::new("")
                        .attachment(Attachment::from_path(fx.path("empty.txt"))),
                ))
            },
            |fx, reqs| {
                let part = only(reqs)
                    .parts
                    .iter()
                    .find(|p| p.name == "attachments[]")
                    .unwrap();
                assert_eq!(
                    (part.filename.as_deref(), part.size),
                    (Some("empty.txt"), 0)
                );
                let stored = &fx.last_chatwoot_message().attachments[0];
                assert_eq!((stored.name.as_str(), stored.size), ("empty.txt", 0));
            },
        ),
        // --- file names: quotes, semicolons, Hebrew, emoji ---------------------------------
        name_case("H81", QUOTES),
        name_case("H82", SEMICOLONS),
        sent(
            "H83",
            |fx| {
                ok(fx.client.create_conversation(
                    "s",
                    EmailConversation::new("a@b.co", "invoice", "attached")
                        .attachment(Attachment::from_bytes(HEBREW, b"%PDF-1.4".to_vec())),
                ))
            },
            |fx, reqs| {
                let part = file_part(reqs);
                assert_eq!(part.filename.as_deref(), Some(HEBREW));
                assert_eq!(part.content_type.as_deref(), Some("application/pdf"));
                assert_eq!(fx.last_object().attachments[0].name, HEBREW);
            },
        ),
        name_case("H84", EMOJI),
        name_case("H85", BACKSLASHES),
        name_case("H86", PERCENT),
        sent(
            "H87",
            |fx| {
                let mut m = chatwoot::NewInboxMessage::new("files");
                for name in [QUOTES, SEMICOLONS, HEBREW, EMOJI, MIXED] {
                    m = m.attachment(Attachment::from_bytes(name, name.as_bytes().to_vec()));
                }
                ok(fx.post(m))
            },
            |fx, reqs| {
                let names = [QUOTES, SEMICOLONS, HEBREW, EMOJI, MIXED];
                let sent: Vec<_> = only(reqs)
                    .parts
                    .iter()
                    .filter_map(|p| p.filename.clone())
                    .collect();
                assert_eq!(sent, names);
                let stored: Vec<_> = fx
                    .last_chatwoot_message()
                    .attachments
                    .into_iter()
                    .map(|a| (a.name, a.sha256))
                    .collect();
                let want: Vec<_> = names
                    .iter()
                    .map(|n| (n.to_string(), sha256_hex(n.as_bytes())))
                    .collect();
                assert_eq!(stored, want);
            },
        ),
        sent(
            "H88",
            |fx| {
                ok(fx.client.create_message(
                    "s",
                    fx.object,
                    fx.customer("")
                        .attachment(Attachment::from_bytes(MIXED, b"base64 me".to_vec()))
                        .attachments_as_base64(true),
                ))
            },
            |fx, _| {
                let stored = &fx.last_child_files()[0];
                assert_eq!(stored.name, MIXED);
                assert_eq!(stored.sha256, sha256_hex(b"base64 me"));
            },
        ),
    ]
}

/// A conversation in stream `given`, refused for its stream id.
fn bad_stream(id: &'static str, given: &str) -> Case {
    let given = given.to_owned();
    refused(id, "stream_id", move |fx| {
        ok(fx.client.create_conversation(given.as_str(), fx.sms("m")))
    })
}

/// A conversation in stream `given`: the path on the wire and the stream id stored.
fn stream_case(
    id: &'static str,
    given: &'static str,
    wire: &'static str,
    stored: &'static str,
) -> Case {
    sent(
        id,
        move |fx| ok(fx.client.create_conversation(given, fx.sms("m"))),
        move |fx, reqs| {
            assert_eq!(only(reqs).path, wire);
            assert_eq!(fx.last_object().stream_id, stored);
        },
    )
}

#[test]
fn every_hostile_input_is_refused_by_name_or_sent_intact() {
    let fx = Fx::new();
    let cases = cases(&fx);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    run(&fx, cases);
}

/// H76: a file that exists but cannot be read. Root reads any file whatever its mode, so as
/// root the test runs itself again as the unprivileged user 65534 (`nobody`).
#[test]
fn h76_an_unreadable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let fx = Fx::new();
    let path = fx.path("secret.txt");
    std::fs::write(&path, b"secret").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        // Privileged: the same test, as nobody (it makes its own files there). It runs a
        // copy of this binary from a 0755 directory: the build tree may sit below one the
        // unprivileged user cannot enter (a 0700 home or temp dir).
        let exe_dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(exe_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let exe = exe_dir.path().join("hostile_input");
        std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
        let out = std::process::Command::new(&exe)
            .args([
                "--exact",
                "h76_an_unreadable_file_is_refused",
                "--nocapture",
            ])
            .uid(65534)
            .gid(65534)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "as uid 65534: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let field = format!("attachment {:?}", path.display().to_string());
    let before = fx.mock.request_count();
    let e = fx
        .client
        .create_conversation("s", fx.sms("m").attachment(Attachment::from_path(&path)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert_eq!(e.field(), Some(field.as_str()));
    assert!(
        e.to_string().contains("cannot read: Permission denied"),
        "{e}"
    );
    assert_eq!(fx.mock.request_count(), before, "nothing was sent");
}
