//! `retry_async` with the default features works off tokio: under another executor, and under
//! a tokio runtime built without a timer, it waits on the timer thread instead of panicking.

use gort_metrics::{Backoff, RetryPolicy, WithCollectorExt, retry_async};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};
use tests::RecordingCollector;

/// A minimal executor that knows nothing of tokio: polls, then parks the thread until woken.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        assert!(Instant::now() < deadline, "the retry never finished");
        std::thread::park_timeout(Duration::from_secs(1));
    }
}

/// Three tries 20 ms apart, the third succeeding; returns the result, the tries made and the
/// real time the call took.
async fn flaky_call(collector: RecordingCollector) -> (Result<u32, u32>, u32, Duration) {
    let policy = RetryPolicy::new("off-tokio")
        .attempts(5)
        .delay(Duration::from_millis(20))
        .backoff(Backoff::Fixed)
        .jitter(false);
    let start = Instant::now();
    let mut tries = 0;
    let result = retry_async(policy, || {
        tries += 1;
        let this_try = tries;
        async move {
            if this_try < 3 {
                Err(this_try)
            } else {
                Ok(this_try)
            }
        }
    })
    .with_collector(collector)
    .await;
    (result, tries, start.elapsed())
}

fn assert_two_waits_of_20_ms(
    (result, tries, elapsed): (Result<u32, u32>, u32, Duration),
    collector: &RecordingCollector,
) {
    assert_eq!(result, Ok(3));
    assert_eq!(tries, 3);
    assert!(elapsed >= Duration::from_millis(40), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(collector.retries(), [("off-tokio".to_owned(), 3, true)]);
}

#[test]
fn retry_async_waits_under_an_executor_that_is_not_tokio() {
    let collector = RecordingCollector::new();
    let outcome = block_on(flaky_call(collector.clone()));
    assert_two_waits_of_20_ms(outcome, &collector);
}

#[test]
fn retry_async_waits_under_a_tokio_runtime_without_a_timer() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let collector = RecordingCollector::new();
    let outcome = runtime.block_on(flaky_call(collector.clone()));
    assert_two_waits_of_20_ms(outcome, &collector);
}

#[test]
fn retry_async_waits_under_a_multi_thread_tokio_runtime_without_a_timer() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let collector = RecordingCollector::new();
    let outcome = runtime
        .block_on(runtime.spawn(flaky_call(collector.clone())))
        .unwrap();
    assert_two_waits_of_20_ms(outcome, &collector);
}

#[tokio::test(start_paused = true)]
async fn on_a_tokio_runtime_with_a_timer_the_waits_still_run_on_its_clock() {
    let start = tokio::time::Instant::now();
    let collector = RecordingCollector::new();
    let (result, tries, _) = flaky_call(collector.clone()).await;
    assert_eq!((result, tries), (Ok(3), 3));
    assert_eq!(start.elapsed(), Duration::from_millis(40));
}
