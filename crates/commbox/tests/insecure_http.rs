//! `http://` is refused for every host but loopback unless explicitly allowed, wherever a
//! base URL enters: the CommBox client, a Chatwoot inbox built from settings, and an inbox
//! made from a client. Building does no I/O, so no host below is ever contacted.

use commbox::blocking::Client;
use commbox::ErrorKind;

/// Not loopback, though some look like it.
const REMOTE: &[&str] = &[
    "http://api.commbox.io",
    "http://10.0.0.1:8080",
    "http://localhost.example.com",
    "http://127.0.0.1.example.com",
    "http://[::ffff:7f00:1]",
    "http://127.0.0.1@api.commbox.io",
];

const LOOPBACK: &[&str] = &[
    "http://127.0.0.1:1",
    "http://127.8.9.10:1",
    "http://localhost:1",
    "http://LOCALHOST:1",
    "http://[::1]:1",
];

fn refused(result: commbox::Result<impl std::fmt::Debug>, url: &str) {
    let e = result.expect_err(url);
    assert_eq!(e.kind(), ErrorKind::Validation, "{url}: {e}");
    assert_eq!(e.field(), Some("base_url"), "{url}: {e}");
}

#[test]
fn the_client_refuses_http_to_other_hosts_unless_allowed() {
    let builder = |url: &str| Client::builder().api_key("k").base_url(url);
    for url in REMOTE {
        refused(builder(url).build(), url);
        if !url.contains('@') {
            builder(url).allow_insecure_http(true).build().expect(url);
        }
    }
    let e = builder("http://api.commbox.io").build().unwrap_err();
    assert!(
        e.to_string().contains("the API key would travel in clear"),
        "{e}"
    );
    for url in LOOPBACK {
        builder(url).build().expect(url);
    }
    builder("https://api.commbox.io").build().unwrap();
}

#[test]
fn chatwoot_inboxes_refuse_http_to_other_hosts_unless_allowed() {
    let settings = |url: &str| Client::builder().base_url(url);
    let client = Client::builder().api_key("k").build().unwrap();
    let insecure = Client::builder()
        .api_key("k")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    for url in REMOTE {
        refused(settings(url).build_inbox("inbox"), url);
        refused(client.inbox(url, "inbox"), url);
        if !url.contains('@') {
            settings(url)
                .allow_insecure_http(true)
                .build_inbox("inbox")
                .expect(url);
            insecure.inbox(url, "inbox").expect(url);
        }
    }
    for url in LOOPBACK {
        settings(url).build_inbox("inbox").expect(url);
        client.inbox(url, "inbox").expect(url);
    }
}
