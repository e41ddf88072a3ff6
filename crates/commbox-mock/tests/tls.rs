//! HTTPS mode: a self-signed certificate that clients refuse unless they trust it.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use commbox_mock::{MockConfig, MockServer};
use common::{authed, client};
use reqwest::Method;

fn trusting(cert: &Path) -> reqwest::blocking::Client {
    let pem = std::fs::read(cert).unwrap();
    reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

#[test]
fn serves_https_with_a_certificate_a_client_can_trust() {
    let dir = tempfile::tempdir().unwrap();
    let tls_dir = dir.path().join("tls");
    let mock = MockServer::start_with(MockConfig {
        tls_dir: Some(tls_dir.clone()),
        ..MockConfig::default()
    })
    .unwrap();
    assert!(
        mock.url().starts_with("https://127.0.0.1:"),
        "{}",
        mock.url()
    );
    let cert = mock.cert_file().unwrap().to_owned();
    assert_eq!(cert, tls_dir.join("cert.pem"));
    assert!(std::fs::read_to_string(tls_dir.join("key.pem"))
        .unwrap()
        .contains("PRIVATE KEY"));

    // Verification on: the self-signed certificate is refused, and no request arrives.
    let refused = authed(&client(), &mock, Method::GET, "/managers").send();
    assert!(refused.is_err());
    assert_eq!(mock.request_count(), 0);

    // Trusted: every route works, for 127.0.0.1 and for localhost.
    let trusted = trusting(&cert);
    let response = authed(&trusted, &mock, Method::GET, "/managers")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let localhost = mock.url().replace("127.0.0.1", "localhost");
    let response = trusted
        .get(format!("{localhost}/__mock/health"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(mock.request_count(), 1);
}

#[cfg(unix)]
#[test]
fn the_binary_serves_https_with_tls_self_signed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_commbox-mock"))
        .arg("--tls-self-signed")
        .arg(dir.path())
        .env_remove("COMMBOX_MOCK_API_KEY")
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim_end().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    // The URL line comes after the certificate is written.
    let response = trusting(&dir.path().join("cert.pem"))
        .get(format!("{url}/core/systemstatus"))
        .bearer_auth("mock-api-key")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
