//! [`RetryPolicy`]: how many tries, how long to wait between them, and for how long in all.

use super::backoff::{self, Backoff};
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// How to retry an operation: its name, how many tries, and the waits between them.
///
/// The defaults are those of `#[retried]`: 3 tries, exponential backoff from 100 ms capped at
/// 10 s, full jitter, no overall time limit.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Backoff, RetryPolicy};
///
/// let policy = RetryPolicy::new("api-call")
///     .attempts(5)
///     .delay(Duration::from_millis(50))
///     .max_delay(Duration::from_secs(1))
///     .backoff(Backoff::Exponential)
///     .jitter(true)
///     .max_elapsed(Duration::from_secs(3));
/// assert_eq!(policy.operation(), "api-call");
/// assert_eq!(policy.wait_ceiling(1), Duration::from_millis(50));
/// assert_eq!(policy.wait_ceiling(3), Duration::from_millis(200));
/// assert_eq!(policy.wait_ceiling(9), Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    operation: Cow<'static, str>,
    attempts: u32,
    delay: Duration,
    max_delay: Duration,
    backoff: Backoff,
    jitter: bool,
    max_elapsed: Option<Duration>,
    seed: Option<u64>,
}

impl RetryPolicy {
    /// The default policy for the operation named `operation`, the label its retries are
    /// recorded under.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::RetryPolicy;
    ///
    /// let policy = RetryPolicy::new(format!("fetch-{}", "user"));
    /// assert_eq!(policy.operation(), "fetch-user");
    /// assert_eq!(policy.max_attempts(), 3);
    /// assert_eq!(policy.wait_ceiling(1), Duration::from_millis(100));
    /// ```
    pub fn new(operation: impl Into<Cow<'static, str>>) -> Self {
        RetryPolicy {
            operation: operation.into(),
            attempts: 3,
            delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
            backoff: Backoff::Exponential,
            jitter: true,
            max_elapsed: None,
            seed: None,
        }
    }

    /// Total tries, the first included.
    ///
    /// # Zero
    ///
    /// A retried call always makes its first try, so `attempts(0)` is clamped to `1`: one try,
    /// no retry. Where the count comes from configuration and a zero is a mistake to report,
    /// use [`try_attempts`](Self::try_attempts), which rejects it.
    ///
    /// ```
    /// use gort_metrics::{retry, RetryPolicy};
    ///
    /// let policy = RetryPolicy::new("op").attempts(0);
    /// assert_eq!(policy.max_attempts(), 1);
    ///
    /// let mut calls = 0;
    /// let result = retry(policy, || {
    ///     calls += 1;
    ///     Err::<(), _>("down")
    /// });
    /// assert_eq!((result, calls), (Err("down"), 1));
    /// ```
    #[must_use]
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Total tries, the first included, rejecting `0` instead of clamping it as
    /// [`attempts`](Self::attempts) does.
    ///
    /// # Errors
    ///
    /// [`ZeroAttempts`] when `attempts` is `0`: a call cannot make fewer than one try.
    ///
    /// ```
    /// use gort_metrics::{RetryPolicy, ZeroAttempts};
    ///
    /// let configured: u32 = "0".parse().unwrap();
    /// assert_eq!(RetryPolicy::new("op").try_attempts(configured), Err(ZeroAttempts));
    /// assert_eq!(RetryPolicy::new("op").try_attempts(4).map(|p| p.max_attempts()), Ok(4));
    /// ```
    pub fn try_attempts(self, attempts: u32) -> Result<Self, ZeroAttempts> {
        if attempts == 0 {
            Err(ZeroAttempts)
        } else {
            Ok(self.attempts(attempts))
        }
    }

