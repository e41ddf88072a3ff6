//! Hostile and bad input (docs/reliability.md), Rust face: a runner over
//! tests/cases/hostile.json. Each case that applies to this face makes its call on one mock
//! and is either refused (a validation error naming the field, nothing on the wire) or sent
//! (what the mock recorded and stored is what the table says); a received webhook delivery
//! is either rejected (an error whose message starts with the part at fault) or parsed (its
//! event's JSON form is what the table says). Every failing case is reported by id. `CASES_ONLY=H01,H02` runs only those cases.

#[path = "common/case_table.rs"]
mod case_table;
mod common;

use case_table::{Args, Id, Places, Report};
use commbox::blocking::Client;
use commbox::blocking::InboxClient;
use commbox::chatwoot::{self, NewContact};
use commbox::*;
use commbox_mock::MockServer;
use serde_json::{Map, Value};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

const FACE: &str = "rust";
const TEST_NAME: &str = "every_hostile_input_is_refused_by_name_or_sent_intact";

/// The mock, clients on it, the table's fixture (a CommBox conversation, a Chatwoot contact
/// with a conversation) and a directory for the cases' files.
struct Fx {
    mock: MockServer,
    client: Client,
    inbox: InboxClient,
    places: Places,
    dir: tempfile::TempDir,
}

impl Fx {
    fn new(table: &Value) -> Fx {
        let fixture = &table["fixture"];
        let s = |k: &str| fixture[k].as_str().unwrap();
        let (mock, client) = common::setup();
        let inbox = client.inbox(&mock.url(), s("inbox")).unwrap();
        let object = client
            .create_conversation(s("stream"), SmsConversation::new(s("phone"), s("message")))
            .unwrap();
        let contact = inbox
            .create_contact(NewContact::new().source_id(s("contact")))
            .unwrap()
            .source_id
            .unwrap();
        let conversation = inbox.create_conversation(&contact, None).unwrap().id;
        let dir = tempfile::tempdir().unwrap();
        // Searchable by the unprivileged user of H76, so that only the file itself is not.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let places = Places {
            dir: dir.path().display().to_string(),
            mock_port: mock.url().rsplit(':').next().unwrap().parse().unwrap(),
            object,
            contact,
            conversation,
        };
        Fx {
            mock,
            client,
            inbox,
            places,
            dir,
        }
    }
}

fn attachments(args: &Args) -> Vec<Attachment> {
    args.list("attachments")
        .iter()
        .map(|a| attachment(a, args.places))
        .collect()
}

fn attachment(spec: &Value, places: &Places) -> Attachment {
    let mut a = if let Some(path) = spec.get("path") {
        let path = case_table::text(path, places);
        Attachment::from_path(PathBuf::from(OsStr::from_bytes(path.as_bytes())))
    } else {
        let name = case_table::text(&spec["name"], places).utf8().to_owned();
        let content = case_table::text(&spec["content"], places);
        Attachment::from_bytes(name, content.as_bytes().to_vec())
    };
    if let Some(ct) = spec.get("content_type") {
        a = a.with_content_type(case_table::text(ct, places).utf8());
    }
    a
}

/// Adds what every conversation type takes: attachments and the user's remarks.
macro_rules! common_parts {
    ($conv:expr, $args:expr) => {{
        let mut c = $conv;
        for a in attachments($args) {
            c = c.attachment(a);
        }
        if let Some(remarks) = $args.text("user_remarks") {
            c = c.user(User::new().remarks(remarks));
        }
        NewConversation::from(c)
    }};
}

/// `$body` with `$x` bound to the id, a number or a text (both are path parameters).
macro_rules! by_id {
    ($id:expr, |$x:ident| $body:expr) => {
        match $id {
            Id::Num($x) => $body,
            Id::Text($x) => $body,
        }
    };
}

