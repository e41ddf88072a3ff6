//! Chaos mode: a share of API requests faulted at random, for soak tests
//! (`POST|GET|DELETE /__mock/chaos`).
//!
//! Queued faults (faults.rs) say exactly which request fails; chaos says only how often and
//! how, so that thousands of calls from many threads meet every failure a client has to
//! survive. Each faulted request is tagged in its record (`RecordedRequest::chaos`), and the
//! mock counts what it injected, so a soak can check its own accounting against the mock's.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::faults::Fault;

/// What a random fault does to one request.
///
/// In JSON, the names in quotes below. Only `drop_after` lets the request be processed; every
/// other kind acts before the route runs, so nothing is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ChaosKind {
    /// `"500"`: the API's 500 answer.
    #[serde(rename = "500")]
    Status500,
    /// `"502"`: the API's 502 answer.
    #[serde(rename = "502")]
    Status502,
    /// `"503"`: the API's 503 answer, without `Retry-After`.
    #[serde(rename = "503")]
    Status503,
    /// `"503_retry_after"`: 503 with `Retry-After` (the settings' `retry_after`).
    #[serde(rename = "503_retry_after")]
    Status503RetryAfter,
    /// `"504"`: the API's 504 answer.
    #[serde(rename = "504")]
    Status504,
    /// `"429"`: the API's 429 answer, without `Retry-After`.
    #[serde(rename = "429")]
    Status429,
    /// `"429_retry_after"`: 429 with `Retry-After` (the settings' `retry_after`).
    #[serde(rename = "429_retry_after")]
    Status429RetryAfter,
    /// `"drop"`: the connection is reset before the request is processed; no answer.
    #[serde(rename = "drop")]
    Drop,
    /// `"drop_after"`: the request is processed (a create stores its object), then the
    /// connection is reset instead of answering. The client cannot know it worked.
    #[serde(rename = "drop_after")]
    DropAfter,
    /// `"delay"`: wait `delay_ms`, then answer normally. Not a failure.
    #[serde(rename = "delay")]
    Delay,
}

impl ChaosKind {
    /// Every kind, in the order of the default mix.
    pub const ALL: [ChaosKind; 10] = [
        ChaosKind::Status500,
        ChaosKind::Status502,
        ChaosKind::Status503,
        ChaosKind::Status503RetryAfter,
        ChaosKind::Status504,
        ChaosKind::Status429,
        ChaosKind::Status429RetryAfter,
        ChaosKind::Drop,
        ChaosKind::DropAfter,
        ChaosKind::Delay,
    ];

    /// Whether the client sees a failed attempt (everything but `delay`).
    pub fn is_failure(self) -> bool {
        self != ChaosKind::Delay
    }

    /// Whether the request is processed before the fault acts (`drop_after`).
    pub fn processes_request(self) -> bool {
        matches!(self, ChaosKind::DropAfter | ChaosKind::Delay)
    }

    /// The queued-fault equivalent acting before the route runs; `None` for `drop_after`,
    /// which acts after it.
    fn fault_before(self, settings: &ChaosSettings) -> Option<Fault> {
        let fault = match self {
            ChaosKind::Status500 => Fault::status(500),
            ChaosKind::Status502 => Fault::status(502),
            ChaosKind::Status503 => Fault::status(503),
            ChaosKind::Status503RetryAfter => {
                Fault::status(503).with_retry_after(settings.retry_after.clone())
            }
            ChaosKind::Status504 => Fault::status(504),
            ChaosKind::Status429 => Fault::status(429),
            ChaosKind::Status429RetryAfter => {
                Fault::status(429).with_retry_after(settings.retry_after.clone())
            }
            ChaosKind::Drop => Fault::drop_connection(),
            ChaosKind::Delay => Fault::delay(settings.delay_ms),
            ChaosKind::DropAfter => return None,
        };
        Some(fault)
    }
}

