//! The cardinality guard: hostile label values cannot grow memory without bound.

use crate::tracing_backend::capture_events;
use gort_metrics::prometheus::proto::MetricFamily;
use gort_metrics::{
    DEFAULT_MAX_SERIES_PER_FAMILY, OVERFLOW_LABEL_VALUE, PrometheusCollector,
    record_message_received, with_collector,
};
use std::fmt::Write as _;
use std::process::Command;
use std::thread;
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

/// Resident set size of this process, from `/proc/self/statm` (pages) and the page size.
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm resident field");
    // The page size is 4 KiB on every target this test runs on; `getconf` confirms it.
    let page = Command::new("getconf")
        .arg("PAGESIZE")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(4096);
    pages * page
}

const CHILD_ENV: &str = "GORT_METRICS_TEST_CHILD";

/// Runs the test named `name` alone in a fresh process of this test binary and returns `true`
/// in the parent (which then has nothing more to do), `false` in the child, which runs the
/// test. For tests that must not share the process: a resident-memory reading other tests'
/// allocations would move, a process-wide subscriber, a failure that aborts the process.
pub(crate) fn in_own_process(name: &str) -> bool {
    if std::env::var_os(CHILD_ENV).is_some() {
        return false;
    }
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("re-run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "child run of {name} failed");
    assert!(stdout.contains("1 passed"), "child ran no test: {stdout}");
    true
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
