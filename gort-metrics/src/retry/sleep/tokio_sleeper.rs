//! [`TokioSleeper`]: waits on tokio's timer.

use super::Sleeper;
use std::time::{Duration, Instant};

/// Sleeps with `tokio::time::sleep` and reads tokio's clock, so that tests with a paused clock
/// (`#[tokio::test(start_paused = true)]`) run retries instantly and exactly. Needs a tokio
/// runtime with the time driver enabled.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Sleeper, TokioSleeper};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let before = TokioSleeper.now();
/// TokioSleeper.sleep(Duration::from_millis(5)).await;
/// assert!(TokioSleeper.now() - before >= Duration::from_millis(5));
/// # }
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    type Sleep = tokio::time::Sleep;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        tokio::time::sleep(duration)
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}
