//! The current collector: the global one, swaps under load, scoped overrides for threads and
//! futures, and collectors that panic.

use gort_metrics::{
    Collector, NoopCollector, StatsCollector, WithCollectorExt, global_collector, is_recording,
    record_message_received, record_message_sent, set_global_collector, with_collector,
};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;
use std::thread;
use std::time::Duration;
use tests::{RecordingCollector, lock_global, recording};

#[test]
fn free_functions_record_through_the_global_collector() {
    let _lock = lock_global();
    let stats = Arc::new(StatsCollector::new());
    set_global_collector(stats.clone());
    record_message_received("dingtalk", "inbound", "text");
    global_collector().record_message_sent("feishu", "outbound", "image");
    gort_metrics::record_channel_error("my-dingtalk", "dingtalk", "connection");
    gort_metrics::record_session_active(5);
    let snapshot = stats.stats();
    assert_eq!(
        (
            snapshot.messages_received,
            snapshot.messages_sent,
            snapshot.errors
        ),
        (1, 1, 1)
    );
    assert_eq!(snapshot.active_sessions, 5);
    set_global_collector(NoopCollector);
    assert!(!is_recording());
}

#[test]
fn every_record_lands_in_exactly_one_collector_while_the_global_is_swapped() {
    let _lock = lock_global();
    const THREADS: usize = 4;
    const RECORDS: u64 = 50_000;
    let first = Arc::new(StatsCollector::new());
    set_global_collector(first.clone());
    let mut installed = vec![first];
    let done = AtomicBool::new(false);
    thread::scope(|scope| {
        let recorders: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    for _ in 0..RECORDS {
                        record_message_received("dingtalk", "inbound", "text");
                    }
                })
            })
            .collect();
        scope.spawn(|| {
            // Swapping stops once the recorders are done, so every swap races with records.
            while !done.load(Ordering::Relaxed) {
                let next = Arc::new(StatsCollector::new());
                set_global_collector(next.clone());
                installed.push(next);
                thread::yield_now();
            }
        });
        for recorder in recorders {
            recorder.join().expect("recorder thread");
        }
        done.store(true, Ordering::Relaxed);
    });
    let total: u64 = installed
        .iter()
        .map(|stats| stats.stats().messages_received)
        .sum();
    assert_eq!(total, THREADS as u64 * RECORDS);
    assert!(
        installed.len() > 2,
        "the swapper ran {} times",
        installed.len()
    );
    set_global_collector(NoopCollector);
}

#[test]
fn eight_threads_times_100k_records_through_the_global_are_exact() {
    let _lock = lock_global();
    let stats = Arc::new(StatsCollector::new());
    set_global_collector(stats.clone());
    thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..100_000 {
                    record_message_received("dingtalk", "inbound", "text");
                    record_message_sent("dingtalk", "outbound", "text");
                }
            });
        }
    });
    assert_eq!(stats.stats().messages_received, 800_000);
    assert_eq!(stats.stats().messages_sent, 800_000);
    set_global_collector(NoopCollector);
}

#[test]
fn scoped_collectors_are_isolated_between_threads() {
    let _lock = lock_global();
    let global = Arc::new(StatsCollector::new());
    set_global_collector(global.clone());
    let per_thread: Vec<_> = (1..=4u64)
        .map(|n| {
            thread::spawn(move || {
                let stats = Arc::new(StatsCollector::new());
                with_collector(stats.clone(), || {
                    for _ in 0..n * 1000 {
                        record_message_received("c", "inbound", "text");
                        thread::yield_now();
                    }
                });
                (n, stats.stats().messages_received)
            })
        })
        .collect();
    for handle in per_thread {
        let (n, received) = handle.join().expect("thread");
        assert_eq!(received, n * 1000);
    }
    assert_eq!(global.stats().messages_received, 0);
    set_global_collector(NoopCollector);
}

