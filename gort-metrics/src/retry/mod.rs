//! Retrying fallible calls with backoff, recording attempts and outcome.
//!
//! - [`RetryPolicy`]: tries, first delay, cap, [`Backoff`], full jitter, time budget.
//! - [`retry`] / [`retry_if`] (blocking) and [`retry_async`] / [`retry_async_if`]: run a
//!   closure under a policy; [`Retry`] also chooses which errors to retry and the sleeper.
//! - [`Sleeper`]: how async retries wait ([`TokioSleeper`], [`TimerThreadSleeper`]).
//! - `#[retried]` expands to the same driver; `private` holds what its expansion calls.
//!
//! The pure arithmetic (`backoff`) is apart from the state (`driver`), which is apart from the
//! clocks (`sleep`).

mod argument;
mod backoff;
mod builder;
mod driver;
mod policy;
mod random;
mod run;
mod sleep;

pub use backoff::Backoff;
pub use builder::{EveryError, Retry, RetryWhen};
pub use policy::{RetryPolicy, ZeroAttempts};
#[allow(deprecated)]
pub use run::{retry, retry_async, retry_async_if, retry_async_with, retry_if};
#[cfg(feature = "tokio")]
pub use sleep::TokioSleeper;
pub use sleep::{DefaultSleep, DefaultSleeper, Sleeper, TimerThreadSleep, TimerThreadSleeper};

/// What `#[retried]` expansions call, re-exported as `::gort_metrics::__private`.
pub(crate) mod private {
    pub use super::argument::{ArgumentSlot, RetryArgument};
    pub use super::backoff::Backoff;
    pub use super::driver::Retrying;
    pub use super::policy::RetryPolicy;
    pub use super::sleep::{DefaultSleeper, Sleeper};

    /// Every error is worth another try: the default of `when`.
    #[inline]
    pub fn retry_every_error<E>(_error: &E) -> bool {
        true
    }

    /// The clock a synchronous retried call measures its time budget on.
    #[inline]
    pub fn now() -> std::time::Instant {
        std::time::Instant::now()
    }
}
