//! The case table (tests/cases/faults.json and hostile.json, format in tests/cases/README.md)
//! as the Rust runners read it: the cases of one face, their values and placeholders, the
//! checks on what the mock recorded and stored, and the fault matrix's server side.
//!
//! Shared by the Rust face (crates/commbox/tests/{fault,hostile}_cases.rs) and the CLI face
//! (crates/commbox-cli/tests/{fault,hostile}_cases.rs, which include this file by path). Only
//! how a face makes its calls lives in the runners; what a case does and what it must give
//! is read from the table.
#![allow(dead_code)]

use commbox::blocking::Client;
use commbox::chatwoot::NewContact;
use commbox::SmsConversation;
use commbox_mock::{Fault, MockConfig, MockServer, CHATWOOT_INBOX};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

/// The mock's records (or a result) as JSON, as the inspection routes give them.
#[macro_export]
macro_rules! as_json {
    ($value:expr) => {
        serde_json::to_value($value).expect("serializes")
    };
}

/// The table file `name` (`faults.json`, `hostile.json`) as JSON.
pub fn load(name: &str) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/cases/");
    let text = std::fs::read_to_string(format!("{path}{name}"))
        .unwrap_or_else(|e| panic!("{path}{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}{name}: {e}"))
}

/// What a case says about one face: `None` when it applies as written, `Err(reason)` when
/// it does not apply there ("n/a: ..."), else the face's overrides.
pub fn face_part<'a>(
    case: &'a Value,
    face: &str,
) -> Result<Option<&'a Map<String, Value>>, String> {
    match case.get(face) {
        None => Ok(None),
        Some(Value::String(why)) => Err(why.clone()),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => panic!("{}: {face}: {other}", case["id"]),
    }
}

/// The keys a runner knows, by what holds them; a key outside them fails the case, so that
/// nothing in the table is ignored unnoticed.
pub const FAULT_CASE_KEYS: &[&str] = &["id", "what", "site", "faults", "client", "expect", "note"];
pub const FAULT_CLIENT_KEYS: &[&str] = &["timeout_ms", "ca_file"];
pub const FAULT_EXPECT_KEYS: &[&str] = &[
    "outcome",
    "retry_safety",
    "says",
    "maybe_processed",
    "requests",
    "stored",
    "attempts",
    "retry_after",
    "http_status",
    "description",
    "body",
    "memory",
    "other_host",
];
pub const HOSTILE_CASE_KEYS: &[&str] =
    &["id", "what", "call", "expect", "rust", "c", "python", "cli"];
pub const REFUSED_KEYS: &[&str] = &["refused", "kind", "message_has", "message_lacks"];
pub const SENT_KEYS: &[&str] = &["sent", "checks"];
/// Received data refused (a webhook delivery): `rejected` names the part at fault (`body`, a
/// header), which the message starts with; the error's field stays null.
pub const REJECTED_KEYS: &[&str] = &["rejected", "kind", "message_has", "message_lacks"];
/// Received data read: `checks` on `result`, the event's JSON form; nothing is sent.
pub const PARSED_KEYS: &[&str] = &["parsed", "checks"];
pub const CHECK_KEYS: &[&str] = &["at", "is", "absent"];

/// `what: key` for each key of `value` (an object, or absent) outside `known`.
pub fn unknown_keys(what: &str, value: &Value, known: &[&str]) -> Vec<String> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, _)| format!("{what}: {k}: not known to this runner"))
        .collect()
}

/// What a hostile case holds that this runner does not know.
pub fn unknown_in_hostile_case(case: &Value) -> Vec<String> {
    let expect = &case["expect"];
    let mut p = unknown_keys("case", case, HOSTILE_CASE_KEYS);
    let known = if expect.get("refused").is_some() {
        REFUSED_KEYS
    } else if expect.get("rejected").is_some() {
        REJECTED_KEYS
    } else if expect.get("parsed").is_some() {
        PARSED_KEYS
    } else {
        SENT_KEYS
    };
    p.extend(unknown_keys("expect", expect, known));
    for check in expect["checks"].as_array().into_iter().flatten() {
        p.extend(unknown_keys("check", check, CHECK_KEYS));
    }
    p
}

