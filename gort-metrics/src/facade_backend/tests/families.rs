//! Every record lands in its Go family, with its labels, unit and HELP text.

use super::{histogram, read, recorded, series};
use crate::collector::{Collector, DurationKind, Outcome};
use crate::facade_backend::FacadeCollector;
use core::time::Duration;
use metrics::Unit;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::collections::HashMap;

#[test]
fn each_record_lands_in_its_family_with_the_go_labels_units_and_help() {
    let collector = FacadeCollector::new();
    let got = recorded(|| {
        collector.record_message_received("dingtalk", "inbound", "text");
        collector.record_message_sent("feishu", "outbound", "image");
        collector.record_message_duration("dingtalk", Duration::from_millis(30));
        collector.record_channel_status("my-dingtalk", "dingtalk", true);
        collector.record_channel_status("my-feishu", "feishu", false);
        collector.record_channel_error("my-dingtalk", "dingtalk", "connection");
        collector.record_session_active(4);
        collector.record_session_duration(Duration::from_secs(2));
        collector.record_middleware_duration("auth", Duration::from_millis(7));
        collector.record_retry("api-call", 3, true);
        collector.record_retry("api-call", 2, false);
    });
    let count = Some(Unit::Count);
    let seconds = Some(Unit::Seconds);
    let help = |text: &str| Some(text.to_owned());
    let expected = [
        (
            series(
                "gort_messages_received_total",
                &[
                    ("channel", "dingtalk"),
                    ("direction", "inbound"),
                    ("type", "text"),
                ],
            ),
            (
                count,
                help("Total number of messages received by channel."),
                DebugValue::Counter(1),
            ),
        ),
        (
            series(
                "gort_messages_sent_total",
                &[
                    ("channel", "feishu"),
                    ("direction", "outbound"),
                    ("type", "image"),
                ],
            ),
            (
                count,
                help("Total number of messages sent by channel."),
                DebugValue::Counter(1),
            ),
        ),
        (
            series("gort_message_duration_seconds", &[("channel", "dingtalk")]),
            (
                seconds,
                help("Duration of message processing in seconds."),
                histogram(&[0.03]),
            ),
        ),
        (
            series(
                "gort_channel_status",
                &[("channel", "my-dingtalk"), ("type", "dingtalk")],
            ),
            (
                None,
                help("Current status of the channel (1=running, 0=stopped)."),
                DebugValue::Gauge(1.0.into()),
            ),
        ),
        (
            series(
                "gort_channel_status",
                &[("channel", "my-feishu"), ("type", "feishu")],
            ),
            (
                None,
                help("Current status of the channel (1=running, 0=stopped)."),
                DebugValue::Gauge(0.0.into()),
            ),
        ),
        (
            series(
                "gort_channel_errors_total",
                &[
                    ("channel", "my-dingtalk"),
                    ("type", "dingtalk"),
                    ("error_type", "connection"),
                ],
            ),
            (
                count,
                help("Total number of channel errors."),
                DebugValue::Counter(1),
            ),
        ),
        (
            series("gort_sessions_active", &[]),
            (
                count,
                help("Number of active sessions."),
                DebugValue::Gauge(4.0.into()),
            ),
        ),
        (
            series("gort_session_duration_seconds", &[]),
            (
                seconds,
                help("Duration of sessions in seconds."),
                histogram(&[2.0]),
            ),
        ),
        (
            series(
                "gort_middleware_duration_seconds",
                &[("middleware", "auth")],
            ),
            (
                seconds,
                help("Duration of middleware execution in seconds."),
                histogram(&[0.007]),
            ),
        ),
        (
            series(
                "gort_retry_attempts_total",
                &[("operation", "api-call"), ("success", "true")],
            ),
            (
                count,
                help("Total number of retry attempts."),
                DebugValue::Counter(3),
            ),
        ),
        (
            series(
                "gort_retry_attempts_total",
                &[("operation", "api-call"), ("success", "false")],
            ),
            (
                count,
                help("Total number of retry attempts."),
                DebugValue::Counter(2),
            ),
        ),
    ];
    assert_eq!(got, HashMap::from(expected));
}

