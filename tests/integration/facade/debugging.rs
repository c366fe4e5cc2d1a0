//! Against `metrics-util`'s debugging recorder: the explicit API, `#[timed]` sites and
//! `#[retried]` calls, through the crate's dispatch, land with the Go names, labels, values,
//! units and HELP texts, in whichever local recorder is current at each call.

use super::{Seen, read, series};
use gort_metrics::metrics::{Unit, with_local_recorder};
use gort_metrics::{Collector, with_collector};
use gort_metrics::{FacadeCollector, NoopCollector, retried, set_global_collector, timed};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::time::Duration;
use tests::{lock_global, record_gateway_traffic};

fn histogram_count(seen: &Seen) -> usize {
    match &seen.value {
        DebugValue::Histogram(values) => values.len(),
        other => panic!("not a histogram: {other:?}"),
    }
}

#[test]
fn gateway_traffic_through_the_free_functions_lands_with_go_names_and_help() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    with_local_recorder(&recorder, || {
        with_collector(FacadeCollector::new(), record_gateway_traffic)
    });
    let got = read(&snapshotter);

    let counter = |help: &str, value: u64| Seen {
        unit: Some(Unit::Count),
        help: Some(help.to_owned()),
        value: DebugValue::Counter(value),
    };
    let received = series(
        "gort_messages_received_total",
        &[
            ("channel", "dingtalk"),
            ("direction", "inbound"),
            ("type", "text"),
        ],
    );
    assert_eq!(
        got[&received],
        counter("Total number of messages received by channel.", 3)
    );
    let sent = series(
        "gort_messages_sent_total",
        &[
            ("channel", "feishu"),
            ("direction", "outbound"),
            ("type", "image"),
        ],
    );
    assert_eq!(
        got[&sent],
        counter("Total number of messages sent by channel.", 2)
    );
    let errors = series(
        "gort_channel_errors_total",
        &[
            ("channel", "my-dingtalk"),
            ("type", "dingtalk"),
            ("error_type", "connection"),
        ],
    );
    assert_eq!(got[&errors], counter("Total number of channel errors.", 1));
    let retries = series(
        "gort_retry_attempts_total",
        &[("operation", "api-call"), ("success", "true")],
    );
    assert_eq!(got[&retries], counter("Total number of retry attempts.", 3));

    let status = series(
        "gort_channel_status",
        &[("channel", "my-dingtalk"), ("type", "dingtalk")],
    );
    assert_eq!(got[&status].value, DebugValue::Gauge(1.0.into()));
    let sessions = &got[&series("gort_sessions_active", &[])];
    assert_eq!(sessions.value, DebugValue::Gauge(4.0.into()));

    let seconds = |name: &str, labels: &[(&str, &str)], value: f64, help: &str| {
        let seen = &got[&series(name, labels)];
        assert_eq!(
            seen.value,
            DebugValue::Histogram(vec![value.into()]),
            "{name}"
        );
        assert_eq!(seen.unit, Some(Unit::Seconds), "{name}");
        assert_eq!(seen.help.as_deref(), Some(help), "{name}");
    };
    seconds(
        "gort_message_duration_seconds",
        &[("channel", "dingtalk")],
        0.03,
        "Duration of message processing in seconds.",
    );
    seconds(
        "gort_session_duration_seconds",
        &[],
        2.0,
        "Duration of sessions in seconds.",
    );
    seconds(
        "gort_middleware_duration_seconds",
        &[("middleware", "auth")],
        0.007,
        "Duration of middleware execution in seconds.",
    );
    assert_eq!(got.len(), 9, "nothing else: {got:#?}");
}

#[timed(middleware = "facade_auth")]
fn authenticate(fail: bool) -> u8 {
    assert!(!fail, "rejected");
    1
}

#[test]
fn timed_sites_count_each_outcome_in_the_recorder_current_at_the_call() {
    let _global = lock_global();
    // Installed, not scoped: `#[timed]` sites then keep the facade's call handle.
    set_global_collector(FacadeCollector::new());
    let (first, second) = (DebuggingRecorder::new(), DebuggingRecorder::new());
    let (first_snapshotter, second_snapshotter) = (first.snapshotter(), second.snapshotter());
    with_local_recorder(&first, || {
        authenticate(false);
        authenticate(false);
        let panicked = std::panic::catch_unwind(|| authenticate(true));
        assert!(panicked.is_err());
    });
    with_local_recorder(&second, || authenticate(false));
    set_global_collector(NoopCollector);

    let calls = |outcome: &str| {
        series(
            "gort_middleware_calls_total",
            &[("middleware", "facade_auth"), ("outcome", outcome)],
        )
    };
    let durations = series(
        "gort_middleware_duration_seconds",
        &[("middleware", "facade_auth")],
    );
    let first = read(&first_snapshotter);
    assert_eq!(first[&calls("ok")].value, DebugValue::Counter(2));
    assert_eq!(first[&calls("panicked")].value, DebugValue::Counter(1));
    assert_eq!(
        first[&calls("ok")].help.as_deref(),
        Some("Total number of middleware calls by outcome.")
    );
    assert_eq!(histogram_count(&first[&durations]), 3);
    let second = read(&second_snapshotter);
    assert_eq!(second[&calls("ok")].value, DebugValue::Counter(1));
    assert!(!second.contains_key(&calls("panicked")));
    assert_eq!(histogram_count(&second[&durations]), 1);
}

#[retried(op = "facade-send", attempts = 3, delay = "1ms", jitter = false)]
fn always_fails() -> Result<(), &'static str> {
    Err("down")
}

#[test]
fn retried_calls_add_their_attempts_under_operation_and_success() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    with_local_recorder(&recorder, || {
        with_collector(FacadeCollector::new(), || {
            assert!(always_fails().is_err());
            assert!(always_fails().is_err());
        })
    });
    let got = read(&snapshotter);
    let failed = series(
        "gort_retry_attempts_total",
        &[("operation", "facade-send"), ("success", "false")],
    );
    assert_eq!(got[&failed].value, DebugValue::Counter(6));
}

#[test]
fn records_past_the_limit_fold_into_the_overflow_series() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let collector = FacadeCollector::builder().max_series_per_family(3).build();
    with_local_recorder(&recorder, || {
        for user in 0..10 {
            collector.record_message_duration(&format!("user-{user}"), Duration::from_millis(1));
        }
    });
    let got = read(&snapshotter);
    let folded = &got[&series(
        "gort_message_duration_seconds",
        &[("channel", "__overflow__")],
    )];
    assert_eq!(histogram_count(folded), 7);
    let counted = series(
        "gort_metrics_overflow_total",
        &[("family", "gort_message_duration_seconds")],
    );
    assert_eq!(got[&counted].value, DebugValue::Counter(7));
    let kept = got
        .keys()
        .filter(|(name, labels)| {
            name == "gort_message_duration_seconds" && labels[0].1.starts_with("user-")
        })
        .count();
    assert_eq!(kept, 3);
}
