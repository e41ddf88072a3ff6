//! Hostile and bad input (docs/reliability.md), CLI face: a runner over
//! tests/cases/hostile.json. Each case that applies to the command line runs `commbox` with
//! `--error-format json` against one mock and is either refused (the exit code of its kind, a
//! JSON error naming the field and the flag or variable of the case's `argument`, nothing on
//! stdout or the wire) or sent (what the mock recorded and
//! stored is what the table says); every failing case is reported by id.
//! `CASES_ONLY=H01,H02` runs only those cases.
//!
//! How the command line receives a table's values (rules of this face, not of a case):
//! - an attachment given by name and content is a file of that name in the suite's
//!   directory, so an error about it names its path (`attachment "<dir>/<name>"`);
//! - a message goes through `--message-file` when an argument cannot hold it (a NUL, bytes
//!   that are not UTF-8, more than BIG_ARG bytes), else through `-m`;
//! - any other value repeated past BIG_ARG bytes is cut to BIG_ARG (Linux holds 128 KiB in
//!   one argument), still longer than any id or header value allowed;
//! - `"via": "env"` in the case's `cli` part gives the client settings through
//!   `COMMBOX_API_KEY` / `COMMBOX_BASE_URL` instead of flags.
//! - a received webhook delivery is posted to a `commbox webhooks serve` of its own, whose
//!   HTTP answer stands for the outcome (see `received`).

#[path = "../../commbox/tests/common/case_table.rs"]
mod case_table;

use case_table::{Args, Id, Places, Report, Text};
use commbox::blocking::Client;
use commbox::chatwoot::NewContact;
use commbox::SmsConversation;
use commbox_mock::{MockServer, CHATWOOT_INBOX};
use serde_json::{Map, Value};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::{Command, Output};

const FACE: &str = "cli";
/// Longer than any id or header value allowed, and within Linux's 128 KiB per argument.
const BIG_ARG: usize = 100_000;

/// The mock, the table's fixture (made through the library: it is set-up, not under test)
/// and the suite's directory.
struct Fx {
    mock: MockServer,
    places: Places,
    dir: tempfile::TempDir,
}

impl Fx {
    fn new(table: &Value) -> Fx {
        let fixture = &table["fixture"];
        let s = |k: &str| fixture[k].as_str().unwrap();
        let mock = MockServer::start().unwrap();
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.url())
            .build()
            .unwrap();
        let inbox = client.inbox(&mock.url(), s("inbox")).unwrap();
        let object = client
            .create_conversation(s("stream"), SmsConversation::new(s("phone"), s("message")))
            .unwrap();
        inbox
            .create_contact(NewContact::new().source_id(s("contact")))
            .unwrap();
        let conversation = inbox.create_conversation(s("contact"), None).unwrap().id;
        let dir = tempfile::tempdir().unwrap();
        // Readable by the unprivileged user of H76, so that only the file itself is not.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let places = Places {
            dir: dir.path().display().to_string(),
            mock_port: mock.url().rsplit(':').next().unwrap().parse().unwrap(),
            object,
            contact: s("contact").to_owned(),
            conversation,
        };
        Fx { mock, places, dir }
    }

    fn path(&self, name: &[u8]) -> PathBuf {
        self.dir.path().join(OsStr::from_bytes(name))
    }
}

/// One run of the command.
#[derive(Default)]
struct Run {
    args: Vec<OsString>,
    env: Vec<(String, OsString)>,
    unprivileged: bool,
}

impl Run {
    fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Run {
        self.args.push(a.as_ref().to_owned());
        self
    }

    fn args(&mut self, list: &[&str]) -> &mut Run {
        for a in list {
            self.arg(a);
        }
        self
    }
}

fn exec(fx: &Fx, r: &Run) -> Output {
    let program = if r.unprivileged {
        // The build tree may sit below a directory the unprivileged user cannot enter (a
        // 0700 home or temp dir): run a copy from the suite's 0755 directory.
        let copy = fx.path(b"commbox");
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
        .env("COMMBOX_API_KEY", fx.mock.api_key())
        .env("COMMBOX_BASE_URL", fx.mock.url())
        .env("COMMBOX_MAX_RETRIES", "0")
        .env("CHATWOOT_BASE_URL", fx.mock.url())
        .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX);
    for (k, v) in &r.env {
        c.env(k, v);
    }
    if r.unprivileged {
        c.uid(65534).gid(65534);
    }
    c.output().expect("runs")
}

