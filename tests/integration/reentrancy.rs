//! Subscribers that record metrics from their `event` callback: into the `PrometheusCollector`
//! whose warning they are handling (no deadlock), and through a `TracingCollector` that emitted
//! the event (no recursion until the stack overflows).

use gort_metrics::{
    Collector, OVERFLOW_LABEL_VALUE, PrometheusCollector, TracingCollector, with_collector,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;
use tests::in_own_process;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Long enough for a hung record to be a hang, not a slow machine.
const HANG_TIMEOUT: Duration = Duration::from_secs(20);

/// On every `gort_metrics` warning, records a channel the collector has not seen into it.
struct RecordOnWarning {
    collector: PrometheusCollector,
    warnings: Arc<AtomicUsize>,
}

impl<S: Subscriber> Layer<S> for RecordOnWarning {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let metadata = event.metadata();
        if *metadata.level() == Level::WARN && metadata.target() == "gort_metrics" {
            let seen = self.warnings.fetch_add(1, Ordering::Relaxed);
            let channel = format!("from-subscriber-{seen}");
            self.collector
                .record_message_received(&channel, "inbound", "text");
        }
    }
}

/// Runs `f` on its own thread; fails the test if it does not return within [`HANG_TIMEOUT`]
/// (the thread is left behind, which the harness tolerates).
fn returns_in_time(what: &str, f: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    if let Err(error) = finished.recv_timeout(HANG_TIMEOUT) {
        panic!("{what} did not return ({error}): a record deadlocked or panicked");
    }
}

fn folded(collector: &PrometheusCollector) -> u64 {
    let text = collector.render();
    let o = OVERFLOW_LABEL_VALUE;
    let line =
        format!("gort_messages_received_total{{channel=\"{o}\",direction=\"{o}\",type=\"{o}\"}} ");
    text.lines()
        .find_map(|sample| sample.strip_prefix(&line))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_subscriber_recording_into_the_collector_from_its_warnings_does_not_deadlock_it() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(1)
        .max_label_value_len(64)
        .build()
        .expect("collector");
    let warnings = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(RecordOnWarning {
        collector: collector.clone(),
        warnings: warnings.clone(),
    });
    let recording = collector.clone();
    returns_in_time("a record past the series limit", move || {
        tracing::subscriber::with_default(subscriber, || {
            recording.record_message_received("first", "inbound", "text");
            // Past the limit: the overflow warning, whose subscriber records a new channel.
            recording.record_message_received("second", "inbound", "text");
            // Too long: the truncation warning, whose subscriber records another one.
            recording.record_message_received(&"x".repeat(4096), "inbound", "text");
            // Warned already: no more warnings, no more nested records.
            recording.record_message_received("third", "inbound", "text");
        });
    });
    assert_eq!(
        warnings.load(Ordering::Relaxed),
        2,
        "one overflow, one truncation warning"
    );
    // second, the long one, third, and the two the subscriber recorded.
    assert_eq!(folded(&collector), 5);
    assert!(collector.render().contains(
        "gort_messages_received_total{channel=\"first\",direction=\"inbound\",type=\"text\"} 1\n"
    ));
}

#[test]
fn many_threads_overflowing_at_once_under_a_recording_subscriber_all_return() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(4)
        .build()
        .expect("collector");
    let warnings = Arc::new(AtomicUsize::new(0));
    let recording = collector.clone();
    let counter = warnings.clone();
    returns_in_time("four threads past the limit", move || {
        thread::scope(|scope| {
            for thread_index in 0..4 {
                let (collector, warnings) = (recording.clone(), counter.clone());
                scope.spawn(move || {
                    let subscriber = tracing_subscriber::registry().with(RecordOnWarning {
                        collector: collector.clone(),
                        warnings,
                    });
                    tracing::subscriber::with_default(subscriber, || {
                        for index in 0..200 {
                            let channel = format!("t{thread_index}-{index}");
                            collector.record_message_received(&channel, "inbound", "text");
                        }
                    });
                });
            }
        });
    });
    assert_eq!(
        warnings.load(Ordering::Relaxed),
        1,
        "one warning per family, not per thread"
    );
    // 800 records and the subscriber's one; four were admitted.
    assert_eq!(folded(&collector), 800 + 1 - 4);
}

/// Records a metric for every event it sees, through the current collector.
struct RecordOnEveryEvent {
    events: Arc<AtomicUsize>,
}

impl<S: Subscriber> Layer<S> for RecordOnEveryEvent {
    fn on_event(&self, _: &Event<'_>, _: Context<'_, S>) {
        self.events.fetch_add(1, Ordering::Relaxed);
        gort_metrics::record_message_received("echo", "inbound", "text");
        gort_metrics::record_middleware_duration("echo", Duration::from_millis(1));
    }
}

#[test]
fn a_scoped_subscriber_recording_through_a_scoped_tracing_collector_sees_each_record_once() {
    let events = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(RecordOnEveryEvent {
        events: events.clone(),
    });
    let counted = events.clone();
    let dropped_before = TracingCollector::dropped_nested_records();
    returns_in_time("records under a recording subscriber", move || {
        with_collector(TracingCollector::new(), || {
            tracing::subscriber::with_default(subscriber, || {
                gort_metrics::record_session_active(1);
                gort_metrics::record_retry("op", 2, true);
            });
        });
    });
    assert_eq!(
        counted.load(Ordering::Relaxed),
        2,
        "the two records, not the echoes"
    );
    // A scoped subscriber is shielded by `tracing` itself (a nested event goes nowhere), but
    // the echoes must not get that far: the backend drops them before emitting. (Other tests
    // may drop nested records at the same time, hence at least.)
    let dropped = TracingCollector::dropped_nested_records() - dropped_before;
    assert!(dropped >= 4, "two echoes per event, dropped: {dropped}");
}

/// The global cases need a process of their own: a global subscriber cannot be unset, and the
/// failure this guards against is a stack overflow, which aborts the process.
#[test]
fn a_global_subscriber_recording_through_the_tracing_collector_does_not_recurse() {
    if in_own_process(
        "reentrancy::a_global_subscriber_recording_through_the_tracing_collector_does_not_recurse",
    ) {
        return;
    }
    let events = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(RecordOnEveryEvent {
        events: events.clone(),
    });
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    let dropped_before = TracingCollector::dropped_nested_records();

    // The tracing collector scoped to this thread.
    with_collector(TracingCollector::new(), || {
        gort_metrics::record_session_active(1);
    });
    assert_eq!(events.load(Ordering::Relaxed), 1);
    // Each event's two echoes reached the collector that emitted it and were dropped.
    assert_eq!(
        TracingCollector::dropped_nested_records() - dropped_before,
        2
    );

    // The tracing collector as the global collector, recorded into from another thread too.
    gort_metrics::set_global_collector(TracingCollector::new().with_level(Level::INFO));
    gort_metrics::record_channel_error("dingtalk", "dingtalk", "auth");
    thread::spawn(|| gort_metrics::record_session_duration(Duration::from_secs(1)))
        .join()
        .expect("the other thread returns");
    assert_eq!(events.load(Ordering::Relaxed), 3);
    assert_eq!(
        TracingCollector::dropped_nested_records() - dropped_before,
        6
    );
}