#[test]
fn scopes_nest_and_the_innermost_wins() {
    let ((), outer) = recording(|| {
        record_message_received("outer", "inbound", "text");
        let ((), inner) = recording(|| record_message_received("inner", "inbound", "text"));
        assert_eq!(inner.records().len(), 1);
        record_message_received("outer", "inbound", "text");
    });
    assert_eq!(outer.records().len(), 2);
}

#[test]
fn a_panic_inside_a_scope_restores_the_outer_collector() {
    let ((), outer) = recording(|| {
        let inner = RecordingCollector::new();
        let result = catch_unwind(AssertUnwindSafe(|| {
            with_collector(inner.clone(), || {
                record_message_received("inner", "inbound", "text");
                panic!("handler failed");
            })
        }));
        assert!(result.is_err());
        record_message_received("outer", "inbound", "text");
        assert_eq!(inner.records().len(), 1);
    });
    assert_eq!(outer.records().len(), 1);
}

struct PanicsOnReceive(Arc<StatsCollector>);

impl Collector for PanicsOnReceive {
    fn record_message_received(&self, _: &str, _: &str, _: &str) {
        panic!("collector bug");
    }
    fn record_message_sent(&self, c: &str, d: &str, t: &str) {
        self.0.record_message_sent(c, d, t)
    }
    fn record_message_duration(&self, _: &str, _: Duration) {}
    fn record_channel_status(&self, _: &str, _: &str, _: bool) {}
    fn record_channel_error(&self, _: &str, _: &str, _: &str) {}
    fn record_session_active(&self, _: i64) {}
    fn record_session_duration(&self, _: Duration) {}
    fn record_middleware_duration(&self, _: &str, _: Duration) {}
    fn record_retry(&self, _: &str, _: u32, _: bool) {}
}

#[test]
fn a_collector_that_panics_leaves_the_global_usable_for_other_threads() {
    let _lock = lock_global();
    let behind = Arc::new(StatsCollector::new());
    set_global_collector(PanicsOnReceive(behind.clone()));
    let before = gort_metrics::collector_panics();
    // The panic is contained: the caller carries on, and the panic is counted.
    thread::spawn(|| record_message_received("c", "inbound", "text"))
        .join()
        .expect("the collector's panic does not reach the caller");
    assert_eq!(gort_metrics::collector_panics(), before + 1);
    // The same collector keeps serving other calls and other threads.
    thread::spawn(|| record_message_sent("c", "outbound", "text"))
        .join()
        .expect("no panic");
    assert_eq!(behind.stats().messages_sent, 1);
    // And it can be replaced as usual.
    let stats = Arc::new(StatsCollector::new());
    set_global_collector(stats.clone());
    thread::spawn(|| record_message_received("c", "inbound", "text"))
        .join()
        .expect("no panic");
    assert_eq!(stats.stats().messages_received, 1);
    set_global_collector(NoopCollector);
}

#[test]
fn is_recording_follows_the_current_collector() {
    let _lock = lock_global();
    set_global_collector(NoopCollector);
    assert!(!is_recording());
    assert!(with_collector(StatsCollector::new(), is_recording));
    assert!(!with_collector(NoopCollector, is_recording));
    set_global_collector(Arc::new(StatsCollector::new()));
    assert!(is_recording());
    set_global_collector(NoopCollector);
}

/// A collector that says it keeps nothing but counts the calls it gets anyway.
struct Disabled(Arc<RecordingCollector>);

impl Collector for Disabled {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        self.0.record_message_received(channel, direction, msg_type)
    }
    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        self.0.record_message_sent(channel, direction, msg_type)
    }
    fn record_message_duration(&self, channel: &str, duration: Duration) {
        self.0.record_message_duration(channel, duration)
    }
    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        self.0.record_channel_status(channel, channel_type, running)
    }
    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        self.0
            .record_channel_error(channel, channel_type, error_type)
    }
    fn record_session_active(&self, count: i64) {
        self.0.record_session_active(count)
    }
    fn record_session_duration(&self, duration: Duration) {
        self.0.record_session_duration(duration)
    }
    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        self.0.record_middleware_duration(middleware, duration)
    }
    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        self.0.record_retry(operation, attempts, success)
    }
    fn is_enabled(&self) -> bool {
        false
    }
}