/// A case's `expect` as one face sees it: its part may replace the refused `field` and
/// `kind`, `message_has` and `message_lacks`.
pub fn expect_here(case: &Value, face: &str) -> Value {
    let mut expect = case["expect"].clone();
    if let Ok(Some(part)) = face_part(case, face) {
        for (key, value) in part {
            match key.as_str() {
                "field" => expect["refused"] = value.clone(),
                "kind" | "message_has" | "message_lacks" => expect[key] = value.clone(),
                _ => {}
            }
        }
    }
    expect
}

/// The failures of a run, by case id; the report names every failing case.
#[derive(Default)]
pub struct Report {
    pub failures: Vec<(String, String)>,
    pub ran: Vec<String>,
}

impl Report {
    pub fn add(&mut self, id: &str, problems: Vec<String>) {
        self.ran.push(id.to_owned());
        for p in problems {
            self.failures.push((id.to_owned(), p));
        }
    }

    /// Panics naming every failing case (and what failed), if any did.
    pub fn finish(mut self, what: &str) {
        self.failures.sort_by(|a, b| a.0.cmp(&b.0));
        if self.failures.is_empty() {
            eprintln!("{what}: {} cases passed", self.ran.len());
            return;
        }
        let mut ids: Vec<&str> = self.failures.iter().map(|f| f.0.as_str()).collect();
        ids.dedup();
        let mut text = format!(
            "{what}: {} of {} cases failed: {}\n",
            ids.len(),
            self.ran.len(),
            ids.join(", ")
        );
        for (id, problem) in &self.failures {
            text.push_str(&format!("  {id}: {problem}\n"));
        }
        panic!("{text}");
    }
}

/// The text of a panic payload.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panicked".to_owned()
    }
}

// --- values ---------------------------------------------------------------------------------

/// What the placeholders of a hostile case stand for.
#[derive(Clone, Debug, Default)]
pub struct Places {
    pub dir: String,
    pub mock_port: u16,
    pub object: i64,
    pub contact: String,
    pub conversation: i64,
}

impl Places {
    pub fn fill(&self, text: &str) -> String {
        text.replace("{dir}", &self.dir)
            .replace("{mock_port}", &self.mock_port.to_string())
            .replace("{object}", &self.object.to_string())
            .replace("{contact}", &self.contact)
            .replace("{conversation}", &self.conversation.to_string())
    }
}

/// A text value of the table: UTF-8, or bytes that are not (`{"bytes": "..."}`).
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    Utf8(String),
    Bytes(Vec<u8>),
}

impl Text {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Utf8(s) => s.as_bytes(),
            Text::Bytes(b) => b,
        }
    }

    /// The UTF-8 text; a case that gives bytes where a face only takes UTF-8 is a table error.
    pub fn utf8(&self) -> &str {
        match self {
            Text::Utf8(s) => s,
            Text::Bytes(b) => panic!("{b:?} is not UTF-8: mark the case n/a in this face"),
        }
    }
}

/// `{"bytes": "s\\xff"}`: the text with each `\xHH` as that byte.
fn unescape_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') && i + 4 <= bytes.len() {
            let hex = &text[i + 2..i + 4];
            out.push(u8::from_str_radix(hex, 16).expect("\\xHH"));
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// A text argument: a string (placeholders filled), `{"repeat": u, "times": n, "then": t}` or
/// `{"bytes": "..."}`.
pub fn text(value: &Value, places: &Places) -> Text {
    match value {
        Value::String(s) => Text::Utf8(places.fill(s)),
        Value::Object(o) if o.contains_key("repeat") => {
            let unit = o["repeat"].as_str().expect("repeat");
            let times = o["times"].as_u64().expect("times") as usize;
            let then = o.get("then").and_then(Value::as_str).unwrap_or("");
            Text::Utf8(format!("{}{then}", unit.repeat(times)))
        }
        Value::Object(o) if o.contains_key("bytes") => {
            let bytes = unescape_bytes(&places.fill(o["bytes"].as_str().expect("bytes")));
            match String::from_utf8(bytes) {
                Ok(s) => Text::Utf8(s),
                Err(e) => Text::Bytes(e.into_bytes()),
            }
        }
        other => panic!("not a text value: {other}"),
    }
}

