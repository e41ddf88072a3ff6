//! Security of the `commbox` command: the API key in nothing it prints (stdout and stderr,
//! with the most verbose logging and both error formats, for calls that succeed and for
//! every kind of failure), and http:// refused for hosts other than loopback.

use commbox_mock::{Fault, MockConfig, MockServer};
use serde_json::json;
use std::process::Command;

const SECRET: &str = "cli-SECRET-key-0c4e";

struct Case {
    name: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    fault: Option<Fault>,
    exit: i32,
}

fn case(name: &'static str, exit: i32, args: &[&str]) -> Case {
    Case {
        name,
        args: args.iter().map(|a| a.to_string()).collect(),
        env: Vec::new(),
        fault: None,
        exit,
    }
}

impl Case {
    fn env(mut self, name: &'static str, value: impl Into<String>) -> Case {
        self.env.push((name, value.into()));
        self
    }

    fn fault(mut self, fault: Fault) -> Case {
        self.fault = Some(fault);
        self
    }
}

#[test]
fn no_output_shows_the_key_at_any_verbosity() {
    let mock = MockServer::start_with(MockConfig {
        api_key: SECRET.into(),
        ..MockConfig::default()
    })
    .unwrap();
    let tls_dir = tempfile::tempdir().unwrap();
    let tls = MockServer::start_with(MockConfig {
        api_key: SECRET.into(),
        tls_dir: Some(tls_dir.path().to_owned()),
        ..MockConfig::default()
    })
    .unwrap();
    let sms = [
        "sms",
        "--stream",
        "s",
        "--phone",
        "972544444444",
        "-m",
        "hi",
    ];
    let html = Fault::status(200).with_body(json!("<html>not JSON</html>"));
    let cases = vec![
        case("success: create", 0, &sms),
        case("success: managers", 0, &["managers"]),
        case("success: system status", 0, &["system-status"]),
        case("success: chatwoot", 0, &["chatwoot", "inbox"]),
        case("success: help", 0, &["--help"]),
        case(
            "validation: field",
            3,
            &["sms", "--stream", "s", "--phone", "", "-m", "hi"],
        ),
        case("validation: CR/LF key", 3, &["managers"])
            .env("COMMBOX_API_KEY", format!("{SECRET}\r\nX-Evil: 1")),
        case(
            "validation: control character in --api-key",
            3,
            &["managers"],
        )
        .env("EXTRA_ARG", format!("--api-key={SECRET}\u{1}")),
        case("authentication", 4, &["managers"]).fault(Fault::status(401)),
        case(
            "not found",
            5,
            &["get", "--stream", "s", "--object", "999999"],
        ),
        case("rate limited", 6, &sms).fault(Fault::status(429).with_retry_after("7")),
        case("bad request", 7, &["raw", "POST", "/streams/s/objects"])
            .env("EXTRA_ARG", r#"--data={"data":{"Type":4}}"#),
        case("server", 8, &["managers"]).fault(Fault::status(500)),
        case("timeout", 9, &["managers", "--timeout", "0.5"]).fault(Fault::delay(5_000)),
        case("connection", 10, &["managers"]).env("COMMBOX_BASE_URL", "http://127.0.0.1:1"),
        case("tls", 11, &["managers"]).env("COMMBOX_BASE_URL", tls.url()),
        case("decode", 12, &["managers"]).fault(html),
        case("io", 13, &["managers", "--ca-file", "/no/such/ca.pem"]),
    ];
    let mut traced = false;
    for c in &cases {
        for format in ["text", "json"] {
            if let Some(f) = &c.fault {
                mock.push_fault(f.clone());
            }
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_commbox"));
            cmd.env_clear()
                .env("COMMBOX_API_KEY", SECRET)
                .env("COMMBOX_BASE_URL", mock.url())
                .env("COMMBOX_MAX_RETRIES", "0")
                .env("CHATWOOT_BASE_URL", mock.url())
                .env("CHATWOOT_INBOX_IDENTIFIER", "mock-inbox")
                .args(["-vvv", "--error-format", format])
                .args(&c.args);
            for (name, value) in &c.env {
                if *name == "EXTRA_ARG" {
                    cmd.arg(value);
                } else {
                    cmd.env(name, value);
                }
            }
            let out = cmd.output().expect("runs");
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert_eq!(
                out.status.code(),
                Some(c.exit),
                "{} ({format}): stderr {stderr}",
                c.name
            );
            if c.exit != 0 {
                assert!(
                    !stderr.trim().is_empty(),
                    "{}: the error is reported",
                    c.name
                );
            }
            traced |= stderr.contains("TRACE");
            for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
                assert!(
                    !text.contains(SECRET),
                    "{} ({format}): the key is on {stream}:\n{text}",
                    c.name
                );
            }
        }
    }
    assert!(traced, "-vvv printed TRACE records");
}

/// Refused before anything is sent, whichever way the URL is given; nothing is contacted.
#[test]
fn http_to_another_host_is_refused() {
    let run = |env_url: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_commbox"));
        cmd.env_clear()
            .env("COMMBOX_API_KEY", "k")
            .args(["--error-format", "json"])
            .args(args);
        if let Some(url) = env_url {
            cmd.env("COMMBOX_BASE_URL", url);
        }
        let out = cmd.output().expect("runs");
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
        // A URL from the environment is named with its variable.
        let field = match env_url {
            Some(_) => "base_url (COMMBOX_BASE_URL)",
            None => "base_url",
        };
        assert_eq!(err["error"]["field"], field, "{err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("http:// is refused for non-loopback hosts"),
            "{err}"
        );
        // It names the flag that allows it (and its variable).
        assert!(
            message.contains("--allow-insecure-http (COMMBOX_ALLOW_INSECURE_HTTP)"),
            "{err}"
        );
    };
    run(None, &["--base-url", "http://api.commbox.io", "managers"]);
    run(Some("http://10.0.0.1:8080"), &["managers"]);
    run(Some("http://localhost.example.com"), &["system-status"]);
    run(
        None,
        &[
            "chatwoot",
            "--url",
            "http://chatwoot.example.com",
            "--inbox",
            "i",
            "inbox",
        ],
    );
}
