//! The pause between two async tries: the sleeper's wait, and in any case a return to the
//! executor, so that a loop of tries that never wait cannot starve the tasks beside it.

use super::Sleeper;
use core::future::{Future, poll_fn};
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use std::time::Duration;

/// Waits `wait` with `sleeper`, then makes sure the task went back to its executor at least
/// once: a zero wait, or a sleep that was over at its first poll (a sleeper that does not
/// really wait), yields instead.
pub(crate) async fn pause<S: Sleeper + ?Sized>(sleeper: &S, wait: Duration) {
    if !wait.is_zero() {
        let mut sleep = pin!(sleeper.sleep(wait));
        let suspended = poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx).is_pending())).await;
        if suspended {
            sleep.await;
            return;
        }
    }
    YieldNow { yielded: false }.await;
}

/// Pending once, having asked to be polled again: every executor then runs the tasks already
/// queued before this one.
struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::future::{Ready, ready};
    use core::task::Waker;

    struct NoWait;

    impl Sleeper for NoWait {
        type Sleep = Ready<()>;

        fn sleep(&self, _duration: Duration) -> Self::Sleep {
            ready(())
        }
    }

    /// How many polls `future` takes to complete, polling again at once after each `Pending`.
    fn polls_to_complete(future: impl Future<Output = ()>) -> u32 {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        let mut polls = 1;
        while future.as_mut().poll(&mut cx).is_pending() {
            polls += 1;
            assert!(polls < 100, "never completed");
        }
        polls
    }

    #[test]
    fn a_zero_wait_returns_to_the_executor_once() {
        assert_eq!(polls_to_complete(pause(&NoWait, Duration::ZERO)), 2);
    }

    #[test]
    fn a_sleep_that_is_over_at_once_still_returns_to_the_executor() {
        assert_eq!(
            polls_to_complete(pause(&NoWait, Duration::from_secs(60))),
            2
        );
    }
}
