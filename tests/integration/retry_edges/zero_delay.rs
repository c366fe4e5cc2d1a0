//! A zero delay means no wait at all, on every try, however many there are.

use gort_metrics::{Backoff, Retry, RetryPolicy, TimerThreadSleeper, retry};
use std::time::{Duration, Instant};
use tests::recording;

/// 200 tries with no delay; had the waits grown to the cap from try 129 on, the 71 late waits
/// of 50 ms each would take over 3.5 s.
fn two_hundred_tries() -> RetryPolicy {
    RetryPolicy::new("no-wait")
        .attempts(200)
        .delay(Duration::ZERO)
        .max_delay(Duration::from_millis(50))
        .backoff(Backoff::Exponential)
        .jitter(false)
}

#[test]
fn a_zero_delay_keeps_a_zero_ceiling_up_to_the_last_try_number() {
    let policy = two_hundred_tries();
    for try_number in [1, 128, 129, 200, 4_096, u32::MAX] {
        assert_eq!(
            policy.wait_ceiling(try_number),
            Duration::ZERO,
            "try {try_number}"
        );
    }
}

#[test]
fn two_hundred_blocking_tries_with_zero_delay_take_almost_no_time() {
    let start = Instant::now();
    let mut calls = 0u32;
    let (result, collector) = recording(|| {
        retry(two_hundred_tries(), || {
            calls += 1;
            Err::<(), u32>(calls)
        })
    });
    let elapsed = start.elapsed();
    assert_eq!(result, Err(200));
    assert_eq!(collector.retries(), [("no-wait".to_owned(), 200, false)]);
    assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
}

#[test]
fn two_hundred_async_tries_with_zero_delay_take_almost_no_time() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let start = Instant::now();
    let call = Retry::new(two_hundred_tries())
        .sleeper(TimerThreadSleeper)
        .run_async(|| async { Err::<(), ()>(()) });
    let result = runtime.block_on(call);
    let elapsed = start.elapsed();
    assert_eq!(result, Err(()));
    assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
}
