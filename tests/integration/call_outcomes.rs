//! The call-outcome families of the Prometheus backend: `gort_middleware_calls_total` and
//! `gort_message_calls_total`, counted beside each call's duration, through the methods and
//! through call handles alike, with the `outcome` label outside the series limit.

use gort_metrics::prometheus::proto::{MetricFamily, MetricType};
use gort_metrics::{Collector, DurationKind, OVERFLOW_LABEL_VALUE, Outcome, PrometheusCollector};
use std::time::Duration;

const MS: Duration = Duration::from_millis(3);

fn family<'a>(families: &'a [MetricFamily], name: &str) -> &'a MetricFamily {
    families
        .iter()
        .find(|family| family.name() == name)
        .unwrap_or_else(|| panic!("no family {name}"))
}

/// The sample lines of `family_name` in `text`, sorted.
fn samples(text: &str, family_name: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|line| line.starts_with(family_name))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

#[test]
fn the_call_families_have_their_names_types_labels_and_help() {
    let collector = PrometheusCollector::new();
    collector.record_middleware_call("auth", Outcome::Ok, MS);
    collector.record_message_call("dingtalk", Outcome::Ok, MS);
    let families = collector.registry().gather();
    for (name, label, help) in [
        (
            "gort_middleware_calls_total",
            "middleware",
            "Total number of middleware calls by outcome.",
        ),
        (
            "gort_message_calls_total",
            "channel",
            "Total number of message handler calls by outcome.",
        ),
    ] {
        let family = family(&families, name);
        assert_eq!(family.get_field_type(), MetricType::COUNTER, "{name}");
        assert_eq!(family.help(), help, "{name}");
        for metric in family.get_metric() {
            let names: Vec<&str> = metric.get_label().iter().map(|pair| pair.name()).collect();
            assert_eq!(names, [label, "outcome"], "{name}");
        }
    }
}

#[test]
fn each_call_counts_under_its_outcome_beside_its_duration() {
    let collector = PrometheusCollector::new();
    for outcome in [Outcome::Ok, Outcome::Ok, Outcome::Error, Outcome::Cancelled] {
        collector.record_middleware_call("auth", outcome, MS);
    }
    collector.record_message_call("dingtalk", Outcome::Panicked, MS);
    let text = collector.render();
    assert_eq!(
        samples(&text, "gort_middleware_calls_total"),
        [
            r#"gort_middleware_calls_total{middleware="auth",outcome="cancelled"} 1"#,
            r#"gort_middleware_calls_total{middleware="auth",outcome="error"} 1"#,
            r#"gort_middleware_calls_total{middleware="auth",outcome="ok"} 2"#,
            r#"gort_middleware_calls_total{middleware="auth",outcome="panicked"} 0"#,
        ]
    );
    assert_eq!(
        samples(&text, "gort_message_calls_total"),
        [
            r#"gort_message_calls_total{channel="dingtalk",outcome="cancelled"} 0"#,
            r#"gort_message_calls_total{channel="dingtalk",outcome="error"} 0"#,
            r#"gort_message_calls_total{channel="dingtalk",outcome="ok"} 0"#,
            r#"gort_message_calls_total{channel="dingtalk",outcome="panicked"} 1"#,
        ]
    );
    assert!(text.contains("gort_middleware_duration_seconds_count{middleware=\"auth\"} 4\n"));
    assert!(text.contains("gort_message_duration_seconds_count{channel=\"dingtalk\"} 1\n"));
}

/// The same calls, once through the methods and once through call handles, on two collectors.
fn through_methods_and_handles(
    build: impl Fn() -> PrometheusCollector,
    labels: &[&str],
) -> (String, String) {
    let (by_method, by_handle) = (build(), build());
    for (index, label) in labels.iter().enumerate() {
        let outcome = Outcome::ALL[index % 4];
        let duration = Duration::from_millis(index as u64 * 7);
        by_method.record_middleware_call(label, outcome, duration);
        by_method.record_message_call(label, outcome, duration);
        for kind in [DurationKind::Middleware, DurationKind::Message] {
            match by_handle.call_handle(kind, label) {
                Some(handle) => handle.record(outcome, duration),
                // Past the series limit there is no handle; callers use the method.
                None => match kind {
                    DurationKind::Middleware => {
                        by_handle.record_middleware_call(label, outcome, duration)
                    }
                    DurationKind::Message => {
                        by_handle.record_message_call(label, outcome, duration)
                    }
                },
            }
        }
    }
    (by_method.render(), by_handle.render())
}

