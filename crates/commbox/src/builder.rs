//! The client builder, shared by the async and the blocking clients.
//!
//! One set of settings and checks; only `build` and `build_inbox` differ, by the kind of
//! client they return: [`crate::ClientBuilder`] (`Builder<Async>`) builds async clients,
//! [`crate::blocking::ClientBuilder`] (`Builder<Blocking>`) blocking ones.

use crate::blocking;
use crate::chatwoot::InboxClient;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::options::{ClientOptions, Origins, Setting};
use crate::transport::observe::{CallEvent, CallObserver};
use crate::transport::progress::{ProgressObserver, UploadProgress};
use crate::transport::retry::RetryPolicy;
use crate::transport::{Settings, Transport};
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::Duration;

/// Marks a [`Builder`] of async clients ([`crate::ClientBuilder`]).
#[derive(Debug, Clone, Copy)]
pub enum Async {}

/// Marks a [`Builder`] of blocking clients ([`crate::blocking::ClientBuilder`]).
#[derive(Debug, Clone, Copy)]
pub enum Blocking {}

/// Configures an async [`Client`] (`ClientBuilder`).
pub type ClientBuilder = Builder<Async>;

/// Configures a client (or a Chatwoot inbox client) from [`ClientOptions`] set one by one,
/// plus what has no JSON form: the whole retry policy, the call observer and the upload
/// progress callback. Only the API key is required. Used as [`crate::ClientBuilder`] for
/// async clients and [`crate::blocking::ClientBuilder`] for blocking ones.
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
#[must_use = "a builder does nothing until `build` or `build_inbox` is called"]
pub struct Builder<F> {
    options: ClientOptions,
    /// Which settings came from the environment, and the variables that were refused.
    origins: Origins,
    retry: RetryPolicy,
    observer: Option<CallObserver>,
    progress: Option<ProgressObserver>,
    flavor: PhantomData<fn() -> F>,
}

impl<F> Default for Builder<F> {
    fn default() -> Self {
        Builder {
            options: ClientOptions::default(),
            origins: Origins::default(),
            retry: RetryPolicy::default(),
            observer: None,
            progress: None,
            flavor: PhantomData,
        }
    }
}

impl<F> Clone for Builder<F> {
    fn clone(&self) -> Self {
        Builder {
            options: self.options.clone(),
            origins: self.origins.clone(),
            retry: self.retry.clone(),
            observer: self.observer.clone(),
            progress: self.progress.clone(),
            flavor: PhantomData,
        }
    }
}

impl<F> fmt::Debug for Builder<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("options", &self.options)
            .field("retry", &self.retry)
            .field("observer", &self.observer.is_some())
            .field("upload_progress", &self.progress.is_some())
            .finish()
    }
}

impl<F> Builder<F> {
    /// A builder with these settings; nothing is read from the environment unless
    /// [`with_env`](Self::with_env) is chained.
    pub fn from_options(options: ClientOptions) -> Self {
        Builder {
            options,
            ..Builder::default()
        }
    }

    /// A builder configured from the `COMMBOX_*` environment variables (see [`env`](crate::env)):
    /// `ClientBuilder::default().with_env()`.
    pub fn from_env() -> Self {
        Builder::default().with_env()
    }

    /// Fills every setting not set yet from its `COMMBOX_*` variable (see [`env`](crate::env)): an
    /// explicit value wins over the environment, and a setting set after this call replaces
    /// the variable's value. A malformed variable is reported by [`build`](Self::build),
    /// naming the setting and the variable.
    pub fn with_env(mut self) -> Self {
        self.options.fill_from_env(&mut self.origins);
        self
    }

    /// The settings so far (with those read from the environment).
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    fn set(mut self, s: Setting, f: impl FnOnce(&mut ClientOptions)) -> Self {
        f(&mut self.options);
        self.origins.set_explicitly(s);
        self
    }

