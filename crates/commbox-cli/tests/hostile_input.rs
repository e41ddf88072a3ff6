//! Hostile and bad input through the `commbox` command: arguments, files given to
//! `--message-file` and `--attach`, and environment variables.
//!
//! The case ids are those of the other faces' suites (crates/commbox/tests/hostile_input.rs)
//! and of docs/reliability.md; ids from H90 on are about the command line only. A refused
//! case exits with code 3 and a JSON error (`--error-format json`) whose `field` names the
//! argument or field, prints nothing on stdout, and the mock records no request. A sent case
//! is checked on the mock: path, query, body, multipart file names, and what it stored.

use commbox_mock::{
    ChatwootInboxState, MockServer, RecordedRequest, CHATWOOT_HMAC_TOKEN, CHATWOOT_INBOX,
};
use serde_json::Value;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MB: usize = 1 << 20;
/// Longer than any id or header value allowed, and within Linux's 128 KiB per argument.
const BIG_ARG: usize = 100_000;

/// One run of the command: arguments, extra environment, and whether to drop root.
#[derive(Clone, Default)]
struct Run {
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    unprivileged: bool,
}

fn run(args: &[&str]) -> Run {
    Run {
        args: args.iter().map(OsString::from).collect(),
        ..Run::default()
    }
}

impl Run {
    fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Run {
        self.env.push((name.into(), value.as_ref().to_owned()));
        self
    }

    fn arg(mut self, value: impl AsRef<OsStr>) -> Run {
        self.args.push(value.as_ref().to_owned());
        self
    }
}

/// The mock, files to send, and a conversation of each API to post into.
struct Fx {
    mock: MockServer,
    dir: tempfile::TempDir,
    object: String,
    conversation: String,
}

const CONTACT: &str = "hostile-contact";

