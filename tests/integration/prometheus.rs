//! The Prometheus backend: the Go families exactly, values read back out of the registry,
//! registration conflicts, builder options and odd label values.

use gort_metrics::prometheus::Registry;
use gort_metrics::prometheus::proto::{Metric, MetricFamily, MetricType};
use gort_metrics::{Collector, DEFAULT_BUCKETS, PrometheusCollector};
use std::thread;
use tests::record_one_of_each;

/// The Go service's families: name, type, label names and HELP text.
const GO_FAMILIES: [(&str, MetricType, &[&str], &str); 9] = [
    (
        "gort_messages_received_total",
        MetricType::COUNTER,
        &["channel", "direction", "type"],
        "Total number of messages received by channel.",
    ),
    (
        "gort_messages_sent_total",
        MetricType::COUNTER,
        &["channel", "direction", "type"],
        "Total number of messages sent by channel.",
    ),
    (
        "gort_message_duration_seconds",
        MetricType::HISTOGRAM,
        &["channel"],
        "Duration of message processing in seconds.",
    ),
    (
        "gort_channel_status",
        MetricType::GAUGE,
        &["channel", "type"],
        "Current status of the channel (1=running, 0=stopped).",
    ),
    (
        "gort_channel_errors_total",
        MetricType::COUNTER,
        &["channel", "type", "error_type"],
        "Total number of channel errors.",
    ),
    (
        "gort_sessions_active",
        MetricType::GAUGE,
        &[],
        "Number of active sessions.",
    ),
    (
        "gort_session_duration_seconds",
        MetricType::HISTOGRAM,
        &[],
        "Duration of sessions in seconds.",
    ),
    (
        "gort_middleware_duration_seconds",
        MetricType::HISTOGRAM,
        &["middleware"],
        "Duration of middleware execution in seconds.",
    ),
    (
        "gort_retry_attempts_total",
        MetricType::COUNTER,
        &["operation", "success"],
        "Total number of retry attempts.",
    ),
];

fn family<'a>(families: &'a [MetricFamily], name: &str) -> &'a MetricFamily {
    families
        .iter()
        .find(|family| family.name() == name)
        .unwrap_or_else(|| panic!("no family {name}"))
}

/// The one series of `family` whose labels are exactly `labels`.
fn series<'a>(family: &'a MetricFamily, labels: &[(&str, &str)]) -> &'a Metric {
    let matching: Vec<_> = family
        .get_metric()
        .iter()
        .filter(|metric| {
            let found: Vec<_> = metric
                .get_label()
                .iter()
                .map(|pair| (pair.name(), pair.value()))
                .collect();
            labels.iter().all(|wanted| found.contains(wanted)) && found.len() == labels.len()
        })
        .collect();
    assert_eq!(matching.len(), 1, "series {labels:?} of {}", family.name());
    matching[0]
}