/// An id argument: a number, `"{object}"` / `"{conversation}"` (the fixture's), or a text.
#[derive(Clone, Debug)]
pub enum Id {
    Num(i64),
    Text(String),
}

pub fn id(value: &Value, places: &Places) -> Id {
    match value {
        Value::Number(n) => Id::Num(n.as_i64().expect("an integer id")),
        Value::String(s) if s == "{object}" => Id::Num(places.object),
        Value::String(s) if s == "{conversation}" => Id::Num(places.conversation),
        other => Id::Text(text(other, places).utf8().to_owned()),
    }
}

/// The case's call with the op's defaults under it (the table's `defaults`).
pub fn with_defaults(table: &Value, call: &Value) -> Map<String, Value> {
    let call = call.as_object().expect("call");
    let op = call["op"].as_str().expect("op");
    let mut out = table["defaults"]
        .get(op)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in call {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// The call's arguments as JSON, every text decoded: what `{"arg": "..."}` in a check names.
/// Bytes that are not UTF-8 become `null` (no check compares them).
pub fn decoded(value: &Value, places: &Places) -> Value {
    match value {
        Value::String(_) => Value::String(text(value, places).utf8().to_owned()),
        Value::Object(o) if o.contains_key("repeat") || o.contains_key("bytes") => {
            match text(value, places) {
                Text::Utf8(s) => Value::String(s),
                Text::Bytes(_) => Value::Null,
            }
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), decoded(v, places)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| decoded(v, places)).collect()),
        other => other.clone(),
    }
}

/// `is` of a check with each `{"arg": "a/b"}` replaced by that decoded argument.
pub fn expected(is: &Value, args: &Value) -> Value {
    match is {
        Value::Object(o) if o.len() == 1 && o.contains_key("arg") => {
            let mut v = args;
            for seg in o["arg"].as_str().expect("arg").split('/') {
                v = match seg.parse::<usize>() {
                    Ok(i) => &v[i],
                    Err(_) => &v[seg],
                };
            }
            v.clone()
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| expected(v, args)).collect()),
        other => other.clone(),
    }
}

// --- calls -----------------------------------------------------------------------------------

/// A call's arguments (the case's `call` over the op's defaults). Every one must be used by
/// the face: an argument the face ignores fails the case instead of passing unnoticed.
pub struct Args<'a> {
    pub map: &'a Map<String, Value>,
    pub places: &'a Places,
    used: RefCell<BTreeSet<String>>,
}

impl<'a> Args<'a> {
    pub fn new(map: &'a Map<String, Value>, places: &'a Places) -> Args<'a> {
        let used = ["op", "setup", "files", "as_nobody"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        Args {
            map,
            places,
            used: RefCell::new(used),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.used.borrow_mut().insert(key.to_owned());
        self.map.get(key)
    }

    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(|v| text(v, self.places).utf8().to_owned())
    }

    /// A text argument as given: UTF-8 or not.
    pub fn raw(&self, key: &str) -> Option<Text> {
        self.get(key).map(|v| text(v, self.places))
    }

    pub fn must(&self, key: &str) -> String {
        self.text(key)
            .unwrap_or_else(|| panic!("argument {key} missing"))
    }

    pub fn id(&self, key: &str) -> Id {
        id(self.get(key).expect(key), self.places)
    }

    /// A list argument (attachments, recipients); empty when absent.
    pub fn list(&self, key: &str) -> Vec<Value> {
        self.get(key)
            .map(|v| v.as_array().expect(key).clone())
            .unwrap_or_default()
    }

    pub fn unused(&self) -> Vec<String> {
        let used = self.used.borrow();
        self.map
            .keys()
            .filter(|k| !used.contains(*k))
            .cloned()
            .collect()
    }
}

// --- checks on what the mock recorded and stored --------------------------------------------

/// The parts of a recorded request that carry files (CommBox `file`, Chatwoot `attachments[]`).
fn files_of(request: &Value) -> Value {
    let parts = request["parts"].as_array().cloned().unwrap_or_default();
    Value::Array(
        parts
            .into_iter()
            .filter(|p| p["name"] == "file" || p["name"] == "attachments[]")
            .collect(),
    )
}

