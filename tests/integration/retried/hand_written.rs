//! The hand-written API: `retry`, `retry_if`, `retry_async*` with a `RetryPolicy`.

use gort_metrics::{
    Backoff, Retry, RetryPolicy, TimerThreadSleeper, WithCollectorExt, retry, retry_async,
    retry_async_if, retry_if,
};
use std::time::Duration;
use tests::{RecordingCollector, recording};

fn quick(operation: &'static str) -> RetryPolicy {
    RetryPolicy::new(operation).delay(Duration::from_millis(1))
}

#[test]
fn retry_counts_tries_and_records_through_the_current_collector() {
    let mut calls = 0;
    let (result, collector) = recording(|| {
        retry(quick("upload").attempts(4), || {
            calls += 1;
            if calls < 4 { Err(calls) } else { Ok("done") }
        })
    });
    assert_eq!(result, Ok("done"));
    assert_eq!(calls, 4);
    assert_eq!(collector.retries(), [("upload".to_owned(), 4, true)]);
}

#[test]
fn an_operation_name_alone_is_the_default_policy() {
    let mut calls = 0;
    let (result, collector) = recording(|| {
        retry("ping", || {
            calls += 1;
            Ok::<_, ()>(calls)
        })
    });
    assert_eq!(result, Ok(1));
    assert_eq!(collector.retries(), [("ping".to_owned(), 1, true)]);
}

#[test]
fn retry_if_returns_a_rejected_error_at_once() {
    let mut calls = 0;
    let (result, collector) = recording(|| {
        retry_if(
            quick("auth"),
            |status: &u16| *status >= 500,
            || {
                calls += 1;
                Err::<(), u16>(if calls == 1 { 503 } else { 401 })
            },
        )
    });
    assert_eq!(result, Err(401));
    assert_eq!(collector.retries(), [("auth".to_owned(), 2, false)]);
}

#[tokio::test(start_paused = true)]
async fn retry_async_waits_on_tokio_and_records_once() {
    let collector = RecordingCollector::new();
    let policy = RetryPolicy::new("sync")
        .attempts(3)
        .delay(Duration::from_secs(1))
        .backoff(Backoff::Fixed)
        .jitter(false);
    let start = tokio::time::Instant::now();
    let mut calls = 0;
    let result: Result<(), u32> = retry_async(policy, || {
        calls += 1;
        let call = calls;
        async move { Err(call) }
    })
    .with_collector(collector.clone())
    .await;
    assert_eq!(result, Err(3));
    // Two fixed waits of 1 s on the paused clock: exactly 2 s, not 1 + 2 s of doubling.
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(collector.retries(), [("sync".to_owned(), 3, false)]);
}

#[tokio::test(start_paused = true)]
async fn the_budget_runs_on_the_sleepers_clock() {
    let collector = RecordingCollector::new();
    let policy = RetryPolicy::new("budget")
        .attempts(100)
        .delay(Duration::from_secs(1))
        .backoff(Backoff::Fixed)
        .jitter(false)
        .max_elapsed(Duration::from_millis(2500));
    let result: Result<(), ()> = retry_async_if(policy, |_| true, || async { Err(()) })
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err(()));
    // Tries at 0, 1 and 2 s; the next wait would end at 3 s, past the budget.
    assert_eq!(collector.retries(), [("budget".to_owned(), 3, false)]);
}

#[tokio::test]
async fn the_timer_thread_sleeper_waits_under_any_executor() {
    let collector = RecordingCollector::new();
    let policy = quick("timer").attempts(3).jitter(false);
    let start = std::time::Instant::now();
    let result: Result<(), ()> = Retry::new(policy)
        .sleeper(TimerThreadSleeper)
        .run_async(|| async { Err(()) })
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err(()));
    // Waits of 1 and 2 ms; the upper bound only rules out a wait of the default 100 ms.
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(3), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(90), "{elapsed:?}");
    assert_eq!(collector.retries(), [("timer".to_owned(), 3, false)]);
}

/// Does not wait; keeps every wait it was asked for.
#[derive(Default)]
struct WaitLog(std::cell::RefCell<Vec<Duration>>);

impl gort_metrics::Sleeper for &WaitLog {
    type Sleep = std::future::Ready<()>;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        self.0.borrow_mut().push(duration);
        std::future::ready(())
    }
}

fn jittered_waits(policy: RetryPolicy) -> Vec<Duration> {
    let log = WaitLog::default();
    let call = Retry::new(policy)
        .sleeper(&log)
        .run_async(|| async { Err::<(), ()>(()) });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(call), Err(()));
    log.0.into_inner()
}

#[test]
fn the_same_jitter_seed_gives_the_same_schedule() {
    let policy = RetryPolicy::new("seeded").attempts(8).jitter_seed(5);
    let first = jittered_waits(policy.clone());
    assert_eq!(first.len(), 7);
    assert_eq!(first, jittered_waits(policy));
    assert_ne!(
        first,
        jittered_waits(RetryPolicy::new("seeded").attempts(8).jitter_seed(6))
    );
    for (index, wait) in (1..).zip(&first) {
        let ceiling = RetryPolicy::new("seeded").wait_ceiling(index);
        assert!(*wait <= ceiling, "wait {index}: {wait:?} above {ceiling:?}");
    }
}

#[test]
#[allow(deprecated)]
fn the_positional_retry_async_with_still_works() {
    let log = WaitLog::default();
    let mut calls = 0;
    let call = gort_metrics::retry_async_with(
        quick("positional").attempts(3).jitter(false),
        &log,
        |error: &u32| *error < 2,
        || {
            calls += 1;
            let call = calls;
            async move { Err::<(), u32>(call) }
        },
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (result, collector) = tests::recording(|| runtime.block_on(call));
    assert_eq!(result, Err(2));
    assert_eq!(log.0.into_inner(), [Duration::from_millis(1)]);
    assert_eq!(collector.retries(), [("positional".to_owned(), 2, false)]);
}
