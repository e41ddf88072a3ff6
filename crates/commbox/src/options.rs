//! Client options: every setting a client takes, their defaults, the `COMMBOX_*`
//! environment variables, and their validation, in one place for every face.
//!
//! [`ClientOptions`] has one JSON form (what the C face's `commbox_client_new_from_json`
//! reads, and what the Python keyword arguments and the CLI flags are converted to). Every
//! member is optional; a member left out (or `null`) comes from its environment variable
//! when the face reads the environment, then from the default:
//!
//! ```json
//! {"api_key": "…", "base_url": "https://api.commbox.io", "timeout": 60,
//!  "connect_timeout": 10, "max_retries": 2, "user_agent_suffix": "billing-cron/2.1",
//!  "ca_file": "/etc/ssl/corporate-ca.pem", "proxy": "http://proxy.internal:3128",
//!  "allow_insecure_http": false}
//! ```
//!
//! | member | variable | default |
//! | --- | --- | --- |
//! | `api_key` | `COMMBOX_API_KEY` | none: required for CommBox, unused for Chatwoot |
//! | `base_url` | `COMMBOX_BASE_URL` | `https://api.commbox.io` (a Chatwoot inbox needs one) |
//! | `timeout` (seconds, per attempt) | `COMMBOX_TIMEOUT` | 60 |
//! | `connect_timeout` (seconds) | `COMMBOX_CONNECT_TIMEOUT` | 10 |
//! | `max_retries` | `COMMBOX_MAX_RETRIES` | 2 |
//! | `user_agent_suffix` | — | none |
//! | `ca_file` (PEM, trusted besides the built-in roots) | `COMMBOX_CA_FILE` | none |
//! | `proxy` | `COMMBOX_PROXY` | none (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` apply) |
//! | `allow_insecure_http` | `COMMBOX_ALLOW_INSECURE_HTTP` (`1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`) | false |
//!
//! The rules: a value given explicitly wins over the environment (an empty variable counts
//! as unset); timeouts are positive, finite numbers of seconds; an error names the setting
//! and, when its value came from the environment, the variable
//! (`timeout (COMMBOX_TIMEOUT): must be a positive number of seconds`). The API key is never
//! serialised, and `Debug` redacts it.

use crate::builder::ClientBuilder;
use crate::error::{Error, ErrorKind, Result};
use crate::json_form;
use crate::validate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.commbox.io";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request (connect, send, answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Environment variables read for the settings not given explicitly (see
/// [`ClientBuilder::with_env`]).
pub mod env {
    /// The API key.
    pub const API_KEY: &str = "COMMBOX_API_KEY";
    /// The base URL (default `https://api.commbox.io`).
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
    /// `1`/`true`/`yes`/`on` allows http:// to non-loopback hosts (`0`/`false`/`no`/`off`
    /// does not).
    pub const ALLOW_INSECURE_HTTP: &str = "COMMBOX_ALLOW_INSECURE_HTTP";
}

