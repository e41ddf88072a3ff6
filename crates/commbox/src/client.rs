//! The client and its builder.

use crate::error::{Error, Result};
use crate::transport::observe::{CallEvent, CallObserver};
use crate::transport::retry::RetryPolicy;
use crate::transport::{Settings, Transport};
use crate::validate;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.commbox.io";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request (connect, send, answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A CommBox API client.
///
/// Cheap to clone (clones share one connection pool) and safe to share between threads.
/// Build it once and reuse it. A client made before `fork()` also works in the child, which
/// gets its own pool.
///
/// Calls block the calling thread, which does the network I/O itself (no background
/// thread). They must not be made from inside an async (tokio) task, where blocking is not
/// allowed: use `spawn_blocking` there.
///
/// ```no_run
/// # fn main() -> commbox::Result<()> {
/// use commbox::{Client, SmsConversation};
/// let client = Client::builder().api_key(std::env::var("COMMBOX_API_KEY").unwrap()).build()?;
/// let id = client.create_conversation("STREAM_ID", SmsConversation::new("+972544444444", "Hello"))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    settings: Settings,
}

impl Client {
    /// A builder with the defaults: production base URL, 10 s connect timeout, 60 s total
    /// timeout, 2 retries.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.transport.base()
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// A client of the Chatwoot public API for one inbox at `base_url` (the installation),
    /// sharing this client's connection pool, timeouts, retries, TLS and proxy settings.
    ///
    /// ```
    /// # let client = commbox::Client::builder().api_key("k").build().unwrap();
    /// let inbox = client.inbox("https://app.chatwoot.com", "tK9s3bVnQ1jUq3rP8kE2xYzA").unwrap();
    /// ```
    pub fn inbox(
        &self,
        base_url: &str,
        inbox_identifier: &str,
    ) -> Result<crate::chatwoot::InboxClient> {
        let base = checked_base_url(base_url, self.inner.settings.allow_insecure_http)?;
        crate::chatwoot::InboxClient::new(self.inner.transport.rebased(&base), inbox_identifier)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.inner.settings;
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("api_key", &"<redacted>")
            .field("connect_timeout", &s.connect_timeout)
            .field("timeout", &s.timeout)
            .field("retry", &s.retry)
            .finish()
    }
}

/// Configures a [`Client`]. Only the API key is required.
///
/// ```
/// use commbox::Client;
/// use std::time::Duration;
/// let client = Client::builder()
///     .api_key("my-key")
///     .base_url("http://127.0.0.1:8080") // http is allowed for loopback hosts only
///     .timeout(Duration::from_secs(30))
///     .max_retries(3)
///     .user_agent_suffix("billing-cron/2.1")
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("my-key"));
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent_suffix: Option<String>,
    ca_file: Option<PathBuf>,
    proxy: Option<String>,
    allow_insecure_http: bool,
    observer: Option<CallObserver>,
    base_url_set: bool,
    /// A malformed `COMMBOX_*` variable seen by `from_env` and why, reported by `build`.
    env_error: Option<(&'static str, &'static str)>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent_suffix: None,
            ca_file: None,
            proxy: None,
            allow_insecure_http: false,
            observer: None,
            base_url_set: false,
            env_error: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("ca_file", &self.ca_file)
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

/// Environment variables read by [`ClientBuilder::from_env`].
pub mod env {
    /// The API key.
    pub const API_KEY: &str = "COMMBOX_API_KEY";
    /// The base URL (default https://api.commbox.io).
    pub const BASE_URL: &str = "COMMBOX_BASE_URL";
    /// Total timeout in seconds.
    pub const TIMEOUT: &str = "COMMBOX_TIMEOUT";
    /// Connect timeout in seconds.
    pub const CONNECT_TIMEOUT: &str = "COMMBOX_CONNECT_TIMEOUT";
    /// Retries after a failed attempt.
    pub const MAX_RETRIES: &str = "COMMBOX_MAX_RETRIES";
    /// Extra CA certificates (PEM file).
    pub const CA_FILE: &str = "COMMBOX_CA_FILE";
    /// Proxy URL for all requests.
    pub const PROXY: &str = "COMMBOX_PROXY";
    /// `1`/`true` allows http:// to non-loopback hosts.
    pub const ALLOW_INSECURE_HTTP: &str = "COMMBOX_ALLOW_INSECURE_HTTP";
}