/// Cuts the values repeated past BIG_ARG (but messages, which may go through a file).
fn fit_arguments(call: &mut Map<String, Value>) {
    for (key, value) in call.iter_mut() {
        let Some(o) = value.as_object_mut() else {
            continue;
        };
        if key == "message" || !o.contains_key("repeat") {
            continue;
        }
        let unit = o["repeat"].as_str().unwrap().len();
        let then = o.get("then").and_then(Value::as_str).map_or(0, str::len);
        let times = o["times"].as_u64().unwrap() as usize;
        if unit * times + then > BIG_ARG {
            o.insert("times".into(), ((BIG_ARG - then) / unit).into());
        }
    }
}

/// Adds the message: `-m`, or `--message-file` when an argument cannot hold it.
fn message(fx: &Fx, args: &Args, run: &mut Run) {
    let Some(text) = args.raw("message") else {
        return;
    };
    let bytes = text.as_bytes();
    if matches!(text, Text::Bytes(_)) || bytes.contains(&0) || bytes.len() > BIG_ARG {
        let path = fx.path(b"message.txt");
        std::fs::write(&path, bytes).unwrap();
        run.arg("--message-file").arg(path);
    } else {
        run.arg("-m").arg(OsStr::from_bytes(bytes));
    }
}

/// Adds `--attach` for each attachment; one given by name and content is written first.
fn attachments(fx: &Fx, args: &Args, run: &mut Run) {
    for a in args.list("attachments") {
        assert!(
            a.get("content_type").is_none(),
            "no flag for a content type"
        );
        let path = match a.get("path") {
            Some(p) => PathBuf::from(OsStr::from_bytes(
                case_table::text(p, &fx.places).as_bytes(),
            )),
            None => {
                let name = case_table::text(&a["name"], &fx.places);
                let path = fx.path(name.as_bytes());
                let content = case_table::text(&a["content"], &fx.places);
                std::fs::write(&path, content.as_bytes()).unwrap();
                path
            }
        };
        run.arg("--attach").arg(path);
    }
}

fn id_arg(id: Id) -> String {
    match id {
        Id::Num(n) => n.to_string(),
        Id::Text(s) => s,
    }
}

