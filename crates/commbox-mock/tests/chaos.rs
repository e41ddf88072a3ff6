//! Chaos mode: random faults through the Rust API and through `/__mock/chaos`.

mod common;

use std::collections::BTreeMap;

use commbox_mock::{ChaosKind, ChaosReport, ChaosSettings, Fault, MockServer};
use common::{authed, body, client};
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

fn chaos_call(mock: &MockServer, method: Method, settings: Option<Value>) -> (u16, Value) {
    let request = client().request(method, format!("{}/__mock/chaos", mock.url()));
    let request = match settings {
        Some(settings) => request.json(&settings),
        None => request,
    };
    body(request.send().unwrap())
}

/// Creates a conversation whose message is `text`; `None` when the connection broke.
fn create(client: &Client, mock: &MockServer, text: &str) -> Option<u16> {
    authed(client, mock, Method::POST, "/streams/s/objects")
        .json(&json!({"Message": text}))
        .send()
        .ok()
        .map(|response| response.status().as_u16())
}

#[test]
fn every_kind_does_what_it_says_and_is_recorded() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let expect = [
        (ChaosKind::Status500, Some(500), None),
        (ChaosKind::Status502, Some(502), None),
        (ChaosKind::Status503, Some(503), None),
        (ChaosKind::Status503RetryAfter, Some(503), Some("3")),
        (ChaosKind::Status504, Some(504), None),
        (ChaosKind::Status429, Some(429), None),
        (ChaosKind::Status429RetryAfter, Some(429), Some("3")),
        (ChaosKind::Drop, None, None),
        (ChaosKind::DropAfter, None, None),
        (ChaosKind::Delay, Some(200), None),
    ];
    for (i, (kind, status, retry_after)) in expect.into_iter().enumerate() {
        let mut settings = ChaosSettings::new(1.0).with_kinds([kind]);
        settings.retry_after = "3".to_owned();
        settings.delay_ms = 5;
        mock.set_chaos(settings);
        let text = format!("create {i}");
        let response = authed(&client, &mock, Method::POST, "/streams/s/objects")
            .json(&json!({ "Message": text }))
            .send();
        match status {
            Some(status) => {
                let response = response.unwrap_or_else(|err| panic!("{kind:?}: {err}"));
                assert_eq!(response.status(), status, "{kind:?}");
                let header = response.headers().get("retry-after");
                assert_eq!(
                    header.map(|value| value.to_str().unwrap()),
                    retry_after,
                    "{kind:?}"
                );
            }
            None => assert!(response.is_err(), "{kind:?} answered"),
        }

        let record = mock.requests().pop().unwrap();
        assert_eq!(record.chaos, Some(kind));
        assert_eq!(record.status, status.unwrap_or(0), "{kind:?}");
        // Only the kinds that let the request through store anything.
        let stored = mock
            .objects()
            .iter()
            .any(|object| object.data["Message"] == text.as_str());
        assert_eq!(stored, kind.processes_request(), "{kind:?}");
        let report = mock.chaos_report();
        assert_eq!(report.requests, 1);
        assert_eq!(report.injected, BTreeMap::from([(kind, 1)]));
        assert_eq!(report.failures, u64::from(kind.is_failure()));
    }
    // Drop before processing never read the body; drop after did.
    let records = mock.requests();
    assert_eq!(records[7].body_size, 0);
    assert!(records[8].body_size > 0);
    assert_eq!(
        records[8].fault, None,
        "drop_after has no queued equivalent"
    );
    assert_eq!(records[9].fault.as_ref().unwrap().delay_ms, Some(5));
}