/// Chaos settings (the body of `POST /__mock/chaos`).
///
/// `{"rate":0.05,"seed":7,"kinds":["500","429_retry_after","drop_after"],"retry_after":"1","delay_ms":20}`;
/// every field but `rate` is optional. Each API request is faulted with probability `rate`,
/// with a kind drawn uniformly from `kinds` (list a kind twice to make it twice as likely).
/// The draws come from one generator seeded with `seed`, in the order requests arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChaosSettings {
    /// Share of API requests to fault, from 0 (none) to 1 (all).
    pub rate: f64,
    /// Seed of the random draws.
    #[serde(default)]
    pub seed: u64,
    /// The kinds to draw from; default: every kind.
    #[serde(default = "all_kinds")]
    pub kinds: Vec<ChaosKind>,
    /// `Retry-After` value of the `*_retry_after` kinds (default `"1"`).
    #[serde(default = "one_second")]
    pub retry_after: String,
    /// Delay of the `delay` kind in milliseconds (default 20).
    #[serde(default = "short_delay")]
    pub delay_ms: u64,
}

fn all_kinds() -> Vec<ChaosKind> {
    ChaosKind::ALL.to_vec()
}

fn one_second() -> String {
    "1".to_owned()
}

fn short_delay() -> u64 {
    20
}

impl ChaosSettings {
    /// Faults `rate` of the requests with every kind, seed 0, `Retry-After: 1`, 20 ms delays.
    pub fn new(rate: f64) -> Self {
        ChaosSettings {
            rate,
            seed: 0,
            kinds: all_kinds(),
            retry_after: one_second(),
            delay_ms: short_delay(),
        }
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the kinds to draw from.
    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = ChaosKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// Why these settings cannot be used, if they cannot.
    pub(crate) fn problem(&self) -> Option<String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Some("rate must be between 0 and 1".to_owned());
        }
        if self.kinds.is_empty() {
            return Some("kinds must not be empty".to_owned());
        }
        Fault::status(429)
            .with_retry_after(self.retry_after.clone())
            .problem()
    }
}

/// What chaos mode has done since it was last set (`GET /__mock/chaos`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChaosReport {
    /// The settings in force; `None` when chaos is off.
    pub settings: Option<ChaosSettings>,
    /// API requests that chaos mode drew for (requests a queued fault took are not drawn for).
    pub requests: u64,
    /// Faults injected, by kind (kinds never drawn are absent).
    pub injected: BTreeMap<ChaosKind, u64>,
    /// Injected faults that failed an attempt: every kind but `delay`.
    pub failures: u64,
}

struct Active {
    settings: ChaosSettings,
    rng: fastrand::Rng,
}

#[derive(Default)]
struct Inner {
    active: Option<Active>,
    report: ChaosReport,
}

/// The chaos mode of one mock.
#[derive(Default)]
pub(crate) struct Chaos(Mutex<Inner>);

/// A random fault chosen for one request.
#[derive(Debug, Clone)]
pub(crate) struct Pick {
    pub kind: ChaosKind,
    /// What to do before the route runs; `None` for `drop_after`.
    pub fault: Option<Fault>,
}

impl Chaos {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Turns chaos on with `settings` (or off with `None`) and starts a new report.
    pub(crate) fn set(&self, settings: Option<ChaosSettings>) {
        let mut inner = self.inner();
        inner.report = ChaosReport {
            settings: settings.clone(),
            ..ChaosReport::default()
        };
        inner.active = settings.map(|settings| Active {
            rng: fastrand::Rng::with_seed(settings.seed),
            settings,
        });
    }

    /// Turns chaos off, keeping the counts; returns the final report.
    pub(crate) fn stop(&self) -> ChaosReport {
        let mut inner = self.inner();
        inner.active = None;
        inner.report.settings = None;
        inner.report.clone()
    }

    pub(crate) fn report(&self) -> ChaosReport {
        self.inner().report.clone()
    }

    /// Draws for one API request: the fault to inject, if any.
    pub(crate) fn pick(&self) -> Option<Pick> {
        let mut inner = self.inner();
        let Inner { active, report } = &mut *inner;
        let active = active.as_mut()?;
        report.requests += 1;
        if active.rng.f64() >= active.settings.rate {
            return None;
        }
        let kinds = &active.settings.kinds;
        let kind = kinds[active.rng.usize(..kinds.len())];
        *report.injected.entry(kind).or_default() += 1;
        if kind.is_failure() {
            report.failures += 1;
        }
        Some(Pick {
            kind,
            fault: kind.fault_before(&active.settings),
        })
    }
}