impl ClientBuilder {
    /// A builder configured from the `COMMBOX_*` environment variables (see [`env`]);
    /// unset variables keep the defaults, malformed ones are reported by [`build`](Self::build)
    /// naming the variable.
    pub fn from_env() -> ClientBuilder {
        let mut b = ClientBuilder::default();
        let bad = std::cell::Cell::new(None);
        let report = |name: &'static str, why: &'static str| {
            if bad.get().is_none() {
                bad.set(Some((name, why)));
            }
        };
        // A variable that is not UTF-8 is reported, not taken as unset: an ignored
        // COMMBOX_PROXY would send every request around the proxy.
        let var = |name: &'static str| match std::env::var(name) {
            Ok(v) => Some(v).filter(|v| !v.is_empty()),
            Err(std::env::VarError::NotUnicode(_)) => {
                report(name, "is not valid UTF-8");
                None
            }
            Err(std::env::VarError::NotPresent) => None,
        };
        if let Some(v) = var(env::API_KEY) {
            b = b.api_key(v);
        }
        if let Some(v) = var(env::BASE_URL) {
            b = b.base_url(v);
        }
        let secs = |name: &'static str| {
            var(name).and_then(|v| match v.trim().parse::<f64>() {
                Ok(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
                _ => {
                    report(name, "not a valid number");
                    None
                }
            })
        };
        if let Some(d) = secs(env::TIMEOUT) {
            b = b.timeout(d);
        }
        if let Some(d) = secs(env::CONNECT_TIMEOUT) {
            b = b.connect_timeout(d);
        }
        if let Some(v) = var(env::MAX_RETRIES) {
            match v.trim().parse() {
                Ok(n) => b = b.max_retries(n),
                Err(_) => report(env::MAX_RETRIES, "not a valid number"),
            }
        }
        if let Some(v) = var(env::CA_FILE) {
            b = b.ca_file(v);
        }
        if let Some(v) = var(env::PROXY) {
            b = b.proxy(v);
        }
        if let Some(v) = var(env::ALLOW_INSECURE_HTTP) {
            b = b.allow_insecure_http(matches!(v.trim(), "1" | "true" | "yes" | "on"));
        }
        // Reported at build time so that from_env stays infallible.
        b.env_error = bad.get();
        b
    }

    /// The API key (Settings > API in the CommBox console; needs Admin rights). Required.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API's base URL (default [`DEFAULT_BASE_URL`]). `http://` is accepted only for
    /// loopback hosts unless [`allow_insecure_http`](Self::allow_insecure_http) is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.base_url_set = true;
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for each attempt as a whole (default 60 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Retries after a failed attempt (default 2). Shorthand for the policy's setting.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry = self.retry.max_retries(n);
        self
    }

    /// The whole retry policy (backoff, Retry-After cap, opt-ins, hook).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Appended to the User-Agent, to identify your application (`myapp/1.2`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Trusts the CA certificates in this PEM file in addition to the built-in roots.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Sends every request through this proxy (`http://user:pass@host:port`). Without it,
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the environment apply.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Allows `http://` base URLs for non-loopback hosts (the key then travels in clear).
    pub fn allow_insecure_http(mut self, yes: bool) -> Self {
        self.allow_insecure_http = yes;
        self
    }

    /// Calls `observer` once after every API call (after its retries), on the calling
    /// thread: for metrics, or to log through your own logging system.
    ///
    /// ```
    /// let client = commbox::Client::builder()
    ///     .api_key("k")
    ///     .on_call(|e| eprintln!("{} {} -> {:?} in {:?} ({} attempts)", e.method, e.path, e.status, e.elapsed, e.attempts))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn on_call(mut self, observer: impl Fn(&CallEvent) + Send + Sync + 'static) -> Self {
        self.observer = Some(std::sync::Arc::new(observer));
        self
    }

    /// Checks the settings and builds the client. Errors name the setting at fault.
    pub fn build(self) -> Result<Client> {
        let key = self.api_key.clone().unwrap_or_default();
        let (settings, base) = self.checked()?;
        validate::required("api_key", &key)?;
        validate::header_value("api_key", &key)?;
        let transport = Transport::new(&settings, &base, Some(&key))?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                settings,
            }),
        })
    }

    /// Builds a client of the Chatwoot public API for one inbox, with these settings
    /// (timeouts, retries, TLS, proxy, observer). The base URL is the Chatwoot installation
    /// (`https://app.chatwoot.com`, an Omnivibe host, …) and must be set; no API key is used.
    ///
    /// ```
    /// let inbox = commbox::Client::builder()
    ///     .base_url("https://app.chatwoot.com")
    ///     .build_inbox("tK9s3bVnQ1jUq3rP8kE2xYzA")
    ///     .unwrap();
    /// ```
    pub fn build_inbox(self, inbox_identifier: &str) -> Result<crate::chatwoot::InboxClient> {
        if !self.base_url_set {
            return Err(Error::validation(
                "base_url",
                "required for a Chatwoot inbox (the installation, e.g. https://app.chatwoot.com)",
            ));
        }
        let (settings, base) = self.checked()?;
        let transport = Transport::new(&settings, &base, None)?;
        crate::chatwoot::InboxClient::new(transport, inbox_identifier)
    }

    /// Validates everything but the key: the settings and the base URL.
    fn checked(self) -> Result<(Settings, String)> {
        if let Some((name, why)) = self.env_error {
            return Err(Error::validation(name, why));
        }
        let base = checked_base_url(&self.base_url, self.allow_insecure_http)?;
        if self.timeout.is_zero() {
            return Err(Error::validation("timeout", "must be greater than zero"));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::validation(
                "connect_timeout",
                "must be greater than zero",
            ));
        }
        let mut user_agent = format!(
            "libcommbox/{} ({}; {})",
            crate::VERSION,
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        if let Some(suffix) = &self.user_agent_suffix {
            validate::header_value("user_agent_suffix", suffix)?;
            user_agent.push(' ');
            user_agent.push_str(suffix.trim());
        }
        if let Some(proxy) = &self.proxy {
            validate::header_value("proxy", proxy)?;
        }
        let settings = Settings {
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            user_agent,
            ca_file: self.ca_file,
            proxy: self.proxy,
            retry: self.retry,
            observer: self.observer,
            allow_insecure_http: self.allow_insecure_http,
        };
        Ok((settings, base))
    }
}

