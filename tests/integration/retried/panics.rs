//! A panicking try ends the call, which is recorded as failed with the tries started.

use gort_metrics::{WithCollectorExt, retried};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use tests::{RecordingCollector, recording};

thread_local! {
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

#[retried(attempts = 5, delay = "1ms")]
fn panics_on_second_try() -> Result<(), ()> {
    let call = CALLS.with(|calls| {
        calls.set(calls.get() + 1);
        calls.get()
    });
    if call == 2 {
        panic!("try {call} panicked");
    }
    Err(())
}

#[test]
fn a_panic_records_failure_once_with_the_tries_started() {
    CALLS.with(|calls| calls.set(0));
    let (outcome, collector) = recording(|| catch_unwind(AssertUnwindSafe(panics_on_second_try)));
    assert!(outcome.is_err());
    assert_eq!(
        collector.retries(),
        [("panics_on_second_try".to_owned(), 2, false)]
    );
}

#[retried(attempts = 3, delay = "1ms")]
async fn panics_async() -> Result<(), ()> {
    tokio::task::yield_now().await;
    panic!("async try panicked");
}

#[tokio::test]
async fn an_async_panic_records_failure() {
    let collector = RecordingCollector::new();
    let joined = tokio::spawn(panics_async().with_collector(collector.clone())).await;
    assert!(joined.unwrap_err().is_panic());
    assert_eq!(collector.retries(), [("panics_async".to_owned(), 1, false)]);
}