#[test]
fn free_functions_skip_a_disabled_global_collector_but_not_a_scoped_one() {
    let _lock = lock_global();
    let calls = Arc::new(RecordingCollector::new());
    set_global_collector(Disabled(calls.clone()));
    assert!(!is_recording());
    record_message_received("dingtalk", "inbound", "text");
    assert!(calls.records().is_empty(), "{:?}", calls.records());
    // Called directly, the collector still gets the call: only the dispatch skips it.
    global_collector().record_message_sent("feishu", "outbound", "image");
    assert_eq!(calls.records().len(), 1);
    // A scoped collector is asked on every record, enabled or not.
    with_collector(Disabled(calls.clone()), || {
        record_message_received("dingtalk", "inbound", "text")
    });
    assert_eq!(calls.records().len(), 2);
    // Installing an enabled collector again turns recording back on.
    let stats = Arc::new(StatsCollector::new());
    set_global_collector(stats.clone());
    assert!(is_recording());
    record_message_received("dingtalk", "inbound", "text");
    assert_eq!(stats.stats().messages_received, 1);
    set_global_collector(NoopCollector);
}

/// Polls `future` once on the calling thread.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(std::future::poll_fn(|cx| {
        Poll::Ready(Pin::new(&mut *future).poll(cx))
    }))
}

#[test]
fn a_future_keeps_its_collector_when_it_moves_to_another_thread() {
    let stats = Arc::new(StatsCollector::new());
    let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
    let mut future = Box::pin(
        async move {
            record_message_received("before", "inbound", "text");
            receiver.await.expect("sender kept");
            record_message_received("after", "inbound", "text");
            thread::current().id()
        }
        .with_collector(stats.clone()),
    );
    let first_thread = thread::current().id();
    assert!(poll_once(&mut future).is_pending());
    assert_eq!(stats.stats().messages_received, 1);
    sender.send(()).expect("receiver alive");
    let (finished_on, recorded_on_this_thread) = thread::spawn(move || {
        let Poll::Ready(id) = poll_once(&mut future) else {
            panic!("future should finish");
        };
        (id, stats.stats().messages_received)
    })
    .join()
    .expect("second thread");
    assert_ne!(finished_on, first_thread);
    assert_eq!(recorded_on_this_thread, 2);
    // Outside any poll, this thread has no scoped collector.
    let ((), outside) = recording(|| record_message_received("x", "inbound", "text"));
    assert_eq!(outside.records().len(), 1);
}

#[test]
fn futures_on_a_multi_thread_runtime_each_keep_their_own_collector() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let collectors: Vec<_> = (0..16).map(|_| Arc::new(StatsCollector::new())).collect();
    runtime.block_on(async {
        let tasks: Vec<_> = collectors
            .iter()
            .enumerate()
            .map(|(index, stats)| {
                tokio::spawn(
                    async move {
                        for _ in 0..=index {
                            tokio::task::yield_now().await;
                            record_message_received("c", "inbound", "text");
                        }
                    }
                    .with_collector(stats.clone()),
                )
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
    });
    for (index, stats) in collectors.iter().enumerate() {
        assert_eq!(stats.stats().messages_received, index as u64 + 1);
    }
}

struct RecordsOnDrop;

impl Drop for RecordsOnDrop {
    fn drop(&mut self) {
        record_message_sent("dropped", "outbound", "text");
    }
}

#[test]
fn a_future_dropped_before_completion_drops_inside_its_collector() {
    let stats = Arc::new(StatsCollector::new());
    let mut future = Box::pin(
        async {
            let _guard = RecordsOnDrop;
            std::future::pending::<()>().await;
        }
        .with_collector(stats.clone()),
    );
    assert!(poll_once(&mut future).is_pending());
    let ((), outside) = recording(|| drop(future));
    assert_eq!(stats.stats().messages_sent, 1);
    assert!(outside.records().is_empty());
}
