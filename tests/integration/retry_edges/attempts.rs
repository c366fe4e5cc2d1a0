//! A policy cannot allow fewer than one try: `attempts(0)` clamps, `try_attempts(0)` rejects.

use gort_metrics::{RetryPolicy, ZeroAttempts, retry};
use tests::recording;

#[test]
fn try_attempts_rejects_zero_and_accepts_any_other_count() {
    assert_eq!(RetryPolicy::new("op").try_attempts(0), Err(ZeroAttempts));
    for attempts in [1, 2, 10, u32::MAX] {
        let policy = RetryPolicy::new("op").try_attempts(attempts);
        assert_eq!(policy.map(|policy| policy.max_attempts()), Ok(attempts));
    }
}

#[test]
fn the_rejection_is_a_standard_error_that_says_what_was_wrong() {
    let error: Box<dyn std::error::Error> = Box::new(ZeroAttempts);
    assert_eq!(
        error.to_string(),
        "a retry policy needs at least one attempt, got 0"
    );
}

#[test]
fn attempts_zero_makes_exactly_one_try_and_records_it() {
    let mut calls = 0;
    let (result, collector) = recording(|| {
        retry(RetryPolicy::new("once").attempts(0), || {
            calls += 1;
            Err::<(), u32>(calls)
        })
    });
    assert_eq!(result, Err(1));
    assert_eq!(calls, 1);
    assert_eq!(collector.retries(), [("once".to_owned(), 1, false)]);
}
