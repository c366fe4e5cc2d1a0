//! `async fn`s: each try awaited, waits on a `Sleeper`, cancellation recorded.

use gort_metrics::{Sleeper, WithCollectorExt, retried};
use std::cell::{Cell, RefCell};
use std::future::{Ready, ready};
use std::time::Duration;
use tests::RecordingCollector;

thread_local! {
    static CALLS: Cell<u32> = const { Cell::new(0) };
    static WAITS: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

fn next_call() -> u32 {
    CALLS.with(|calls| {
        calls.set(calls.get() + 1);
        calls.get()
    })
}

#[retried(attempts = 4, delay = "10ms", jitter = false)]
async fn connect(succeed_on: u32, host: String) -> Result<String, String> {
    let call = next_call();
    tokio::task::yield_now().await;
    if call < succeed_on {
        return Err(format!("{host}: refused"));
    }
    Ok(format!("{host}: connected on try {call}"))
}

#[tokio::test(start_paused = true)]
async fn async_fns_succeed_after_failures() {
    CALLS.with(|calls| calls.set(0));
    let collector = RecordingCollector::new();
    let result = connect(3, "db".into())
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Ok("db: connected on try 3".to_owned()));
    assert_eq!(collector.retries(), [("connect".to_owned(), 3, true)]);
}

#[tokio::test(start_paused = true)]
async fn async_fns_return_the_last_error_when_exhausted() {
    CALLS.with(|calls| calls.set(0));
    let collector = RecordingCollector::new();
    let result = connect(99, "db".into())
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err("db: refused".to_owned()));
    assert_eq!(CALLS.with(Cell::get), 4);
    assert_eq!(collector.retries(), [("connect".to_owned(), 4, false)]);
}

#[retried(attempts = 3, delay = "1s")]
async fn never_ready() -> Result<(), ()> {
    std::future::pending().await
}

#[retried(attempts = 3, delay = "1s", jitter = false)]
async fn always_failing() -> Result<(), ()> {
    Err(())
}

#[tokio::test(start_paused = true)]
async fn a_future_dropped_during_a_try_records_failure() {
    let collector = RecordingCollector::new();
    let outcome = tokio::time::timeout(
        Duration::from_millis(50),
        never_ready().with_collector(collector.clone()),
    )
    .await;
    assert!(outcome.is_err());
    assert_eq!(collector.retries(), [("never_ready".to_owned(), 1, false)]);
}

#[tokio::test(start_paused = true)]
async fn a_future_dropped_during_a_wait_records_failure() {
    let collector = RecordingCollector::new();
    // The first wait lasts one second; cancel half way through it.
    let outcome = tokio::time::timeout(
        Duration::from_millis(500),
        always_failing().with_collector(collector.clone()),
    )
    .await;
    assert!(outcome.is_err());
    assert_eq!(
        collector.retries(),
        [("always_failing".to_owned(), 1, false)]
    );
}

struct Counter {
    value: u32,
}

impl Counter {
    #[retried(attempts = 3, delay = "5ms")]
    async fn bump_to(&mut self, target: u32) -> Result<u32, u32> {
        self.value += 1;
        tokio::task::yield_now().await;
        if self.value < target {
            Err(self.value)
        } else {
            Ok(self.value)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn async_mut_self_methods_keep_state_across_tries() {
    let mut counter = Counter { value: 0 };
    let collector = RecordingCollector::new();
    let result = counter.bump_to(2).with_collector(collector.clone()).await;
    assert_eq!(result, Ok(2));
    assert_eq!(collector.retries(), [("bump_to".to_owned(), 2, true)]);
}

#[test]
fn retried_async_fns_are_send_when_their_body_is() {
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&connect(1, String::new()));
    let mut counter = Counter { value: 0 };
    assert_send(&counter.bump_to(1));
}

/// Records each wait it is asked for and does not wait at all.
struct RecordingSleeper;

impl Sleeper for RecordingSleeper {
    type Sleep = Ready<()>;

    fn sleep(&self, duration: Duration) -> Self::Sleep {
        WAITS.with(|waits| waits.borrow_mut().push(duration));
        ready(())
    }
}

#[retried(
    attempts = 6,
    delay = "10ms",
    max_delay = "50ms",
    jitter = false,
    sleeper = RecordingSleeper
)]
async fn exponential_with_cap() -> Result<(), ()> {
    Err(())
}

#[retried(attempts = 4, delay = "30ms", backoff = "fixed", jitter = false, sleeper = RecordingSleeper)]
async fn fixed() -> Result<(), ()> {
    Err(())
}

#[retried(attempts = 50, delay = "10ms", max_delay = "40ms", sleeper = RecordingSleeper)]
async fn jittered() -> Result<(), ()> {
    Err(())
}

fn waits_of(future: impl std::future::Future) -> Vec<Duration> {
    WAITS.with(|waits| waits.borrow_mut().clear());
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future);
    WAITS.with(|waits| waits.borrow().clone())
}

#[test]
fn a_custom_sleeper_gets_every_wait_of_the_schedule() {
    let ms = Duration::from_millis;
    assert_eq!(
        waits_of(exponential_with_cap()),
        [ms(10), ms(20), ms(40), ms(50), ms(50)]
    );
    assert_eq!(waits_of(fixed()), [ms(30), ms(30), ms(30)]);
}

#[test]
fn jittered_waits_stay_within_max_delay_and_vary() {
    let waits = waits_of(jittered());
    assert_eq!(waits.len(), 49);
    assert!(waits.iter().all(|wait| *wait <= Duration::from_millis(40)));
    let first = waits[0];
    assert!(waits.iter().any(|wait| *wait != first), "{waits:?}");
}
