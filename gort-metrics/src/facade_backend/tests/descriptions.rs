//! Which recorders are told the descriptions, and how often; the global recorder's kept
//! handles.

use super::{read, recorded, series};
use crate::collector::{Collector, Outcome};
use crate::facade_backend::{FacadeCollector, current, families};
use core::time::Duration;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A recorder that counts the descriptions it is given and passes everything on.
struct DescriptionCounter<R> {
    inner: R,
    descriptions: AtomicUsize,
}

impl<R> DescriptionCounter<R> {
    fn new(inner: R) -> Self {
        DescriptionCounter {
            inner,
            descriptions: AtomicUsize::new(0),
        }
    }

    fn count(&self) -> usize {
        self.descriptions.load(Ordering::Relaxed)
    }
}

impl<R: Recorder> Recorder for DescriptionCounter<R> {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.descriptions.fetch_add(1, Ordering::Relaxed);
        self.inner.describe_counter(key, unit, help)
    }
    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.descriptions.fetch_add(1, Ordering::Relaxed);
        self.inner.describe_gauge(key, unit, help)
    }
    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.descriptions.fetch_add(1, Ordering::Relaxed);
        self.inner.describe_histogram(key, unit, help)
    }
    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        self.inner.register_counter(key, metadata)
    }
    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        self.inner.register_gauge(key, metadata)
    }
    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        self.inner.register_histogram(key, metadata)
    }
}

#[test]
fn a_local_recorder_made_where_a_dropped_one_lived_is_described_too() {
    let collector = FacadeCollector::new();
    // Each round's recorder is likely at the previous one's address, on the same thread.
    for round in 0..3 {
        let got = recorded(|| collector.record_channel_error("c", "dingtalk", "auth"));
        let (_, help, _) = &got[&series(
            "gort_channel_errors_total",
            &[
                ("channel", "c"),
                ("type", "dingtalk"),
                ("error_type", "auth"),
            ],
        )];
        assert_eq!(
            help.as_deref(),
            Some("Total number of channel errors."),
            "round {round}"
        );
    }
}

#[test]
fn describe_tells_the_current_recorder_every_family() {
    let recorder = DescriptionCounter::new(metrics::NoopRecorder);
    metrics::with_local_recorder(&recorder, || FacadeCollector::new().describe());
    assert_eq!(recorder.count(), families::ALL.len());
}

#[test]
fn families_are_described_as_the_kind_they_are_recorded_as() {
    // A recorder keeps descriptions by kind and name: a histogram described as a counter
    // would show no HELP.
    let collector = FacadeCollector::new();
    let got = recorded(|| {
        collector.record_message_received("c", "inbound", "text");
        collector.record_message_sent("c", "outbound", "text");
        collector.record_message_duration("c", Duration::from_millis(1));
        collector.record_channel_status("c", "dingtalk", true);
        collector.record_channel_error("c", "dingtalk", "auth");
        collector.record_session_active(1);
        collector.record_session_duration(Duration::from_secs(1));
        collector.record_middleware_duration("m", Duration::from_millis(1));
        collector.record_retry("op", 2, true);
        collector.record_middleware_call("m", Outcome::Ok, Duration::from_millis(1));
        collector.record_message_call("c", Outcome::Ok, Duration::from_millis(1));
    });
    for ((name, _), (_, help, _)) in &got {
        assert!(help.is_some(), "{name} has no description");
    }
    assert_eq!(
        got.len(),
        families::ALL.len() - 1,
        "all but the overflow counter: {got:#?}"
    );
}

/// The one test of this binary that installs a global recorder: every other one records into
/// a local recorder, which takes precedence, so they are unaffected.
#[test]
fn handles_of_the_global_recorder_are_kept_and_a_local_one_still_takes_precedence() {
    let debugging = DebuggingRecorder::new();
    let global_snapshotter = debugging.snapshotter();
    let global: &'static DescriptionCounter<DebuggingRecorder> =
        Box::leak(Box::new(DescriptionCounter::new(debugging)));
    metrics::set_global_recorder(global).expect("no other test installs a global recorder");
    let collector = FacadeCollector::new();
    assert!(current::global_is_known(), "learnt on construction");

    // Threads with no local recorder record into the global one.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for count in 0..100 {
                    collector.record_session_active(count);
                    collector.record_message_received("dingtalk", "inbound", "text");
                }
            });
        }
    });
    assert_eq!(global.count(), families::ALL.len(), "described once");
    assert!(collector.families.sessions_active.has_global_handle());
    let got = read(&global_snapshotter);
    let sessions = &got[&series("gort_sessions_active", &[])];
    assert_eq!(sessions.2, DebugValue::Gauge(99.0.into()));
    assert_eq!(sessions.1.as_deref(), Some("Number of active sessions."));
    let labels = [
        ("channel", "dingtalk"),
        ("direction", "inbound"),
        ("type", "text"),
    ];
    let received = &got[&series("gort_messages_received_total", &labels)];
    assert_eq!(received.2, DebugValue::Counter(400));

    // The kept handle does not leak into a local recorder.
    let local = recorded(|| collector.record_session_active(7));
    assert_eq!(
        local[&series("gort_sessions_active", &[])].2,
        DebugValue::Gauge(7.0.into())
    );
    collector.record_session_active(8);
    let got = read(&global_snapshotter);
    assert_eq!(
        got[&series("gort_sessions_active", &[])].2,
        DebugValue::Gauge(8.0.into())
    );

    // Caching off: the same values, through a registration per record.
    let uncached = FacadeCollector::builder().cache_handles(false).build();
    uncached.record_retry("op", 2, true);
    uncached.record_retry("op", 3, true);
    let got = read(&global_snapshotter);
    let retries = series(
        "gort_retry_attempts_total",
        &[("operation", "op"), ("success", "true")],
    );
    assert_eq!(got[&retries].2, DebugValue::Counter(5));
    assert!(!uncached.families.sessions_active.has_global_handle());
    assert_eq!(global.count(), families::ALL.len(), "still described once");
}
