//! [`DefaultSleeper`]: tokio's timer where there is one, the timer thread everywhere else.

use super::Sleeper;
use super::timer_thread::{TimerThreadSleep, TimerThreadSleeper};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The sleeper async retries use unless told otherwise.
///
/// With the `tokio` feature (on by default) it waits on tokio's timer when the retry runs on
/// a tokio runtime that has one, so that paused-clock tests
/// (`#[tokio::test(start_paused = true)]`) skip the waits. Anywhere else (another executor,
/// no executor, a tokio runtime built without `enable_time()`) it waits on the
/// [`TimerThreadSleeper`], as it always does without the feature. Turning the feature on
/// therefore never breaks a caller that is not on tokio.
///
/// Tokio offers no way to ask a runtime whether it has a timer, so the first wait on each
/// runtime asks by creating a tokio sleep and catching the panic of a runtime without a
/// timer; tokio's panic message is then printed once for that runtime. The answer is kept
/// per runtime, so later waits cost a thread-local lookup. Built with `panic = "abort"`,
/// where that panic could not be caught, it never asks and always uses the timer thread.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{DefaultSleeper, Sleeper};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// DefaultSleeper.sleep(Duration::from_millis(1)).await;
/// # }
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DefaultSleeper;

impl Sleeper for DefaultSleeper {
    type Sleep = DefaultSleep;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        #[cfg(feature = "tokio")]
        if super::tokio_probe::current_runtime_has_timer() {
            return DefaultSleep(Timer::Tokio(Box::pin(tokio::time::sleep(duration))));
        }
        DefaultSleep(Timer::Thread(TimerThreadSleeper.sleep(duration)))
    }

    /// Tokio's clock with the `tokio` feature (the system clock unless a test paused it), else
    /// the system clock.
    fn now(&self) -> Instant {
        #[cfg(feature = "tokio")]
        return tokio::time::Instant::now().into_std();
        #[cfg(not(feature = "tokio"))]
        Instant::now()
    }
}

/// The future of [`DefaultSleeper::sleep`]: completes once its wait is over, on whichever timer
/// the sleeper chose.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{DefaultSleep, DefaultSleeper, Sleeper};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let sleep: DefaultSleep = DefaultSleeper.sleep(Duration::ZERO);
/// sleep.await;
/// # }
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct DefaultSleep(Timer);

#[derive(Debug)]
enum Timer {
    /// Boxed because tokio's sleep cannot move once polled; one allocation per wait is small
    /// beside a wait.
    #[cfg(feature = "tokio")]
    Tokio(Pin<Box<tokio::time::Sleep>>),
    Thread(TimerThreadSleep),
}

impl Future for DefaultSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            #[cfg(feature = "tokio")]
            Timer::Tokio(sleep) => sleep.as_mut().poll(cx),
            Timer::Thread(sleep) => Pin::new(sleep).poll(cx),
        }
    }
}
