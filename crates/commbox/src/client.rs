//! The async CommBox client.

use crate::builder::ClientBuilder;
use crate::error::Result;
use crate::options::checked_base_url;
use crate::transport::{Settings, Transport};
use std::fmt;
use std::sync::Arc;

/// A CommBox API client, async: its calls are futures, run on the caller's tokio runtime.
/// For a program without one, [`blocking::Client`](crate::blocking::Client) has the same
/// calls, each returning when done.
///
/// Cheap to clone (clones share one connection pool) and safe to share between tasks and
/// threads: build it once and reuse it. Its connections live on the runtime that first
/// polls them, so use a client with one runtime (as with reqwest).
///
/// Dropping a call's future cancels it. A call cancelled before its request was sent sends
/// nothing; one cancelled after is reported (a `warn` log record and a
/// [`CallEvent`](crate::CallEvent) with `cancelled` and `may_have_been_processed` set) as
/// possibly processed, like a create that timed out.
///
/// ```no_run
/// # async fn run() -> commbox::Result<()> {
/// use commbox::{Client, SmsConversation};
/// let client = Client::builder().api_key(std::env::var("COMMBOX_API_KEY").unwrap()).build()?;
/// let id = client
///     .create_conversation("STREAM_ID", SmsConversation::new("+972544444444", "Hello"))
///     .await?;
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
    pub(crate) fn from_parts(transport: Transport, settings: Settings) -> Client {
        Client {
            inner: Arc::new(Inner {
                transport,
                settings,
            }),
        }
    }
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
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation), naming `base_url` or
    /// `inbox_identifier`, for a base URL that is not an https URL (http only to loopback
    /// hosts, unless this client allows insecure http) or has credentials, a query or a
    /// fragment, and for a blank or malformed inbox identifier. Nothing is sent: a wrong
    /// identifier shows at the first call, as
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
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

/// One client is shared between threads: these must stay true.
const _: () = {
    const fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
    assert_shareable::<Client>();
    assert_shareable::<crate::blocking::Client>();
    assert_shareable::<crate::chatwoot::InboxClient>();
    assert_shareable::<crate::blocking::InboxClient>();
    assert_shareable::<crate::Error>();
    assert_shareable::<crate::NewConversation>();
    assert_shareable::<crate::NewMessage>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_checks_never_echo_the_key() {
        let e = Client::builder().api_key("sec\r\nret").build().unwrap_err();
        assert_eq!(e.field(), Some("api_key"));
        assert!(!e.to_string().contains("sec"));
        let e = Client::builder().build().unwrap_err();
        assert_eq!(e.to_string(), "api_key: required");
    }
}
