//! The fault matrix (docs/reliability.md), CLI face: a runner over tests/cases/faults.json.
//! Every case runs against the table's five creates as `commbox` commands with
//! `--error-format json` and the default retry policy, on a server of its own; the exit
//! code (the one of the error's kind), the JSON error and what the server saw and stored are
//! compared with the case's `expect`, and every failing case is reported by id.
//!
//! What only this face does: memory is bounded by running the command under a 512 MiB data
//! limit (`ulimit -d`), far below a 1 GiB answer; attempts are not observable here.

#[path = "../../commbox/tests/common/case_table.rs"]
mod case_table;

use case_table::{Observed, Report, Site};
use commbox_mock::CHATWOOT_INBOX;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

/// The CLI takes the customer's phone number in E.164, with its '+'.
const PHONE: &str = "+972544444444";

/// A data-segment limit that fits the 32 MiB answer cap (and a doubled buffer) with room to
/// spare, and is far below a 1 GiB answer.
const DATA_LIMIT_KIB: u64 = 512 * 1024;

/// The exit code of each error kind (`commbox --help` lists them).
fn exit_code(kind: &str) -> i32 {
    match kind {
        "ok" => 0,
        "validation" => 3,
        "authentication" => 4,
        "not_found" => 5,
        "rate_limited" => 6,
        "bad_request" => 7,
        "server" => 8,
        "timeout" => 9,
        "connection" => 10,
        "tls" => 11,
        "decode" => 12,
        "io" => 13,
        other => panic!("no exit code for {other}"),
    }
}

/// One of the table's creates, as a command line.
fn create(op: &str, site: &Site) -> Vec<String> {
    let (stream, object) = (case_table::STREAM, site.object.to_string());
    let conversation = site.conversation.to_string();
    let args: &[&str] = match op {
        "commbox_conversation" => &["sms", "--stream", stream, "--phone", PHONE, "-m", "fault"],
        "commbox_message" => &[
            "message",
            "--stream",
            stream,
            "--object",
            &object,
            "--customer",
            PHONE,
            "-m",
            "fault",
        ],
        "chatwoot_contact" => &["chatwoot", "contact-create", "--name", "Fault"],
        "chatwoot_conversation" => &[
            "chatwoot",
            "conversation-create",
            "--contact",
            &site.contact,
        ],
        "chatwoot_message" => &[
            "chatwoot",
            "message-create",
            "--contact",
            &site.contact,
            "--conversation",
            &conversation,
            "-m",
            "fault",
        ],
        other => panic!("no such create in this face: {other}"),
    };
    args.iter().map(|s| (*s).to_owned()).collect()
}

fn run_case(table: &Value, case: &Value) -> Vec<String> {
    let expect = &case["expect"];
    let dir = tempfile::tempdir().unwrap();
    let site = Site::for_case(case, dir.path());
    let other = case
        .to_string()
        .contains("{other_host}")
        .then(case_table::other_host);
    let other_url = other.as_ref().map(|o| o.1.clone()).unwrap_or_default();
    let mut flags: Vec<String> = Vec::new();
    let settings = &case["client"];
    if let Some(ms) = settings["timeout_ms"].as_u64() {
        flags.extend(["--timeout".into(), format!("{}", ms as f64 / 1000.0)]);
    }
    if settings["ca_file"] == "site" {
        let cert = site.mock().cert_file().expect("a TLS site");
        flags.extend(["--ca-file".into(), cert.display().to_string()]);
    }
    let limited = expect["memory"] == "flat";

    let mut problems = Vec::new();
    for op in table["creates"].as_array().unwrap() {
        let op = op.as_str().unwrap();
        let (requests, stored) = site.counts();
        if site.mock.is_some() {
            site.push(case_table::faults_of(case, &other_url));
        }
        let mut command = if limited {
            // The shell sets the limit and execs the command in its place.
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -d {DATA_LIMIT_KIB} && exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_commbox"));
            c
        } else {
            Command::new(env!("CARGO_BIN_EXE_commbox"))
        };
        let out = command
            .args(["--error-format", "json"])
            .args(&flags)
            .args(create(op, &site))
            .env_clear()
            .env("COMMBOX_API_KEY", "mock-api-key")
            .env("COMMBOX_BASE_URL", &site.url)
            .env("CHATWOOT_BASE_URL", &site.url)
            .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX)
            .output()
            .expect("runs");
        let (requests_after, stored_after) = site.counts();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut got = Observed {
            outcome: "ok".into(),
            requests: requests_after - requests,
            stored: stored_after - stored,
            ..Observed::default()
        };
        let mut found = Vec::new();
        let code = out.status.code();
        if code == Some(0) {
            if serde_json::from_str::<Value>(&stdout).is_err() {
                found.push(format!("stdout is not JSON: {stdout:?}"));
            }
        } else {
            match serde_json::from_str::<Value>(&stderr) {
                Ok(v) => {
                    let e = &v["error"];
                    got.outcome = e["kind"].as_str().unwrap_or("?").into();
                    got.message = e["message"].as_str().unwrap_or("").into();
                    got.request_id = e["request_id"].is_string();
                    got.retry_safety = e["retry_safety"].as_str().map(Into::into);
                    got.retry_after = e["retry_after"].as_f64();
                    got.http_status = e["http_status"].as_u64().map(|s| s as u16);
                    got.body = e["body"].as_str().map(Into::into);
                    got.description = e["description"].as_str().map(Into::into);
                    if e["exit_code"].as_i64().map(|c| c as i32) != code {
                        found.push(format!("exit_code {} but exit {code:?}", e["exit_code"]));
                    }
                }
                Err(_) => {
                    got.outcome = format!("exit {code:?} without a JSON error");
                    got.message = stderr.clone().into_owned();
                }
            }
            if !stdout.is_empty() {
                found.push(format!("stdout {stdout:?} on failure"));
            }
        }
        let want = expect["outcome"].as_str().unwrap();
        if got.outcome == want && code != Some(exit_code(want)) {
            found.push(format!("exit {code:?}, want {}", exit_code(want)));
        }
        found.extend(case_table::judge(case, table, &got, &other_url));
        problems.extend(found.into_iter().map(|p| format!("{op}: {p}")));
    }
    if expect["other_host"] == "untouched" {
        let seen = other.as_ref().map_or(0, |o| o.0.request_count());
        if seen != 0 {
            problems.push(format!("the other host saw {seen} requests"));
        }
    }
    problems
}

fn run_guarded(table: &Value, case: &Value) -> Vec<String> {
    catch_unwind(AssertUnwindSafe(|| run_case(table, case)))
        .unwrap_or_else(|p| vec![format!("panicked: {}", case_table::panic_text(&*p))])
}

#[test]
fn every_fault_case_gives_its_outcome_in_every_command() {
    let table = case_table::load("faults.json");
    let cases = table["cases"].as_array().unwrap();
    let mut report = Report::default();
    // The unreachable site first and alone: its closed port must stay free of other servers.
    let (alone, together): (Vec<&Value>, Vec<&Value>) =
        cases.iter().partition(|c| c["site"] == "unreachable");
    for case in alone {
        report.add(case["id"].as_str().unwrap(), run_guarded(&table, case));
    }
    let results: Vec<(String, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = together
            .iter()
            .map(|case| {
                let table = &table;
                s.spawn(move || {
                    let id = case["id"].as_str().unwrap().to_owned();
                    (id, run_guarded(table, case))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (id, problems) in results {
        report.add(&id, problems);
    }
    report.finish("fault matrix (CLI)");
}