/// The CommBox object a create sent: `data` of a JSON body, the `data` part of a multipart one.
fn data_of(request: &Value) -> Value {
    if request["content_type"] == "application/json" {
        request["json"]["data"].clone()
    } else {
        request["json"].clone()
    }
}

/// Follows `path` (after its root) into `value`: keys, indexes, `*` for every element.
fn follow(value: &Value, segments: &[&str]) -> Option<Value> {
    let Some((seg, rest)) = segments.split_first() else {
        return Some(value.clone());
    };
    match *seg {
        "*" => Some(Value::Array(
            value
                .as_array()?
                .iter()
                .map(|v| follow(v, rest))
                .collect::<Option<Vec<_>>>()?,
        )),
        "files" if value.get("parts").is_some() => follow(&files_of(value), rest),
        "data" if value.get("parts").is_some() => follow(&data_of(value), rest),
        _ => match seg.parse::<i64>() {
            Ok(i) => {
                let a = value.as_array()?;
                let i = if i < 0 { a.len() as i64 + i } else { i };
                follow(a.get(usize::try_from(i).ok()?)?, rest)
            }
            Err(_) => follow(value.as_object()?.get(*seg)?, rest),
        },
    }
}

/// Runs the checks of a sent case: `root(name)` gives the record a check's `at` starts from
/// (`request`, `object`, `message`, `chatwoot_message`, `contact`, `result`).
pub fn run_checks(
    checks: &[Value],
    args: &Value,
    mut root: impl FnMut(&str) -> Result<Value, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    // Each record is read once: the mock's records hold the 1 MB values.
    let mut records: std::collections::BTreeMap<String, Result<Value, String>> = Default::default();
    for check in checks {
        let at = check["at"].as_str().expect("at");
        let segments: Vec<&str> = at.split('/').collect();
        let record = records
            .entry(segments[0].to_owned())
            .or_insert_with(|| root(segments[0]));
        let found = match record {
            Ok(r) => follow(r, &segments[1..]),
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        if check.get("absent") == Some(&Value::Bool(true)) {
            if let Some(v) = found {
                problems.push(format!("{at}: present ({v}), must be absent"));
            }
            continue;
        }
        let want = expected(&check["is"], args);
        match found {
            Some(got) if got == want => {}
            Some(got) => problems.push(format!("{at}: {} is not {}", short(&got), short(&want))),
            None => problems.push(format!("{at}: missing, want {}", short(&want))),
        }
    }
    problems
}

/// The record a hostile case's check starts from (tests/cases/README.md): `request` (the one
/// request the call sent), `object`, `message`, `chatwoot_message`, `contact` (what the mock
/// stored), `result` (what the call returned). Only that record is converted to JSON: the
/// mock holds the 1 MB values of earlier cases.
pub fn mock_record(
    mock: &MockServer,
    places: &Places,
    name: &str,
    during: &[Value],
    result: &Value,
) -> Result<Value, String> {
    let inbox = || {
        mock.chatwoot_state()
            .inboxes
            .into_iter()
            .find(|i| i.identifier == CHATWOOT_INBOX)
            .expect("the fixture's inbox")
    };
    let found = match name {
        "request" => match during {
            [one] => Some(one.clone()),
            _ => return Err(format!("{} requests were sent, want 1", during.len())),
        },
        "object" => mock.objects().pop().map(|o| as_json!(&o)),
        "message" => mock
            .objects()
            .into_iter()
            .find(|o| o.id as i64 == places.object)
            .and_then(|o| o.children.last().map(|c| as_json!(c))),
        "chatwoot_message" => inbox()
            .conversations
            .into_iter()
            .find(|c| c.id as i64 == places.conversation)
            .and_then(|c| c.messages.last().map(|m| as_json!(m))),
        "contact" => inbox()
            .contacts
            .into_iter()
            .find(|c| c.source_id == places.contact)
            .map(|c| as_json!(&c)),
        "result" => Some(result.clone()),
        other => panic!("no such record: {other}"),
    };
    found.ok_or_else(|| format!("no {name} stored"))
}

// --- received data (webhook deliveries) -----------------------------------------------------

/// The headers Chatwoot sends with `body` for a `chatwoot_webhook` call: signed with
/// `signed_with` (null: no signature headers) `signed_ago` seconds ago, with `delivery` as
/// `X-Chatwoot-Delivery` when given.
pub fn chatwoot_headers(args: &Args, body: &[u8]) -> Vec<(String, String)> {
    let ago = args.get("signed_ago").and_then(Value::as_i64).unwrap_or(0);
    let signer = args.get("signed_with").filter(|v| !v.is_null());
    let signer = signer.map(|v| text(v, args.places).utf8().to_owned());
    let delivery = args.text("delivery");
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut headers = Vec::new();
    if let Some(secret) = signer {
        let timestamp = (now - ago).to_string();
        let signature = commbox::events::chatwoot_signature(secret.as_bytes(), &timestamp, body);
        headers.push(("X-Chatwoot-Signature".to_owned(), signature));
        headers.push(("X-Chatwoot-Timestamp".to_owned(), timestamp));
    }
    if let Some(delivery) = delivery {
        headers.push(("X-Chatwoot-Delivery".to_owned(), delivery));
    }
    headers
}

/// What a rejected case's error got wrong: its kind, its message (which starts with the part
/// at fault and has and lacks the case's fragments), and a field (received data names none).
pub fn judge_rejected(
    expect: &Value,
    kind: &str,
    message: &str,
    field: Option<&str>,
) -> Vec<String> {
    let mut p = Vec::new();
    let part = expect["rejected"].as_str().expect("rejected");
    let want = expect["kind"]
        .as_str()
        .expect("a rejected case names its kind");
    if kind != want {
        p.push(format!("kind {kind}, want {want}: {message}"));
    }
    if let Some(field) = field {
        p.push(format!("field {field:?}, want none: {message}"));
    }
    if !message.starts_with(&format!("{part}: ")) {
        p.push(format!(
            "the message does not start with {part:?}: {message}"
        ));
    }
    for has in expect["message_has"].as_array().into_iter().flatten() {
        let has = has.as_str().unwrap();
        if !message.contains(has) {
            p.push(format!("the message lacks {has:?}: {message}"));
        }
    }
    for lacks in expect["message_lacks"].as_array().into_iter().flatten() {
        let lacks = lacks.as_str().unwrap();
        if message.contains(lacks) {
            p.push(format!("the message shows {lacks:?}: {message}"));
        }
    }
    p
}

/// A value for a message, cut to a readable length.
pub fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.len() <= 300 {
        return text;
    }
    let mut end = 300;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &text[..end], text.len())
}