/// The command line of a call.
fn command(fx: &Fx, args: &Args, via_env: bool) -> Run {
    let mut run = Run::default();
    let text = |key: &str| {
        args.raw(key)
            .map(|t| OsString::from(OsStr::from_bytes(t.as_bytes())))
    };
    match args.must("op").as_str() {
        "conversation" => {
            let stream = text("stream").unwrap();
            let identity = text("identity").unwrap();
            // The subject is a default of every conversation: only e-mail uses it.
            let subject = text("subject").unwrap();
            match args.must("channel").as_str() {
                "sms" => run
                    .args(&["sms", "--stream"])
                    .arg(stream)
                    .arg("--phone")
                    .arg(identity),
                "chat" => run
                    .args(&["chat", "--stream"])
                    .arg(stream)
                    .arg("--identity")
                    .arg(identity),
                "whatsapp_template" => run
                    .args(&["whatsapp", "--stream"])
                    .arg(stream)
                    .arg("--phone")
                    .arg(identity)
                    .arg("--template")
                    .arg(text("template").unwrap()),
                "email" => {
                    run.args(&["email", "--stream"])
                        .arg(stream)
                        .arg("--identity")
                        .arg(identity)
                        .arg("--subject")
                        .arg(subject);
                    for to in args.list("to") {
                        let t = |k: &str| case_table::text(&to[k], &fx.places).utf8().to_owned();
                        run.arg("--to")
                            .arg(format!("{} <{}>", t("name"), t("address")));
                    }
                    &mut run
                }
                other => panic!("channel {other}"),
            };
            if let Some(remarks) = text("user_remarks") {
                run.arg("--user-remarks").arg(remarks);
            }
            message(fx, args, &mut run);
            attachments(fx, args, &mut run);
        }
        "message" => {
            run.args(&["message", "--stream"])
                .arg(text("stream").unwrap())
                .arg(format!("--object={}", id_arg(args.id("object"))));
            let identity = text("identity").unwrap();
            match args.must("from").as_str() {
                "customer" => run.arg("--customer").arg(identity),
                "agent" => {
                    let agent = args.get("agent_id").and_then(Value::as_i64).unwrap();
                    run.arg("--agent")
                        .arg(agent.to_string())
                        .arg("--identity")
                        .arg(identity)
                }
                other => panic!("from {other}"),
            };
            if args.get("base64") == Some(&Value::Bool(true)) {
                run.arg("--base64");
            }
            message(fx, args, &mut run);
            attachments(fx, args, &mut run);
        }
        "get_conversation" => {
            run.args(&["get", "--stream"])
                .arg(text("stream").unwrap())
                .arg(format!("--object={}", id_arg(args.id("object"))));
        }
        "set_status" => {
            run.arg("status")
                .arg(format!("--object={}", id_arg(args.id("object"))))
                .arg("--status")
                .arg(text("status").unwrap());
        }
        "raw_request" => {
            run.arg("raw")
                .arg(text("method").unwrap())
                .arg(text("path").unwrap());
        }
        "client" => {
            for (key, flag, var) in [
                ("api_key", "--api-key", "COMMBOX_API_KEY"),
                ("base_url", "--base-url", "COMMBOX_BASE_URL"),
                ("proxy", "--proxy", "COMMBOX_PROXY"),
            ] {
                if let Some(v) = text(key) {
                    if via_env {
                        run.env.push((var.into(), v));
                    } else {
                        run.arg(flag).arg(v);
                    }
                }
            }
            assert!(args.get("user_agent_suffix").is_none(), "no flag for it");
            run.arg("managers");
        }
        "client_from_env" => {
            for (name, value) in args.get("env").and_then(Value::as_object).unwrap() {
                let v = case_table::text(value, &fx.places);
                run.env
                    .push((name.clone(), OsStr::from_bytes(v.as_bytes()).into()));
            }
            run.arg("managers");
        }
        "inbox" => {
            run.args(&["chatwoot", "--inbox"])
                .arg(text("inbox").unwrap())
                .arg("inbox");
        }
        "get_contact" => {
            run.args(&["chatwoot", "contact-get", "--contact"])
                .arg(text("contact").unwrap());
            if let Some(identifier) = text("identifier") {
                run.arg("--identifier").arg(identifier);
            }
            if let Some(hash) = text("identifier_hash") {
                run.arg("--identifier-hash").arg(hash);
            }
        }
        "create_contact" => {
            run.args(&["chatwoot", "contact-create"]);
            for (key, flag) in [
                ("source_id", "--source-id"),
                ("name", "--name"),
                ("email", "--email"),
            ] {
                if let Some(v) = text(key) {
                    run.arg(flag).arg(v);
                }
            }
        }
        "chatwoot_message" => {
            run.args(&["chatwoot", "message-create", "--contact"])
                .arg(text("contact").unwrap())
                .arg("--conversation")
                .arg(id_arg(args.id("conversation")));
            if let Some(echo) = text("echo_id") {
                run.arg("--echo-id").arg(echo);
            }
            message(fx, args, &mut run);
            attachments(fx, args, &mut run);
        }
        "cli" => {
            for a in args.list("args") {
                run.arg(case_table::text(&a, &fx.places).utf8());
            }
            for (name, value) in args
                .get("env")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let v = case_table::text(value, &fx.places);
                run.env
                    .push((name.clone(), OsStr::from_bytes(v.as_bytes()).into()));
            }
        }
        other => panic!("no such call in this face: {other}"),
    }
    run
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
        let path = fx.path(name.as_bytes());
        let _ = std::fs::remove_file(&path);
        if file["fifo"] == true {
            assert!(Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap()
                .success());
        } else {
            let content = case_table::text(&file["content"], &fx.places);
            std::fs::write(&path, content.as_bytes()).unwrap();
        }
        if let Some(mode) = file["mode"].as_u64() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode as u32)).unwrap();
        }
    }
}

/// Whether this process reads any file whatever its mode (root, effective uid 0).
fn privileged() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0")
}

/// The path secret of the receivers the received-delivery cases post to.
const PATH_SECRET: &str = "hostile-path";

