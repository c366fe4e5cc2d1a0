//! `FanoutCollector`: one record reaches every collector, in order, even past a panicking one.

use gort_metrics::{
    Collector, DurationKind, FanoutCollector, NoopCollector, Outcome, PrometheusCollector,
    StatsCollector, with_collector,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;
use tests::{Record, RecordingCollector};

#[test]
fn every_collector_gets_every_record() {
    let prometheus = PrometheusCollector::new();
    let stats = Arc::new(StatsCollector::new());
    let recording = RecordingCollector::new();
    let fanout = FanoutCollector::new()
        .with(prometheus.clone())
        .with(stats.clone())
        .with(recording.clone());

    with_collector(fanout, || {
        gort_metrics::record_message_received("dingtalk", "inbound", "text");
        gort_metrics::record_channel_error("my-dingtalk", "dingtalk", "auth");
        gort_metrics::record_session_active(2);
        gort_metrics::record_middleware_duration("auth", Duration::from_millis(3));
        gort_metrics::record_retry("api-call", 2, true);
    });

    let snapshot = stats.stats();
    assert_eq!(snapshot.messages_received, 1);
    assert_eq!(snapshot.errors, 1);
    assert_eq!(snapshot.active_sessions, 2);
    let text = prometheus.render();
    assert!(text.contains("gort_channel_errors_total{channel=\"my-dingtalk\",error_type=\"auth\",type=\"dingtalk\"} 1\n"), "{text}");
    assert!(
        text.contains("gort_retry_attempts_total{operation=\"api-call\",success=\"true\"} 2\n"),
        "{text}"
    );
    assert_eq!(recording.records().len(), 5);
    assert_eq!(
        recording.middleware_durations(),
        [("auth".to_owned(), Duration::from_millis(3))]
    );
}

/// Panics on every record.
struct Broken;

impl Collector for Broken {
    fn record_message_received(&self, _: &str, _: &str, _: &str) {
        panic!("broken collector");
    }
    fn record_message_sent(&self, _: &str, _: &str, _: &str) {
        panic!("broken collector");
    }
    fn record_message_duration(&self, _: &str, _: Duration) {
        panic!("broken collector");
    }
    fn record_channel_status(&self, _: &str, _: &str, _: bool) {
        panic!("broken collector");
    }
    fn record_channel_error(&self, _: &str, _: &str, _: &str) {
        panic!("broken collector");
    }
    fn record_session_active(&self, _: i64) {
        panic!("broken collector");
    }
    fn record_session_duration(&self, _: Duration) {
        panic!("broken collector");
    }
    fn record_middleware_duration(&self, _: &str, _: Duration) {
        panic!("broken collector");
    }
    fn record_retry(&self, _: &str, _: u32, _: bool) {
        panic!("broken collector");
    }
}

#[test]
fn a_panicking_collector_does_not_starve_the_others_and_its_panic_propagates() {
    let before = RecordingCollector::new();
    let after = RecordingCollector::new();
    let fanout = FanoutCollector::new()
        .with(before.clone())
        .with(Broken)
        .with(after.clone());

    let outcome = catch_unwind(AssertUnwindSafe(|| fanout.record_session_active(7)));

    let payload = outcome.expect_err("the broken collector's panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"broken collector"));
    assert_eq!(before.records(), [Record::SessionActive(7)]);
    assert_eq!(after.records(), [Record::SessionActive(7)]);
}

#[test]
fn records_go_out_in_the_order_collectors_were_added() {
    let log = RecordingCollector::new();
    let fanout: FanoutCollector = vec![
        Box::new(log.clone()) as Box<dyn Collector>,
        Box::new(log.clone()),
    ]
    .into();
    fanout.record_session_active(1);
    fanout.record_session_active(2);
    assert_eq!(log.records(), [1, 1, 2, 2].map(Record::SessionActive));
}

#[test]
fn a_fanout_is_enabled_when_any_collector_is() {
    assert!(!FanoutCollector::new().is_enabled());
    assert!(!FanoutCollector::new().with(NoopCollector).is_enabled());
    let mixed = FanoutCollector::new()
        .with(NoopCollector)
        .with(StatsCollector::new());
    assert!(mixed.is_enabled());
    assert!(with_collector(mixed, gort_metrics::is_recording));
}

#[test]
fn a_call_handle_uses_each_collectors_own_handle_or_its_plain_method() {
    let prometheus = PrometheusCollector::new();
    let stats = Arc::new(StatsCollector::new());
    let fanout = FanoutCollector::new()
        .with(prometheus.clone())
        .with(stats.clone());
    let handle = fanout
        .call_handle(DurationKind::Middleware, "auth")
        .expect("a fan-out always has a handle");
    handle.record(Outcome::Ok, Duration::from_millis(3));
    handle.record(Outcome::Ok, Duration::from_millis(4));
    assert!(
        prometheus
            .render()
            .contains("gort_middleware_duration_seconds_count{middleware=\"auth\"} 2")
    );
    let durations = stats.stats().middleware_durations;
    assert_eq!(durations.count, 2);
    assert_eq!(durations.total, Duration::from_millis(7));
}

#[test]
fn a_call_handle_past_a_panicking_collector_still_records_and_propagates() {
    let before = RecordingCollector::new();
    let after = RecordingCollector::new();
    let fanout = FanoutCollector::new()
        .with(before.clone())
        .with(Broken)
        .with(after.clone());
    let handle = fanout
        .call_handle(DurationKind::Message, "dingtalk")
        .expect("a fan-out always has a handle");

    let outcome = catch_unwind(AssertUnwindSafe(|| {
        handle.record(Outcome::Ok, Duration::from_millis(5))
    }));

    let payload = outcome.expect_err("the broken collector's panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"broken collector"));
    let expected = [("dingtalk".to_owned(), Duration::from_millis(5))];
    assert_eq!(before.message_durations(), expected);
    assert_eq!(after.message_durations(), expected);
}
