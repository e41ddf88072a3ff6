//! The `commbox-mock` binary: URL line, flags, clean exit on SIGTERM.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_url_serves_and_exits_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_commbox-mock"))
        .args(["--api-key", "bin-key"])
        .env_remove("COMMBOX_MOCK_API_KEY")
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line.trim_end().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with('/'));

    let client = reqwest::blocking::Client::new();
    let response = client
        .get(format!("{url}/core/systemstatus"))
        .bearer_auth("bin-key")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = client.get(format!("{url}/__mock/health")).send().unwrap();
    assert_eq!(response.status(), 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn help_and_bad_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_commbox-mock"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("Usage: commbox-mock"));

    let output = Command::new(env!("CARGO_BIN_EXE_commbox-mock"))
        .arg("--nope")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