#[test]
fn a_call_handle_records_exactly_what_the_methods_record() {
    let long = "long ".repeat(1000);
    let labels = [
        "auth",
        "auth",
        "rate-limit",
        long.as_str(),
        "auth",
        long.as_str(),
    ];
    let (by_method, by_handle) = through_methods_and_handles(PrometheusCollector::new, &labels);
    assert!(
        by_method.contains("gort_metrics_label_values_truncated_total"),
        "{by_method}"
    );
    assert_eq!(by_method, by_handle);

    let limited = || {
        PrometheusCollector::builder()
            .max_series_per_family(1)
            .build()
            .expect("collector")
    };
    let (by_method, by_handle) = through_methods_and_handles(limited, &labels);
    assert!(by_method.contains(OVERFLOW_LABEL_VALUE), "{by_method}");
    assert_eq!(by_method, by_handle);

    let durations_only = || {
        PrometheusCollector::builder()
            .call_outcomes(false)
            .build()
            .expect("collector")
    };
    let (by_method, by_handle) = through_methods_and_handles(durations_only, &labels);
    assert!(!by_method.contains("calls_total"), "{by_method}");
    assert_eq!(by_method, by_handle);
}

#[test]
fn the_series_limit_counts_a_label_once_not_once_per_outcome() {
    let collector = PrometheusCollector::builder()
        .max_series_per_family(2)
        .build()
        .expect("collector");
    for middleware in ["a", "b"] {
        for outcome in Outcome::ALL {
            collector.record_middleware_call(middleware, outcome, MS);
        }
    }
    let text = collector.render();
    assert!(
        !text.contains(OVERFLOW_LABEL_VALUE),
        "two labels fit a limit of two:\n{text}"
    );
    assert_eq!(samples(&text, "gort_middleware_calls_total").len(), 8);

    collector.record_middleware_call("c", Outcome::Error, MS);
    collector.record_middleware_call("d", Outcome::Error, MS);
    let text = collector.render();
    // Past the limit the middleware folds, but the outcome, bounded, is kept.
    assert!(text.contains(
        "gort_middleware_calls_total{middleware=\"__overflow__\",outcome=\"error\"} 2\n"
    ));
    assert!(
        text.contains("gort_metrics_overflow_total{family=\"gort_middleware_calls_total\"} 2\n")
    );
    assert!(
        collector
            .call_handle(DurationKind::Middleware, "a")
            .is_some()
    );
    assert!(
        collector
            .call_handle(DurationKind::Middleware, "c")
            .is_none()
    );
}

#[test]
fn the_go_families_are_byte_identical_whether_calls_or_durations_are_recorded() {
    let by_duration = PrometheusCollector::new();
    by_duration.record_middleware_duration("auth", MS);
    by_duration.record_message_duration("dingtalk", MS);
    let by_call = PrometheusCollector::new();
    by_call.record_middleware_call("auth", Outcome::Error, MS);
    by_call.record_message_call("dingtalk", Outcome::Ok, MS);
    let go_lines = |text: String| {
        text.lines()
            .filter(|line| !line.contains("_calls_total"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(go_lines(by_duration.render()), go_lines(by_call.render()));

    let go_only = PrometheusCollector::builder()
        .call_outcomes(false)
        .build()
        .expect("collector");
    go_only.record_middleware_call("auth", Outcome::Error, MS);
    go_only.record_message_call("dingtalk", Outcome::Ok, MS);
    assert_eq!(go_only.render(), by_duration.render());
}

#[gort_metrics::timed(middleware = "checkout")]
fn checkout(fail: bool) {
    assert!(!fail, "checkout failed");
}

#[test]
fn timed_functions_count_their_calls_by_outcome() {
    let collector = PrometheusCollector::new();
    gort_metrics::with_collector(collector.clone(), || {
        checkout(false);
        checkout(false);
        let panicked = std::panic::catch_unwind(|| checkout(true));
        assert!(panicked.is_err());
    });
    let text = collector.render();
    assert!(
        text.contains("gort_middleware_calls_total{middleware=\"checkout\",outcome=\"ok\"} 2\n")
    );
    assert!(
        text.contains(
            "gort_middleware_calls_total{middleware=\"checkout\",outcome=\"panicked\"} 1\n"
        )
    );
    assert!(text.contains("gort_middleware_duration_seconds_count{middleware=\"checkout\"} 3\n"));
}