/// Every setting of a client ([`crate::Client`] or a Chatwoot
/// [`InboxClient`](crate::chatwoot::InboxClient)), each optional: unset ones come from the
/// environment when it is read ([`ClientBuilder::with_env`]), then from the defaults. Each
/// field is a member of the JSON form and says its default; [`env`](mod@crate::env) names the variables.
///
/// ```
/// use commbox::ClientOptions;
/// let options = ClientOptions::from_json(
///     r#"{"api_key": "my-key", "base_url": "http://127.0.0.1:8080", "timeout": 2.5}"#,
/// )
/// .unwrap();
/// assert!(!format!("{options:?}").contains("my-key"));
/// let client = options.builder().build().unwrap();
///
/// let e = ClientOptions::from_json(r#"{"timeout": "soon"}"#).unwrap_err();
/// assert_eq!(e.field(), Some("timeout"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "ClientOptions",
    description = "Every setting of a client, each optional: a member left out or null comes \
                   from its COMMBOX_* variable when the face reads the environment, then from \
                   the default. An explicit value wins over the variable."
)]
pub struct ClientOptions {
    /// The API key (Settings > API in the CommBox console); required for CommBox calls, not
    /// used by Chatwoot inboxes. Never serialised.
    #[serde(default, skip_serializing)]
    pub api_key: Option<String>,
    /// The API's base URL (default `https://api.commbox.io`), or for a Chatwoot inbox the
    /// installation (`https://app.chatwoot.com`). `http://` only to loopback hosts unless
    /// `allow_insecure_http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Time allowed for each attempt as a whole, in seconds (default 60); positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub timeout: Option<f64>,
    /// Time allowed to open a connection, in seconds (default 10); positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub connect_timeout: Option<f64>,
    /// Retries after a failed attempt (default 2). Creates are only re-sent when the server
    /// said it did not process them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// Appended to the User-Agent, to identify your application (`myapp/1.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent_suffix: Option<String>,
    /// A PEM file of CA certificates trusted besides the built-in roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// A proxy for every request (`http://user:pass@host:port`); without it `HTTPS_PROXY`,
    /// `HTTP_PROXY` and `NO_PROXY` apply. Serialised without its password.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "proxy_without_password"
    )]
    pub proxy: Option<String>,
    /// Allows `http://` base URLs for non-loopback hosts (the key then travels in clear);
    /// default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_insecure_http: Option<bool>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("ca_file", &self.ca_file)
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientOptions {
    /// Reads the JSON form. An error is a validation error whose field is the JSON path of
    /// the bad member (`timeout`, or `options` for the document as a whole) and whose reason
    /// says what is wrong; unknown members are refused.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the text is not JSON, not an object, or has an unknown
    /// member or a member of the wrong type. The values themselves (a positive timeout, a
    /// usable base URL) are checked when the client is built ([`ClientBuilder::build`]).
    pub fn from_json(json: &str) -> Result<ClientOptions> {
        json_form::from_object_str("options", json)
    }

    /// Reads the JSON form from a value already parsed (see [`from_json`](Self::from_json)).
    ///
    /// # Errors
    ///
    /// As [`from_json`](Self::from_json).
    pub fn from_value(value: Value) -> Result<ClientOptions> {
        json_form::from_object("options", value)
    }

    /// The environment variable a setting is read from, by its member's name in the JSON
    /// form (`timeout` → `COMMBOX_TIMEOUT`); `None` for a setting read from no variable
    /// (`user_agent_suffix`) or an unknown name. Errors about a value from the environment
    /// name the setting and its variable: `timeout (COMMBOX_TIMEOUT)`.
    ///
    /// ```
    /// use commbox::ClientOptions;
    /// assert_eq!(ClientOptions::variable("api_key"), Some("COMMBOX_API_KEY"));
    /// assert_eq!(ClientOptions::variable("user_agent_suffix"), None);
    /// ```
    pub fn variable(member: &str) -> Option<&'static str> {
        Setting::ALL
            .iter()
            .find(|s| s.name() == member)
            .and_then(|s| s.var())
    }

    /// A builder with these settings and nothing from the environment; chain
    /// [`ClientBuilder::with_env`] to fill the unset ones from the `COMMBOX_*` variables.
    pub fn builder(self) -> ClientBuilder {
        ClientBuilder::from_options(self)
    }

    /// Fills the settings left unset from the `COMMBOX_*` variables (explicit values win)
    /// and says where each came from.
    pub(crate) fn fill_from_env(&mut self, origins: &mut Origins) {
        origins.env_read = true;
        let o = self;
        fill_text(&mut o.api_key, Setting::ApiKey, origins, Some);
        fill_text(&mut o.base_url, Setting::BaseUrl, origins, Some);
        fill_text(&mut o.timeout, Setting::Timeout, origins, seconds_from_env);
        fill_text(
            &mut o.connect_timeout,
            Setting::ConnectTimeout,
            origins,
            seconds_from_env,
        );
        fill_text(&mut o.max_retries, Setting::MaxRetries, origins, |v| {
            v.trim().parse().ok()
        });
        fill_text(&mut o.ca_file, Setting::CaFile, origins, |v| Some(v.into()));
        fill_text(&mut o.proxy, Setting::Proxy, origins, Some);
        fill_text(
            &mut o.allow_insecure_http,
            Setting::AllowInsecureHttp,
            origins,
            flag,
        );
    }

    /// Validates every setting but the API key and works out what the transport needs.
    /// Errors name the setting, and the variable when its value came from the environment.
    pub(crate) fn checked(&self, origins: &Origins) -> Result<Checked> {
        use Setting as S;
        for s in S::ALL {
            if s != S::ApiKey {
                origins.env_error(s)?;
            }
        }
        let allow_insecure_http = self.allow_insecure_http.unwrap_or(false);
        let base = checked_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            allow_insecure_http,
        )
        .map_err(|e| origins.qualify(S::BaseUrl, e))?;
        let timeout = seconds(&origins.field(S::Timeout), self.timeout, DEFAULT_TIMEOUT)?;
        let connect_timeout = seconds(
            &origins.field(S::ConnectTimeout),
            self.connect_timeout,
            DEFAULT_CONNECT_TIMEOUT,
        )?;
        let mut user_agent = format!(
            "libcommbox/{} ({}; {})",
            crate::VERSION,
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        if let Some(suffix) = &self.user_agent_suffix {
            validate::header_value(&origins.field(S::UserAgentSuffix), suffix)?;
            user_agent.push(' ');
            user_agent.push_str(suffix.trim());
        }
        if let Some(proxy) = &self.proxy {
            validate::header_value(&origins.field(S::Proxy), proxy)?;
        }
        Ok(Checked {
            base,
            timeout,
            connect_timeout,
            user_agent,
            allow_insecure_http,
        })
    }

    /// The API key, required and fit for a header. The reason for a missing key says where
    /// one can come from.
    pub(crate) fn checked_key(&self, origins: &Origins) -> Result<String> {
        origins.env_error(Setting::ApiKey)?;
        let field = origins.field(Setting::ApiKey);
        let key = self.api_key.clone().unwrap_or_default();
        if key.trim().is_empty() {
            let reason = if origins.env_read {
                format!("required (pass it or set {})", env::API_KEY)
            } else {
                "required".to_owned()
            };
            return Err(Error::validation(field, reason));
        }
        validate::header_value(&field, &key)?;
        Ok(key)
    }
}