#[test]
fn every_family_has_the_go_name_type_labels_and_help() {
    let collector = PrometheusCollector::builder()
        .retry_outcomes(false)
        .build()
        .expect("default families");
    record_one_of_each(&collector);
    let families = collector.registry().gather();
    assert_eq!(families.len(), GO_FAMILIES.len());
    for (name, kind, labels, help) in GO_FAMILIES {
        let family = family(&families, name);
        assert_eq!(family.get_field_type(), kind, "{name}");
        assert_eq!(family.help(), help, "{name}");
        let mut got: Vec<_> = family.get_metric()[0]
            .get_label()
            .iter()
            .map(|pair| pair.name().to_owned())
            .collect();
        got.sort();
        let mut want: Vec<_> = labels.iter().map(|label| label.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn values_read_back_out_of_the_registry_for_each_family() {
    let collector = PrometheusCollector::new();
    record_one_of_each(&collector);
    collector.record_message_received("dingtalk", "inbound", "text");
    collector.record_retry("api-call", 2, true);
    collector.record_retry("api-call", 1, false);
    collector.record_channel_status("my-feishu", "feishu", false);
    let families = collector.registry().gather();
    let counter = |name, labels: &[(&str, &str)]| {
        series(family(&families, name), labels)
            .get_counter()
            .get_value()
    };
    let gauge = |name, labels: &[(&str, &str)]| {
        series(family(&families, name), labels)
            .get_gauge()
            .get_value()
    };
    let received = [
        ("channel", "dingtalk"),
        ("direction", "inbound"),
        ("type", "text"),
    ];
    assert_eq!(counter("gort_messages_received_total", &received), 2.0);
    let sent = [
        ("channel", "feishu"),
        ("direction", "outbound"),
        ("type", "image"),
    ];
    assert_eq!(counter("gort_messages_sent_total", &sent), 1.0);
    let errors = [
        ("channel", "my-dingtalk"),
        ("type", "dingtalk"),
        ("error_type", "connection"),
    ];
    assert_eq!(counter("gort_channel_errors_total", &errors), 1.0);
    let running = [("channel", "my-dingtalk"), ("type", "dingtalk")];
    assert_eq!(gauge("gort_channel_status", &running), 1.0);
    let stopped = [("channel", "my-feishu"), ("type", "feishu")];
    assert_eq!(gauge("gort_channel_status", &stopped), 0.0);
    assert_eq!(gauge("gort_sessions_active", &[]), 4.0);
    let succeeded = [("operation", "api-call"), ("success", "true")];
    assert_eq!(counter("gort_retry_attempts_total", &succeeded), 5.0);
    let failed = [("operation", "api-call"), ("success", "false")];
    assert_eq!(counter("gort_retry_attempts_total", &failed), 1.0);

    let histogram = |name, labels: &[(&str, &str)]| {
        series(family(&families, name), labels)
            .get_histogram()
            .clone()
    };
    let message = histogram("gort_message_duration_seconds", &[("channel", "dingtalk")]);
    assert_eq!(message.get_sample_count(), 1);
    assert!((message.get_sample_sum() - 0.030).abs() < 1e-9);
    let session = histogram("gort_session_duration_seconds", &[]);
    assert_eq!(session.get_sample_count(), 1);
    assert_eq!(session.get_sample_sum(), 2.0);
    let middleware = histogram(
        "gort_middleware_duration_seconds",
        &[("middleware", "auth")],
    );
    assert_eq!(middleware.get_sample_count(), 1);
    // 7 ms falls in the 10 ms bucket, not the 5 ms one.
    let cumulative: Vec<_> = middleware
        .get_bucket()
        .iter()
        .map(|bucket| (bucket.upper_bound(), bucket.cumulative_count()))
        .collect();
    assert_eq!(cumulative[0], (0.005, 0));
    assert_eq!(cumulative[1], (0.01, 1));
}

#[test]
fn histograms_use_go_default_buckets() {
    let collector = PrometheusCollector::new();
    record_one_of_each(&collector);
    let families = collector.registry().gather();
    for name in [
        "gort_message_duration_seconds",
        "gort_session_duration_seconds",
        "gort_middleware_duration_seconds",
    ] {
        let bounds: Vec<f64> = family(&families, name).get_metric()[0]
            .get_histogram()
            .get_bucket()
            .iter()
            .map(|bucket| bucket.upper_bound())
            .collect();
        assert_eq!(bounds, DEFAULT_BUCKETS, "{name}");
    }
    assert_eq!(
        DEFAULT_BUCKETS,
        [
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0
        ]
    );
}

#[test]
fn retry_calls_count_each_outcome() {
    let collector = PrometheusCollector::new();
    collector.record_retry("api-call", 1, true);
    collector.record_retry("api-call", 3, true);
    collector.record_retry("api-call", 3, true);
    collector.record_retry("api-call", 3, false);
    collector.record_retry("api-call", 1, false);
    let text = collector.render();
    for (outcome, count) in [
        ("successful_without_retry", 1),
        ("successful_with_retry", 2),
        ("failed_with_retry", 1),
        ("failed_without_retry", 1),
    ] {
        let line = format!(
            "gort_retry_calls_total{{operation=\"api-call\",outcome=\"{outcome}\"}} {count}\n"
        );
        assert!(text.contains(&line), "missing {line} in\n{text}");
    }
}

#[test]
fn a_second_registration_on_one_registry_is_an_error_and_keeps_the_first() {
    let registry = Registry::new();
    let first = PrometheusCollector::with_registry(&registry).expect("first registration");
    let second = PrometheusCollector::with_registry(&registry);
    assert!(matches!(
        second,
        Err(gort_metrics::prometheus::Error::AlreadyReg)
    ));
    first.record_message_received("dingtalk", "inbound", "text");
    assert_eq!(
        family(&registry.gather(), "gort_messages_received_total")
            .get_metric()
            .len(),
        1
    );
    // A registration that fails part-way leaves nothing of its own behind: once the clashing
    // metric is gone, the same families register cleanly.
    let clash = gort_metrics::prometheus::IntGauge::new(
        "late_sessions_active",
        "Number of active sessions.",
    )
    .expect("gauge");
    registry
        .register(Box::new(clash.clone()))
        .expect("register clash");
    let partial = PrometheusCollector::builder()
        .namespace("late")
        .registry(&registry)
        .build();
    assert!(matches!(
        partial,
        Err(gort_metrics::prometheus::Error::AlreadyReg)
    ));
    registry
        .unregister(Box::new(clash))
        .expect("unregister clash");
    PrometheusCollector::builder()
        .namespace("late")
        .registry(&registry)
        .build()
        .expect("no half-registered families left behind");
}

#[test]
fn new_collectors_never_conflict() {
    let collectors: Vec<_> = (0..3).map(|_| PrometheusCollector::new()).collect();
    for (count, collector) in collectors.iter().enumerate() {
        collector.record_session_active(count as i64);
        let text = collector.render();
        assert!(
            text.contains(&format!("\ngort_sessions_active {count}\n")),
            "{text}"
        );
    }
}

#[test]
fn the_builder_sets_namespace_buckets_and_constant_labels() {
    let collector = PrometheusCollector::builder()
        .namespace("gw")
        .buckets([0.1, 1.0])
        .session_duration_buckets([60.0])
        .const_label("region", "eu-1")
        .build()
        .expect("valid options");
    record_one_of_each(&collector);
    let families = collector.registry().gather();
    let middleware = family(&families, "gw_middleware_duration_seconds");
    let metric = series(middleware, &[("middleware", "auth"), ("region", "eu-1")]);
    assert_eq!(metric.get_histogram().get_bucket().len(), 2);
    let session = family(&families, "gw_session_duration_seconds");
    let metric = series(session, &[("region", "eu-1")]);
    assert_eq!(metric.get_histogram().get_bucket()[0].upper_bound(), 60.0);
}

#[test]
fn bad_builder_options_are_errors() {
    assert!(PrometheusCollector::builder().buckets([]).build().is_err());
    assert!(
        PrometheusCollector::builder()
            .buckets([1.0, 1.0])
            .build()
            .is_err()
    );
    assert!(
        PrometheusCollector::builder()
            .namespace("1bad")
            .build()
            .is_err()
    );
    assert!(
        PrometheusCollector::builder()
            .const_label("bad name", "v")
            .build()
            .is_err()
    );
    assert!(
        PrometheusCollector::builder()
            .const_label("middleware", "clashes")
            .build()
            .is_err()
    );
}

#[test]
fn odd_label_values_are_recorded_faithfully_and_escaped() {
    let collector = PrometheusCollector::new();
    let odd = [
        "",
        "say \"hi\"",
        "two\nlines",
        "back\\slash",
        "钉钉",
        "emoji 🚀",
    ];
    for value in odd {
        collector.record_message_received(value, "inbound", "text");
    }
    let families = collector.registry().gather();
    let received = family(&families, "gort_messages_received_total");
    for value in odd {
        let metric = series(
            received,
            &[
                ("channel", value),
                ("direction", "inbound"),
                ("type", "text"),
            ],
        );
        assert_eq!(metric.get_counter().get_value(), 1.0, "{value:?}");
    }
    let text = collector.render();
    for escaped in [
        r#"channel="""#,
        r#"channel="say \"hi\"""#,
        r#"channel="two\nlines""#,
        r#"channel="back\\slash""#,
        r#"channel="钉钉""#,
    ] {
        assert!(text.contains(escaped), "missing {escaped} in\n{text}");
    }
    // Every sample line is one line: no raw newline escaped the quoting.
    let received_lines = text
        .lines()
        .filter(|line| line.contains("gort_messages_received_total") && !line.starts_with('#'));
    assert_eq!(received_lines.clone().count(), odd.len());
    for line in received_lines {
        assert!(
            line.starts_with("gort_messages_received_total{"),
            "{line:?}"
        );
        assert!(line.ends_with(" 1"), "{line:?}");
    }
}

#[test]
fn eight_threads_times_100k_records_are_exact() {
    let collector = PrometheusCollector::new();
    thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..100_000 {
                    collector.record_message_received("dingtalk", "inbound", "text");
                }
            });
        }
    });
    let families = collector.registry().gather();
    let received = family(&families, "gort_messages_received_total");
    assert_eq!(
        received.get_metric()[0].get_counter().get_value(),
        800_000.0
    );
}

#[test]
fn unlabelled_families_are_exposed_from_the_start_as_in_go() {
    let collector = PrometheusCollector::new();
    let text = collector.render();
    assert!(text.contains("\ngort_sessions_active 0\n"), "{text}");
    assert!(
        text.contains("\ngort_session_duration_seconds_count 0\n"),
        "{text}"
    );
    assert!(!text.contains("gort_messages_received_total"), "{text}");
    collector.record_session_active(2);
    assert!(collector.render().contains(
        "# HELP gort_sessions_active Number of active sessions.\n\
         # TYPE gort_sessions_active gauge\n\
         gort_sessions_active 2\n"
    ));
}