/// A received delivery (`commbox_delivery`, `chatwoot_webhook`): a `commbox webhooks serve`
/// of its own (CommBox at /commbox/<secret>; Chatwoot verified with the case's secret) is
/// posted the body over HTTP, and its answer stands for the call's outcome (this face's
/// rule): 200 and the event it hands over on stdout is the result (for Chatwoot, as the
/// delivery: `delivery_id` the line's `id`, `verified` true, the receiver verifying); 401 is
/// an authentication error and 400 a decode error, whose message is the answer's body; 413 is
/// the body refused before it is read (a decode error of `body`; the receiver says only
/// "over N bytes", so the message is not checked).
fn received(fx: &Fx, case: &Value, call_map: &Map<String, Value>) -> Vec<String> {
    use std::io::{BufRead, BufReader, Read, Write};
    let args = Args::new(call_map, &fx.places);
    let op = args.must("op");
    let body = args.raw("body").expect("body");
    let body = body.as_bytes();
    let (path, secret, mut headers) = if op == "commbox_delivery" {
        let headers = args
            .text("content_type")
            .map(|ct| vec![("Content-Type".to_owned(), ct)])
            .unwrap_or_default();
        (
            format!("/commbox/{PATH_SECRET}"),
            "unused".to_owned(),
            headers,
        )
    } else {
        let headers = case_table::chatwoot_headers(&args, body);
        ("/chatwoot".to_owned(), args.must("secret"), headers)
    };
    headers.push(("Content-Length".to_owned(), body.len().to_string()));
    let spool = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["webhooks", "serve", "--port", "0", "--spool"])
        .arg(spool.path())
        .args([
            "--commbox-secret",
            PATH_SECRET,
            "--chatwoot-secret",
            &secret,
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("commbox webhooks serve runs");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let port: u16 = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address on stderr: {first:?}"));
    let (line_tx, line_rx) = std::sync::mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = line_tx.send(line);
        }
    });
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in &headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    // A receiver that refuses the body by its length may close before it is all written.
    let _ = conn
        .write_all(request.as_bytes())
        .and_then(|()| conn.write_all(body));
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let code: u16 = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let message = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    let handed = if code == 200 {
        line_rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .ok()
    } else {
        None
    };
    let _ = child.kill();
    let _ = child.wait();

    let mut p = case_table::unknown_in_hostile_case(case);
    let unused = args.unused();
    if !unused.is_empty() {
        p.push(format!("arguments this face does not use: {unused:?}"));
    }
    let expect = &case_table::expect_here(case, FACE);
    if expect.get("rejected").is_some() {
        let kind = match code {
            401 => "authentication",
            400 | 413 => "decode",
            other => return vec![format!("answered {other}, not rejected: {answer}")],
        };
        if code == 413 {
            if expect["rejected"] != "body" || expect["kind"] != "decode" {
                p.push(format!("413 ({message}), want {expect}"));
            }
        } else {
            p.extend(case_table::judge_rejected(expect, kind, &message, None));
        }
        return p;
    }
    assert!(
        expect.get("parsed").is_some(),
        "a received delivery is rejected or parsed"
    );
    let Some(line) = handed else {
        return vec![format!("answered {code}, nothing handed over: {answer}")];
    };
    let line: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
    let result = if op == "commbox_delivery" {
        line["event"].clone()
    } else {
        serde_json::json!({"delivery_id": line["id"], "verified": true, "event": line["event"]})
    };
    let decoded = case_table::decoded(&Value::Object(call_map.clone()), &fx.places);
    let checks = expect["checks"].as_array().unwrap();
    p.extend(case_table::run_checks(checks, &decoded, |name| {
        assert_eq!(name, "result", "a parsed case checks its result");
        Ok(result.clone())
    }));
    p
}