    /// The wait after the first failed try; later waits grow from it per [`Backoff`].
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = gort_metrics::RetryPolicy::new("op").delay(Duration::from_millis(20));
    /// assert_eq!(policy.wait_ceiling(2), Duration::from_millis(40));
    /// ```
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The longest any single wait may be, jitter included.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = gort_metrics::RetryPolicy::new("op").max_delay(Duration::from_millis(150));
    /// assert_eq!(policy.wait_ceiling(2), Duration::from_millis(150));
    /// ```
    #[must_use]
    pub fn max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// How the waits grow: [`Backoff::Exponential`] (the default) or [`Backoff::Fixed`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::{Backoff, RetryPolicy};
    ///
    /// let policy = RetryPolicy::new("op").backoff(Backoff::Fixed);
    /// assert_eq!(policy.wait_ceiling(5), Duration::from_millis(100));
    /// ```
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// With jitter (the default), each wait is drawn uniformly from zero to its
    /// [ceiling](Self::wait_ceiling), so that clients that failed together do not retry
    /// together. Without it, each wait is exactly its ceiling.
    ///
    /// ```
    /// let policy = gort_metrics::RetryPolicy::new("op").jitter(false);
    /// # let _ = policy;
    /// ```
    #[must_use]
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// A time budget for the whole call: no wait is started that would end after
    /// `max_elapsed` has passed since the first try began; the last error is returned instead.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = gort_metrics::RetryPolicy::new("op").max_elapsed(Duration::from_secs(2));
    /// assert_eq!(policy.max_elapsed_budget(), Some(Duration::from_secs(2)));
    /// ```
    #[must_use]
    pub fn max_elapsed(mut self, max_elapsed: Duration) -> Self {
        self.max_elapsed = Some(max_elapsed);
        self
    }

    /// Makes the jitter reproducible: every call under this policy draws the same sequence of
    /// waits. Meant for tests; by default each call draws from a fresh, unpredictable seed.
    ///
    /// ```
    /// let policy = gort_metrics::RetryPolicy::new("op").jitter_seed(42);
    /// # let _ = policy;
    /// ```
    #[must_use]
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The label retries are recorded under.
    ///
    /// ```
    /// assert_eq!(gort_metrics::RetryPolicy::new("send").operation(), "send");
    /// ```
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// Total tries allowed, the first included.
    ///
    /// ```
    /// assert_eq!(gort_metrics::RetryPolicy::new("op").attempts(7).max_attempts(), 7);
    /// ```
    pub fn max_attempts(&self) -> u32 {
        self.attempts
    }

    /// The time budget set by [`max_elapsed`](Self::max_elapsed), if any.
    ///
    /// ```
    /// assert_eq!(gort_metrics::RetryPolicy::new("op").max_elapsed_budget(), None);
    /// ```
    pub fn max_elapsed_budget(&self) -> Option<Duration> {
        self.max_elapsed
    }

    /// The longest wait after try number `try_number` (1 for the first try), before jitter:
    /// `delay * 2^(try_number - 1)` or `delay`, capped at `max_delay`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::RetryPolicy;
    ///
    /// let policy = RetryPolicy::new("op").max_delay(Duration::from_millis(300));
    /// assert_eq!(policy.wait_ceiling(1), Duration::from_millis(100));
    /// assert_eq!(policy.wait_ceiling(2), Duration::from_millis(200));
    /// assert_eq!(policy.wait_ceiling(3), Duration::from_millis(300));
    /// ```
    pub fn wait_ceiling(&self, try_number: u32) -> Duration {
        backoff::wait_ceiling(self.backoff, self.delay, self.max_delay, try_number)
    }

    pub(crate) fn has_jitter(&self) -> bool {
        self.jitter
    }

    pub(crate) fn seed(&self) -> Option<u64> {
        self.seed
    }
}

/// The error of [`RetryPolicy::try_attempts`] given `0`: every call makes at least one try.
///
/// ```
/// use gort_metrics::ZeroAttempts;
///
/// assert_eq!(ZeroAttempts.to_string(), "a retry policy needs at least one attempt, got 0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZeroAttempts;

impl fmt::Display for ZeroAttempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a retry policy needs at least one attempt, got 0")
    }
}

impl std::error::Error for ZeroAttempts {}

impl From<&'static str> for RetryPolicy {
    /// The default policy for the named operation, so `retry("fetch", ..)` reads naturally.
    fn from(operation: &'static str) -> Self {
        RetryPolicy::new(operation)
    }
}

impl From<String> for RetryPolicy {
    /// The default policy for the named operation.
    fn from(operation: String) -> Self {
        RetryPolicy::new(operation)
    }
}