/// Makes the call through this face; the record it returns, as JSON, when it returns one.
fn call(fx: &Fx, args: &Args) -> Result<Value> {
    let op = args.must("op");
    let done = |r: Result<()>| r.map(|()| Value::Null);
    match op.as_str() {
        "conversation" => {
            let (identity, message) = (args.must("identity"), args.must("message"));
            let conv = match args.must("channel").as_str() {
                "sms" => common_parts!(SmsConversation::new(identity, message), args),
                "chat" => common_parts!(ChatConversation::new(identity, message), args),
                "whatsapp_template" => common_parts!(
                    WhatsAppTemplateConversation::new(identity, args.must("template"), message),
                    args
                ),
                "email" => {
                    let mut c = EmailConversation::new(identity, args.must("subject"), message);
                    for to in args
                        .get("to")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let t = |k: &str| case_table::text(&to[k], args.places).utf8().to_owned();
                        c = c.to_named(t("address"), t("name"));
                    }
                    common_parts!(c, args)
                }
                other => panic!("channel {other}"),
            };
            // The subject is a default of every conversation: only e-mail uses it.
            args.get("subject");
            done(
                fx.client
                    .create_conversation(args.must("stream"), conv)
                    .map(drop),
            )
        }
        "message" => {
            let (identity, text) = (args.must("identity"), args.must("message"));
            let mut m = match args.must("from").as_str() {
                "customer" => NewMessage::from_customer(identity, text),
                "agent" => {
                    let agent = args.get("agent_id").and_then(Value::as_i64).unwrap();
                    NewMessage::from_agent(agent, identity, text)
                }
                other => panic!("from {other}"),
            };
            for a in attachments(args) {
                m = m.attachment(a);
            }
            if args.get("base64") == Some(&Value::Bool(true)) {
                m = m.attachments_as_base64(true);
            }
            let stream = args.must("stream");
            done(by_id!(args.id("object"), |o| fx
                .client
                .create_message(stream, o, m)
                .map(drop)))
        }
        "get_conversation" => {
            let stream = args.must("stream");
            done(by_id!(args.id("object"), |o| fx
                .client
                .get_conversation(stream, o)
                .map(drop)))
        }
        "set_status" => {
            assert_eq!(args.must("status"), "resolved");
            done(by_id!(args.id("object"), |o| fx
                .client
                .set_conversation_status(o, ObjectStatusType::RESOLVED)))
        }
        "raw_request" => done(
            fx.client
                .raw_request(&args.must("method"), &args.must("path"), None)
                .map(drop),
        ),
        "client" => {
            let mut b = common::builder(&fx.mock);
            if let Some(key) = args.text("api_key") {
                b = b.api_key(key);
            }
            if let Some(url) = args.text("base_url") {
                b = b.base_url(url);
            }
            if let Some(suffix) = args.text("user_agent_suffix") {
                b = b.user_agent_suffix(suffix);
            }
            if let Some(proxy) = args.text("proxy") {
                b = b.proxy(proxy);
            }
            done(b.build().map(drop))
        }
        "inbox" => done(
            fx.client
                .inbox(&fx.mock.url(), &args.must("inbox"))
                .and_then(|i| i.inbox())
                .map(drop),
        ),
        "get_contact" => {
            let contact = args.must("contact");
            let found = match (args.text("identifier"), args.text("identifier_hash")) {
                (Some(id), Some(hash)) => fx.inbox.get_verified_contact(&contact, &id, &hash),
                (None, None) => fx.inbox.get_contact(&contact),
                _ => panic!("identifier and identifier_hash go together"),
            };
            found.map(|c| as_json!(&c))
        }
        "create_contact" => {
            let mut c = NewContact::new();
            if let Some(v) = args.text("source_id") {
                c = c.source_id(v);
            }
            if let Some(v) = args.text("name") {
                c = c.name(v);
            }
            if let Some(v) = args.text("email") {
                c = c.email(v);
            }
            fx.inbox.create_contact(c).map(|c| as_json!(&c))
        }
        "chatwoot_message" => {
            let mut m = chatwoot::NewInboxMessage::new(args.must("message"));
            if let Some(echo) = args.text("echo_id") {
                m = m.echo_id(echo);
            }
            for a in attachments(args) {
                m = m.attachment(a);
            }
            let contact = args.must("contact");
            done(by_id!(args.id("conversation"), |c| fx
                .inbox
                .create_message(&contact, c, m)
                .map(drop)))
        }
        "commbox_delivery" => {
            let body = args.raw("body").expect("body");
            let content_type = args.text("content_type");
            events::parse_commbox_delivery(body.as_bytes(), content_type.as_deref())
                .map(|e| as_json!(&e))
        }
        "chatwoot_webhook" => {
            let body = args.raw("body").expect("body");
            let headers = case_table::chatwoot_headers(args, body.as_bytes());
            events::ChatwootWebhookVerifier::new(args.must("secret"))
                .and_then(|v| v.verify(headers, body.as_bytes()))
                .map(|d| as_json!(&d))
        }
        other => panic!("no such call in this face: {other}"),
    }
}

