//! The `commbox` binary end to end: JSON on stdout, errors on stderr, one exit code per kind.

use commbox_mock::{Fault, MockServer};
use serde_json::{json, Value};
use std::process::{Command, Output};

fn commbox(mock: &MockServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(args)
        .env_clear()
        .env("COMMBOX_API_KEY", mock.api_key())
        .env("COMMBOX_BASE_URL", mock.url())
        .env("COMMBOX_MAX_RETRIES", "0")
        .output()
        .expect("runs")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn sent(mock: &MockServer, i: usize) -> Value {
    let req = &mock.requests()[i];
    let json = req.json.clone().unwrap();
    if req.content_type.as_deref() == Some("application/json") {
        json["data"].clone()
    } else {
        json
    }
}

#[test]
fn every_channel_prints_the_new_id() {
    let mock = MockServer::start().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "email",
            "--stream",
            "s",
            "--identity",
            "john@example.com",
            "--subject",
            "Hi",
            "--to",
            "John Doe <john@example.com>",
            "--cc",
            "team@example.com",
            "-m",
            "Hello",
            "--status",
            "sent",
            "--manager-id",
            "28361974",
            "--user-first-name",
            "John",
            "--user-email",
            "john@example.com",
        ],
        vec![
            "sms",
            "--stream",
            "s",
            "--phone",
            "+972544444444",
            "-m",
            "code 1234",
        ],
        vec![
            "bulk-sms",
            "--stream",
            "s",
            "--phone",
            "972544444444",
            "--to",
            "972522222222",
            "--to",
            "+972533333333",
            "-m",
            "closing at 6",
        ],
        vec![
            "whatsapp",
            "--stream",
            "s",
            "--phone",
            "972544444444",
            "--template",
            "order_ready",
            "--param",
            "A-1",
            "--param",
            "today",
            "--language",
            "en",
            "-m",
            "ready",
        ],
        vec![
            "chat",
            "--stream",
            "s",
            "--identity",
            "972544444444",
            "-m",
            "hi",
            "--user-identity",
            "100000000419660",
            "--field",
            "Priority=3",
        ],
    ];
    let mut ids = Vec::new();
    for args in &runs {
        // The JSON form of a create (commbox::Created): the id alone.
        let v = stdout_json(&commbox(&mock, args));
        assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let stored: Vec<i64> = mock.objects().iter().map(|o| o.id as i64).collect();
    assert_eq!(ids, stored);
    assert_eq!(
        sent(&mock, 0)["Content"],
        json!({"subject": "Hi", "to": [{"address": "john@example.com", "name": "John Doe"}],
               "cc": [{"address": "team@example.com"}]})
    );
    assert_eq!(sent(&mock, 0)["StatusId"], 13);
    assert_eq!(
        sent(&mock, 0)["User"],
        json!({"FirstName": "John", "Email": "john@example.com"})
    );
    assert_eq!(sent(&mock, 1)["UserStreamProviderId"], "972544444444");
    assert_eq!(
        sent(&mock, 2)["Content"]["to"],
        json!(["972522222222", "972533333333"])
    );
    assert_eq!(sent(&mock, 2)["sendToClient"], true);
    assert_eq!(
        sent(&mock, 3)["Content"]["whatsapp_localizable_params"],
        json!(["A-1", "today"])
    );
    assert_eq!(sent(&mock, 4)["Priority"], 3);
    assert_eq!(sent(&mock, 4)["createChildObject"], true);
}