/// What [`ClientOptions::checked`] works out.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The base URL, validated, without a trailing slash.
    pub base: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub user_agent: String,
    pub allow_insecure_http: bool,
}

/// One setting of [`ClientOptions`]: its name in errors and JSON, and its variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Setting {
    ApiKey,
    BaseUrl,
    Timeout,
    ConnectTimeout,
    MaxRetries,
    UserAgentSuffix,
    CaFile,
    Proxy,
    AllowInsecureHttp,
}

impl Setting {
    const ALL: [Setting; 9] = [
        Setting::ApiKey,
        Setting::BaseUrl,
        Setting::Timeout,
        Setting::ConnectTimeout,
        Setting::MaxRetries,
        Setting::UserAgentSuffix,
        Setting::CaFile,
        Setting::Proxy,
        Setting::AllowInsecureHttp,
    ];

    /// The member's name, as in the JSON form and in errors.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Setting::ApiKey => "api_key",
            Setting::BaseUrl => "base_url",
            Setting::Timeout => "timeout",
            Setting::ConnectTimeout => "connect_timeout",
            Setting::MaxRetries => "max_retries",
            Setting::UserAgentSuffix => "user_agent_suffix",
            Setting::CaFile => "ca_file",
            Setting::Proxy => "proxy",
            Setting::AllowInsecureHttp => "allow_insecure_http",
        }
    }

    /// The environment variable it is read from, if any.
    fn var(self) -> Option<&'static str> {
        match self {
            Setting::ApiKey => Some(env::API_KEY),
            Setting::BaseUrl => Some(env::BASE_URL),
            Setting::Timeout => Some(env::TIMEOUT),
            Setting::ConnectTimeout => Some(env::CONNECT_TIMEOUT),
            Setting::MaxRetries => Some(env::MAX_RETRIES),
            Setting::UserAgentSuffix => None,
            Setting::CaFile => Some(env::CA_FILE),
            Setting::Proxy => Some(env::PROXY),
            Setting::AllowInsecureHttp => Some(env::ALLOW_INSECURE_HTTP),
        }
    }

    /// Why a variable's text is not a value of this setting.
    fn env_reason(self) -> &'static str {
        match self {
            Setting::Timeout | Setting::ConnectTimeout => SECONDS_REASON,
            Setting::MaxRetries => "must be a whole number, 0 or more",
            Setting::AllowInsecureHttp => "must be 1, true, yes or on, or 0, false, no or off",
            _ => "not a valid value",
        }
    }
}

const SECONDS_REASON: &str = "must be a positive number of seconds";

