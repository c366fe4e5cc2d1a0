use super::*;
use crate::dispatch::with_collector;
use crate::retry::backoff::Backoff;
use crate::stats::{RetryStats, StatsCollector};
use proptest::prelude::*;
use std::sync::Arc;

const MS: Duration = Duration::from_millis(1);

/// Runs a call to completion on a simulated clock: try `n` fails while `fails(n)`, each try
/// takes `try_time`, and waits pass instantly on the simulated clock. Returns the result, every
/// wait, and what was recorded.
fn simulate(
    policy: RetryPolicy,
    try_time: Duration,
    mut fails: impl FnMut(u32) -> bool,
) -> (Result<u32, u32>, Vec<Duration>, RetryStats) {
    let stats = Arc::new(StatsCollector::new());
    let (result, waits) = with_collector(stats.clone(), || {
        let start = Instant::now();
        let mut now = start;
        let mut waits = Vec::new();
        let mut driver = Retrying::new(policy, || start);
        loop {
            driver.start_try();
            now += try_time;
            let n = driver.tries();
            let result = if fails(n) { Err(n) } else { Ok(n) };
            match driver.decide(result, |_| true, || now) {
                ControlFlow::Break(result) => break (result, waits),
                ControlFlow::Continue(wait) => {
                    waits.push(wait);
                    now += wait;
                }
            }
        }
    });
    (result, waits, stats.stats().retries)
}

fn no_jitter(attempts: u32) -> RetryPolicy {
    RetryPolicy::new("op").attempts(attempts).jitter(false)
}

#[test]
fn success_on_the_first_try_records_one_attempt() {
    let (result, waits, stats) = simulate(no_jitter(3), MS, |_| false);
    assert_eq!(result, Ok(1));
    assert!(waits.is_empty());
    assert_eq!(
        stats,
        RetryStats {
            calls: 1,
            attempts: 1,
            succeeded: 1,
            failed: 0
        }
    );
}

#[test]
fn success_after_failures_counts_every_try() {
    let (result, waits, stats) = simulate(no_jitter(5), MS, |n| n < 3);
    assert_eq!(result, Ok(3));
    assert_eq!(waits, [100 * MS, 200 * MS]);
    assert_eq!(
        stats,
        RetryStats {
            calls: 1,
            attempts: 3,
            succeeded: 1,
            failed: 0
        }
    );
}

#[test]
fn exhaustion_returns_the_last_error() {
    let (result, waits, stats) = simulate(no_jitter(4), MS, |_| true);
    assert_eq!(result, Err(4));
    assert_eq!(waits, [100 * MS, 200 * MS, 400 * MS]);
    assert_eq!(
        stats,
        RetryStats {
            calls: 1,
            attempts: 4,
            succeeded: 0,
            failed: 1
        }
    );
}

#[test]
fn a_non_retryable_error_returns_at_once() {
    let stats = Arc::new(StatsCollector::new());
    let result = with_collector(stats.clone(), || {
        let mut driver = Retrying::new(no_jitter(5), Instant::now);
        driver.start_try();
        driver.decide(
            Err::<(), _>("fatal"),
            |error| *error != "fatal",
            Instant::now,
        )
    });
    assert_eq!(result, ControlFlow::Break(Err("fatal")));
    assert_eq!(stats.stats().retries.failed, 1);
    assert_eq!(stats.stats().retries.attempts, 1);
}

#[test]
fn the_budget_stops_a_wait_that_would_overrun_it() {
    // Tries take 50 ms; waits are 100, 200, 400 ms. After try 3 the clock reads 450 ms, and a
    // 400 ms wait would end at 850 ms, past the 800 ms budget.
    let policy = no_jitter(10).max_elapsed(800 * MS);
    let (result, waits, stats) = simulate(policy, 50 * MS, |_| true);
    assert_eq!(result, Err(3));
    assert_eq!(waits, [100 * MS, 200 * MS]);
    assert_eq!(stats.attempts, 3);
}

#[test]
fn a_dropped_driver_records_failure_with_the_tries_started() {
    let stats = Arc::new(StatsCollector::new());
    with_collector(stats.clone(), || {
        let mut driver = Retrying::new(no_jitter(3), Instant::now);
        driver.start_try();
        driver.start_try();
        drop(driver);
    });
    assert_eq!(
        stats.stats().retries,
        RetryStats {
            calls: 1,
            attempts: 2,
            succeeded: 0,
            failed: 1
        }
    );
}

