//! Nothing that calls out runs under a lock or inside an init that the record path takes: a
//! tracing subscriber that records into the same collector from its own events cannot hang it.

use gort_metrics::{Collector, PrometheusCollector};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records a new channel into `collector` for each event it sees, a few levels deep.
struct RecordsOnEvents {
    collector: PrometheusCollector,
    events: AtomicUsize,
}

impl Subscriber for RecordsOnEvents {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {
        let seen = self.events.fetch_add(1, Ordering::SeqCst);
        if seen < 8 {
            let channel = format!("from-event-{seen}");
            self.collector
                .record_message_received(&channel, "inbound", "text");
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn a_subscriber_recording_into_the_collector_from_the_overflow_warning_does_not_hang() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(1)
        .build()
        .expect("a valid limit");
    let subscriber = RecordsOnEvents {
        collector: collector.clone(),
        events: AtomicUsize::new(0),
    };
    let (done, finished) = mpsc::channel();
    let recording = collector.clone();
    thread::spawn(move || {
        tracing::subscriber::with_default(subscriber, || {
            recording.record_message_received("first", "inbound", "text");
            // Past the limit: the guard warns, the subscriber records another new channel
            // into the same family from inside that warning.
            recording.record_message_received("second", "inbound", "text");
            recording.record_message_received("third", "inbound", "text");
        });
        let _ = done.send(());
    });
    finished
        .recv_timeout(Duration::from_secs(10))
        .expect("recording returned instead of deadlocking");
    let text = collector.render();
    assert!(text.contains("channel=\"first\""), "{text}");
    assert!(text.contains("channel=\"__overflow__\""), "{text}");
}
