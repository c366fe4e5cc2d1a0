//! The cardinality guard: hostile label values cannot grow memory without bound.

use crate::tracing_backend::capture_events;
use gort_metrics::prometheus::proto::MetricFamily;
use gort_metrics::{
    DEFAULT_MAX_SERIES_PER_FAMILY, OVERFLOW_LABEL_VALUE, PrometheusCollector,
    record_message_received, with_collector,
};
use std::fmt::Write as _;
use std::thread;
use tests::{in_own_process, resident_bytes};
use tracing::Level;

/// The README's stated bound on resident memory growth for a million distinct channels.
const MEMORY_GROWTH_BOUND_BYTES: u64 = 32 << 20;

fn family<'a>(families: &'a [MetricFamily], name: &str) -> Option<&'a MetricFamily> {
    families.iter().find(|family| family.name() == name)
}

fn counter_value(families: &[MetricFamily], name: &str, label: (&str, &str)) -> f64 {
    family(families, name)
        .and_then(|family| {
            family.get_metric().iter().find(|metric| {
                metric
                    .get_label()
                    .iter()
                    .any(|pair| pair.name() == label.0 && pair.value() == label.1)
            })
        })
        .map_or(0.0, |metric| metric.get_counter().get_value())
}

#[test]
fn a_million_distinct_channels_keep_series_and_memory_bounded() {
    if in_own_process("cardinality::a_million_distinct_channels_keep_series_and_memory_bounded") {
        return;
    }
    const RECORDS: usize = 1_000_000;
    let collector = PrometheusCollector::new();
    let before = resident_bytes();
    let mut channel = String::new();
    with_collector(collector.clone(), || {
        for index in 0..RECORDS {
            channel.clear();
            write!(channel, "channel-{index}").expect("write to String");
            record_message_received(&channel, "inbound", "text");
        }
    });
    let growth = resident_bytes().saturating_sub(before);
    let families = collector.registry().gather();
    let received = family(&families, "gort_messages_received_total").expect("family");
    // The limit's worth of real series, plus the one overflow series.
    assert_eq!(
        received.get_metric().len(),
        DEFAULT_MAX_SERIES_PER_FAMILY + 1
    );
    let folded = (RECORDS - DEFAULT_MAX_SERIES_PER_FAMILY) as f64;
    let overflow = counter_value(
        &families,
        "gort_messages_received_total",
        ("channel", OVERFLOW_LABEL_VALUE),
    );
    assert_eq!(overflow, folded);
    let counted = counter_value(
        &families,
        "gort_metrics_overflow_total",
        ("family", "gort_messages_received_total"),
    );
    assert_eq!(counted, folded);
    println!(
        "resident memory grew {:.1} MiB for {RECORDS} distinct channels (bound {} MiB)",
        growth as f64 / (1 << 20) as f64,
        MEMORY_GROWTH_BOUND_BYTES >> 20
    );
    assert!(
        growth < MEMORY_GROWTH_BOUND_BYTES,
        "resident memory grew by {growth} bytes"
    );
}

#[test]
fn series_seen_before_the_limit_keep_recording_after_it() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(3)
        .build()
        .expect("collector");
    with_collector(collector.clone(), || {
        for channel in ["a", "b", "c", "d", "e", "a", "c"] {
            record_message_received(channel, "inbound", "text");
        }
    });
    let families = collector.registry().gather();
    let value = |channel| {
        counter_value(
            &families,
            "gort_messages_received_total",
            ("channel", channel),
        )
    };
    assert_eq!(
        (value("a"), value("b"), value("c"), value("d")),
        (2.0, 1.0, 2.0, 0.0)
    );
    assert_eq!(value(OVERFLOW_LABEL_VALUE), 2.0);
}

#[test]
fn every_labelled_family_is_guarded_separately() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(1)
        .build()
        .expect("collector");
    with_collector(collector.clone(), || {
        for name in ["x", "y"] {
            record_message_received(name, "inbound", "text");
            gort_metrics::record_message_sent(name, "outbound", "text");
            gort_metrics::record_channel_error(name, "dingtalk", "auth");
            gort_metrics::record_channel_status(name, "dingtalk", true);
            gort_metrics::record_message_duration(name, std::time::Duration::from_millis(1));
            gort_metrics::record_middleware_duration(name, std::time::Duration::from_millis(1));
            gort_metrics::record_retry(name, 2, true);
        }
    });
    let families = collector.registry().gather();
    for name in [
        "gort_messages_received_total",
        "gort_messages_sent_total",
        "gort_channel_errors_total",
        "gort_channel_status",
        "gort_message_duration_seconds",
        "gort_middleware_duration_seconds",
        "gort_retry_attempts_total",
        "gort_retry_calls_total",
    ] {
        assert_eq!(
            counter_value(&families, "gort_metrics_overflow_total", ("family", name)),
            1.0,
            "{name}"
        );
        let series = family(&families, name).expect("family").get_metric().len();
        assert_eq!(series, 2, "{name}: one real series and the overflow one");
    }
}

#[test]
fn concurrent_floods_count_every_folded_record() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(100)
        .build()
        .expect("collector");
    thread::scope(|scope| {
        for thread_index in 0..4 {
            let collector = collector.clone();
            scope.spawn(move || {
                with_collector(collector, || {
                    for index in 0..10_000 {
                        let channel = format!("t{thread_index}-{index}");
                        record_message_received(&channel, "inbound", "text");
                    }
                })
            });
        }
    });
    let families = collector.registry().gather();
    let received = family(&families, "gort_messages_received_total").expect("family");
    let total: f64 = received
        .get_metric()
        .iter()
        .map(|metric| metric.get_counter().get_value())
        .sum();
    assert_eq!(total, 40_000.0);
    assert_eq!(received.get_metric().len(), 101);
    let folded = counter_value(
        &families,
        "gort_metrics_overflow_total",
        ("family", "gort_messages_received_total"),
    );
    assert_eq!(folded, 40_000.0 - 100.0);
}

#[test]
fn one_warning_per_family_that_overflows() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(1)
        .build()
        .expect("collector");
    let events = capture_events(|| {
        with_collector(collector, || {
            for index in 0..50 {
                record_message_received(&format!("r{index}"), "inbound", "text");
                gort_metrics::record_message_sent(&format!("s{index}"), "outbound", "text");
            }
        })
    });
    let warnings = events
        .iter()
        .filter(|event| event.level == Level::WARN && event.target == "gort_metrics")
        .count();
    assert_eq!(warnings, 2);
}