#[test]
fn a_panicking_predicate_still_records_once() {
    let stats = Arc::new(StatsCollector::new());
    let outcome = with_collector(stats.clone(), || {
        std::panic::catch_unwind(|| {
            let mut driver = Retrying::new(no_jitter(3), Instant::now);
            driver.start_try();
            let _ = driver.decide(Err::<(), _>(()), |_| panic!("predicate"), Instant::now);
        })
    });
    assert!(outcome.is_err());
    assert_eq!(
        stats.stats().retries,
        RetryStats {
            calls: 1,
            attempts: 1,
            succeeded: 0,
            failed: 1
        }
    );
}

#[test]
fn the_same_seed_draws_the_same_waits() {
    let policy = RetryPolicy::new("op").attempts(6).jitter_seed(9);
    let (_, first, _) = simulate(policy.clone(), MS, |_| true);
    let (_, second, _) = simulate(policy, MS, |_| true);
    assert_eq!(first, second);
    assert_eq!(first.len(), 5);
}

/// A policy and its `max_delay`.
fn any_policy_with_max_delay() -> impl Strategy<Value = (RetryPolicy, Duration)> {
    (
        0u32..12,
        0u64..2_000,
        0u64..5_000,
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(0u64..20_000),
        any::<u64>(),
    )
        .prop_map(
            |(attempts, delay, max_delay, fixed, jitter, budget, seed)| {
                let backoff = if fixed {
                    Backoff::Fixed
                } else {
                    Backoff::Exponential
                };
                let policy = RetryPolicy::new("op")
                    .attempts(attempts)
                    .delay(Duration::from_millis(delay))
                    .max_delay(Duration::from_millis(max_delay))
                    .backoff(backoff)
                    .jitter(jitter)
                    .jitter_seed(seed);
                let policy = match budget {
                    Some(budget) => policy.max_elapsed(Duration::from_millis(budget)),
                    None => policy,
                };
                (policy, Duration::from_millis(max_delay))
            },
        )
}

fn any_policy() -> impl Strategy<Value = RetryPolicy> {
    any_policy_with_max_delay().prop_map(|(policy, _)| policy)
}

proptest! {
    #[test]
    fn never_more_tries_than_allowed_and_exactly_one_record(
        policy in any_policy(),
        succeed_on in 1u32..20,
    ) {
        let allowed = policy.max_attempts();
        let (result, waits, stats) = simulate(policy, MS, |n| n < succeed_on);
        prop_assert!(stats.attempts <= u64::from(allowed));
        prop_assert_eq!(stats.calls, 1);
        prop_assert_eq!(waits.len() as u64, stats.attempts - 1);
        prop_assert_eq!(result.is_ok(), stats.succeeded == 1);
    }

    #[test]
    fn no_wait_exceeds_max_delay((policy, max_delay) in any_policy_with_max_delay()) {
        let (_, waits, _) = simulate(policy, MS, |_| true);
        prop_assert!(waits.iter().all(|wait| *wait <= max_delay));
    }

    #[test]
    fn every_wait_ends_within_the_budget(policy in any_policy(), try_ms in 0u64..500) {
        let budget = policy.max_elapsed_budget();
        let try_time = Duration::from_millis(try_ms);
        let (_, waits, _) = simulate(policy, try_time, |_| true);
        if let Some(budget) = budget {
            let mut elapsed = Duration::ZERO;
            for wait in waits {
                elapsed += try_time;
                elapsed += wait;
                prop_assert!(elapsed <= budget, "{elapsed:?} past {budget:?}");
            }
        }
    }
}

#[test]
fn without_a_time_budget_the_clock_is_never_read() {
    let unread = || -> Instant { panic!("the clock was read") };
    let stats = Arc::new(StatsCollector::new());
    with_collector(stats.clone(), || {
        let mut driver = Retrying::new(no_jitter(2), unread);
        driver.start_try();
        assert!(matches!(
            driver.decide(Err::<(), _>(()), |_| true, unread),
            ControlFlow::Continue(_)
        ));
        driver.start_try();
        assert!(matches!(
            driver.decide(Ok::<_, ()>(()), |_| true, unread),
            ControlFlow::Break(Ok(()))
        ));
    });
    assert_eq!(stats.stats().retries.succeeded, 1);
}
