//! Backoff timing. Async waits run on tokio's paused clock, which moves exactly as far as the
//! timers ask, so their totals are asserted exactly. Sync waits are real: each is asserted
//! between the schedule's total and the total of the nearest other schedule (fixed against
//! doubling, capped against uncapped), with the delays spread far enough apart that a loaded
//! machine's oversleeping cannot close the gap.

use gort_metrics::{WithCollectorExt, retried};
use std::time::{Duration, Instant};
use tests::{RecordingCollector, recording};

#[retried(attempts = 4, delay = "30ms", backoff = "fixed", jitter = false)]
fn fixed_sync() -> Result<(), ()> {
    Err(())
}

#[retried(attempts = 5, delay = "20ms", max_delay = "45ms", jitter = false)]
fn capped_exponential_sync() -> Result<(), ()> {
    Err(())
}

#[test]
fn sync_fixed_backoff_waits_the_delay_between_tries() {
    // 3 x 30 ms; doubling waits would take 30 + 60 + 120 = 210 ms.
    let start = Instant::now();
    let (_, collector) = recording(fixed_sync);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(90) && took < Duration::from_millis(200),
        "{took:?}"
    );
    assert_eq!(collector.retries(), [("fixed_sync".to_owned(), 4, false)]);
}

#[test]
fn sync_exponential_backoff_doubles_up_to_max_delay() {
    // 20 + 40 + 45 + 45 (capped from 80 and 160) = 150 ms; uncapped it would be 300 ms, and
    // fixed 80 ms.
    let start = Instant::now();
    let (_, collector) = recording(capped_exponential_sync);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_millis(280),
        "{took:?}"
    );
    assert_eq!(
        collector.retries(),
        [("capped_exponential_sync".to_owned(), 5, false)]
    );
}

#[retried(attempts = 5, delay = "100ms", max_delay = "300ms", jitter = false)]
async fn capped_exponential_async() -> Result<(), ()> {
    Err(())
}

#[retried(attempts = 3, delay = "2s", backoff = "fixed", jitter = false)]
async fn fixed_async() -> Result<(), ()> {
    Err(())
}

#[tokio::test(start_paused = true)]
async fn async_exponential_waits_on_the_paused_clock() {
    // 100 + 200 + 300 + 300.
    let collector = RecordingCollector::new();
    let start = tokio::time::Instant::now();
    let _ = capped_exponential_async()
        .with_collector(collector.clone())
        .await;
    assert_eq!(start.elapsed(), Duration::from_millis(900));
    assert_eq!(
        collector.retries(),
        [("capped_exponential_async".to_owned(), 5, false)]
    );
}

#[tokio::test(start_paused = true)]
async fn async_fixed_waits_on_the_paused_clock() {
    let start = tokio::time::Instant::now();
    let _ = fixed_async().await;
    // Two waits of 2 s; doubling would make the second 4 s.
    assert_eq!(start.elapsed(), Duration::from_secs(4));
}

#[retried(
    attempts = 10,
    delay = "100ms",
    backoff = "fixed",
    jitter = false,
    max_elapsed = "350ms"
)]
async fn budgeted() -> Result<(), ()> {
    Err(())
}

#[tokio::test(start_paused = true)]
async fn max_elapsed_stops_retrying_before_the_budget_is_overrun() {
    // Tries at 0, 100, 200 and 300 ms; a fifth would start at 400 ms, past the budget.
    let collector = RecordingCollector::new();
    let start = tokio::time::Instant::now();
    let _ = budgeted().with_collector(collector.clone()).await;
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    assert_eq!(collector.retries(), [("budgeted".to_owned(), 4, false)]);
}

/// No `delay`: the default first wait (100 ms) is capped at `max_delay`, as every wait is.
#[retried(attempts = 3, max_delay = "5ms", jitter = false)]
async fn capped_default_delay() -> Result<(), ()> {
    Err(())
}

#[tokio::test(start_paused = true)]
async fn max_delay_alone_caps_the_default_delay() {
    let start = tokio::time::Instant::now();
    let _ = capped_default_delay().await;
    // Two waits of 5 ms on the paused clock, which moves only as far as the timers ask.
    assert_eq!(start.elapsed(), Duration::from_millis(10));
}