/// Writes the files a case needs into the suite's directory.
fn make_files(fx: &Fx, call: &Map<String, Value>) {
    use std::os::unix::fs::PermissionsExt;
    for file in call
        .get("files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = case_table::text(&file["name"], &fx.places);
        let path = fx.dir.path().join(OsStr::from_bytes(name.as_bytes()));
        let _ = std::fs::remove_file(&path);
        if file["fifo"] == true {
            let status = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(status.success(), "mkfifo");
        } else {
            let content = case_table::text(&file["content"], &fx.places);
            std::fs::write(&path, content.as_bytes()).unwrap();
        }
        if let Some(mode) = file["mode"].as_u64() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode as u32)).unwrap();
        }
    }
}

/// Whether this process reads any file whatever its mode (root): then the cases meant for
/// an unprivileged user run in a copy of this test as uid 65534.
fn privileged() -> bool {
    // The effective uid, the third field of the Uid: line.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0")
}

/// Runs `id` alone in a copy of this test binary as uid 65534 (from a 0755 directory: the
/// build tree may sit below one that user cannot enter).
fn run_as_nobody(id: &str) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let exe_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(exe_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let exe = exe_dir.path().join("hostile_cases");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    let out = std::process::Command::new(&exe)
        .args(["--exact", TEST_NAME, "--nocapture"])
        .env("CASES_ONLY", id)
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() && stderr.contains(": 1 cases passed") {
        return Vec::new();
    }
    // The copy's report names what failed, as "  <id>: <problem>" lines.
    let prefix = format!("  {id}: ");
    let found: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|p| format!("as uid 65534: {p}"))
        .collect();
    if found.is_empty() {
        vec![format!("as uid 65534: {stderr}")]
    } else {
        found
    }
}

