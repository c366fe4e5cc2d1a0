//! Async tries that need no wait still hand the executor back between tries: a retry loop
//! cannot starve the other tasks of a current-thread runtime.

use gort_metrics::WithCollectorExt;
use gort_metrics::{Backoff, RetryPolicy, retry_async};
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tests::RecordingCollector;

/// Many tries allowed, none of them waiting.
fn no_wait(operation: &'static str, attempts: u32) -> RetryPolicy {
    RetryPolicy::new(operation)
        .attempts(attempts)
        .delay(Duration::ZERO)
        .backoff(Backoff::Fixed)
        .jitter(false)
}

#[tokio::test(flavor = "current_thread")]
async fn a_task_spawned_before_the_retry_runs_before_the_second_try() {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let ran = Rc::new(Cell::new(false));
            let flag = Rc::clone(&ran);
            tokio::task::spawn_local(async move { flag.set(true) });
            let mut tries = 0u32;
            let collector = RecordingCollector::new();
            let result = retry_async(no_wait("waits-for-peer", 200_000), || {
                tries += 1;
                let ready = ran.get();
                async move { if ready { Ok(()) } else { Err(()) } }
            })
            .with_collector(collector.clone())
            .await;
            assert_eq!(result, Ok(()));
            assert_eq!(tries, 2);
            assert_eq!(
                collector.retries(),
                [("waits-for-peer".to_owned(), 2, true)]
            );
        })
        .await;
}

#[tokio::test(flavor = "current_thread")]
async fn another_task_keeps_making_progress_while_tries_fail_at_once() {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            // The ticker counts one tick per turn it gets; the retried call fails until it has
            // seen 1,000 ticks. Without a yield between tries the ticker never runs and the
            // call spends all 200,000 tries.
            let ticks = Rc::new(Cell::new(0u32));
            let ticker = Rc::clone(&ticks);
            let ticking = tokio::task::spawn_local(async move {
                while ticker.get() < 1_000 {
                    ticker.set(ticker.get() + 1);
                    tokio::task::yield_now().await;
                }
            });
            let start = Instant::now();
            let mut tries = 0u32;
            let result = retry_async(no_wait("busy", 200_000), || {
                tries += 1;
                let seen = ticks.get();
                async move { if seen >= 1_000 { Ok(seen) } else { Err(seen) } }
            })
            .await;
            assert_eq!(result, Ok(1_000));
            assert!((1_000..=1_002).contains(&tries), "{tries} tries");
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{:?}",
                start.elapsed()
            );
            ticking.await.unwrap();
        })
        .await;
}
