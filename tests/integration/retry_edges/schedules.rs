//! Backoff schedules asserted from both sides: a fixed wait is exactly `delay`, an exponential
//! one exactly `delay * 2^(n-1)` up to the cap, a jittered one within `[0, ceiling]`.

use gort_metrics::{Backoff, Retry, RetryPolicy, Sleeper, retry, retry_async};
use std::cell::RefCell;
use std::future::{Ready, ready};
use std::time::{Duration, Instant};

const MS: Duration = Duration::from_millis(1);

/// Does not wait; keeps every wait it is asked for.
#[derive(Default)]
struct WaitLog(RefCell<Vec<Duration>>);

impl Sleeper for &WaitLog {
    type Sleep = Ready<()>;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        self.0.borrow_mut().push(duration);
        ready(())
    }
}

/// Every wait of a call that fails on every try.
fn waits_of(policy: RetryPolicy) -> Vec<Duration> {
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

fn policy(backoff: Backoff, delay: Duration, max_delay: Duration) -> RetryPolicy {
    RetryPolicy::new("schedule")
        .attempts(7)
        .delay(delay)
        .max_delay(max_delay)
        .backoff(backoff)
        .jitter(false)
}

#[test]
fn fixed_waits_are_exactly_the_delay() {
    assert_eq!(
        waits_of(policy(Backoff::Fixed, 30 * MS, 10_000 * MS)),
        [30 * MS; 6]
    );
}

#[test]
fn fixed_waits_are_capped_at_max_delay() {
    assert_eq!(
        waits_of(policy(Backoff::Fixed, 30 * MS, 20 * MS)),
        [20 * MS; 6]
    );
}

#[test]
fn exponential_waits_double_exactly_until_the_cap() {
    assert_eq!(
        waits_of(policy(Backoff::Exponential, 10 * MS, 100 * MS)),
        [10 * MS, 20 * MS, 40 * MS, 80 * MS, 100 * MS, 100 * MS]
    );
}

#[test]
fn jittered_waits_stay_within_zero_and_their_ceiling_and_spread() {
    let jittered = policy(Backoff::Exponential, 10 * MS, 100 * MS)
        .attempts(60)
        .jitter(true)
        .jitter_seed(3);
    let waits = waits_of(jittered.clone());
    assert_eq!(waits.len(), 59);
    for (try_number, wait) in (1..).zip(&waits) {
        let ceiling = jittered.wait_ceiling(try_number);
        assert!(
            *wait <= ceiling,
            "wait {try_number}: {wait:?} above {ceiling:?}"
        );
    }
    // Full jitter, not a fixed fraction: the capped waits land in both halves of the range.
    let capped = &waits[5..];
    assert!(capped.iter().any(|wait| *wait < 50 * MS), "{capped:?}");
    assert!(capped.iter().any(|wait| *wait > 50 * MS), "{capped:?}");
}

#[tokio::test(start_paused = true)]
async fn async_fixed_waits_take_exactly_the_delays_on_the_paused_clock() {
    let start = tokio::time::Instant::now();
    let result: Result<(), ()> = retry_async(
        policy(
            Backoff::Fixed,
            Duration::from_secs(2),
            Duration::from_secs(60),
        )
        .attempts(3),
        || async { Err(()) },
    )
    .await;
    assert_eq!(result, Err(()));
    assert_eq!(start.elapsed(), Duration::from_secs(4));
}

#[tokio::test(start_paused = true)]
async fn async_exponential_waits_take_exactly_the_capped_doublings_on_the_paused_clock() {
    // 100 + 200 + 300 + 300 ms.
    let start = tokio::time::Instant::now();
    let result: Result<(), ()> = retry_async(
        policy(Backoff::Exponential, 100 * MS, 300 * MS).attempts(5),
        || async { Err(()) },
    )
    .await;
    assert_eq!(result, Err(()));
    assert_eq!(start.elapsed(), 900 * MS);
}

/// The real time a blocking call that always fails takes.
fn blocking_time(policy: RetryPolicy) -> Duration {
    let start = Instant::now();
    assert_eq!(retry(policy, || Err::<(), ()>(())), Err(()));
    start.elapsed()
}

#[test]
fn blocking_fixed_waits_are_not_exponential() {
    // 4 waits of 30 ms: 120 ms. Doubling waits would take 30 + 60 + 120 + 240 = 450 ms.
    let elapsed = blocking_time(policy(Backoff::Fixed, 30 * MS, 10_000 * MS).attempts(5));
    assert!(elapsed >= 120 * MS, "{elapsed:?}");
    assert!(elapsed < 400 * MS, "{elapsed:?}");
}

#[test]
fn blocking_exponential_waits_stop_growing_at_the_cap() {
    // 10 + 20 + 40 + 40 + 40 = 150 ms. Uncapped: 10 + 20 + 40 + 80 + 160 = 310 ms; fixed: 50.
    let elapsed = blocking_time(policy(Backoff::Exponential, 10 * MS, 40 * MS).attempts(6));
    assert!(elapsed >= 150 * MS, "{elapsed:?}");
    assert!(elapsed < 290 * MS, "{elapsed:?}");
}