    /// The API key (Settings > API in the CommBox console; needs Admin rights). Required.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.set(Setting::ApiKey, |o| o.api_key = Some(key.into()))
    }

    /// The API's base URL (default [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL)). `http://` is accepted only for
    /// loopback hosts unless [`allow_insecure_http`](Self::allow_insecure_http) is set.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.set(Setting::BaseUrl, |o| o.base_url = Some(url.into()))
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(self, d: Duration) -> Self {
        self.set(Setting::ConnectTimeout, |o| {
            o.connect_timeout = Some(d.as_secs_f64())
        })
    }

    /// Time allowed for each attempt as a whole (default 60 s).
    pub fn timeout(self, d: Duration) -> Self {
        self.set(Setting::Timeout, |o| o.timeout = Some(d.as_secs_f64()))
    }

    /// Retries after a failed attempt (default 2). Shorthand for the policy's setting.
    pub fn max_retries(self, n: u32) -> Self {
        self.set(Setting::MaxRetries, |o| o.max_retries = Some(n))
    }

    /// The whole retry policy (backoff, Retry-After cap, opt-ins, hook), including its
    /// `max_retries`.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        let n = policy.max_retries;
        self.retry = policy;
        self.max_retries(n)
    }

    /// Appended to the User-Agent, to identify your application (`myapp/1.2`).
    pub fn user_agent_suffix(self, suffix: impl Into<String>) -> Self {
        self.set(Setting::UserAgentSuffix, |o| {
            o.user_agent_suffix = Some(suffix.into())
        })
    }

    /// Trusts the CA certificates in this PEM file in addition to the built-in roots.
    pub fn ca_file(self, path: impl Into<PathBuf>) -> Self {
        self.set(Setting::CaFile, |o| o.ca_file = Some(path.into()))
    }

    /// Sends every request through this proxy (`http://user:pass@host:port`). Without it,
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the environment apply.
    pub fn proxy(self, url: impl Into<String>) -> Self {
        self.set(Setting::Proxy, |o| o.proxy = Some(url.into()))
    }

    /// Allows `http://` base URLs for non-loopback hosts (the key then travels in clear).
    pub fn allow_insecure_http(self, yes: bool) -> Self {
        self.set(Setting::AllowInsecureHttp, |o| {
            o.allow_insecure_http = Some(yes)
        })
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

    /// Calls `callback` as each chunk of each attachment is handed to the connection, with
    /// how much of that file has been sent and its size ([`UploadProgress`]): for progress
    /// bars and stall detection. Requests without attachments never call it.
    ///
    /// - Per attachment and attempt: first `bytes_sent` 0, then after each chunk (64 KiB),
    ///   last `bytes_sent == total_bytes`; it never decreases within an attempt. A retried
    ///   attempt re-opens the files and starts again at 0 (`attempt` tells them apart).
    /// - It runs on the thread that writes the request: for a blocking client, the calling
    ///   thread (or, inside an async runtime, the thread the call runs on); for an async
    ///   client, a thread of the runtime that drives the connection (the connection is a
    ///   task of its own, so not necessarily the thread awaiting the call). It runs while
    ///   the upload waits, so keep it short; it is never called with a lock of this library
    ///   held, so it may call the client.
    /// - A panic in it is caught: it is logged (target `commbox`, warning), the callback is
    ///   not called again for the rest of that call, and the upload goes on; the call's
    ///   result is the server's answer, as without the callback. Nothing is poisoned. (With
    ///   `panic = "abort"` a panic aborts, as everywhere.)
    ///
    /// # Examples
    ///
    /// ```
    /// use commbox::UploadProgress;
    ///
    /// let client = commbox::Client::builder()
    ///     .api_key("k")
    ///     .on_upload_progress(|p: &UploadProgress| {
    ///         let percent = if p.total_bytes == 0 { 100 } else { p.bytes_sent * 100 / p.total_bytes };
    ///         eprintln!("{}: {percent}% (attempt {})", p.attachment, p.attempt);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn on_upload_progress(
        mut self,
        callback: impl Fn(&UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(std::sync::Arc::new(callback));
        self
    }

    /// The async client these settings make (the API key is required).
    fn client(self) -> Result<Client> {
        let (settings, base) = self.checked()?;
        let key = self.options.checked_key(&self.origins)?;
        let transport = Transport::new(&settings, &base, Some(&key))
            .map_err(|e| self.origins.qualify_any(e))?;
        Ok(Client::from_parts(transport, settings))
    }

    /// The async inbox client these settings make (the base URL is required).
    fn inbox_client(self, inbox_identifier: &str) -> Result<InboxClient> {
        if self.options.base_url.is_none() {
            return Err(Error::validation(
                "base_url",
                "required for a Chatwoot inbox (the installation, e.g. https://app.chatwoot.com)",
            ));
        }
        let (settings, base) = self.checked()?;
        let transport =
            Transport::new(&settings, &base, None).map_err(|e| self.origins.qualify_any(e))?;
        InboxClient::new(transport, inbox_identifier)
    }

    /// Validates everything but the key: the settings and the base URL.
    fn checked(&self) -> Result<(Settings, String)> {
        let c = self.options.checked(&self.origins)?;
        let mut retry = self.retry.clone();
        if let Some(n) = self.options.max_retries {
            retry = retry.max_retries(n);
        }
        let settings = Settings {
            connect_timeout: c.connect_timeout,
            timeout: c.timeout,
            user_agent: c.user_agent,
            ca_file: self.options.ca_file.clone(),
            proxy: self.options.proxy.clone(),
            retry,
            observer: self.observer.clone(),
            progress: self.progress.clone(),
            allow_insecure_http: c.allow_insecure_http,
        };
        Ok((settings, c.base))
    }
}