/// Which settings came from the environment, and the variables that could not be read
/// (reported when the client is built, unless an explicit value replaced them).
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins {
    /// The environment was read (a missing key can then be set there).
    env_read: bool,
    /// The settings taken from (or refused in) the environment, with the refusal's reason.
    from_env: Vec<(Setting, Option<&'static str>)>,
}

impl Origins {
    /// The setting now has an explicit value: neither its variable nor its error applies.
    pub(crate) fn set_explicitly(&mut self, s: Setting) {
        self.from_env.retain(|(e, _)| *e != s);
    }

    fn came_from_env(&self, s: Setting) -> bool {
        self.from_env.iter().any(|(e, _)| *e == s)
    }

    /// How errors name the setting: `timeout`, or `timeout (COMMBOX_TIMEOUT)`.
    pub(crate) fn field(&self, s: Setting) -> String {
        match s.var().filter(|_| self.came_from_env(s)) {
            Some(var) => format!("{} ({var})", s.name()),
            None => s.name().to_owned(),
        }
    }

    /// The error of a variable that could not be read for `s`.
    fn env_error(&self, s: Setting) -> Result<()> {
        match self.from_env.iter().find(|(e, _)| *e == s) {
            Some((_, Some(reason))) => Err(Error::validation(self.field(s), reason)),
            _ => Ok(()),
        }
    }

    /// An error about setting `s` (named plainly by whoever checked it) renamed to say the
    /// variable its value came from.
    pub(crate) fn qualify(&self, s: Setting, e: Error) -> Error {
        let named = e.kind() == ErrorKind::Validation && e.field() == Some(s.name());
        if !named || !self.came_from_env(s) {
            return e;
        }
        Error::validation(self.field(s), e.reason().unwrap_or_default())
    }

    /// [`qualify`](Self::qualify) for whichever setting the error names.
    pub(crate) fn qualify_any(&self, e: Error) -> Error {
        match Setting::ALL.iter().find(|s| e.field() == Some(s.name())) {
            Some(s) => self.qualify(*s, e),
            None => e,
        }
    }
}

/// Fills `slot` from the setting's variable when it is unset, noting the variable; `parse`
/// turns the text into a value (None: refused, reported at build time).
fn fill_text<T>(
    slot: &mut Option<T>,
    s: Setting,
    origins: &mut Origins,
    parse: impl FnOnce(String) -> Option<T>,
) {
    let Some(var) = s.var() else { return };
    if slot.is_some() {
        return;
    }
    // A variable that is not UTF-8 is reported, not taken as unset: an ignored
    // COMMBOX_PROXY would send every request around the proxy.
    let text = match std::env::var(var) {
        Ok(v) if v.is_empty() => return,
        Ok(v) => v,
        Err(std::env::VarError::NotPresent) => return,
        Err(std::env::VarError::NotUnicode(_)) => {
            origins.set_explicitly(s);
            origins.from_env.push((s, Some("is not valid UTF-8")));
            return;
        }
    };
    origins.set_explicitly(s);
    match parse(text) {
        Some(v) => {
            *slot = Some(v);
            origins.from_env.push((s, None));
        }
        None => origins.from_env.push((s, Some(s.env_reason()))),
    }
}

fn seconds_from_env(text: String) -> Option<f64> {
    text.trim().parse().ok()
}

fn flag(text: String) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A timeout in seconds as a `Duration`: positive, finite and not too large.
fn seconds(field: &str, secs: Option<f64>, default: Duration) -> Result<Duration> {
    let Some(secs) = secs else {
        return Ok(default);
    };
    match Duration::try_from_secs_f64(secs) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(Error::validation(field, SECONDS_REASON)),
    }
}

/// Serialises a proxy URL with its password, if any, replaced by `***`.
fn proxy_without_password<S: Serializer>(
    proxy: &Option<String>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    proxy.as_deref().map(without_password).serialize(s)
}