#[test]
fn messages_with_attachments_then_get_status_managers() {
    let mock = MockServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "hello").unwrap();
    let file = file.to_str().unwrap();
    let conv = stdout_json(&commbox(
        &mock,
        &[
            "email",
            "--stream",
            "s",
            "--identity",
            "a@b.co",
            "--subject",
            "x",
            "-m",
            "y",
            "--attach",
            file,
        ],
    ));
    let object = conv["id"].to_string();
    let agent = stdout_json(&commbox(
        &mock,
        &[
            "message",
            "--stream",
            "s",
            "--object",
            &object,
            "--agent",
            "36574658",
            "--identity",
            "best.agent@commbox.com",
            "-m",
            "on it",
            "--attach",
            file,
        ],
    ));
    let customer = stdout_json(&commbox(
        &mock,
        &[
            "message",
            "--stream",
            "s",
            "--object",
            &object,
            "--customer",
            "+972544444444",
            "--attach",
            file,
            "--base64",
        ],
    ));
    assert!(customer["id"].as_i64() > agent["id"].as_i64());
    let reqs = mock.requests();
    assert_eq!(reqs[0].parts.len(), 2);
    assert_eq!(sent(&mock, 1)["IsManager"], true);
    assert_eq!(
        reqs[2].parts[1].filename, None,
        "base64 form is a text field"
    );
    let objects = mock.objects();
    let children = &objects[0].children;
    assert_eq!(children[1].attachments[0].name, "notes.txt");

    let got = stdout_json(&commbox(
        &mock,
        &["get", "--stream", "s", "--object", &object],
    ));
    // The record's JSON form, with what the server sent in `raw`.
    assert_eq!(got["id"].to_string(), object);
    assert_eq!(got["messages"].as_array().unwrap().len(), 2);
    assert_eq!(got["messages"][0]["is_manager"], true);
    assert_eq!(got["raw"]["childs"].as_array().unwrap().len(), 2);
    // Setting a status returns nothing: `null`.
    let st = stdout_json(&commbox(
        &mock,
        &["status", "--object", &object, "--status", "resolved"],
    ));
    assert_eq!(st, Value::Null);
    let got = stdout_json(&commbox(
        &mock,
        &["get", "--stream", "s", "--object", &object],
    ));
    assert_eq!(got["status"], 2);
    let managers = stdout_json(&commbox(&mock, &["managers"]));
    assert!(managers
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == 36574658 && m["first_name"].is_string() && m["raw"]["id"] == 36574658));
    let sys = stdout_json(&commbox(&mock, &["system-status"]));
    assert_eq!(sys["description"], "System is operational");
    assert_eq!(sys["raw"]["status"], "200");
    let raw = stdout_json(&commbox(&mock, &["raw", "GET", "/managers"]));
    assert_eq!(raw["http_status"], 200);
    assert_eq!(raw["data"], raw["raw"]["data"]);
}

#[test]
fn exit_codes_and_stderr_per_error_kind() {
    let mock = MockServer::start().unwrap();
    let code = |out: &Output| out.status.code().unwrap();

    // Validation: 3, names the field, nothing sent, nothing on stdout.
    let out = commbox(
        &mock,
        &["sms", "--stream", "s", "--phone", "054-444", "-m", "x"],
    );
    assert_eq!(code(&out), 3);
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("commbox: error: --phone (UserStreamProviderId): phone numbers"),
        "{err}"
    );
    assert_eq!(mock.request_count(), 0);

    let out = commbox(
        &mock,
        &[
            "message",
            "--stream",
            "s",
            "--object",
            "1",
            "--customer",
            "a@b.co",
            "-m",
            "x",
            "--attach",
            "/no/such.pdf",
        ],
    );
    // A file that cannot be read is an I/O error (13), attachment or message file alike.
    assert_eq!(code(&out), 13);
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--attach (attachment \"/no/such.pdf\"): no such file"));
    let out = commbox(
        &mock,
        &[
            "sms",
            "--stream",
            "s",
            "--phone",
            "972544444444",
            "--message-file",
            "/no/such.txt",
        ],
    );
    assert_eq!(code(&out), 13);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--message-file: cannot read /no/such.txt")
    );
    let out = commbox(&mock, &["raw", "POST", "/x", "--data", "@/no/such.json"]);
    assert_eq!(code(&out), 13);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data: cannot read /no/such.json"));
    assert_eq!(mock.request_count(), 0);

    // Authentication: 4.
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["--api-key", "wrong", "--base-url", &mock.url(), "managers"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(code(&out), 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("http status: 401")
            && err.contains("request id: ")
            && err.contains("retry safety: safe"),
        "{err}"
    );
    assert!(!err.contains("wrong"), "the key is not echoed: {err}");

    // Not found: 5. Rate limited: 6. Bad request: 7. Server: 8.
    assert_eq!(
        code(&commbox(
            &mock,
            &["get", "--stream", "s", "--object", "424242"]
        )),
        5
    );
    mock.push_fault(Fault::status(429).with_retry_after("3600"));
    let out = commbox(&mock, &["managers"]);
    assert_eq!(code(&out), 6);
    assert!(String::from_utf8_lossy(&out.stderr).contains("retry after: 3600 s"));
    mock.push_fault(Fault::status(400));
    assert_eq!(code(&commbox(&mock, &["managers"])), 7);
    mock.push_fault(Fault::status(500));
    assert_eq!(
        code(&commbox(
            &mock,
            &["sms", "--stream", "s", "--phone", "1", "-m", "x"]
        )),
        8
    );

    // Timeout: 9.
    mock.push_fault(Fault::delay(3000));
    let out = commbox(&mock, &["--timeout", "0.3", "managers"]);
    assert_eq!(code(&out), 9);

    // Connection: 10.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args([
            "--api-key",
            "k",
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
            "--max-retries",
            "0",
            "managers",
        ])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(code(&out), 10);

    // Usage: 2 (clap).
    assert_eq!(code(&commbox(&mock, &["sms", "--stream", "s"])), 2);
}