/// Longest base URL accepted: every request URL starts with it.
const MAX_BASE_URL: usize = 2048;

/// Validates a base URL and returns it without a trailing slash.
pub(crate) fn checked_base_url(raw: &str, allow_insecure_http: bool) -> Result<String> {
    let field = "base_url";
    validate::required(field, raw)?;
    // URL parsers silently drop tabs and newlines inside a URL: refuse them instead of
    // sending to a host the caller did not write.
    if raw.trim().chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    if raw.len() > MAX_BASE_URL {
        return Err(Error::validation(
            field,
            format!("must be at most {MAX_BASE_URL} bytes long"),
        ));
    }
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| Error::validation(field, format!("not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::validation(
                field,
                "http:// is refused for non-loopback hosts (the API key would travel in clear); \
                 use https:// or allow insecure http explicitly",
            ))
        }
        other => {
            return Err(Error::validation(
                field,
                format!("unsupported scheme {other:?}"),
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::validation(field, "has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::validation(
            field,
            "must not contain credentials (use the API key)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::validation(
            field,
            "must not have a query or fragment",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// One client is shared between threads: these must stay true.
const _: () = {
    const fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
    assert_shareable::<Client>();
    assert_shareable::<crate::Error>();
    assert_shareable::<crate::NewConversation>();
    assert_shareable::<crate::NewMessage>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            checked_base_url("https://api.commbox.io/", false).unwrap(),
            "https://api.commbox.io"
        );
        assert_eq!(
            checked_base_url("http://127.0.0.1:9/prefix/", false).unwrap(),
            "http://127.0.0.1:9/prefix"
        );
        checked_base_url("http://localhost:1", false).unwrap();
        checked_base_url("http://[::1]:1", false).unwrap();
        let e = checked_base_url("http://api.commbox.io", false).unwrap_err();
        assert_eq!(e.field(), Some("base_url"));
        checked_base_url("http://api.commbox.io", true).unwrap();
        assert!(checked_base_url("ftp://x", true).is_err());
        assert!(checked_base_url("https://u:p@x.io", true).is_err());
        assert!(checked_base_url("https://x.io/?a=1", true).is_err());
        assert!(checked_base_url("not a url", true).is_err());
        // The URL parser would drop the LF and reach 127.0.0.1:12 instead.
        let e = checked_base_url("http://127.0.0.1:1\n2", false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "base_url: must not contain control characters"
        );
        checked_base_url(" https://x.io/\n", false).unwrap();
    }

    #[test]
    fn key_checks_never_echo_the_key() {
        let e = Client::builder().api_key("sec\r\nret").build().unwrap_err();
        assert_eq!(e.field(), Some("api_key"));
        assert!(!e.to_string().contains("sec"));
        let e = Client::builder().build().unwrap_err();
        assert_eq!(e.to_string(), "api_key: required");
    }
}
