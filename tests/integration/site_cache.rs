//! `#[timed]` call sites resolve their collector's duration handle once per installed global
//! collector, and fall back to the plain methods inside scoped collectors.

use gort_metrics::{
    CallHandle, Collector, DurationKind, NoopCollector, collector_panics, set_global_collector,
    timed, with_collector,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tests::lock_global;

/// Counts how it is used: handles handed out, records through them, plain records.
#[derive(Default)]
pub(crate) struct HandleCounting {
    pub(crate) handles: AtomicUsize,
    pub(crate) handle_records: Arc<AtomicUsize>,
    pub(crate) plain_records: AtomicUsize,
    pub(crate) panicking_handle: bool,
}

impl Collector for HandleCounting {
    fn record_message_received(&self, _: &str, _: &str, _: &str) {}
    fn record_message_sent(&self, _: &str, _: &str, _: &str) {}
    fn record_message_duration(&self, _: &str, _: Duration) {
        self.plain_records.fetch_add(1, Ordering::Relaxed);
    }
    fn record_channel_status(&self, _: &str, _: &str, _: bool) {}
    fn record_channel_error(&self, _: &str, _: &str, _: &str) {}
    fn record_session_active(&self, _: i64) {}
    fn record_session_duration(&self, _: Duration) {}
    fn record_middleware_duration(&self, _: &str, _: Duration) {
        self.plain_records.fetch_add(1, Ordering::Relaxed);
    }
    fn record_retry(&self, _: &str, _: u32, _: bool) {}
    fn call_handle(&self, kind: DurationKind, label: &str) -> Option<CallHandle> {
        assert_eq!((kind, label), (DurationKind::Middleware, "cached"));
        self.handles.fetch_add(1, Ordering::Relaxed);
        let records = self.handle_records.clone();
        let panics = self.panicking_handle;
        Some(CallHandle::new(move |_, _| {
            if panics {
                panic!("handle bug");
            }
            records.fetch_add(1, Ordering::Relaxed);
        }))
    }
}

#[timed(middleware = "cached")]
pub(crate) fn cached_site() {}

#[test]
fn a_site_resolves_once_per_installed_collector() {
    let _lock = lock_global();
    let first = Arc::new(HandleCounting::default());
    set_global_collector(first.clone());
    for _ in 0..5 {
        cached_site();
    }
    assert_eq!(first.handles.load(Ordering::Relaxed), 1);
    assert_eq!(first.handle_records.load(Ordering::Relaxed), 5);
    assert_eq!(first.plain_records.load(Ordering::Relaxed), 0);

    let second = Arc::new(HandleCounting::default());
    set_global_collector(second.clone());
    for _ in 0..3 {
        cached_site();
    }
    assert_eq!(second.handles.load(Ordering::Relaxed), 1);
    assert_eq!(second.handle_records.load(Ordering::Relaxed), 3);
    assert_eq!(first.handle_records.load(Ordering::Relaxed), 5);
    set_global_collector(NoopCollector);
}

#[test]
fn scoped_collectors_bypass_the_cache() {
    let scoped = Arc::new(HandleCounting::default());
    with_collector(scoped.clone(), || {
        cached_site();
        cached_site();
    });
    assert_eq!(scoped.handles.load(Ordering::Relaxed), 0);
    assert_eq!(scoped.plain_records.load(Ordering::Relaxed), 2);
}

#[test]
fn a_panicking_handle_is_contained_and_counted() {
    let _lock = lock_global();
    let broken = Arc::new(HandleCounting {
        panicking_handle: true,
        ..HandleCounting::default()
    });
    set_global_collector(broken.clone());
    let before = collector_panics();
    cached_site();
    cached_site();
    assert_eq!(collector_panics(), before + 2);
    set_global_collector(NoopCollector);
}

#[test]
fn prometheus_records_through_the_cached_histogram() {
    let _lock = lock_global();
    let prometheus = gort_metrics::PrometheusCollector::new();
    set_global_collector(prometheus.clone());
    for _ in 0..4 {
        cached_site();
    }
    set_global_collector(NoopCollector);
    assert!(
        prometheus
            .render()
            .contains("gort_middleware_duration_seconds_count{middleware=\"cached\"} 4\n")
    );
}