// --- the fault matrix: the server side --------------------------------------------------------

/// An HTTP date `secs` from now, as a server writes it in `Retry-After`.
pub fn http_date_in(secs: u64) -> String {
    httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs))
}

/// Fills the fault placeholders of a string: `{http_date_in:N}`, `{other_host}`.
pub fn fill_fault_text(text: &str, other_host: &str) -> String {
    let mut out = text.replace("{other_host}", other_host);
    while let Some(start) = out.find("{http_date_in:") {
        let end = start + out[start..].find('}').expect("}");
        let secs: u64 = out[start + "{http_date_in:".len()..end]
            .parse()
            .expect("seconds");
        out.replace_range(start..=end, &http_date_in(secs));
    }
    out
}

fn fill_fault_value(value: &Value, other_host: &str) -> Value {
    match value {
        Value::String(s) => Value::String(fill_fault_text(s, other_host)),
        Value::Array(a) => {
            Value::Array(a.iter().map(|v| fill_fault_value(v, other_host)).collect())
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), fill_fault_value(v, other_host)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A case's faults, placeholders filled now (just before the call), as the mock takes them.
pub fn faults_of(case: &Value, other_host: &str) -> Vec<Fault> {
    case.get("faults")
        .and_then(Value::as_array)
        .map(|faults| {
            faults
                .iter()
                .map(|f| {
                    serde_json::from_value(fill_fault_value(f, other_host))
                        .unwrap_or_else(|e| panic!("{}: fault {f}: {e}", case["id"]))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What one create gave, in terms every face can report.
#[derive(Debug, Default)]
pub struct Observed {
    /// `ok`, or the error's kind (`connection`, `rate_limited`, ...).
    pub outcome: String,
    /// The error's message, without the request id a face may append.
    pub message: String,
    pub request_id: bool,
    /// The error's retry safety by its JSON name (`safe`, `may_duplicate`), as the face
    /// exposes it.
    pub retry_safety: Option<String>,
    pub retry_after: Option<f64>,
    pub http_status: Option<u16>,
    pub body: Option<String>,
    pub description: Option<String>,
    /// Requests the server saw for this call, records it stored for it.
    pub requests: usize,
    pub stored: usize,
    /// Attempts the client made, where the face can count them.
    pub attempts: Option<u32>,
}

/// Compares a create's outcome with the case's `expect`; every difference, in words.
/// `memory`, `other_host` and (where the face cannot count them) `attempts` are checked by
/// the runner.
pub fn judge(case: &Value, table: &Value, got: &Observed, other_host: &str) -> Vec<String> {
    let want = &case["expect"];
    let mut p = unknown_keys("case", case, FAULT_CASE_KEYS);
    p.extend(unknown_keys("client", &case["client"], FAULT_CLIENT_KEYS));
    p.extend(unknown_keys("expect", want, FAULT_EXPECT_KEYS));
    let outcome = want["outcome"].as_str().expect("outcome");
    if got.outcome != outcome {
        p.push(format!(
            "outcome {} ({}), want {outcome}",
            got.outcome, got.message
        ));
        return p;
    }
    if let Some(n) = want["requests"].as_u64() {
        if got.requests as u64 != n {
            p.push(format!(
                "the server saw {} requests, want {n}",
                got.requests
            ));
        }
    }
    if let Some(n) = want["stored"].as_u64() {
        if got.stored as u64 != n {
            p.push(format!(
                "the server stored {} records, want {n}",
                got.stored
            ));
        }
    }
    if let (Some(n), Some(attempts)) = (want["attempts"].as_u64(), got.attempts) {
        if u64::from(attempts) != n {
            p.push(format!("{attempts} attempts, want {n}"));
        }
    }
    if outcome == "ok" {
        return p;
    }
    if !got.request_id {
        p.push("the error carries no request id".into());
    }
    // Every error case states it: whether the caller may send the create again.
    match want["retry_safety"].as_str() {
        None => p.push("expect has no retry_safety (every error case states it)".into()),
        Some(safety) if got.retry_safety.as_deref() != Some(safety) => {
            p.push(format!(
                "retry_safety {:?}, want {safety}",
                got.retry_safety
            ));
        }
        Some(_) => {}
    }
    for says in want["says"].as_array().into_iter().flatten() {
        let says = fill_fault_text(says.as_str().expect("says"), other_host);
        if !got.message.contains(&says) {
            p.push(format!("message {:?} lacks {says:?}", got.message));
        }
    }
    if want["maybe_processed"] == true {
        let note = table["maybe_processed"].as_str().expect("maybe_processed");
        if !got.message.ends_with(note) {
            p.push(format!(
                "message {:?} does not end with {note:?}",
                got.message
            ));
        }
    }
    let retry_after_ok = match want.get("retry_after") {
        None => true,
        Some(Value::Null) => got.retry_after.is_none(),
        Some(Value::Object(range)) => {
            let (lo, hi) = (range["min"].as_f64(), range["max"].as_f64());
            let (lo, hi) = (lo.expect("min"), hi.expect("max"));
            got.retry_after.is_some_and(|r| (lo..=hi).contains(&r))
        }
        Some(v) => got.retry_after == v.as_f64(),
    };
    if !retry_after_ok {
        let want = &want["retry_after"];
        p.push(format!("retry_after {:?}, want {want}", got.retry_after));
    }
    if let Some(status) = want["http_status"].as_u64() {
        if got.http_status.map(u64::from) != Some(status) {
            p.push(format!("http_status {:?}, want {status}", got.http_status));
        }
    }
    if want.get("description") == Some(&Value::Null) && got.description.is_some() {
        p.push(format!("description {:?}, want none", got.description));
    }
    let body_ok = match want.get("body") {
        None => true,
        Some(Value::String(body)) => got.body.as_deref() == Some(body),
        Some(Value::Object(o)) => {
            let len = o["length"].as_u64().expect("length");
            got.body.as_ref().map(|b| b.len() as u64) == Some(len)
        }
        Some(other) => panic!("{}: body {other}", case["id"]),
    };
    if !body_ok {
        let body = got.body.as_deref().map(|b| short(&Value::from(b)));
        p.push(format!(
            "body {body:?} (of {:?} bytes), want {}",
            got.body.as_ref().map(String::len),
            short(&want["body"])
        ));
    }
    p
}

/// The CommBox stream every fault-matrix create goes to, and the customer of its creates.
pub const STREAM: &str = "fault-stream";
pub const PHONE: &str = "972544444444";

/// A server with what the creates need already in it: a CommBox conversation to post
/// messages to, and a Chatwoot contact with a conversation.
pub struct Site {
    pub mock: Option<MockServer>,
    pub url: String,
    pub object: i64,
    pub contact: String,
    pub conversation: i64,
}

impl Site {
    /// The site a case names: `mock` (default), `tls` (HTTPS, self-signed, certificate in
    /// `dir`) or `unreachable`.
    pub fn for_case(case: &Value, dir: &std::path::Path) -> Site {
        match case["site"].as_str().unwrap_or("mock") {
            "mock" => Site::start_with(MockConfig::default()),
            "tls" => Site::start_with(MockConfig {
                tls_dir: Some(dir.to_owned()),
                ..MockConfig::default()
            }),
            "unreachable" => Site::unreachable(),
            other => panic!("{}: site {other}", case["id"]),
        }
    }

    /// A mock started with `config`, prepared by a client that trusts it.
    pub fn start_with(config: MockConfig) -> Site {
        let mock = MockServer::start_with(config).expect("mock starts");
        let url = mock.url();
        let mut builder = Client::builder().api_key(mock.api_key()).base_url(&url);
        if let Some(cert) = mock.cert_file() {
            builder = builder.ca_file(cert);
        }
        let client = builder.build().unwrap();
        let inbox = client.inbox(&url, CHATWOOT_INBOX).unwrap();
        let object = client
            .create_conversation(STREAM, SmsConversation::new(PHONE, "set-up"))
            .unwrap();
        let contact = inbox
            .create_contact(NewContact::new().name("Set-up"))
            .unwrap()
            .source_id
            .unwrap();
        let conversation = inbox.create_conversation(&contact, None).unwrap().id;
        Site {
            mock: Some(mock),
            url,
            object,
            contact,
            conversation,
        }
    }

    /// A base URL nobody listens on (F01): the port of a listener that is closed again.
    pub fn unreachable() -> Site {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Site {
            mock: None,
            url: format!("http://127.0.0.1:{port}"),
            object: 1,
            contact: "nobody".into(),
            conversation: 1,
        }
    }

    pub fn mock(&self) -> &MockServer {
        self.mock.as_ref().expect("a site with a server")
    }

    /// Queues `faults` for the next requests.
    pub fn push(&self, faults: Vec<Fault>) {
        for fault in faults {
            self.mock().push_fault(fault);
        }
    }

    /// Requests the server has seen, and records it has stored (CommBox conversations and
    /// messages, Chatwoot contacts, conversations and messages).
    pub fn counts(&self) -> (usize, usize) {
        let Some(mock) = &self.mock else {
            return (0, 0);
        };
        let commbox: usize = mock.objects().iter().map(|o| 1 + o.children.len()).sum();
        let chatwoot: usize = mock
            .chatwoot_state()
            .inboxes
            .iter()
            .map(|i| {
                i.contacts.len()
                    + i.conversations
                        .iter()
                        .map(|c| 1 + c.messages.len())
                        .sum::<usize>()
            })
            .sum();
        (mock.request_count(), commbox + chatwoot)
    }
}

/// The other host of F21: a second mock, reached as `localhost` (another host name, another
/// port). Had the client followed the redirect, it would have recorded the request.
pub fn other_host() -> (MockServer, String) {
    let other = MockServer::start().expect("mock starts");
    let url = other.url().replace("127.0.0.1", "localhost");
    (other, url)
}