#[test]
fn calls_count_by_outcome_beside_their_duration() {
    let collector = FacadeCollector::new();
    let got = recorded(|| {
        collector.record_middleware_call("auth", Outcome::Ok, Duration::from_millis(1));
        collector.record_middleware_call("auth", Outcome::Error, Duration::from_millis(2));
        collector.record_middleware_call("auth", Outcome::Error, Duration::from_millis(3));
        collector.record_message_call("dingtalk", Outcome::Cancelled, Duration::from_millis(4));
    });
    let calls = |name: &str, label: &str, value: &str, outcome: &str| {
        let key = series(name, &[(label, value), ("outcome", outcome)]);
        got.get(&key)
            .map(|(unit, help, value)| (*unit, help.clone(), value))
    };
    let help = Some("Total number of middleware calls by outcome.".to_owned());
    assert_eq!(
        calls("gort_middleware_calls_total", "middleware", "auth", "error"),
        Some((Some(Unit::Count), help, &DebugValue::Counter(2)))
    );
    assert_eq!(
        calls("gort_middleware_calls_total", "middleware", "auth", "ok").map(|c| c.2),
        Some(&DebugValue::Counter(1))
    );
    let help = Some("Total number of message handler calls by outcome.".to_owned());
    assert_eq!(
        calls(
            "gort_message_calls_total",
            "channel",
            "dingtalk",
            "cancelled"
        ),
        Some((Some(Unit::Count), help, &DebugValue::Counter(1)))
    );
    let durations = &got[&series(
        "gort_middleware_duration_seconds",
        &[("middleware", "auth")],
    )];
    assert_eq!(durations.2, histogram(&[0.001, 0.002, 0.003]));
    let durations = &got[&series("gort_message_duration_seconds", &[("channel", "dingtalk")])];
    assert_eq!(durations.2, histogram(&[0.004]));
    assert_eq!(got.len(), 5, "{got:#?}");
}

#[test]
fn a_call_handle_records_what_the_plain_call_records() {
    for kind in [DurationKind::Middleware, DurationKind::Message] {
        let record = |through_handle: bool| {
            let collector = FacadeCollector::new();
            let handle = collector
                .call_handle(kind, "site")
                .expect("under the limit");
            recorded(|| {
                for (index, outcome) in Outcome::ALL.into_iter().enumerate() {
                    let duration = Duration::from_millis(index as u64 + 1);
                    match (through_handle, kind) {
                        (true, _) => handle.record(outcome, duration),
                        (false, DurationKind::Middleware) => {
                            collector.record_middleware_call("site", outcome, duration)
                        }
                        (false, DurationKind::Message) => {
                            collector.record_message_call("site", outcome, duration)
                        }
                    }
                }
            })
        };
        let by_handle = record(true);
        assert_eq!(by_handle, record(false));
        assert_eq!(
            by_handle.len(),
            5,
            "a histogram and four outcome counters: {by_handle:#?}"
        );
    }
}

#[test]
fn a_call_handle_records_into_the_recorder_current_at_each_call() {
    let collector = FacadeCollector::new();
    let first = DebuggingRecorder::new();
    let first_snapshotter = first.snapshotter();
    let handle = metrics::with_local_recorder(&first, || {
        let handle = collector.call_handle(DurationKind::Middleware, "auth");
        handle.expect("under the limit")
    });
    metrics::with_local_recorder(&first, || {
        handle.record(Outcome::Ok, Duration::from_secs(1))
    });
    let second = recorded(|| handle.record(Outcome::Error, Duration::from_secs(2)));

    let in_first = read(&first_snapshotter);
    let ok = series(
        "gort_middleware_calls_total",
        &[("middleware", "auth"), ("outcome", "ok")],
    );
    let error = series(
        "gort_middleware_calls_total",
        &[("middleware", "auth"), ("outcome", "error")],
    );
    assert_eq!(in_first[&ok].2, DebugValue::Counter(1));
    assert!(!in_first.contains_key(&error));
    assert_eq!(second[&error].2, DebugValue::Counter(1));
    assert!(!second.contains_key(&ok));
    let durations = series(
        "gort_middleware_duration_seconds",
        &[("middleware", "auth")],
    );
    assert_eq!(second[&durations].2, histogram(&[2.0]));
}
