//! [`TimerThreadSleeper`]: async sleeping for any executor, from one shared timer thread.
//!
//! Each sleep registers its deadline and waker with a background thread, started on first use,
//! that keeps the deadlines in a min-heap and wakes each sleep when its time comes. A sleep that
//! is dropped early leaves only a dead weak pointer behind, discarded when its deadline passes.

use super::Sleeper;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

/// Sleeps on a timer thread of its own: works under any executor (or none), with no runtime
/// dependency. The thread is started on first use and shared by every sleep in the process.
///
/// ```
/// use std::time::{Duration, Instant};
/// use gort_metrics::{Sleeper, TimerThreadSleeper};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let start = Instant::now();
/// TimerThreadSleeper.sleep(Duration::from_millis(5)).await;
/// assert!(start.elapsed() >= Duration::from_millis(5));
/// # }
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerThreadSleeper;

impl Sleeper for TimerThreadSleeper {
    type Sleep = TimerThreadSleep;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        TimerThreadSleep {
            deadline: Instant::now().checked_add(duration),
            registration: None,
        }
    }
}

/// The future of [`TimerThreadSleeper::sleep`]: completes once its deadline has passed.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Sleeper, TimerThreadSleep, TimerThreadSleeper};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let sleep: TimerThreadSleep = TimerThreadSleeper.sleep(Duration::ZERO);
/// sleep.await;
/// # }
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct TimerThreadSleep {
    /// `None` when the deadline is beyond what `Instant` can represent: it never comes.
    deadline: Option<Instant>,
    registration: Option<Arc<Mutex<Alarm>>>,
}

/// What a sleep and the timer thread share.
#[derive(Debug, Default)]
struct Alarm {
    fired: bool,
    waker: Option<Waker>,
}

impl Future for TimerThreadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.deadline else {
            return Poll::Pending;
        };
        if Instant::now() >= deadline {
            return Poll::Ready(());
        }
        if let Some(alarm) = &self.registration {
            let mut alarm = alarm.lock().unwrap_or_else(PoisonError::into_inner);
            if alarm.fired {
                return Poll::Ready(());
            }
            match &mut alarm.waker {
                Some(waker) => waker.clone_from(cx.waker()),
                None => alarm.waker = Some(cx.waker().clone()),
            }
            return Poll::Pending;
        }
        let alarm = Arc::new(Mutex::new(Alarm {
            fired: false,
            waker: Some(cx.waker().clone()),
        }));
        let entry = Entry {
            deadline,
            alarm: Arc::downgrade(&alarm),
        };
        if timer_thread().is_some_and(|timer| timer.send(entry).is_ok()) {
            self.registration = Some(alarm);
            Poll::Pending
        } else {
            // No timer thread (the OS refused one): blocking this thread is slow, but correct.
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            Poll::Ready(())
        }
    }
}

struct Entry {
    deadline: Instant,
    alarm: Weak<Mutex<Alarm>>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.deadline.cmp(&other.deadline)
    }
}

/// The channel to the timer thread, starting it on first use; `None` if it cannot be started.
fn timer_thread() -> Option<&'static Sender<Entry>> {
    static TIMER: OnceLock<Option<Sender<Entry>>> = OnceLock::new();
    TIMER
        .get_or_init(|| {
            let (sender, receiver) = mpsc::channel();
            std::thread::Builder::new()
                .name("gort-metrics-timer".into())
                .spawn(move || run_timer(receiver))
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}

fn run_timer(receiver: Receiver<Entry>) {
    let mut pending: BinaryHeap<Reverse<Entry>> = BinaryHeap::new();
    loop {
        let received = match pending.peek() {
            Some(Reverse(next)) => {
                receiver.recv_timeout(next.deadline.saturating_duration_since(Instant::now()))
            }
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(entry) => pending.push(Reverse(entry)),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        // Take in everything already sent before firing, so that a burst of registrations
        // that arrives late still fires in deadline order.
        pending.extend(receiver.try_iter().map(Reverse));
        let now = Instant::now();
        while pending
            .peek()
            .is_some_and(|Reverse(next)| next.deadline <= now)
        {
            if let Some(Reverse(due)) = pending.pop() {
                fire(&due);
            }
        }
    }
}

fn fire(entry: &Entry) {
    let Some(alarm) = entry.alarm.upgrade() else {
        return;
    };
    let waker = {
        let mut alarm = alarm.lock().unwrap_or_else(PoisonError::into_inner);
        alarm.fired = true;
        alarm.waker.take()
    };
    // Woken outside the lock: the woken task may poll on this very thread and lock it again.
    if let Some(waker) = waker {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_are_woken_in_deadline_order() {
        struct RecordWake(u64, Arc<Mutex<Vec<u64>>>);
        impl std::task::Wake for RecordWake {
            fn wake(self: Arc<Self>) {
                self.1.lock().unwrap().push(self.0);
            }
        }
        let woken = Arc::new(Mutex::new(Vec::new()));
        let mut sleeps: Vec<_> = [150u64, 50, 100]
            .into_iter()
            .map(|ms| {
                let waker = Waker::from(Arc::new(RecordWake(ms, Arc::clone(&woken))));
                let mut sleep = TimerThreadSleeper.sleep(Duration::from_millis(ms));
                let poll = Pin::new(&mut sleep).poll(&mut Context::from_waker(&waker));
                assert_eq!(poll, Poll::Pending);
                sleep
            })
            .collect();
        let start = Instant::now();
        while woken.lock().unwrap().len() < 3 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timer thread never woke"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(*woken.lock().unwrap(), [50, 100, 150]);
        let mut cx = Context::from_waker(Waker::noop());
        for sleep in &mut sleeps {
            assert_eq!(Pin::new(sleep).poll(&mut cx), Poll::Ready(()));
        }
    }

    #[test]
    fn a_zero_sleep_is_ready_at_once() {
        let mut sleep = TimerThreadSleeper.sleep(Duration::ZERO);
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(Pin::new(&mut sleep).poll(&mut cx), Poll::Ready(()));
    }

    #[test]
    fn a_dropped_sleep_does_not_disturb_the_others() {
        let mut early = TimerThreadSleeper.sleep(Duration::from_millis(5));
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(Pin::new(&mut early).poll(&mut cx), Poll::Pending);
        drop(early);
        let start = Instant::now();
        block_on(TimerThreadSleeper.sleep(Duration::from_millis(15)));
        assert!(start.elapsed() >= Duration::from_millis(15));
    }

    /// A minimal executor: parks the thread until woken.
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Unparker(std::thread::Thread);
        impl std::task::Wake for Unparker {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unparker(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            std::thread::park();
        }
    }
}
