//! When a failed attempt is sent again, and after how long.
//!
//! The rule (DESIGN.md): never re-send a create that may have reached the server, because
//! neither API de-duplicates, unless the server said it did not process it (429, 503).
//! Connect failures are always safe to retry. Reads and other idempotent calls also retry
//! timeouts, broken connections and 500/502/504.

use crate::error::RetrySafety;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A function called before each retry.
type RetryHook = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// How the client retries. The defaults follow DESIGN.md: 2 retries, backoff
/// `min(0.5·2^n, 5)` s with 50–100 % jitter, `Retry-After` honoured up to 60 s.
///
/// ```
/// use commbox::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::default()
///     .max_retries(4)
///     .max_retry_after(Duration::from_secs(10))
///     .on_retry(|e| eprintln!("retrying {} in {:?}: {}", e.path, e.delay, e.reason));
/// ```
#[derive(Clone)]
#[must_use = "a policy applies only once given to `ClientBuilder::retry_policy`"]
pub struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) retry_unsafe: bool,
    pub(crate) hook: Option<RetryHook>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
            retry_unsafe: false,
            hook: None,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("max_retry_after", &self.max_retry_after)
            .field("retry_unsafe", &self.retry_unsafe)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn never() -> RetryPolicy {
        RetryPolicy::default().max_retries(0)
    }

    /// How many times a failed call is sent again (default 2; 0 disables retries).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The first backoff delay; later ones double up to [`RetryPolicy::max_backoff`].
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The longest backoff delay (default 5 s).
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The longest `Retry-After` the client waits for (default 60 s). A longer one ends the
    /// call at once with a rate-limited (or server) error carrying the delay.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Opt-in: also re-send creates after a timeout, a broken connection or a 500/502/504.
    /// Neither API de-duplicates, so this can create a conversation or message twice.
    pub fn retry_unsafe_requests(mut self, yes: bool) -> Self {
        self.retry_unsafe = yes;
        self
    }

    /// Calls `hook` before every retry (for metrics or logs). It runs on the calling thread
    /// and must not block for long.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The jittered delay before retry number `retry` (1-based).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let capped = exp.min(self.max_backoff);
        capped.mul_f64(0.5 + 0.5 * fastrand::f64())
    }
}

/// What a retry hook is told.
#[derive(Debug, Clone)]
pub struct RetryEvent {
    /// The attempt about to be made (2 for the first retry).
    pub attempt: u32,
    /// How long the client waits before it.
    pub delay: Duration,
    /// Why the previous attempt failed.
    pub reason: String,
    /// HTTP method.
    pub method: String,
    /// Path on the API (no host, no query).
    pub path: String,
    /// The `X-Request-Id` of the call (the same for all its attempts).
    pub request_id: String,
}

/// Why an attempt failed, for the retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptFailure {
    /// The connection was never established: nothing reached the server.
    NotSent,
    /// Sent, but no complete answer (timeout, reset, broken connection).
    MaybeProcessed,
    /// The server answered with this status.
    Status(u16),
    /// TLS refused the server (its certificate, or what it said in the handshake): the
    /// same server is refused again, so waiting and retrying only delays the error.
    Untrusted,
}

impl AttemptFailure {
    /// What this failure says about sending the request again, by the rule of
    /// [`RetrySafety`]; [`AttemptFailure::retryable`] re-sends a create only when it is
    /// `Safe` and another attempt may succeed.
    pub(crate) fn retry_safety(self) -> RetrySafety {
        match self {
            AttemptFailure::NotSent | AttemptFailure::Untrusted => RetrySafety::Safe,
            AttemptFailure::MaybeProcessed => RetrySafety::MayDuplicate,
            AttemptFailure::Status(status) => RetrySafety::of_status(status),
        }
    }

    /// May this failure be retried for a request that is (or is not) idempotent?
    pub(crate) fn retryable(self, idempotent: bool, policy: &RetryPolicy) -> bool {
        let safe = idempotent || policy.retry_unsafe;
        match self {
            AttemptFailure::NotSent => true,
            AttemptFailure::MaybeProcessed => safe,
            AttemptFailure::Status(429 | 503) => true,
            AttemptFailure::Status(408 | 500 | 502 | 504) => safe,
            AttemptFailure::Status(_) => false,
            AttemptFailure::Untrusted => false,
        }
    }
}

/// Parses `Retry-After`: delta seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs.min(1e9)));
        }
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d1 = p.backoff(1);
            assert!(d1 >= Duration::from_millis(250) && d1 <= Duration::from_millis(500));
            let d3 = p.backoff(3);
            assert!(d3 >= Duration::from_millis(1000) && d3 <= Duration::from_millis(2000));
            let d9 = p.backoff(9);
            assert!(d9 >= Duration::from_millis(2500) && d9 <= Duration::from_secs(5));
            assert!(p.backoff(80) <= Duration::from_secs(5));
        }
    }

    #[test]
    fn creates_are_not_resent_unless_the_server_refused_them() {
        let p = RetryPolicy::default();
        assert!(AttemptFailure::NotSent.retryable(false, &p));
        assert!(AttemptFailure::Status(429).retryable(false, &p));
        assert!(AttemptFailure::Status(503).retryable(false, &p));
        assert!(!AttemptFailure::Status(500).retryable(false, &p));
        assert!(!AttemptFailure::Status(502).retryable(false, &p));
        assert!(!AttemptFailure::MaybeProcessed.retryable(false, &p));
        assert!(AttemptFailure::Status(500).retryable(true, &p));
        assert!(AttemptFailure::MaybeProcessed.retryable(true, &p));
        assert!(!AttemptFailure::Status(400).retryable(true, &p));
        assert!(!AttemptFailure::Untrusted.retryable(true, &p));
        let opt_in = RetryPolicy::default().retry_unsafe_requests(true);
        assert!(AttemptFailure::MaybeProcessed.retryable(false, &opt_in));
    }

    #[test]
    fn a_create_is_resent_only_after_a_failure_that_says_safe() {
        let p = RetryPolicy::default();
        let mut failures = vec![
            AttemptFailure::NotSent,
            AttemptFailure::MaybeProcessed,
            AttemptFailure::Untrusted,
        ];
        failures.extend((300..600).map(AttemptFailure::Status));
        for f in failures {
            if f.retryable(false, &p) {
                assert_eq!(f.retry_safety(), RetrySafety::Safe, "{f:?}");
            }
            // And what a read retries but a create does not is what may duplicate.
            if f.retryable(true, &p) && !f.retryable(false, &p) {
                assert_eq!(f.retry_safety(), RetrySafety::MayDuplicate, "{f:?}");
            }
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }
}