fn run_case(table: &Value, fx: &Fx, case: &Value) -> Vec<String> {
    let overrides = case_table::face_part(case, FACE)
        .unwrap()
        .cloned()
        .unwrap_or_default();
    if matches!(
        case["call"]["op"].as_str(),
        Some("commbox_delivery" | "chatwoot_webhook")
    ) {
        let call_map = case_table::with_defaults(table, &case["call"]);
        return received(fx, case, &call_map);
    }
    let mut call_map = case_table::with_defaults(table, &case["call"]);
    fit_arguments(&mut call_map);
    make_files(fx, &call_map);
    for setup in call_map
        .get("setup")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let setup = case_table::with_defaults(table, setup);
        let out = exec(fx, &command(fx, &Args::new(&setup, &fx.places), false));
        if !out.status.success() {
            return vec![format!(
                "set-up failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )];
        }
    }
    let args = Args::new(&call_map, &fx.places);
    let mut run = command(fx, &args, overrides.get("via") == Some(&Value::from("env")));
    run.unprivileged = call_map.get("as_nobody") == Some(&Value::Bool(true)) && privileged();
    let before = fx.mock.request_count();
    let out = exec(fx, &run);
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    let mut p = case_table::unknown_in_hostile_case(case);
    let unused = args.unused();
    if !unused.is_empty() {
        p.push(format!("arguments this face does not use: {unused:?}"));
    }
    let expect = &case_table::expect_here(case, FACE);
    if let Some(field) = expect.get("refused") {
        let mut field = fx.places.fill(field.as_str().unwrap());
        let in_memory = args
            .list("attachments")
            .iter()
            .any(|a| a.get("content").is_some());
        if in_memory && field.starts_with("attachment \"") {
            field = format!(
                "attachment \"{}/{}",
                fx.places.dir,
                &field["attachment \"".len()..]
            );
        }
        let kind = expect["kind"].as_str().unwrap_or("validation");
        let want_code = match kind {
            "validation" => 3,
            "io" => 13,
            other => panic!("refused as {other}"),
        };
        if code != Some(want_code) {
            p.push(format!("exit {code:?}, want {want_code}: {stderr}"));
        }
        if !out.stdout.is_empty() {
            p.push("output on stdout".into());
        }
        match serde_json::from_str::<Value>(stderr.trim()) {
            Err(_) => p.push(format!("stderr is not a JSON error: {stderr}")),
            Ok(v) => {
                let e = &v["error"];
                if e["kind"] != kind {
                    p.push(format!("kind {}, want {kind}: {}", e["kind"], e["message"]));
                }
                if e["field"] != field.as_str() {
                    p.push(format!("field {}, want {field:?}", e["field"]));
                }
                // The flag or variable the user controls: the case's `argument`, or the
                // field itself when the command line's own check named it.
                let argument = match overrides.get("argument") {
                    Some(a) => a.as_str().map(str::to_owned),
                    None => field.starts_with("--").then(|| field.clone()),
                };
                if e["argument"].as_str() != argument.as_deref() {
                    p.push(format!("argument {}, want {argument:?}", e["argument"]));
                }
                // `--phone (UserStreamProviderId): …`; a field that names the argument
                // already (`--message-file`, `api_key (COMMBOX_API_KEY)`) stays as it is.
                let start = match &argument {
                    Some(a) if field != *a && !field.ends_with(&format!(" ({a})")) => {
                        format!("{a} ({field}): ")
                    }
                    _ => format!("{field}: "),
                };
                let message = e["message"].as_str().unwrap_or("");
                if !message.starts_with(&start) {
                    p.push(format!(
                        "the message does not start with {start:?}: {message}"
                    ));
                }
                for has in expect["message_has"].as_array().into_iter().flatten() {
                    if !message.contains(has.as_str().unwrap()) {
                        p.push(format!("the message lacks {has}: {message}"));
                    }
                }
            }
        }
        for lacks in expect["message_lacks"].as_array().into_iter().flatten() {
            if stderr.contains(lacks.as_str().unwrap()) {
                p.push(format!("stderr shows {lacks}: {stderr}"));
            }
        }
        if !during.is_empty() {
            p.push(format!("{} requests were sent", during.len()));
        }
        return p;
    }
    let answer = expect["sent"].as_str().expect("refused or sent");
    let want_code = match answer {
        "ok" => 0,
        "not_found" => 5,
        other => panic!("answer {other}"),
    };
    if code != Some(want_code) {
        return vec![format!(
            "exit {code:?}, want {want_code} ({answer}): {stderr}"
        )];
    }
    if during.is_empty() {
        return vec!["nothing was sent".into()];
    }
    let stdout: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let decoded = case_table::decoded(&Value::Object(call_map.clone()), &fx.places);
    let checks = expect["checks"].as_array().unwrap();
    p.extend(case_table::run_checks(checks, &decoded, |name| {
        case_table::mock_record(&fx.mock, &fx.places, name, &during, &stdout)
    }));
    p
}

#[test]
fn every_hostile_input_is_refused_by_name_or_sent_intact() {
    let table = case_table::load("hostile.json");
    let only: Option<Vec<String>> = std::env::var("CASES_ONLY")
        .ok()
        .map(|s| s.split(',').map(str::to_owned).collect());
    let fx = Fx::new(&table);
    let mut report = Report::default();
    for case in table["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if only.as_ref().is_some_and(|o| !o.iter().any(|x| x == id)) {
            continue;
        }
        if case_table::face_part(case, FACE).is_err() {
            continue;
        }
        let problems = catch_unwind(AssertUnwindSafe(|| run_case(&table, &fx, case)))
            .unwrap_or_else(|p| vec![format!("panicked: {}", case_table::panic_text(&*p))]);
        report.add(id, problems);
    }
    report.finish("hostile input (CLI)");
}