impl Builder<Async> {
    /// Checks the settings and builds the client. Errors name the setting at fault (and the
    /// variable, for a value from the environment).
    ///
    /// # Errors
    ///
    /// Nothing is sent, so only these:
    /// - [`ErrorKind::Validation`](crate::ErrorKind::Validation), naming the setting (and the
    ///   variable its value came from): a missing or blank API key; a base URL that is not a
    ///   URL, not https (http is accepted for loopback hosts, or with
    ///   [`allow_insecure_http`](Self::allow_insecure_http)), or has credentials, a query or a
    ///   fragment; a timeout that is not a positive number of seconds; an API key, User-Agent
    ///   suffix or proxy unfit for a header (CR, LF, control characters, over 8000 bytes); a
    ///   proxy that is not a proxy URL; a CA file that holds no PEM certificate; a `COMMBOX_*`
    ///   variable that is not a value of its setting (read by [`with_env`](Self::with_env));
    /// - [`ErrorKind::Io`](crate::ErrorKind::Io) when the CA file cannot be read (or, rarely,
    ///   the I/O runtime cannot be set up);
    /// - [`ErrorKind::Tls`](crate::ErrorKind::Tls) when the TLS stack cannot be set up with
    ///   these settings.
    pub fn build(self) -> Result<Client> {
        self.client()
    }

    /// Builds a client of the Chatwoot public API for one inbox, with these settings
    /// (timeouts, retries, TLS, proxy, observer). The base URL is the Chatwoot installation
    /// (`https://app.chatwoot.com`, an Omnivibe host, …) and must be set; no API key is used.
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build), except that no API key is needed:
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) also when the base URL is not
    /// set or the inbox identifier is blank or malformed. Nothing is sent: a wrong identifier
    /// shows at the first call, as [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    ///
    /// ```
    /// let inbox = commbox::Client::builder()
    ///     .base_url("https://app.chatwoot.com")
    ///     .build_inbox("tK9s3bVnQ1jUq3rP8kE2xYzA")
    ///     .unwrap();
    /// ```
    pub fn build_inbox(self, inbox_identifier: &str) -> Result<InboxClient> {
        self.inbox_client(inbox_identifier)
    }
}

impl Builder<Blocking> {
    /// Checks the settings and builds a blocking client. Errors name the setting at fault
    /// (and the variable, for a value from the environment).
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`]: nothing is sent, and only
    /// [`Validation`](crate::ErrorKind::Validation) (naming the setting), [`Io`](crate::ErrorKind::Io)
    /// (the CA file) and [`Tls`](crate::ErrorKind::Tls) occur.
    ///
    /// ```
    /// let client = commbox::blocking::Client::builder()
    ///     .api_key("my-key")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn build(self) -> Result<blocking::Client> {
        self.client().map(blocking::Client::from)
    }

    /// Builds a blocking client of the Chatwoot public API for one inbox (see
    /// [`ClientBuilder::build_inbox`]).
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build_inbox`].
    pub fn build_inbox(self, inbox_identifier: &str) -> Result<blocking::InboxClient> {
        self.inbox_client(inbox_identifier)
            .map(blocking::InboxClient::from)
    }
}
