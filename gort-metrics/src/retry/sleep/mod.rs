//! Waiting between async tries without blocking the executor.

mod default;
mod pause;
mod timer_thread;
#[cfg(feature = "tokio")]
mod tokio_probe;
#[cfg(feature = "tokio")]
mod tokio_sleeper;

use core::future::Future;
use std::time::{Duration, Instant};

pub use default::{DefaultSleep, DefaultSleeper};
pub(crate) use pause::pause;
pub use timer_thread::{TimerThreadSleep, TimerThreadSleeper};
#[cfg(feature = "tokio")]
pub use tokio_sleeper::TokioSleeper;

/// How an async retry waits between tries: a timer of some async runtime.
///
/// The crate ships [`TokioSleeper`] (feature `tokio`, on by default) and the runtime-agnostic
/// [`TimerThreadSleeper`]; [`DefaultSleeper`] is the first on a tokio runtime with a timer and
/// the feature on, else the second. Implement it for another runtime's timer and pass it as
/// `sleeper = path` to `#[retried]` or to [`Retry::sleeper`](crate::Retry::sleeper).
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Retry, RetryPolicy, Sleeper};
///
/// /// Does not wait at all: every retry starts at once.
/// struct Impatient;
///
/// impl Sleeper for Impatient {
///     type Sleep = std::future::Ready<()>;
///     fn sleep(&self, _duration: Duration) -> Self::Sleep {
///         std::future::ready(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let hour = Duration::from_secs(3600);
/// let mut calls = 0;
/// let result: Result<(), &str> = Retry::new(RetryPolicy::new("op").delay(hour).max_delay(hour))
///     .sleeper(Impatient)
///     .run_async(|| {
///         calls += 1;
///         async { Err("down") }
///     })
///     .await;
/// assert_eq!(result, Err("down"));
/// assert_eq!(calls, 3);
/// # }
/// ```
pub trait Sleeper {
    /// The future [`sleep`](Self::sleep) returns.
    type Sleep: Future<Output = ()>;

    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Self::Sleep;

    /// This sleeper's clock, which a policy's time budget is measured on. The default is
    /// [`Instant::now`]; a runtime with a clock of its own (one that tests can pause, say)
    /// returns that.
    fn now(&self) -> Instant {
        Instant::now()
    }
}

impl<S: Sleeper + ?Sized> Sleeper for &S {
    type Sleep = S::Sleep;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        (**self).sleep(duration)
    }

    fn now(&self) -> Instant {
        (**self).now()
    }
}