#[test]
fn json_error_format_for_scripts() {
    let mock = MockServer::start().unwrap();
    let out = commbox(
        &mock,
        &[
            "--error-format",
            "json",
            "email",
            "--stream",
            "s",
            "--identity",
            "a@b.co",
            "--subject",
            "s",
            "-m",
            "m",
            "--to",
            "nope",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["error"]["kind"], "validation");
    assert_eq!(v["error"]["field"], "Content.to[0]");
    assert_eq!(v["error"]["argument"], "--to");
    assert_eq!(v["error"]["exit_code"], 3);
    // The error's JSON form (docs/schemas/Error.json), every key present, plus the flag or
    // variable it is about and the exit code.
    let keys: Vec<&str> = v["error"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "argument",
            "body",
            "description",
            "exit_code",
            "field",
            "http_status",
            "kind",
            "message",
            "reason",
            "request_id",
            "retry_after",
            "retry_safety",
            "server_request_id"
        ]
    );
    assert!(v["error"]["reason"].is_string());
    assert_eq!(v["error"]["http_status"], Value::Null);
    // Refused before anything was sent: sending it again cannot duplicate it.
    assert_eq!(v["error"]["retry_safety"], "safe");
}

#[test]
fn help_lists_the_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Exit codes:") && help.contains("13  local file error"),
        "{help}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("commbox {}", env!("CARGO_PKG_VERSION"))
    );
}

#[cfg(not(feature = "mock"))]
#[test]
fn commbox_mock_without_the_mock_feature_says_where_it_is() {
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["mock", "--port", "0"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no mock server")
            && stderr.contains("commbox-mock")
            && stderr.contains("--features mock"),
        "{stderr}"
    );
}

