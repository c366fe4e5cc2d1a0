//! The hand-written API: retry a closure under a [`RetryPolicy`].

use super::builder::Retry;
use super::policy::RetryPolicy;
use super::sleep::Sleeper;
use core::future::Future;

/// Calls `attempt` until it succeeds or `policy` runs out of tries, sleeping on this thread
/// between tries, and records the call once with
/// [`record_retry`](crate::record_retry)`(operation, tries, success)`.
///
/// `policy` is a [`RetryPolicy`], or just an operation name for the default policy (3 tries,
/// exponential backoff from 100 ms, full jitter). Every error is retried; see [`retry_if`] to
/// choose. In async code use [`retry_async`], which does not block the executor.
///
/// # Errors
///
/// The last error `attempt` returned, unchanged, when no try succeeded.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{retry, RetryPolicy};
///
/// let mut calls = 0;
/// let answer = retry(RetryPolicy::new("flaky").delay(Duration::from_millis(1)), || {
///     calls += 1;
///     if calls < 3 { Err("connection reset") } else { Ok(42) }
/// });
/// assert_eq!(answer, Ok(42));
/// assert_eq!(calls, 3);
/// ```
pub fn retry<T, E>(
    policy: impl Into<RetryPolicy>,
    attempt: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    retry_if(policy, |_| true, attempt)
}

/// Like [`retry`], but an error is retried only if `retryable` says so; any other error is
/// returned at once.
///
/// # Errors
///
/// The first error `retryable` rejects, or the last error when no try succeeded.
///
/// ```
/// use gort_metrics::retry_if;
///
/// #[derive(Debug, PartialEq)]
/// enum ApiError { Timeout, NotFound }
///
/// let mut calls = 0;
/// let result: Result<(), ApiError> = retry_if(
///     "lookup",
///     |error| *error == ApiError::Timeout,
///     || {
///         calls += 1;
///         Err(ApiError::NotFound)
///     },
/// );
/// assert_eq!(result, Err(ApiError::NotFound));
/// assert_eq!(calls, 1);
/// ```
pub fn retry_if<T, E>(
    policy: impl Into<RetryPolicy>,
    retryable: impl FnMut(&E) -> bool,
    attempt: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    Retry::new(policy).when(retryable).run(attempt)
}

/// Awaits the future `attempt` makes until one succeeds or `policy` runs out of tries, waiting
/// between tries with the [`DefaultSleeper`](super::sleep::DefaultSleeper) (tokio's timer with the default features), and
/// records the call once with [`record_retry`](crate::record_retry). Dropping the returned
/// future records the call as failed.
///
/// # Errors
///
/// The last error, unchanged, when no try succeeded.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{retry_async, RetryPolicy};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut calls = 0;
/// let answer = retry_async(RetryPolicy::new("flaky").delay(Duration::from_millis(1)), || {
///     calls += 1;
///     let call = calls;
///     async move { if call < 2 { Err("busy") } else { Ok(call) } }
/// })
/// .await;
/// assert_eq!(answer, Ok(2));
/// # }
/// ```
pub async fn retry_async<T, E, F: Future<Output = Result<T, E>>>(
    policy: impl Into<RetryPolicy>,
    attempt: impl FnMut() -> F,
) -> Result<T, E> {
    Retry::new(policy).run_async(attempt).await
}

/// Like [`retry_async`], but an error is retried only if `retryable` says so.
///
/// # Errors
///
/// The first error `retryable` rejects, or the last error when no try succeeded.
///
/// ```
/// use gort_metrics::retry_async_if;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let result: Result<(), u16> = retry_async_if("fetch", |status| *status >= 500, || async {
///     Err(404)
/// })
/// .await;
/// assert_eq!(result, Err(404));
/// # }
/// ```
pub async fn retry_async_if<T, E, F: Future<Output = Result<T, E>>>(
    policy: impl Into<RetryPolicy>,
    retryable: impl FnMut(&E) -> bool,
    attempt: impl FnMut() -> F,
) -> Result<T, E> {
    Retry::new(policy).when(retryable).run_async(attempt).await
}

/// The general async form, with its settings by position: retries `attempt` per `policy`,
/// only errors `retryable` accepts, waiting with `sleeper`. Prefer [`Retry`], which names
/// them: `Retry::new(policy).when(retryable).sleeper(sleeper).run_async(attempt)`.
///
/// # Errors
///
/// The first error `retryable` rejects, or the last error when no try succeeded.
///
/// ```
/// # #![allow(deprecated)]
/// use std::time::Duration;
/// use gort_metrics::{retry_async_with, RetryPolicy, TimerThreadSleeper};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let policy = RetryPolicy::new("send").attempts(2).delay(Duration::from_millis(1));
/// let result: Result<(), &str> =
///     retry_async_with(policy, TimerThreadSleeper, |_| true, || async { Err("offline") }).await;
/// assert_eq!(result, Err("offline"));
/// # }
/// ```
#[deprecated(
    since = "0.1.0",
    note = "use `Retry::new(policy).when(retryable).sleeper(sleeper).run_async(attempt)`"
)]
pub async fn retry_async_with<T, E, F: Future<Output = Result<T, E>>>(
    policy: impl Into<RetryPolicy>,
    sleeper: impl Sleeper,
    retryable: impl FnMut(&E) -> bool,
    attempt: impl FnMut() -> F,
) -> Result<T, E> {
    Retry::new(policy)
        .when(retryable)
        .sleeper(sleeper)
        .run_async(attempt)
        .await
}
