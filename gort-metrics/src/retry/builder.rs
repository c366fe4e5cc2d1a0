//! [`Retry`]: a retried call put together by name, not by position: the policy, then, if the
//! defaults do not fit, which errors to retry and what to wait with.

use super::driver::Retrying;
use super::policy::RetryPolicy;
use super::sleep::{DefaultSleeper, Sleeper};
use core::future::Future;
use core::ops::ControlFlow;
use std::time::Instant;

/// A retried call: a [`RetryPolicy`], which errors are worth another try (every one unless
/// [`when`](Self::when) says otherwise), and for async calls the [`Sleeper`] to wait with
/// ([`DefaultSleeper`] unless [`sleeper`](Self::sleeper) says otherwise).
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Retry, RetryPolicy, TimerThreadSleeper};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let policy = RetryPolicy::new("send").attempts(4).delay(Duration::from_millis(1));
/// let mut calls = 0;
/// let result: Result<(), u16> = Retry::new(policy)
///     .when(|status: &u16| *status >= 500)
///     .sleeper(TimerThreadSleeper)
///     .run_async(|| {
///         calls += 1;
///         let status = if calls < 3 { 503 } else { 404 };
///         async move { Err(status) }
///     })
///     .await;
/// assert_eq!(result, Err(404));
/// assert_eq!(calls, 3);
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a Retry does nothing until `run` or `run_async`"]
pub struct Retry<W = EveryError, S = DefaultSleeper> {
    policy: RetryPolicy,
    when: W,
    sleeper: S,
}

impl Retry {
    /// A call under `policy` (or the default policy of an operation name) that retries every
    /// error and waits with the [`DefaultSleeper`].
    ///
    /// ```
    /// let result = gort_metrics::Retry::new("ping").run(|| Ok::<_, ()>("pong"));
    /// assert_eq!(result, Ok("pong"));
    /// ```
    pub fn new(policy: impl Into<RetryPolicy>) -> Self {
        Retry {
            policy: policy.into(),
            when: EveryError,
            sleeper: DefaultSleeper,
        }
    }
}

impl<W, S> Retry<W, S> {
    /// Retries an error only if `when` says so; any other error is returned at once.
    ///
    /// ```
    /// use gort_metrics::Retry;
    ///
    /// let mut calls = 0;
    /// let result: Result<(), &str> = Retry::new("auth")
    ///     .when(|error: &&str| *error == "timeout")
    ///     .run(|| {
    ///         calls += 1;
    ///         Err("forbidden")
    ///     });
    /// assert_eq!((result, calls), (Err("forbidden"), 1));
    /// ```
    pub fn when<When>(self, when: When) -> Retry<When, S> {
        Retry {
            policy: self.policy,
            when,
            sleeper: self.sleeper,
        }
    }

    /// Waits between async tries with `sleeper`, whose clock also measures the policy's time
    /// budget. Blocking calls ([`run`](Self::run)) always sleep on their own thread.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::{Retry, RetryPolicy, TimerThreadSleeper};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let policy = RetryPolicy::new("send").attempts(2).delay(Duration::from_millis(1));
    /// let result: Result<(), &str> = Retry::new(policy)
    ///     .sleeper(TimerThreadSleeper)
    ///     .run_async(|| async { Err("offline") })
    ///     .await;
    /// assert_eq!(result, Err("offline"));
    /// # }
    /// ```
    pub fn sleeper<Sl: Sleeper>(self, sleeper: Sl) -> Retry<W, Sl> {
        Retry {
            policy: self.policy,
            when: self.when,
            sleeper,
        }
    }

    /// Calls `attempt` until it succeeds, an error is not to be retried, or the policy runs
    /// out, sleeping on this thread between tries, and records the call once with
    /// [`record_retry`](crate::record_retry).
    ///
    /// # Errors
    ///
    /// The first error [`when`](Self::when) rejects, or the last error when no try succeeded.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::{Retry, RetryPolicy};
    ///
    /// let mut calls = 0;
    /// let result = Retry::new(RetryPolicy::new("flaky").delay(Duration::from_millis(1))).run(|| {
    ///     calls += 1;
    ///     if calls < 2 { Err("reset") } else { Ok(calls) }
    /// });
    /// assert_eq!(result, Ok(2));
    /// ```
    pub fn run<T, E>(mut self, mut attempt: impl FnMut() -> Result<T, E>) -> Result<T, E>
    where
        W: RetryWhen<E>,
    {
        Retrying::new(self.policy, Instant::now)
            .run_blocking(|error| self.when.should_retry(error), |_| attempt())
    }

    /// Awaits the future `attempt` makes until one succeeds, an error is not to be retried,
    /// or the policy runs out, waiting with the sleeper between tries, and records the call
    /// once with [`record_retry`](crate::record_retry). Dropping the returned future records
    /// the call as failed.
    ///
    /// # Errors
    ///
    /// The first error [`when`](Self::when) rejects, or the last error when no try succeeded.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::{Retry, RetryPolicy};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let policy = RetryPolicy::new("fetch").delay(Duration::from_millis(1));
    /// let result: Result<u8, &str> = Retry::new(policy).run_async(|| async { Ok(7) }).await;
    /// assert_eq!(result, Ok(7));
    /// # }
    /// ```
    pub async fn run_async<T, E, F>(mut self, mut attempt: impl FnMut() -> F) -> Result<T, E>
    where
        W: RetryWhen<E>,
        S: Sleeper,
        F: Future<Output = Result<T, E>>,
    {
        let sleeper = self.sleeper;
        let mut retrying = Retrying::new(self.policy, || sleeper.now());
        loop {
            retrying.start_try();
            let result = attempt().await;
            let when = |error: &E| self.when.should_retry(error);
            if let ControlFlow::Break(result) =
                retrying.after_try_async(result, when, &sleeper).await
            {
                return result;
            }
        }
    }
}

/// Which errors a [`Retry`] tries again after: [`EveryError`], or any `FnMut(&E) -> bool`.
///
/// ```
/// use gort_metrics::{EveryError, RetryWhen};
///
/// let mut transient = |code: &u16| *code >= 500;
/// assert!(transient.should_retry(&503));
/// assert!(!transient.should_retry(&404));
/// assert!(EveryError.should_retry(&404));
/// ```
pub trait RetryWhen<E> {
    /// Whether `error` is worth another try.
    fn should_retry(&mut self, error: &E) -> bool;
}

impl<E, F: FnMut(&E) -> bool> RetryWhen<E> for F {
    fn should_retry(&mut self, error: &E) -> bool {
        self(error)
    }
}

/// Every error is worth another try: what a [`Retry`] does unless told otherwise.
///
/// ```
/// use gort_metrics::{EveryError, RetryWhen};
///
/// assert!(EveryError.should_retry(&"anything"));
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EveryError;

impl<E> RetryWhen<E> for EveryError {
    fn should_retry(&mut self, _error: &E) -> bool {
        true
    }
}