fn run_case(table: &Value, fx: &Fx, case: &Value) -> Vec<String> {
    let call_map = case_table::with_defaults(table, &case["call"]);
    make_files(fx, &call_map);
    for setup in call_map
        .get("setup")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let setup = case_table::with_defaults(table, setup);
        if let Err(e) = call(fx, &Args::new(&setup, &fx.places)) {
            return vec![format!("set-up failed: {e}")];
        }
    }
    let before = fx.mock.request_count();
    let args = Args::new(&call_map, &fx.places);
    let result = call(fx, &args);
    // The records of what the call sent (read only when it sent something: the mock's
    // records hold the 1 MB values of earlier cases).
    let during: Vec<Value> = if fx.mock.request_count() > before {
        fx.mock.requests()[before..]
            .iter()
            .map(|r| as_json!(r))
            .collect()
    } else {
        Vec::new()
    };
    let mut p = case_table::unknown_in_hostile_case(case);
    let unused = args.unused();
    if !unused.is_empty() {
        p.push(format!("arguments this face does not use: {unused:?}"));
    }
    let expect = &case_table::expect_here(case, FACE);
    if let Some(field) = expect.get("refused") {
        let field = fx.places.fill(field.as_str().unwrap());
        match &result {
            Ok(_) => p.push("not refused".into()),
            Err(e) => {
                let kind = expect["kind"].as_str().unwrap_or("validation");
                if e.kind().as_str() != kind {
                    p.push(format!("kind {}, want {kind}: {e}", e.kind()));
                }
                if e.field() != Some(field.as_str()) {
                    p.push(format!("field {:?}, want {field:?}: {e}", e.field()));
                }
                if !e.to_string().starts_with(&format!("{field}: ")) {
                    p.push(format!("the message does not start with the field: {e}"));
                }
                for has in expect["message_has"].as_array().into_iter().flatten() {
                    let has = has.as_str().unwrap();
                    if !e.to_string().contains(has) {
                        p.push(format!("the message lacks {has:?}: {e}"));
                    }
                }
                for lacks in expect["message_lacks"].as_array().into_iter().flatten() {
                    let lacks = lacks.as_str().unwrap();
                    if format!("{e} {e:?}").contains(lacks) {
                        p.push(format!("the error shows {lacks:?}: {e:?}"));
                    }
                }
            }
        }
        if !during.is_empty() {
            p.push(format!("{} requests were sent", during.len()));
        }
        return p;
    }
    if expect.get("rejected").is_some() {
        match &result {
            Ok(v) => p.push(format!("not rejected: {}", case_table::short(v))),
            Err(e) => p.extend(case_table::judge_rejected(
                expect,
                e.kind().as_str(),
                &e.to_string(),
                e.field(),
            )),
        }
        if !during.is_empty() {
            p.push(format!("{} requests were sent", during.len()));
        }
        return p;
    }
    if expect.get("parsed").is_some() {
        let result = match result {
            Ok(v) => v,
            Err(e) => return vec![format!("failed: {e}")],
        };
        let decoded = case_table::decoded(&Value::Object(call_map.clone()), &fx.places);
        let checks = expect["checks"].as_array().unwrap();
        p.extend(case_table::run_checks(checks, &decoded, |name| {
            assert_eq!(name, "result", "a parsed case checks its result");
            Ok(result.clone())
        }));
        return p;
    }
    let answer = expect["sent"]
        .as_str()
        .expect("refused, rejected, parsed or sent");
    let result = match (answer, result) {
        ("ok", Ok(v)) => v,
        ("ok", Err(e)) => return vec![format!("failed: {e}")],
        (want, Err(e)) if e.kind().as_str() == want => Value::Null,
        (want, other) => return vec![format!("{other:?}, want {want}")],
    };
    if during.is_empty() {
        p.push("nothing was sent".into());
        return p;
    }
    let decoded = case_table::decoded(&Value::Object(call_map.clone()), &fx.places);
    let checks = expect["checks"].as_array().unwrap();
    p.extend(case_table::run_checks(checks, &decoded, |name| {
        case_table::mock_record(&fx.mock, &fx.places, name, &during, &result)
    }));
    p
}

#[test]
fn every_hostile_input_is_refused_by_name_or_sent_intact() {
    let table = case_table::load("hostile.json");
    let only: Option<Vec<String>> = std::env::var("CASES_ONLY")
        .ok()
        .map(|s| s.split(',').map(str::to_owned).collect());
    let cases: Vec<&Value> = table["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let id = c["id"].as_str().unwrap();
            only.as_ref().is_none_or(|o| o.iter().any(|x| x == id))
                && case_table::face_part(c, FACE).is_ok()
        })
        .collect();
    // Cases for an unprivileged user run in a copy of this test as uid 65534 when this one
    // is root: started first, they run while the others do here.
    let privileged = privileged();
    let as_nobody = |c: &Value| privileged && c["call"]["as_nobody"] == true;
    let copies: Vec<_> = cases
        .iter()
        .filter(|c| as_nobody(c))
        .map(|c| {
            let id = c["id"].as_str().unwrap().to_owned();
            std::thread::spawn(move || (id.clone(), run_as_nobody(&id)))
        })
        .collect();
    let fx = Fx::new(&table);
    let mut report = Report::default();
    for case in cases.iter().filter(|c| !as_nobody(c)) {
        let problems = catch_unwind(AssertUnwindSafe(|| run_case(&table, &fx, case)))
            .unwrap_or_else(|p| vec![format!("panicked: {}", case_table::panic_text(&*p))]);
        report.add(case["id"].as_str().unwrap(), problems);
    }
    for copy in copies {
        let (id, problems) = copy.join().unwrap();
        report.add(&id, problems);
    }
    report.finish("hostile input (Rust)");
}
