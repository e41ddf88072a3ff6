//! The fault matrix (docs/reliability.md), Rust face: a runner over tests/cases/faults.json.
//! Every case runs against the table's five creates on a server of its own; the outcome of
//! each (kind, message, request id, retry-after, body, requests seen, records stored) is
//! compared with the case's `expect`, and every failing case is reported by id.
//!
//! What only this face does: the clients use 10-40 ms backoff instead of 0.5-5 s (the rules
//! are the same), attempts are counted through `on_retry`, and memory is the growth of this
//! process's peak RSS during the call.

#[path = "common/case_table.rs"]
mod case_table;
mod common;

use case_table::{Observed, Report, Site};
use commbox::blocking::Client;
use commbox::blocking::InboxClient;
use commbox::chatwoot::{NewContact, NewInboxMessage};
use commbox::*;
use commbox_mock::{CHATWOOT_INBOX, DEFAULT_API_KEY};
use common::fast_retries;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The answer cap is 32 MiB and reading up to it may double a buffer once; a client that
/// held a whole 1 GiB answer would grow by 1 GiB.
const FLAT: u64 = 160 << 20;

/// The cases with huge answers run one at a time, so that none measures another's memory.
static HUGE: Mutex<()> = Mutex::new(());

/// One of the table's creates, through this face.
fn create(op: &str, site: &Site, client: &Client, inbox: &InboxClient) -> Result<()> {
    use case_table::{PHONE, STREAM};
    match op {
        "commbox_conversation" => client
            .create_conversation(STREAM, SmsConversation::new(PHONE, "fault"))
            .map(drop),
        "commbox_message" => client
            .create_message(
                STREAM,
                site.object,
                NewMessage::from_customer(PHONE, "fault"),
            )
            .map(drop),
        "chatwoot_contact" => inbox
            .create_contact(NewContact::new().name("Fault"))
            .map(drop),
        "chatwoot_conversation" => inbox.create_conversation(&site.contact, None).map(drop),
        "chatwoot_message" => inbox
            .create_message(
                &site.contact,
                site.conversation,
                NewInboxMessage::new("fault"),
            )
            .map(drop),
        other => panic!("no such create in this face: {other}"),
    }
}

/// The peak resident memory of this process since the last reset, in bytes (Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

/// Starts a new peak-memory measurement (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs is writable");
}

/// Runs one case against every create; its problems, each naming the create.
fn run_case(table: &Value, case: &Value) -> Vec<String> {
    let expect = &case["expect"];
    let dir = tempfile::tempdir().unwrap();
    let site = Site::for_case(case, dir.path());
    let other = case
        .to_string()
        .contains("{other_host}")
        .then(case_table::other_host);
    let other_url = other.as_ref().map(|o| o.1.clone()).unwrap_or_default();

    let retries = Arc::new(AtomicU32::new(0));
    let counted = retries.clone();
    let mut builder = Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(&site.url)
        .retry_policy(fast_retries().on_retry(move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
        }));
    let settings = &case["client"];
    if let Some(ms) = settings["timeout_ms"].as_u64() {
        builder = builder.timeout(Duration::from_millis(ms));
    }
    if settings["ca_file"] == "site" {
        builder = builder.ca_file(site.mock().cert_file().expect("a TLS site"));
    }
    let client = builder.build().unwrap();
    let inbox = client.inbox(&site.url, CHATWOOT_INBOX).unwrap();
    let huge = expect["memory"] == "flat";
    let _alone = huge.then(|| HUGE.lock().unwrap_or_else(PoisonError::into_inner));

    let mut problems = Vec::new();
    for op in table["creates"].as_array().unwrap() {
        let op = op.as_str().unwrap();
        let (requests, stored) = site.counts();
        if site.mock.is_some() {
            site.push(case_table::faults_of(case, &other_url));
        }
        retries.store(0, Ordering::SeqCst);
        let before = peak_rss();
        if huge {
            reset_peak_rss();
        }
        let result = create(op, &site, &client, &inbox);
        let grown = peak_rss().saturating_sub(before);
        let (requests_after, stored_after) = site.counts();
        let mut got = Observed {
            outcome: "ok".into(),
            requests: requests_after - requests,
            stored: stored_after - stored,
            attempts: Some(retries.load(Ordering::SeqCst) + 1),
            ..Observed::default()
        };
        if let Err(e) = &result {
            got.outcome = e.kind().as_str().into();
            got.message = e.message().into();
            got.request_id = e.request_id().is_some();
            got.retry_safety = Some(e.retry_safety().as_str().into());
            got.retry_after = e.retry_after().map(|d| d.as_secs_f64());
            got.http_status = e.http_status();
            got.body = e.body().map(Into::into);
            got.description = e.description().map(Into::into);
        }
        let mut found = case_table::judge(case, table, &got, &other_url);
        if huge && grown >= FLAT {
            found.push(format!("peak RSS grew by {} MiB", grown >> 20));
        }
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
fn every_fault_case_gives_its_outcome_in_every_create() {
    let table = case_table::load("faults.json");
    let cases = table["cases"].as_array().unwrap();
    let mut report = Report::default();
    // The unreachable site first and alone: its closed port must stay free of other servers.
    let (alone, together): (Vec<&Value>, Vec<&Value>) =
        cases.iter().partition(|c| c["site"] == "unreachable");
    for case in alone {
        report.add(case["id"].as_str().unwrap(), run_guarded(&table, case));
    }
    // The rest at once, each on its own server: most of their time is waiting.
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
    report.finish("fault matrix (Rust)");
}
