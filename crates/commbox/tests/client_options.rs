//! Client options from explicit values and the `COMMBOX_*` environment variables.
//!
//! One test in its own binary: it changes the process environment, which no other test may
//! read at the same time.

use commbox::{ClientBuilder, ClientOptions, ErrorKind};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

const VARS: [&str; 8] = [
    "COMMBOX_API_KEY",
    "COMMBOX_BASE_URL",
    "COMMBOX_TIMEOUT",
    "COMMBOX_CONNECT_TIMEOUT",
    "COMMBOX_MAX_RETRIES",
    "COMMBOX_CA_FILE",
    "COMMBOX_PROXY",
    "COMMBOX_ALLOW_INSECURE_HTTP",
];

fn clear() {
    for v in VARS {
        std::env::remove_var(v);
    }
}

fn error_of(b: ClientBuilder) -> String {
    let e = b.build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert!(e.to_string().starts_with(e.field().unwrap()), "{e}");
    e.to_string()
}

#[test]
fn explicit_values_win_over_the_environment() {
    clear();
    // Nothing anywhere: the key is missing, and the error says where one can come from.
    assert_eq!(
        error_of(ClientBuilder::from_env()),
        "api_key: required (pass it or set COMMBOX_API_KEY)"
    );
    assert_eq!(
        error_of(ClientOptions::default().builder()),
        "api_key: required"
    );

    std::env::set_var("COMMBOX_API_KEY", "env-key");
    std::env::set_var("COMMBOX_BASE_URL", "http://127.0.0.1:9");
    std::env::set_var("COMMBOX_TIMEOUT", "2.5");
    std::env::set_var("COMMBOX_MAX_RETRIES", "0");
    let b = ClientBuilder::from_env();
    assert_eq!(b.options().api_key.as_deref(), Some("env-key"));
    assert_eq!(b.options().timeout, Some(2.5));
    assert_eq!(b.options().max_retries, Some(0));
    let client = b.build().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9");

    // Explicit values win; the environment fills the rest.
    let options = ClientOptions {
        base_url: Some("http://localhost:7".into()),
        timeout: Some(9.0),
        ..ClientOptions::default()
    };
    let b = options.builder().with_env();
    assert_eq!(b.options().timeout, Some(9.0));
    assert_eq!(b.options().api_key.as_deref(), Some("env-key"));
    assert_eq!(b.build().unwrap().base_url(), "http://localhost:7");

    // A bad variable names the setting and the variable...
    std::env::set_var("COMMBOX_TIMEOUT", "-1");
    assert_eq!(
        error_of(ClientBuilder::from_env()),
        "timeout (COMMBOX_TIMEOUT): must be a positive number of seconds"
    );
    std::env::set_var("COMMBOX_TIMEOUT", "soon");
    assert_eq!(
        error_of(ClientBuilder::from_env()),
        "timeout (COMMBOX_TIMEOUT): must be a positive number of seconds"
    );
    // ...unless an explicit value replaces it, before or after the environment is read.
    ClientBuilder::from_env()
        .timeout(std::time::Duration::from_secs(1))
        .build()
        .unwrap();
    ClientOptions {
        timeout: Some(1.0),
        ..ClientOptions::default()
    }
    .builder()
    .with_env()
    .build()
    .unwrap();
    // An explicit bad value is named without a variable.
    let explicit = ClientOptions {
        connect_timeout: Some(0.0),
        ..ClientOptions::default()
    };
    assert_eq!(
        error_of(
            explicit
                .builder()
                .with_env()
                .timeout(std::time::Duration::from_secs(1))
        ),
        "connect_timeout: must be a positive number of seconds"
    );
    std::env::remove_var("COMMBOX_TIMEOUT");

    std::env::set_var("COMMBOX_MAX_RETRIES", "many");
    assert_eq!(
        error_of(ClientBuilder::from_env()),
        "max_retries (COMMBOX_MAX_RETRIES): must be a whole number, 0 or more"
    );
    std::env::remove_var("COMMBOX_MAX_RETRIES");

    std::env::set_var("COMMBOX_ALLOW_INSECURE_HTTP", "perhaps");
    assert_eq!(
        error_of(ClientBuilder::from_env()),
        "allow_insecure_http (COMMBOX_ALLOW_INSECURE_HTTP): must be 1, true, yes or on, or 0, false, no or off"
    );
    std::env::set_var("COMMBOX_ALLOW_INSECURE_HTTP", "off");
    std::env::set_var("COMMBOX_BASE_URL", "http://api.example.com");
    let e = error_of(ClientBuilder::from_env());
    assert!(
        e.starts_with("base_url (COMMBOX_BASE_URL): http:// is refused"),
        "{e}"
    );
    std::env::set_var("COMMBOX_ALLOW_INSECURE_HTTP", "1");
    ClientBuilder::from_env().build().unwrap();
    std::env::remove_var("COMMBOX_ALLOW_INSECURE_HTTP");
    std::env::remove_var("COMMBOX_BASE_URL");

    std::env::set_var("COMMBOX_API_KEY", "a\r\nX-Evil: 1");
    assert_eq!(
        error_of(ClientBuilder::from_env()),
        "api_key (COMMBOX_API_KEY): must not contain CR or LF"
    );
    // A Chatwoot inbox uses no key: a bad one does not stop it.
    ClientBuilder::from_env()
        .base_url("https://app.chatwoot.com")
        .build_inbox("inbox")
        .unwrap();
    std::env::set_var("COMMBOX_API_KEY", "env-key");

    // Not UTF-8: refused by name, not taken as unset.
    std::env::set_var("COMMBOX_PROXY", OsStr::from_bytes(b"http://proxy\xff:3128"));
    assert_eq!(
        error_of(ClientBuilder::from_env()),
        "proxy (COMMBOX_PROXY): is not valid UTF-8"
    );
    std::env::set_var("COMMBOX_PROXY", "::not a url::");
    assert!(error_of(ClientBuilder::from_env()).starts_with("proxy (COMMBOX_PROXY): "));
    std::env::remove_var("COMMBOX_PROXY");

    // Empty variables are unset.
    std::env::set_var("COMMBOX_TIMEOUT", "");
    ClientBuilder::from_env().build().unwrap();
    clear();
}
