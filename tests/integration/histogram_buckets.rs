//! Per-family histogram buckets: `PrometheusBuilder::buckets_for` by full family name, its
//! precedence over the shared buckets, and its errors for unknown names and bad buckets.

use gort_metrics::prometheus::proto::MetricFamily;
use gort_metrics::{Collector, DEFAULT_BUCKETS, PrometheusCollector};
use std::time::Duration;

fn bounds(families: &[MetricFamily], name: &str) -> Vec<f64> {
    let family = families
        .iter()
        .find(|family| family.name() == name)
        .unwrap_or_else(|| panic!("no family {name}"));
    family.get_metric()[0]
        .get_histogram()
        .get_bucket()
        .iter()
        .map(|bucket| bucket.upper_bound())
        .collect()
}

fn record_durations(collector: &PrometheusCollector) {
    collector.record_message_duration("dingtalk", Duration::from_millis(3));
    collector.record_middleware_duration("auth", Duration::from_micros(300));
    collector.record_session_duration(Duration::from_secs(90));
}

#[test]
fn each_histogram_family_takes_its_own_buckets() {
    let collector = PrometheusCollector::builder()
        .buckets_for("gort_message_duration_seconds", [0.001, 0.01])
        .buckets_for("gort_middleware_duration_seconds", vec![0.0001, 0.0005])
        .buckets_for("gort_session_duration_seconds", [60.0, 600.0, 3600.0])
        .build()
        .expect("valid buckets");
    record_durations(&collector);
    let families = collector.registry().gather();
    assert_eq!(
        bounds(&families, "gort_message_duration_seconds"),
        [0.001, 0.01]
    );
    assert_eq!(
        bounds(&families, "gort_middleware_duration_seconds"),
        [0.0001, 0.0005]
    );
    assert_eq!(
        bounds(&families, "gort_session_duration_seconds"),
        [60.0, 600.0, 3600.0]
    );
    // The 300 µs middleware run lands in its family's 0.5 ms bucket.
    assert!(collector.render().contains(
        "gort_middleware_duration_seconds_bucket{middleware=\"auth\",le=\"0.0005\"} 1\n"
    ));
}

#[test]
fn a_family_without_its_own_buckets_keeps_the_shared_ones() {
    let collector = PrometheusCollector::builder()
        .buckets([0.1, 1.0])
        .session_duration_buckets([30.0])
        .buckets_for("gort_session_duration_seconds", [60.0])
        .buckets_for("gort_middleware_duration_seconds", [0.5])
        .buckets_for("gort_middleware_duration_seconds", [0.25, 0.75])
        .build()
        .expect("valid buckets");
    record_durations(&collector);
    let families = collector.registry().gather();
    assert_eq!(
        bounds(&families, "gort_message_duration_seconds"),
        [0.1, 1.0]
    );
    assert_eq!(
        bounds(&families, "gort_session_duration_seconds"),
        [60.0],
        "buckets_for wins over session_duration_buckets"
    );
    assert_eq!(
        bounds(&families, "gort_middleware_duration_seconds"),
        [0.25, 0.75],
        "the last call for a family wins"
    );

    let defaults = PrometheusCollector::new();
    record_durations(&defaults);
    let families = defaults.registry().gather();
    for name in [
        "gort_message_duration_seconds",
        "gort_middleware_duration_seconds",
        "gort_session_duration_seconds",
    ] {
        assert_eq!(bounds(&families, name), DEFAULT_BUCKETS, "{name}");
    }
}

#[test]
fn names_follow_the_namespace() {
    let collector = PrometheusCollector::builder()
        .namespace("gw")
        .buckets_for("gw_session_duration_seconds", [60.0])
        .build()
        .expect("the family is gw_session_duration_seconds");
    record_durations(&collector);
    assert_eq!(
        bounds(
            &collector.registry().gather(),
            "gw_session_duration_seconds"
        ),
        [60.0]
    );

    let error = PrometheusCollector::builder()
        .namespace("gw")
        .buckets_for("gort_session_duration_seconds", [60.0])
        .build()
        .expect_err("gort_ names nothing under namespace gw")
        .to_string();
    assert!(error.contains("gw_session_duration_seconds"), "{error}");
}

#[test]
fn an_unknown_family_is_an_error_that_names_it_and_the_known_ones() {
    for unknown in [
        "gort_sesion_duration_seconds",
        "session_duration_seconds",
        "gort_messages_received_total",
        "",
    ] {
        let error = PrometheusCollector::builder()
            .buckets_for(unknown, [1.0])
            .build()
            .expect_err("unknown family")
            .to_string();
        assert!(error.contains(&format!("\"{unknown}\"")), "{error}");
        for known in [
            "gort_message_duration_seconds",
            "gort_session_duration_seconds",
            "gort_middleware_duration_seconds",
        ] {
            assert!(error.contains(known), "{error}");
        }
    }
}

#[test]
fn bad_buckets_for_a_family_are_errors_that_name_it() {
    for (buckets, says) in [
        (vec![], "empty"),
        (vec![0.5, 0.1], "0.5 is followed by 0.1"),
        (vec![0.1, 0.1], "0.1 is followed by 0.1"),
        (vec![f64::NAN], "NaN"),
        (vec![f64::INFINITY], "empty"),
    ] {
        let error = PrometheusCollector::builder()
            .buckets_for("gort_middleware_duration_seconds", buckets.clone())
            .build()
            .expect_err("bad buckets")
            .to_string();
        assert!(
            error.contains("gort_middleware_duration_seconds") && error.contains(says),
            "{buckets:?}: {error}"
        );
    }
    // NaN in the shared buckets, which the prometheus crate itself would accept, is caught too.
    assert!(
        PrometheusCollector::builder()
            .buckets([0.1, f64::NAN])
            .build()
            .is_err()
    );
    // A trailing +Inf is the implicit bucket, as in the prometheus crate.
    let collector = PrometheusCollector::builder()
        .buckets_for("gort_session_duration_seconds", [60.0, f64::INFINITY])
        .build()
        .expect("+Inf is implicit");
    record_durations(&collector);
    assert_eq!(
        bounds(
            &collector.registry().gather(),
            "gort_session_duration_seconds"
        ),
        [60.0]
    );
}
