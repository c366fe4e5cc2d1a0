//! How many tries a call makes, what it returns, and what it records.

use gort_metrics::retried;
use std::cell::Cell;
use tests::recording;

thread_local! {
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

/// Fails until its `succeed_on`-th call, counting calls on this thread.
#[retried(attempts = 5, delay = "1ms", jitter = false)]
fn flaky(succeed_on: u32) -> Result<u32, String> {
    let call = CALLS.with(|calls| {
        calls.set(calls.get() + 1);
        calls.get()
    });
    if call < succeed_on {
        Err(format!("failure {call}"))
    } else {
        Ok(call)
    }
}

fn calls_of(f: impl FnOnce()) -> u32 {
    CALLS.with(|calls| calls.set(0));
    f();
    CALLS.with(Cell::get)
}

#[test]
fn succeeds_after_failures_with_the_exact_attempt_count() {
    let mut outcome = None;
    let calls = calls_of(|| outcome = Some(recording(|| flaky(3))));
    let (result, collector) = outcome.unwrap();
    assert_eq!(result, Ok(3));
    assert_eq!(calls, 3);
    assert_eq!(collector.retries(), [("flaky".to_owned(), 3, true)]);
}

#[test]
fn first_try_success_records_one_attempt() {
    let mut outcome = None;
    let calls = calls_of(|| outcome = Some(recording(|| flaky(1))));
    let (result, collector) = outcome.unwrap();
    assert_eq!(result, Ok(1));
    assert_eq!(calls, 1);
    assert_eq!(collector.retries(), [("flaky".to_owned(), 1, true)]);
}

#[test]
fn exhaustion_returns_the_last_error() {
    let mut outcome = None;
    let calls = calls_of(|| outcome = Some(recording(|| flaky(100))));
    let (result, collector) = outcome.unwrap();
    assert_eq!(result, Err("failure 5".to_owned()));
    assert_eq!(calls, 5);
    assert_eq!(collector.retries(), [("flaky".to_owned(), 5, false)]);
}

#[retried(op = "api-call", attempts = 1)]
fn single_try(fail: bool) -> Result<(), &'static str> {
    if fail { Err("down") } else { Ok(()) }
}

#[test]
fn one_attempt_means_no_retry_and_op_names_the_operation() {
    let (result, collector) = recording(|| single_try(true));
    assert_eq!(result, Err("down"));
    assert_eq!(collector.retries(), [("api-call".to_owned(), 1, false)]);
}

#[retried(delay = "1ms")]
fn default_attempts() -> Result<(), u8> {
    CALLS.with(|calls| calls.set(calls.get() + 1));
    Err(7)
}

#[test]
fn three_tries_by_default_recorded_under_the_function_name() {
    let mut outcome = None;
    let calls = calls_of(|| outcome = Some(recording(default_attempts)));
    let (result, collector) = outcome.unwrap();
    assert_eq!(result, Err(7));
    assert_eq!(calls, 3);
    assert_eq!(
        collector.retries(),
        [("default_attempts".to_owned(), 3, false)]
    );
}

#[retried(delay = "1ms", jitter = false)]
fn r#type() -> Result<(), ()> {
    Ok(())
}

#[test]
fn a_raw_identifier_is_recorded_without_its_prefix() {
    let (_, collector) = recording(r#type);
    assert_eq!(collector.retries(), [("type".to_owned(), 1, true)]);
}

mod io_alias {
    use gort_metrics::retried;
    use std::io;

    #[retried(attempts = 2, delay = "1ms")]
    pub(super) fn read_config() -> io::Result<String> {
        Err(io::Error::other("missing"))
    }
}

#[test]
fn a_result_alias_like_io_result_is_accepted() {
    let (result, collector) = recording(io_alias::read_config);
    assert_eq!(result.unwrap_err().to_string(), "missing");
    assert_eq!(collector.retries(), [("read_config".to_owned(), 2, false)]);
}