impl Fx {
    fn new() -> Fx {
        let mock = MockServer::start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        // Readable by the unprivileged user of H76, so that only the file itself is not.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let mut fx = Fx {
            mock,
            dir,
            object: String::new(),
            conversation: String::new(),
        };
        let sms = fx.ok(run(&[
            "sms",
            "--stream",
            "s",
            "--phone",
            "972544444444",
            "-m",
            "start",
        ]));
        fx.object = sms["id"].to_string();
        fx.ok(run(&["chatwoot", "contact-create", "--source-id", CONTACT]));
        let conv = fx.ok(run(&[
            "chatwoot",
            "conversation-create",
            "--contact",
            CONTACT,
        ]));
        fx.conversation = conv["id"].to_string();
        fx
    }

    fn exec(&self, r: &Run) -> Output {
        let program = if r.unprivileged {
            // The build tree may sit below a directory the unprivileged user cannot enter
            // (a 0700 home or temp dir): run a copy from the suite's 0755 directory.
            let copy = self.path("commbox");
            if !copy.exists() {
                std::fs::copy(env!("CARGO_BIN_EXE_commbox"), &copy).unwrap();
            }
            copy
        } else {
            PathBuf::from(env!("CARGO_BIN_EXE_commbox"))
        };
        let mut c = Command::new(program);
        c.arg("--error-format")
            .arg("json")
            .args(&r.args)
            .env_clear()
            .env("COMMBOX_API_KEY", self.mock.api_key())
            .env("COMMBOX_BASE_URL", self.mock.url())
            .env("COMMBOX_MAX_RETRIES", "0")
            .env("CHATWOOT_BASE_URL", self.mock.url())
            .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX);
        for (k, v) in &r.env {
            c.env(k, v);
        }
        if r.unprivileged {
            c.uid(65534).gid(65534);
        }
        c.output().expect("runs")
    }

    /// A run that must succeed; its JSON output.
    fn ok(&self, r: Run) -> Value {
        let out = self.exec(&r);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn path(&self, name: impl AsRef<OsStr>) -> PathBuf {
        self.dir.path().join(name.as_ref())
    }

    /// Writes `bytes` to a file named `name` in the suite's directory; its path.
    fn file(&self, name: impl AsRef<OsStr>, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn last_object(&self) -> commbox_mock::StoredObject {
        self.mock.objects().pop().unwrap()
    }

    fn suite_object(&self) -> commbox_mock::StoredObject {
        let id: u64 = self.object.parse().unwrap();
        self.mock
            .objects()
            .into_iter()
            .find(|o| o.id == id)
            .unwrap()
    }

    fn chatwoot(&self) -> ChatwootInboxState {
        let state = self.mock.chatwoot_state();
        state
            .inboxes
            .into_iter()
            .find(|i| i.identifier == CHATWOOT_INBOX)
            .unwrap()
    }

    fn last_chatwoot_message(&self) -> commbox_mock::ChatwootMessageState {
        let id: u64 = self.conversation.parse().unwrap();
        let conv = self
            .chatwoot()
            .conversations
            .into_iter()
            .find(|c| c.id == id)
            .unwrap();
        conv.messages.into_iter().last().unwrap()
    }

    // Commands the cases build on.

    fn sms(&self, extra: &[&str]) -> Run {
        run(&["sms", "--stream", "s", "--phone", "972544444444"]).args(extra)
    }

    fn customer_message(&self, extra: &[&str]) -> Run {
        run(&[
            "message",
            "--stream",
            "s",
            "--object",
            &self.object,
            "--customer",
            "a@b.co",
        ])
        .args(extra)
    }

    fn chatwoot_message(&self, extra: &[&str]) -> Run {
        run(&[
            "chatwoot",
            "message-create",
            "--contact",
            CONTACT,
            "--conversation",
            &self.conversation,
        ])
        .args(extra)
    }
}

trait Args {
    fn args(self, extra: &[&str]) -> Self;
}

impl Args for Run {
    fn args(mut self, extra: &[&str]) -> Run {
        self.args.extend(extra.iter().map(OsString::from));
        self
    }
}

type Check = Box<dyn Fn(&Fx, &[RecordedRequest], &Value)>;

enum Expect {
    /// Exit code 3, a JSON error naming this field, and nothing on the wire.
    Refused(String),
    /// Sent; the exit code (0, or the one of the server's error), then checks of the
    /// requests recorded during the run, of the mock's state and of stdout.
    Sent(i32, Check),
}

struct Case {
    id: &'static str,
    setup: Vec<Run>,
    run: Run,
    expect: Expect,
}

fn refused(id: &'static str, field: impl Into<String>, run: Run) -> Case {
    Case {
        id,
        setup: Vec::new(),
        run,
        expect: Expect::Refused(field.into()),
    }
}

fn sent(
    id: &'static str,
    run: Run,
    check: impl Fn(&Fx, &[RecordedRequest], &Value) + 'static,
) -> Case {
    sent_exit(id, 0, run, check)
}

fn sent_exit(
    id: &'static str,
    code: i32,
    run: Run,
    check: impl Fn(&Fx, &[RecordedRequest], &Value) + 'static,
) -> Case {
    Case {
        id,
        setup: Vec::new(),
        run,
        expect: Expect::Sent(code, Box::new(check)),
    }
}

fn only(reqs: &[RecordedRequest]) -> &RecordedRequest {
    assert_eq!(reqs.len(), 1, "one request: {reqs:#?}");
    &reqs[0]
}

/// The CommBox object a create sent (the `data` wrapper or part).
fn data(reqs: &[RecordedRequest]) -> Value {
    let r = only(reqs);
    let json = r.json.clone().unwrap();
    if r.content_type.as_deref() == Some("application/json") {
        json["data"].clone()
    } else {
        json
    }
}

fn file_names(reqs: &[RecordedRequest]) -> Vec<String> {
    only(reqs)
        .parts
        .iter()
        .filter_map(|p| p.filename.clone())
        .collect()
}

fn attachment_field(path: &Path) -> String {
    format!("attachment {:?}", path.display().to_string())
}

fn os(bytes: &[u8]) -> OsString {
    OsStr::from_bytes(bytes).to_owned()
}

fn execute(fx: &Fx, cases: Vec<Case>) {
    let mut ids = std::collections::HashSet::new();
    for case in cases {
        assert!(ids.insert(case.id), "{} twice", case.id);
        for s in &case.setup {
            fx.ok(s.clone());
        }
        let before = fx.mock.request_count();
        let out = fx.exec(&case.run);
        let requests = fx.mock.requests();
        let during = &requests[before..];
        let stderr = String::from_utf8_lossy(&out.stderr);
        match case.expect {
            Expect::Refused(field) => {
                assert_eq!(out.status.code(), Some(3), "{}: {stderr}", case.id);
                assert!(out.stdout.is_empty(), "{}: stdout", case.id);
                let e: Value = serde_json::from_str(stderr.trim())
                    .unwrap_or_else(|_| panic!("{}: stderr is not JSON: {stderr}", case.id));
                assert_eq!(e["error"]["kind"], "validation", "{}: {stderr}", case.id);
                assert_eq!(e["error"]["field"], field.as_str(), "{}: {stderr}", case.id);
                let message = e["error"]["message"].as_str().unwrap();
                assert!(
                    message.starts_with(&format!("{field}: ")),
                    "{}: {message}",
                    case.id
                );
                assert!(during.is_empty(), "{}: sent {during:#?}", case.id);
            }
            Expect::Sent(code, check) => {
                assert_eq!(out.status.code(), Some(code), "{}: {stderr}", case.id);
                assert!(!during.is_empty(), "{}: nothing was sent", case.id);
                let stdout = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
                check(fx, during, &stdout);
            }
        }
    }
}

/// A conversation in stream `given`, refused for its stream id.
fn bad_stream(id: &'static str, given: &str) -> Case {
    refused(
        id,
        "stream_id",
        run(&["sms", "--stream", given, "--phone", "1", "-m", "m"]),
    )
}

/// A conversation in stream `given`: the path on the wire and the stream id stored.
fn stream_case(
    id: &'static str,
    given: &'static str,
    wire: &'static str,
    stored: &'static str,
) -> Case {
    let r = run(&["sms", "--stream", given, "--phone", "1", "-m", "m"]);
    sent(id, r, move |fx, reqs, _| {
        assert_eq!(only(reqs).path, wire);
        assert_eq!(fx.last_object().stream_id, stored);
    })
}

/// A conversation with the file `name` attached, from disk: the part's file name and the
/// name stored.
fn name_case(id: &'static str, fx: &Fx, name: &'static str) -> Case {
    let path = fx.file(name, name.as_bytes());
    sent(
        id,
        fx.sms(&["-m", "see file"]).arg("--attach").arg(&path),
        move |fx, reqs, _| {
            assert_eq!(file_names(reqs), [name]);
            assert_eq!(fx.last_object().attachments[0].name, name);
        },
    )
}

const QUOTES: &str = "say \"hi\".txt";
const SEMICOLONS: &str = "a;b=c; filename=x.txt";
const HEBREW: &str = "חשבונית מס.pdf";
const EMOJI: &str = "📎 report 😀.txt";
const BACKSLASHES: &str = "C:\\temp\\end\\";
const PERCENT: &str = "100%25 sure.txt";
const MIXED: &str = "הצעה \"סופית\"; v2 😀.txt";
const CRLF_IDENTIFIER: &str = "id\r\nX-Evil: 1";

fn cases(fx: &Fx) -> Vec<Case> {
    let big_ascii: &'static str = "x".repeat(MB).leak();
    let big_hebrew: &'static str = "שלום 😀 ".repeat(MB / 16).leak();
    let ascii_file = fx.file("big-ascii.txt", big_ascii.as_bytes());
    let hebrew_file = fx.file("big-hebrew.txt", big_hebrew.as_bytes());
    let limit_file = fx.file("150000.txt", "é".repeat(150_000).as_bytes());
    let control_file = fx.file("control.txt", "a\0b\u{1}\u{1b}[31mc\u{7f}".as_bytes());
    let bad_utf8_file = fx.file("bad-utf8.txt", b"caf\xe9");
    let blank = fx.file("  ", b"x");
    let ctl_name = fx.file("a\u{1}b.txt", b"x");
    let del_name = fx.file("a\u{7f}b.txt", b"x");
    let crlf_name = fx.file("a\r\nX-Evil: 1.txt", b"x");
    let not_utf8 = fx.file(os(b"bad\xffname.txt"), b"x");
    let empty = fx.file("empty.txt", b"");
    let missing = fx.path("missing.pdf");
    let fifo = fx.path("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let dir = fx.dir.path().to_owned();
    let mixed = fx.file(MIXED, MIXED.as_bytes());
    let chatwoot_files: Vec<PathBuf> = [QUOTES, SEMICOLONS, HEBREW, EMOJI, MIXED]
        .iter()
        .map(|n| fx.file(n, n.as_bytes()))
        .collect();
    let big_arg: &'static str = "x".repeat(BIG_ARG).leak();
    let remarks: &'static str = "שלום 😀 ".repeat(BIG_ARG / 16).leak();
    let conversation = fx.conversation.clone();
    vec![
        // --- empty and whitespace-only strings ---------------------------------------------
        refused("H01", "Message", fx.sms(&["-m", ""])),
        refused(
            "H02",
            "Message",
            run(&[
                "chat",
                "--stream",
                "s",
                "--identity",
                "a@b.co",
                "-m",
                " \t\n ",
            ]),
        ),
        refused("H03", "Message", fx.customer_message(&["-m", "   "])),
        bad_stream("H04", ""),
        bad_stream("H05", "   "),
        refused(
            "H06",
            "UserStreamProviderId",
            run(&["sms", "--stream", "s", "--phone", "", "-m", "m"]),
        ),
        refused(
            "H07",
            "Content.whatsapp_hsm_name",
            run(&[
                "whatsapp",
                "--stream",
                "s",
                "--phone",
                "972544444444",
                "--template",
                " \t",
                "-m",
                "m",
            ]),
        ),
        refused("H08", "api_key", run(&["--api-key", "", "managers"])),
        refused("H09", "api_key", run(&["--api-key", " \t ", "managers"])),
        refused(
            "H10",
            "inbox_identifier",
            run(&["chatwoot", "--inbox", "", "inbox"]),
        ),
        refused(
            "H11",
            "contact_identifier",
            run(&["chatwoot", "contact-get", "--contact", "  "]),
        ),
        refused(
            "H12",
            "name",
            run(&["chatwoot", "contact-create", "--name", " \n "]),
        ),
        refused(
            "H13",
            "echo_id",
            fx.chatwoot_message(&["-m", "hi", "--echo-id", "  "]),
        ),
        sent("H14", fx.chatwoot_message(&["-m", ""]), |fx, reqs, _| {
            assert_eq!(only(reqs).json, Some(serde_json::json!({"content": ""})));
            assert_eq!(fx.last_chatwoot_message().content.as_deref(), Some(""));
        }),
        refused(
            "H15",
            attachment_field(&blank),
            fx.customer_message(&["-m", "m"])
                .arg("--attach")
                .arg(&blank),
        ),
        // --- 1 MB strings (arguments hold at most 128 KiB: 1 MB goes through files) ---------
        sent(
            "H16",
            fx.sms(&[]).arg("--message-file").arg(&ascii_file),
            move |fx, reqs, _| {
                assert_eq!(data(reqs)["Message"].as_str(), Some(big_ascii));
                assert_eq!(fx.last_object().data["Message"].as_str(), Some(big_ascii));
            },
        ),
        sent(
            "H17",
            run(&[
                "message",
                "--stream",
                "s",
                "--object",
                &fx.object,
                "--agent",
                "36574658",
                "--identity",
                "agent@commbox.com",
            ])
            .arg("--message-file")
            .arg(&hebrew_file),
            move |fx, reqs, _| {
                assert_eq!(data(reqs)["Message"].as_str(), Some(big_hebrew));
                let child = fx.suite_object().children.pop().unwrap();
                assert_eq!(child.data["Message"].as_str(), Some(big_hebrew));
            },
        ),
        refused(
            "H18",
            "content",
            fx.chatwoot_message(&[])
                .arg("--message-file")
                .arg(&ascii_file),
        ),
        sent(
            "H19",
            fx.chatwoot_message(&[])
                .arg("--message-file")
                .arg(&limit_file),
            |fx, reqs, _| {
                let want = "é".repeat(150_000);
                assert_eq!(
                    only(reqs).json.as_ref().unwrap()["content"].as_str(),
                    Some(want.as_str())
                );
                assert_eq!(fx.last_chatwoot_message().content, Some(want));
            },
        ),
        bad_stream("H20", big_arg),
        refused(
            "H21",
            "contact_identifier",
            run(&["chatwoot", "contact-get", "--contact", big_arg]),
        ),
        refused(
            "H22",
            "api_key (COMMBOX_API_KEY)",
            run(&["managers"]).env("COMMBOX_API_KEY", big_arg),
        ),
        sent(
            "H23",
            fx.sms(&["-m", "m", "--user-remarks", remarks]),
            move |fx, reqs, _| {
                assert_eq!(data(reqs)["User"]["Remarks"].as_str(), Some(remarks));
                assert_eq!(
                    fx.last_object().data["User"]["Remarks"].as_str(),
                    Some(remarks)
                );
            },
        ),
        // --- control characters ------------------------------------------------------------
        sent(
            "H25",
            fx.sms(&[]).arg("--message-file").arg(&control_file),
            |fx, reqs, _| {
                let want = "a\0b\u{1}\u{1b}[31mc\u{7f}";
                assert_eq!(data(reqs)["Message"].as_str(), Some(want));
                assert_eq!(fx.last_object().data["Message"].as_str(), Some(want));
            },
        ),
        bad_stream("H26", "s\u{1}"),
        bad_stream("H27", "s\tt"),
        refused(
            "H28",
            "contact_identifier",
            run(&["chatwoot", "contact-get", "--contact", "c\u{1b}[0m"]),
        ),
        refused(
            "H29",
            attachment_field(&ctl_name),
            fx.sms(&["-m", "m"]).arg("--attach").arg(&ctl_name),
        ),
        refused(
            "H30",
            attachment_field(&del_name),
            fx.chatwoot_message(&["-m", "m"])
                .arg("--attach")
                .arg(&del_name),
        ),
        name_case("H31", fx, "tab\there.txt"),
        refused(
            "H32",
            "api_key",
            run(&["--api-key", "k\u{1}ey", "managers"]),
        ),
        refused("H34", "base_url (COMMBOX_BASE_URL)", {
            let url = fx.mock.url();
            let (head, port) = url.rsplit_once(':').unwrap();
            run(&["managers"]).env("COMMBOX_BASE_URL", format!("{head}:1\n{port}"))
        }),
        // --- CR/LF in values bound for a header --------------------------------------------
        refused(
            "H36",
            "api_key (COMMBOX_API_KEY)",
            run(&["managers"]).env("COMMBOX_API_KEY", "secret\r\nX-Evil: 1"),
        ),
        refused(
            "H37",
            "api_key (COMMBOX_API_KEY)",
            run(&["managers"]).env("COMMBOX_API_KEY", "key-from-a-file\n"),
        ),
        refused(
            "H39",
            attachment_field(&crlf_name),
            fx.customer_message(&["-m", "m"])
                .arg("--attach")
                .arg(&crlf_name),
        ),
        refused(
            "H41",
            "Content.subject",
            run(&[
                "email",
                "--stream",
                "s",
                "--identity",
                "a@b.co",
                "--subject",
                "Hi\r\nBcc: x@evil.example",
                "-m",
                "m",
            ]),
        ),
        refused(
            "H42",
            "Content.to[0].name",
            run(&[
                "email",
                "--stream",
                "s",
                "--identity",
                "a@b.co",
                "--subject",
                "Hi",
                "-m",
                "m",
                "--to",
                "A\r\nBcc: x@evil.example <a@b.co>",
            ]),
        ),
        refused(
            "H43",
            "UserStreamProviderId",
            run(&[
                "email",
                "--stream",
                "s",
                "--identity",
                "a@b.co\r\nBcc: x@evil.example",
                "--subject",
                "Hi",
                "-m",
                "m",
            ]),
        ),
        refused(
            "H44",
            "proxy",
            run(&["--proxy", "http://proxy:3128\r\nX: 1", "managers"]),
        ),
        sent(
            "H45",
            run(&[
                "chatwoot",
                "contact-get",
                "--contact",
                CONTACT,
                "--identifier",
                CRLF_IDENTIFIER,
                "--hmac-token",
                CHATWOOT_HMAC_TOKEN,
            ]),
            |fx, reqs, out| {
                let r = only(reqs);
                assert_eq!(
                    r.path,
                    format!("/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/{CONTACT}")
                );
                assert!(
                    r.query
                        .as_deref()
                        .unwrap()
                        .starts_with("identifier=id%0D%0AX-Evil%3A+1&identifier_hash="),
                    "{:?}",
                    r.query
                );
                assert!(!r.headers.contains_key("x-evil"));
                assert_eq!(out["source_id"], CONTACT);
                let contact = fx
                    .chatwoot()
                    .contacts
                    .into_iter()
                    .find(|c| c.source_id == CONTACT)
                    .unwrap();
                assert!(
                    contact.hmac_verified,
                    "the identifier arrived byte for byte"
                );
            },
        ),
        refused(
            "H46",
            "email",
            run(&[
                "chatwoot",
                "contact-create",
                "--email",
                "a@b.co\r\nBcc: x@evil.example",
            ]),
        ),
        sent(
            "H47",
            fx.chatwoot_message(&["-m", "line 1\r\nline 2\n"]),
            |fx, reqs, _| {
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
        // --- invalid UTF-8 ------------------------------------------------------------------
        refused(
            "H48",
            "--stream",
            run(&["sms", "--phone", "1", "-m", "m", "--stream"]).arg(os(b"s\xff")),
        ),
        refused(
            "H49",
            "--message-file",
            fx.sms(&[]).arg("--message-file").arg(&bad_utf8_file),
        ),
        refused(
            "H50",
            "api_key (COMMBOX_API_KEY)",
            run(&["managers"]).env("COMMBOX_API_KEY", os(b"k\xff")),
        ),
        refused(
            "H51",
            attachment_field(&not_utf8),
            fx.sms(&["-m", "m"]).arg("--attach").arg(&not_utf8),
        ),
        // --- ids ----------------------------------------------------------------------------
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
        stream_case(
            "H61",
            "hNyRN_fLUy7rrOrN9jLpipA%3d%3d",
            "/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects",
            "hNyRN_fLUy7rrOrN9jLpipA==",
        ),
        sent_exit(
            "H62",
            5,
            run(&[
                "message",
                "--stream",
                "s",
                "--object",
                "1/../../managers",
                "--customer",
                "a@b.co",
                "-m",
                "m",
            ]),
            |_, reqs, _| {
                assert_eq!(
                    only(reqs).path,
                    "/streams/s/objects/1%2F..%2F..%2Fmanagers/child"
                )
            },
        ),
        refused(
            "H63",
            "object_id",
            run(&[
                "message",
                "--stream",
                "s",
                "--object",
                "0",
                "--customer",
                "a@b.co",
                "-m",
                "m",
            ]),
        ),
        refused(
            "H64",
            "object_id",
            run(&["get", "--stream", "s", "--object=-1"]),
        ),
        sent_exit(
            "H65",
            5,
            run(&[
                "get",
                "--stream",
                "s",
                "--object",
                "7?includeChilds=false#x",
            ]),
            |_, reqs, _| {
                let r = only(reqs);
                assert_eq!(r.path, "/streams/s/objects/7%3FincludeChilds%3Dfalse%23x");
                assert_eq!(r.query.as_deref(), Some("includeChilds=true"));
            },
        ),
        refused(
            "H66",
            "object_id",
            run(&["status", "--object", "..", "--status", "resolved"]),
        ),
        refused(
            "H67",
            "path",
            run(&["raw", "GET", "/streams/%2e%2e/managers"]),
        ),
        refused("H68", "path", run(&["raw", "GET", "//evil.example/x"])),
        sent_exit(
            "H69",
            5,
            run(&["chatwoot", "--inbox", "a/b?c", "inbox"]),
            |_, reqs, _| {
                assert_eq!(only(reqs).path, "/public/api/v1/inboxes/a%2Fb%3Fc");
            },
        ),
        Case {
            id: "H70",
            setup: vec![run(&[
                "chatwoot",
                "contact-create",
                "--source-id",
                "a/b ?#%25 שלום 😀",
            ])],
            run: run(&["chatwoot", "contact-get", "--contact", "a/b ?#%25 שלום 😀"]),
            expect: Expect::Sent(
                0,
                Box::new(|_, reqs, out| {
                    assert_eq!(
                        only(reqs).path,
                        format!(
                            "/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/\
                             a%2Fb%20%3F%23%2525%20%D7%A9%D7%9C%D7%95%D7%9D%20%F0%9F%98%80"
                        )
                    );
                    assert_eq!(out["source_id"], "a/b ?#%25 שלום 😀");
                }),
            ),
        },
        refused(
            "H71",
            "contact_identifier",
            run(&["chatwoot", "contact-get", "--contact", ".."]),
        ),
        sent_exit(
            "H72",
            5,
            run(&["chatwoot", "contact-get", "--contact", "0"]),
            |_, reqs, _| {
                assert_eq!(
                    only(reqs).path,
                    format!("/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/0")
                );
            },
        ),
        refused(
            "H73",
            "conversation_id",
            run(&[
                "chatwoot",
                "message-create",
                "--contact",
                CONTACT,
                "--conversation",
                "0",
                "-m",
                "m",
            ]),
        ),
        // --- attachment paths ---------------------------------------------------------------
        refused(
            "H74",
            attachment_field(&missing),
            fx.sms(&["-m", "m"]).arg("--attach").arg(&missing),
        ),
        refused(
            "H75",
            attachment_field(&dir),
            fx.chatwoot_message(&["-m", "m"]).arg("--attach").arg(&dir),
        ),
        unreadable_case(fx),
        refused(
            "H77",
            attachment_field(&fifo),
            fx.customer_message(&["-m", "m"]).arg("--attach").arg(&fifo),
        ),
        sent(
            "H78",
            fx.sms(&["-m", "m"]).arg("--attach").arg(&empty),
            |fx, reqs, _| {
                let part = only(reqs).parts.iter().find(|p| p.name == "file").unwrap();
                assert_eq!(
                    (part.filename.as_deref(), part.size),
                    (Some("empty.txt"), 0)
                );
                assert_eq!(fx.last_object().attachments[0].size, 0);
            },
        ),
        sent(
            "H79",
            fx.customer_message(&["--base64"])
                .arg("--attach")
                .arg(&empty),
            |fx, reqs, _| {
                let part = only(reqs).parts.iter().find(|p| p.name == "file").unwrap();
                assert_eq!(part.filename, None, "the base64 form is a text field");
                let stored = fx.suite_object().children.pop().unwrap().attachments;
                assert_eq!((stored[0].name.as_str(), stored[0].size), ("empty.txt", 0));
            },
        ),
        sent(
            "H80",
            fx.chatwoot_message(&[]).arg("--attach").arg(&empty),
            |fx, reqs, _| {
                assert_eq!(file_names(reqs), ["empty.txt"]);
                let stored = &fx.last_chatwoot_message().attachments[0];
                assert_eq!((stored.name.as_str(), stored.size), ("empty.txt", 0));
            },
        ),
        // --- file names ---------------------------------------------------------------------
        name_case("H81", fx, QUOTES),
        name_case("H82", fx, SEMICOLONS),
        name_case("H83", fx, HEBREW),
        name_case("H84", fx, EMOJI),
        name_case("H85", fx, BACKSLASHES),
        name_case("H86", fx, PERCENT),
        {
            let mut r = fx.chatwoot_message(&["-m", "files"]);
            for f in &chatwoot_files {
                r = r.arg("--attach").arg(f);
            }
            sent("H87", r, |fx, reqs, _| {
                let names = [QUOTES, SEMICOLONS, HEBREW, EMOJI, MIXED];
                assert_eq!(file_names(reqs), names);
                let stored: Vec<_> = fx
                    .last_chatwoot_message()
                    .attachments
                    .into_iter()
                    .map(|a| (a.name, a.size))
                    .collect();
                let want: Vec<_> = names
                    .iter()
                    .map(|n| (n.to_string(), n.len() as u64))
                    .collect();
                assert_eq!(stored, want);
            })
        },
        sent(
            "H88",
            fx.customer_message(&["--base64"])
                .arg("--attach")
                .arg(&mixed),
            |fx, _, _| {
                let stored = fx.suite_object().children.pop().unwrap().attachments;
                assert_eq!(
                    (stored[0].name.as_str(), stored[0].size),
                    (MIXED, MIXED.len() as u64)
                );
            },
        ),
        // --- the command line itself ------------------------------------------------------
        refused(
            "H89",
            "proxy (COMMBOX_PROXY)",
            run(&["managers"]).env("COMMBOX_PROXY", os(b"http://proxy\xff:3128")),
        ),
        refused(
            "H90",
            "--message-file",
            fx.sms(&[]).arg("--message-file").arg(&missing),
        ),
        refused(
            "H91",
            "--message-file",
            fx.chatwoot_message(&[]).arg("--message-file").arg(&dir),
        ),
        refused(
            "H92",
            "--data",
            run(&["raw", "POST", "/managers", "--data"]).arg(format!("@{}", missing.display())),
        ),
        refused(
            "H93",
            "--field",
            fx.sms(&["-m", "m", "--field", "Priority"]),
        ),
        refused(
            "H94",
            "inbox_identifier",
            run(&[
                "chatwoot",
                "message-create",
                "--contact",
                CONTACT,
                "--conversation",
                &conversation,
                "-m",
                "m",
            ])
            .env("CHATWOOT_INBOX_IDENTIFIER", "mock-inbox\r\nX: 1"),
        ),
    ]
}

/// H76: a file that exists but cannot be read. Root reads any file whatever its mode, so as
/// root the command runs as the unprivileged user 65534 (`nobody`).
fn unreadable_case(fx: &Fx) -> Case {
    use std::os::unix::fs::PermissionsExt;
    let path = fx.file("secret.txt", b"secret");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut r = fx.sms(&["-m", "m"]).arg("--attach").arg(&path);
    r.unprivileged = std::fs::File::open(&path).is_ok();
    refused("H76", attachment_field(&path), r)
}

#[test]
fn every_hostile_input_is_refused_by_name_or_sent_intact() {
    let fx = Fx::new();
    let cases = cases(&fx);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    execute(&fx, cases);
}