#[test]
fn faults_about_the_rate_and_the_report_matches_the_records() {
    let mock = MockServer::start().unwrap();
    let client = client();
    mock.set_chaos(ChaosSettings::new(0.2).with_seed(11));
    let answered: Vec<Option<u16>> = (0..300)
        .map(|i| create(&client, &mock, &format!("m{i}")))
        .collect();

    let records = mock.requests();
    assert_eq!(records.len(), 300);
    let mut by_kind: BTreeMap<ChaosKind, u64> = BTreeMap::new();
    for (record, answer) in records.iter().zip(&answered) {
        match record.chaos {
            Some(kind) => {
                *by_kind.entry(kind).or_default() += 1;
                let reset = matches!(kind, ChaosKind::Drop | ChaosKind::DropAfter);
                assert_eq!(answer.is_none(), reset, "{kind:?}");
            }
            None => assert_eq!(*answer, Some(200)),
        }
    }
    let report = mock.chaos_report();
    assert_eq!(report.requests, 300);
    assert_eq!(report.injected, by_kind);
    let injected: u64 = by_kind.values().sum();
    assert_eq!(
        report.failures,
        injected - by_kind.get(&ChaosKind::Delay).copied().unwrap_or(0)
    );
    // 60 expected; the seed is fixed, so this only guards against a rate ignored or inverted.
    assert!((30..=90).contains(&injected), "{injected} of 300 faulted");
    assert!(by_kind.len() >= 6, "kinds drawn: {by_kind:?}");

    // Stored: the unfaulted creates, the delayed ones and the drop_after ones, each once.
    let stored = mock.objects().len() as u64;
    let unfaulted = 300 - injected;
    let processed = [ChaosKind::Delay, ChaosKind::DropAfter]
        .iter()
        .map(|kind| by_kind.get(kind).copied().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(stored, unfaulted + processed);
}

#[test]
fn the_same_seed_draws_the_same_faults() {
    let draws = |seed| {
        let mock = MockServer::start().unwrap();
        let client = client();
        mock.set_chaos(ChaosSettings::new(0.5).with_seed(seed).with_kinds([
            ChaosKind::Status500,
            ChaosKind::Status429,
            ChaosKind::Delay,
        ]));
        for _ in 0..40 {
            authed(&client, &mock, Method::GET, "/managers")
                .send()
                .unwrap();
        }
        mock.requests()
            .into_iter()
            .map(|record| record.chaos)
            .collect::<Vec<_>>()
    };
    assert_eq!(draws(5), draws(5));
    assert_ne!(draws(5), draws(6));
}

#[test]
fn queued_faults_come_first_and_chatwoot_paths_are_faulted_too() {
    let mock = MockServer::start().unwrap();
    let client = client();
    mock.set_chaos(ChaosSettings::new(1.0).with_kinds([ChaosKind::Status429]));
    mock.push_fault(Fault::status(418));
    assert_eq!(create(&client, &mock, "a"), Some(418));
    let response = client
        .get(format!("{}/public/api/v1/inboxes/mock-inbox", mock.url()))
        .send()
        .unwrap();
    assert_eq!(response.status(), 429);
    // Chatwoot's own 429 (rack-attack), not a CommBox envelope.
    assert_eq!(response.text().unwrap(), "Retry later\n");

    let records = mock.requests();
    assert_eq!(records[0].chaos, None);
    assert_eq!(records[0].fault.as_ref().unwrap().status, Some(418));
    assert_eq!(records[1].chaos, Some(ChaosKind::Status429));
    assert_eq!(
        mock.chaos_report().requests,
        1,
        "no draw for the queued fault"
    );
}

#[test]
fn http_endpoint_sets_reports_and_stops() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let (status, report) = chaos_call(&mock, Method::GET, None);
    assert_eq!(status, 200);
    assert_eq!(
        report,
        json!({"settings": null, "requests": 0, "injected": {}, "failures": 0})
    );

    let (status, report) = chaos_call(
        &mock,
        Method::POST,
        Some(
            json!({"rate": 1, "seed": 3, "kinds": ["502", "503_retry_after"], "retry_after": "0"}),
        ),
    );
    assert_eq!(status, 200);
    assert_eq!(
        report["settings"],
        json!({"rate": 1.0, "seed": 3, "kinds": ["502", "503_retry_after"], "retry_after": "0", "delay_ms": 20})
    );
    for _ in 0..6 {
        let status = create(&client, &mock, "x").unwrap();
        assert!(status == 502 || status == 503, "{status}");
    }
    let (_, report) = chaos_call(&mock, Method::GET, None);
    let report: ChaosReport = serde_json::from_value(report).unwrap();
    assert_eq!((report.requests, report.failures), (6, 6));
    assert_eq!(report.injected.values().sum::<u64>(), 6);

    // Stopping answers the final counts; later requests are not faulted.
    let (status, stopped) = chaos_call(&mock, Method::DELETE, None);
    assert_eq!(status, 200);
    assert_eq!(stopped["settings"], Value::Null);
    assert_eq!(stopped["failures"], 6);
    assert_eq!(create(&client, &mock, "y"), Some(200));
    assert_eq!(mock.requests().last().unwrap().chaos, None);

    // A reset turns chaos off and clears its counts.
    mock.set_chaos(ChaosSettings::new(1.0));
    client
        .post(format!("{}/__mock/reset", mock.url()))
        .send()
        .unwrap();
    assert_eq!(mock.chaos_report(), ChaosReport::default());
    assert_eq!(create(&client, &mock, "z"), Some(200));
}

#[test]
fn invalid_settings_are_rejected_and_change_nothing() {
    let mock = MockServer::start().unwrap();
    mock.set_chaos(ChaosSettings::new(0.25));
    let cases = [
        (json!({"rate": 1.5}), "rate must be between 0 and 1"),
        (json!({"rate": -0.1}), "rate must be between 0 and 1"),
        (json!({"rate": 0.1, "kinds": []}), "kinds must not be empty"),
        (
            json!({"rate": 0.1, "kinds": ["404"]}),
            "unknown variant `404`",
        ),
        (
            json!({"rate": 0.1, "retry_after": "1\r\nX: y"}),
            "retry_after is not a valid header value",
        ),
        (json!({"seed": 1}), "missing field `rate`"),
    ];
    for (settings, message) in cases {
        let (status, value) = chaos_call(&mock, Method::POST, Some(settings.clone()));
        assert_eq!(status, 400, "{settings}");
        let error = value["error"].as_str().unwrap();
        assert!(error.starts_with("invalid chaos settings: "), "{error}");
        assert!(error.contains(message), "{settings}: {error}");
    }
    assert_eq!(mock.chaos_report().settings.unwrap().rate, 0.25);
}