#[cfg(feature = "mock")]
#[test]
fn commbox_mock_serves_until_killed() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["mock", "--port", "0", "--mock-api-key", "demo-key"])
        .env_clear()
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["--api-key", "demo-key", "--base-url", &url, "system-status"])
        .env_clear()
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Errors that name an argument: the variables (`NAME=value`, space-separated), the command
/// line, then the argument, the field and the start of the message wanted.
#[rustfmt::skip]
const NAMED: &[(&str, &str, &str, &str, &str)] = &[
    (KEY, "sms --stream s --phone x -m m",
     "--phone", "UserStreamProviderId", "--phone (UserStreamProviderId): phone numbers are digits"),
    (KEY, "whatsapp --stream s --phone 1 --template t --to +x -m m",
     "--to", "Content.to[0]", "--to (Content.to[0]): phone numbers are digits"),
    (KEY, "chat --stream s --identity a@b.co -m m --user-email nope",
     "--user-email", "User.Email", "--user-email (User.Email): not an e-mail address"),
    (KEY, "chat --stream s --identity a@b.co -m m --status bogus",
     "--status", "status", "--status (status): unknown"),
    (KEY, "message --stream s --object 1 --agent 7 --identity a@b",
     "--identity", "UserStreamProviderId", "--identity (UserStreamProviderId): not an e-mail"),
    (KEY, "message --stream s --object 1 --customer a@b.co",
     "--message", "Message", "--message (Message): required (or attach a file)"),
    // A missing key: the flag, and the variable it may come from instead.
    ("", "managers",
     "--api-key", "api_key", "--api-key (api_key): required (pass it or set COMMBOX_API_KEY)"),
    // A value from the environment: the core names the variable already.
    ("COMMBOX_API_KEY=k COMMBOX_TIMEOUT=0", "managers",
     "COMMBOX_TIMEOUT", "timeout (COMMBOX_TIMEOUT)", "timeout (COMMBOX_TIMEOUT): must be a positive"),
    // Plain http to another host (the message names --allow-insecure-http: see below).
    ("COMMBOX_API_KEY=k", "--base-url http://api.commbox.io managers",
     "--base-url", "base_url", "--base-url (base_url): http:// is refused for non-loopback hosts"),
    ("CHATWOOT_INBOX_IDENTIFIER=i", "chatwoot --url http://chatwoot.example.com inbox",
     "--url", "base_url", "--url (base_url): http:// is refused for non-loopback hosts"),
    // Chatwoot's variables, and its contacts' flags.
    ("CHATWOOT_BASE_URL=http://127.0.0.1:9 CHATWOOT_INBOX_IDENTIFIER=..", "chatwoot inbox",
     "CHATWOOT_INBOX_IDENTIFIER", "inbox_identifier",
     "CHATWOOT_INBOX_IDENTIFIER (inbox_identifier): must not be '.' or '..'"),
    (CHATWOOT, "chatwoot contact-create --hmac-token t",
     "--hmac-token", "hmac_token", "--hmac-token (hmac_token): needs identifier"),
    (CHATWOOT, "chatwoot contact-create --identifier u --identifier-hash h --hmac-token t",
     "--hmac-token", "hmac_token",
     "--hmac-token (hmac_token): give --identifier-hash or --hmac-token, not both"),
];
const KEY: &str = "COMMBOX_API_KEY=k COMMBOX_BASE_URL=http://127.0.0.1:9";
const CHATWOOT: &str = "CHATWOOT_BASE_URL=http://127.0.0.1:9 CHATWOOT_INBOX_IDENTIFIER=i";

/// An error names the flag or variable the user controls as well as the core's field; the
/// JSON form keeps the core's `field` and adds `argument`.
#[test]
fn errors_name_the_argument_and_the_field() {
    for (env, line, argument, field, message) in NAMED {
        let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
            .args(["--error-format", "json"])
            .args(line.split(' '))
            .env_clear()
            .envs(env.split(' ').filter_map(|v| v.split_once('=')))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(3), "{line}");
        let v: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
        let e = &v["error"];
        let got = e["message"].as_str().unwrap();
        assert_eq!(e["argument"], *argument, "{line}: {got}");
        assert_eq!(e["field"], *field, "{line}: {got}");
        assert!(got.starts_with(message), "{line}: {got}");
    }
    // The text format shows the same message, naming --allow-insecure-http.
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["--base-url", "http://api.commbox.io", "managers"])
        .env_clear()
        .env("COMMBOX_API_KEY", "k")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("commbox: error: --base-url (base_url): http:// is refused")
            && err.contains("or allow it with --allow-insecure-http (COMMBOX_ALLOW_INSECURE_HTTP)"),
        "{err}"
    );
}
