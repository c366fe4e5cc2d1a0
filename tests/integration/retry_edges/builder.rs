//! `Retry`: the policy, the errors to retry and the sleeper set by name.

use gort_metrics::{EveryError, Retry, RetryPolicy, RetryWhen, Sleeper};
use std::cell::RefCell;
use std::future::{Ready, ready};
use std::time::Duration;
use tests::recording;

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

fn policy(operation: &'static str) -> RetryPolicy {
    RetryPolicy::new(operation)
        .attempts(5)
        .delay(Duration::from_millis(7))
        .jitter(false)
}

#[test]
fn when_and_sleeper_apply_to_an_async_call_in_either_order() {
    for sleeper_first in [false, true] {
        let log = WaitLog::default();
        let mut calls = 0u32;
        let attempt = || {
            calls += 1;
            let call = calls;
            async move { Err::<(), u32>(call) }
        };
        let transient = |error: &u32| *error < 3;
        let call = if sleeper_first {
            Retry::new(policy("ordered"))
                .sleeper(&log)
                .when(transient)
                .run_async(attempt)
        } else {
            Retry::new(policy("ordered"))
                .when(transient)
                .sleeper(&log)
                .run_async(attempt)
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (result, collector) = recording(|| runtime.block_on(call));
        assert_eq!(result, Err(3));
        assert_eq!(calls, 3);
        let ms = Duration::from_millis;
        assert_eq!(log.0.into_inner(), [ms(7), ms(14)]);
        assert_eq!(collector.retries(), [("ordered".to_owned(), 3, false)]);
    }
}

#[test]
fn a_blocking_call_retries_only_what_when_accepts() {
    let mut calls = 0u32;
    let (result, collector) = recording(|| {
        Retry::new(policy("blocking").delay(Duration::from_millis(1)))
            .when(|error: &&str| *error == "busy")
            .run(|| {
                calls += 1;
                Err::<(), _>(if calls < 2 { "busy" } else { "denied" })
            })
    });
    assert_eq!(result, Err("denied"));
    assert_eq!(calls, 2);
    assert_eq!(collector.retries(), [("blocking".to_owned(), 2, false)]);
}

#[test]
fn without_when_every_error_is_retried_until_the_policy_runs_out() {
    let mut calls = 0u32;
    let (result, collector) = recording(|| {
        Retry::new(policy("all").delay(Duration::ZERO)).run(|| {
            calls += 1;
            Err::<(), u32>(calls)
        })
    });
    assert_eq!(result, Err(5));
    assert_eq!(collector.retries(), [("all".to_owned(), 5, false)]);
    assert!(EveryError.should_retry(&"any error"));
}

#[test]
fn a_retry_future_is_send_when_its_parts_are() {
    fn assert_send<T: Send>(_: &T) {}
    let call = Retry::new("send")
        .when(|error: &String| !error.is_empty())
        .run_async(|| async { Ok::<u8, String>(1) });
    assert_send(&call);
}