/// `scheme://user:password@host…` as `scheme://user:***@host…`; anything else unchanged.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
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
                format!(
                    "http:// is refused for non-loopback hosts (the API key would travel in \
                     clear); use https://, or allow it with {} ({})",
                    Setting::AllowInsecureHttp.name(),
                    env::ALLOW_INSECURE_HTTP
                ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        // The refusal names the setting that lifts it, and its variable.
        assert!(
            e.to_string().ends_with(
                "use https://, or allow it with allow_insecure_http (COMMBOX_ALLOW_INSECURE_HTTP)"
            ),
            "{e}"
        );
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
    fn json_form_round_trips_without_the_key() {
        let o = ClientOptions::from_json(
            r#"{"api_key": "k", "base_url": "https://x.io", "timeout": 1.5, "max_retries": 0,
                "connect_timeout": null, "proxy": "http://u:secret@p.io:3128"}"#,
        )
        .unwrap();
        assert_eq!(o.api_key.as_deref(), Some("k"));
        assert_eq!(o.timeout, Some(1.5));
        assert_eq!(o.connect_timeout, None);
        let v = serde_json::to_value(&o).unwrap();
        assert_eq!(
            v,
            json!({"base_url": "https://x.io", "timeout": 1.5, "max_retries": 0,
                   "proxy": "http://u:***@p.io:3128"})
        );
        assert_eq!(without_password("http://p.io:3128"), "http://p.io:3128");
        assert_eq!(without_password("http://u@p.io"), "http://u@p.io");
        assert_eq!(
            without_password("socks5://u:p@ss@h:1/x"),
            "socks5://u:***@h:1/x"
        );
        let debug = format!("{o:?}");
        assert!(
            !debug.contains("secret") && !debug.contains("\"k\""),
            "{debug}"
        );
    }

    #[test]
    fn json_errors_name_the_path() {
        let e = ClientOptions::from_json(r#"{"timeout": "soon"}"#).unwrap_err();
        assert_eq!(e.field(), Some("timeout"));
        let e = ClientOptions::from_json(r#"{"max_retries": -1}"#).unwrap_err();
        assert_eq!(e.field(), Some("max_retries"));
        let e = ClientOptions::from_json(r#"{"timeout_ms": 5}"#).unwrap_err();
        assert_eq!(e.field(), Some("timeout_ms"));
        assert!(e.reason().unwrap().contains("unknown field"), "{e}");
        let e = ClientOptions::from_json("[]").unwrap_err();
        assert_eq!(e.field(), Some("options"));
        let e = ClientOptions::from_json("{").unwrap_err();
        assert_eq!(e.field(), Some("options"));
    }

    #[test]
    fn seconds_are_positive_and_finite() {
        let d = Duration::from_secs(7);
        assert_eq!(seconds("t", None, d).unwrap(), d);
        assert_eq!(
            seconds("t", Some(0.25), d).unwrap(),
            Duration::from_millis(250)
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300, 1e-12] {
            let e = seconds("timeout", Some(bad), d).unwrap_err();
            assert_eq!(
                e.to_string(),
                "timeout: must be a positive number of seconds",
                "{bad}"
            );
        }
    }

    #[test]
    fn errors_say_the_variable_a_value_came_from() {
        let mut origins = Origins::default();
        origins.from_env.push((Setting::Timeout, None));
        origins.from_env.push((
            Setting::MaxRetries,
            Some("must be a whole number, 0 or more"),
        ));
        let o = ClientOptions {
            timeout: Some(-1.0),
            ..ClientOptions::default()
        };
        let e = o.checked(&origins).unwrap_err();
        assert_eq!(
            e.to_string(),
            "max_retries (COMMBOX_MAX_RETRIES): must be a whole number, 0 or more"
        );
        origins.set_explicitly(Setting::MaxRetries);
        let e = o.checked(&origins).unwrap_err();
        assert_eq!(
            e.to_string(),
            "timeout (COMMBOX_TIMEOUT): must be a positive number of seconds"
        );
        assert_eq!(e.field(), Some("timeout (COMMBOX_TIMEOUT)"));
        origins.set_explicitly(Setting::Timeout);
        let e = o.checked(&origins).unwrap_err();
        assert_eq!(
            e.to_string(),
            "timeout: must be a positive number of seconds"
        );
    }

    #[test]
    fn a_missing_key_says_where_one_comes_from() {
        let o = ClientOptions::default();
        let e = o.checked_key(&Origins::default()).unwrap_err();
        assert_eq!(e.to_string(), "api_key: required");
        let origins = Origins {
            env_read: true,
            ..Origins::default()
        };
        let e = o.checked_key(&origins).unwrap_err();
        assert_eq!(
            e.to_string(),
            "api_key: required (pass it or set COMMBOX_API_KEY)"
        );
    }

    #[test]
    fn schema_lists_every_setting() {
        let schema = serde_json::to_value(schemars::schema_for!(ClientOptions)).unwrap();
        let props = schema["properties"].as_object().unwrap();
        let mut names: Vec<&str> = props.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut want: Vec<&str> = Setting::ALL.iter().map(|s| s.name()).collect();
        want.sort_unstable();
        assert_eq!(names, want);
        assert_eq!(schema["additionalProperties"], json!(false));
        for s in Setting::ALL {
            assert_eq!(ClientOptions::variable(s.name()), s.var(), "{s:?}");
        }
        assert_eq!(ClientOptions::variable("timeout_ms"), None);
    }
}
