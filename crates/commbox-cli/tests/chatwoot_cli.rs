//! `commbox chatwoot …` against the mock: the lifecycle, and bad input that sends nothing.

use commbox_mock::{Fault, MockServer, CHATWOOT_HMAC_INBOX, CHATWOOT_HMAC_TOKEN, CHATWOOT_INBOX};
use serde_json::Value;
use std::process::{Command, Output};

fn chatwoot(mock: &MockServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commbox"))
        .arg("chatwoot")
        .args(args)
        .env_clear()
        .env("CHATWOOT_BASE_URL", mock.url())
        .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX)
        .env("COMMBOX_MAX_RETRIES", "0")
        .output()
        .expect("runs")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn contact_conversation_messages_resolve() {
    let mock = MockServer::start().unwrap();
    assert_eq!(
        json(&chatwoot(&mock, &["inbox"]))["identifier"],
        CHATWOOT_INBOX
    );
    let contact = json(&chatwoot(
        &mock,
        &[
            "contact-create",
            "--source-id",
            "cli-1",
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
            "--phone",
            "+972541234567",
            "--attr",
            "plan=\"gold\"",
        ],
    ));
    assert_eq!(contact["source_id"], "cli-1");
    let updated = json(&chatwoot(
        &mock,
        &["contact-update", "--contact", "cli-1", "--name", "Ada L."],
    ));
    assert_eq!(updated["name"], "Ada L.");
    // The full model of an update has no source_id: the key is there, null.
    assert_eq!(updated["source_id"], Value::Null);
    assert_eq!(updated["raw"]["name"], "Ada L.");
    let conv = json(&chatwoot(
        &mock,
        &[
            "conversation-create",
            "--contact",
            "cli-1",
            "--attr",
            "order=7",
        ],
    ));
    let id = conv["id"].to_string();

    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.png");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, [0x89, b'P', b'N', b'G']).unwrap();
    std::fs::write(&b, "notes").unwrap();
    let msg = json(&chatwoot(
        &mock,
        &[
            "message-create",
            "--contact",
            "cli-1",
            "--conversation",
            &id,
            "-m",
            "two files",
            "--echo-id",
            "e1",
            "--attach",
            a.to_str().unwrap(),
            "--attach",
            b.to_str().unwrap(),
        ],
    ));
    assert_eq!(msg["attachments"].as_array().unwrap().len(), 2);
    assert_eq!(msg["attachments"][0]["file_type"], "image");
    assert_eq!(msg["message_type"], 0);
    for i in 0..21 {
        json(&chatwoot(
            &mock,
            &[
                "message-create",
                "--contact",
                "cli-1",
                "--conversation",
                &id,
                "-m",
                &format!("n{i}"),
            ],
        ));
    }
    let page = json(&chatwoot(
        &mock,
        &["message-list", "--contact", "cli-1", "--conversation", &id],
    ));
    assert_eq!(page.as_array().unwrap().len(), 20);
    assert_eq!(page[0]["content"], "n1");
    let before = msg["id"].as_i64().unwrap() + 1;
    let older = json(&chatwoot(
        &mock,
        &[
            "message-list",
            "--contact",
            "cli-1",
            "--conversation",
            &id,
            "--before",
            &before.to_string(),
        ],
    ));
    assert_eq!(older.as_array().unwrap().len(), 1);
    // Calls that return nothing print `null`.
    let typing = json(&chatwoot(
        &mock,
        &["typing", "--contact", "cli-1", "--conversation", &id, "on"],
    ));
    assert_eq!(typing, Value::Null);
    let seen = json(&chatwoot(
        &mock,
        &["last-seen", "--contact", "cli-1", "--conversation", &id],
    ));
    assert_eq!(seen, Value::Null);
    let resolved = json(&chatwoot(
        &mock,
        &["resolve", "--contact", "cli-1", "--conversation", &id],
    ));
    assert_eq!(resolved["status"], "resolved");
    let hash = json(&chatwoot(
        &mock,
        &[
            "hmac",
            "--identifier",
            "what do ya want for nothing?",
            "--hmac-token",
            "Jefe",
        ],
    ));
    // The hash as a JSON string, the same text the C library returns.
    assert_eq!(
        hash,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn errors_and_bad_input() {
    let mock = MockServer::start().unwrap();
    let out = chatwoot(&mock, &["contact-get", "--contact", "nobody"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Chatwoot answered HTTP 404"));
    let out = chatwoot(&mock, &["contact-create", "--phone", "0541234567"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--phone (phone_number): must be E.164"));
    // Texts longer than an argument can go through --message-file.
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.txt");
    std::fs::write(&long, "x".repeat(150_001)).unwrap();
    let long = long.to_str().unwrap();
    let out = chatwoot(
        &mock,
        &[
            "message-create",
            "--contact",
            "c",
            "--conversation",
            "1",
            "--message-file",
            long,
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--message-file (content): 150001 characters"));
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["chatwoot", "inbox"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--url: required"));
    assert_eq!(
        mock.request_count(),
        1,
        "only the 404 lookup reached the server"
    );
}

#[test]
fn identity_validated_inbox() {
    let mock = MockServer::start().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_commbox"))
            .arg("chatwoot")
            .args(args)
            .env_clear()
            .env("CHATWOOT_BASE_URL", mock.url())
            .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_HMAC_INBOX)
            .env("CHATWOOT_HMAC_TOKEN", CHATWOOT_HMAC_TOKEN)
            .env("COMMBOX_MAX_RETRIES", "0")
            .output()
            .unwrap()
    };
    let created = json(&run(&[
        "contact-create",
        "--source-id",
        "v-1",
        "--identifier",
        "user-7",
    ]));
    assert_eq!(created["source_id"], "v-1");
    let got = json(&run(&[
        "contact-get",
        "--contact",
        "v-1",
        "--identifier",
        "user-7",
    ]));
    assert_eq!(got["id"], created["id"]);
    let out = run(&["contact-get", "--contact", "v-1"]);
    assert_eq!(
        out.status.code(),
        Some(8),
        "identity validation fails without the hash"
    );
}

/// `--hmac-token` hashes `--identifier`: without one it is refused by the core's rule, by
/// name, before anything is sent (it used to be dropped silently). The variable only applies
/// when there is an identifier to hash.
#[test]
fn an_hmac_token_without_an_identifier_is_refused() {
    let mock = MockServer::start().unwrap();
    for args in [
        &["contact-create", "--name", "A", "--hmac-token", "t"][..],
        &["contact-update", "--contact", "c", "--hmac-token", "t"],
        &["contact-get", "--contact", "c", "--hmac-token", "t"],
        &[
            "contact-create",
            "--identifier",
            "u",
            "--identifier-hash",
            "h",
            "--hmac-token",
            "t",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
            .args(["--error-format", "json", "chatwoot"])
            .args(args)
            .env_clear()
            .env("CHATWOOT_BASE_URL", mock.url())
            .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["field"], "hmac_token", "{args:?}: {err}");
    }
    assert_eq!(mock.request_count(), 0);
    // From the environment, with nothing to hash: not used.
    let out = Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(["chatwoot", "contact-create", "--name", "A"])
        .env_clear()
        .env("CHATWOOT_BASE_URL", mock.url())
        .env("CHATWOOT_INBOX_IDENTIFIER", CHATWOOT_INBOX)
        .env("CHATWOOT_HMAC_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(json(&out)["name"], "A");
}

#[test]
fn a_created_contact_without_source_id_is_a_decode_error() {
    // The core's rule: the contact was created, the answer lacks what the API documents.
    let mock = MockServer::start().unwrap();
    mock.push_fault(Fault::status(200).with_body(serde_json::json!({"id": 7, "name": "A"})));
    let out = chatwoot(&mock, &["contact-create", "--name", "A"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(12), "{stderr}");
    assert!(
        stderr.contains("the created contact has no source_id"),
        "{stderr}"
    );
}
