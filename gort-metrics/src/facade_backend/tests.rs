use super::*;
use crate::collector::Outcome;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A series as a snapshot shows it: name and `label=value` pairs.
type SeriesName = (String, Vec<(String, String)>);

/// What `f` records into a fresh local recorder: every series with its unit, HELP and value.
fn recorded(f: impl FnOnce()) -> HashMap<SeriesName, (Option<Unit>, Option<String>, DebugValue)> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, f);
    read(&snapshotter)
}

fn read(
    snapshotter: &Snapshotter,
) -> HashMap<SeriesName, (Option<Unit>, Option<String>, DebugValue)> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, unit, help, value)| {
            let labels = key
                .key()
                .labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect();
            let help = help.map(|help| help.to_string());
            ((key.key().name().to_owned(), labels), (unit, help, value))
        })
        .collect()
}

fn series(name: &str, labels: &[(&str, &str)]) -> SeriesName {
    let labels = labels
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    (name.to_owned(), labels)
}

fn histogram(values: &[f64]) -> DebugValue {
    DebugValue::Histogram(values.iter().map(|&value| value.into()).collect())
}

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

#[test]
fn handles_of_local_recorders_are_not_kept() {
    let collector = FacadeCollector::new();
    for round in 1..=2 {
        let got = recorded(|| collector.record_session_active(round));
        let sessions = &got[&series("gort_sessions_active", &[])];
        assert_eq!(sessions.2, DebugValue::Gauge((round as f64).into()));
    }
    assert!(!collector.families.sessions_active.has_global_handle());
}

#[test]
fn past_the_limit_new_label_sets_fold_into_the_overflow_series_and_are_counted() {
    let collector = FacadeCollector::builder().max_series_per_family(2).build();
    let got = recorded(|| {
        for channel in ["a", "b", "a", "c", "d", "b"] {
            collector.record_message_received(channel, "inbound", "text");
        }
    });
    let received = |channel: &str| {
        let labels = [
            ("channel", channel),
            ("direction", "inbound"),
            ("type", "text"),
        ];
        got.get(&series("gort_messages_received_total", &labels))
            .map(|c| &c.2)
    };
    assert_eq!(received("a"), Some(&DebugValue::Counter(2)));
    assert_eq!(received("b"), Some(&DebugValue::Counter(2)));
    assert_eq!(received("c"), None);
    let overflow = "__overflow__";
    let folded = [
        ("channel", overflow),
        ("direction", overflow),
        ("type", overflow),
    ];
    let folded = &got[&series("gort_messages_received_total", &folded)];
    assert_eq!(folded.2, DebugValue::Counter(2));
    let counted = series(
        "gort_metrics_overflow_total",
        &[("family", "gort_messages_received_total")],
    );
    let (unit, help, value) = &got[&counted];
    assert_eq!(*value, DebugValue::Counter(2));
    assert_eq!(*unit, Some(Unit::Count));
    assert!(
        help.as_deref()
            .is_some_and(|help| help.contains("__overflow__"))
    );
    assert_eq!(collector.families.messages_received.series_count(), 2);
    // The limit is per family: another family still takes new label sets.
    let other = recorded(|| collector.record_message_sent("c", "outbound", "text"));
    assert_eq!(other.len(), 1, "{other:#?}");
}

#[test]
fn a_call_handle_is_declined_at_the_limit_and_the_plain_call_folds() {
    let collector = FacadeCollector::builder().max_series_per_family(1).build();
    assert!(collector.call_handle(DurationKind::Message, "a").is_some());
    assert!(collector.call_handle(DurationKind::Message, "b").is_none());
    let got = recorded(|| collector.record_message_call("b", Outcome::Ok, Duration::ZERO));
    let counted = series(
        "gort_metrics_overflow_total",
        &[("family", "gort_message_duration_seconds")],
    );
    assert_eq!(got[&counted].2, DebugValue::Counter(1));
}

#[test]
fn the_defaults_are_the_prometheus_backends() {
    assert_eq!(DEFAULT_MAX_SERIES_PER_FAMILY, 10_000);
    assert_eq!(series::OVERFLOW_LABEL_VALUE, "__overflow__");
    #[cfg(feature = "prometheus")]
    {
        assert_eq!(
            DEFAULT_MAX_SERIES_PER_FAMILY,
            crate::DEFAULT_MAX_SERIES_PER_FAMILY
        );
        assert_eq!(series::OVERFLOW_LABEL_VALUE, crate::OVERFLOW_LABEL_VALUE);
    }
}

/// A recorder that counts the descriptions it is given and passes everything on.
struct DescriptionCounter<R> {
    inner: R,
    descriptions: AtomicUsize,
}

impl<R> DescriptionCounter<R> {
    fn new(inner: R) -> Self {
        DescriptionCounter {
            inner,
            descriptions: AtomicUsize::new(0),
        }
    }

    fn count(&self) -> usize {
        self.descriptions.load(Ordering::Relaxed)
    }
}

impl<R: Recorder> Recorder for DescriptionCounter<R> {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.descriptions.fetch_add(1, Ordering::Relaxed);
        self.inner.describe_counter(key, unit, help)
    }
    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.descriptions.fetch_add(1, Ordering::Relaxed);
        self.inner.describe_gauge(key, unit, help)
    }
    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.descriptions.fetch_add(1, Ordering::Relaxed);
        self.inner.describe_histogram(key, unit, help)
    }
    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        self.inner.register_counter(key, metadata)
    }
    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        self.inner.register_gauge(key, metadata)
    }
    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        self.inner.register_histogram(key, metadata)
    }
}

#[test]
fn a_local_recorder_made_where_a_dropped_one_lived_is_described_too() {
    let collector = FacadeCollector::new();
    // Each round's recorder is likely at the previous one's address, on the same thread.
    for round in 0..3 {
        let got = recorded(|| collector.record_channel_error("c", "dingtalk", "auth"));
        let (_, help, _) = &got[&series(
            "gort_channel_errors_total",
            &[
                ("channel", "c"),
                ("type", "dingtalk"),
                ("error_type", "auth"),
            ],
        )];
        assert_eq!(
            help.as_deref(),
            Some("Total number of channel errors."),
            "round {round}"
        );
    }
}

#[test]
fn describe_tells_the_current_recorder_every_family() {
    let recorder = DescriptionCounter::new(metrics::NoopRecorder);
    metrics::with_local_recorder(&recorder, || FacadeCollector::new().describe());
    assert_eq!(recorder.count(), families::ALL.len());
}

#[test]
fn families_are_described_as_the_kind_they_are_recorded_as() {
    // A recorder keeps descriptions by kind and name: a histogram described as a counter
    // would show no HELP.
    let collector = FacadeCollector::new();
    let got = recorded(|| {
        collector.record_message_received("c", "inbound", "text");
        collector.record_message_sent("c", "outbound", "text");
        collector.record_message_duration("c", Duration::from_millis(1));
        collector.record_channel_status("c", "dingtalk", true);
        collector.record_channel_error("c", "dingtalk", "auth");
        collector.record_session_active(1);
        collector.record_session_duration(Duration::from_secs(1));
        collector.record_middleware_duration("m", Duration::from_millis(1));
        collector.record_retry("op", 2, true);
        collector.record_middleware_call("m", Outcome::Ok, Duration::from_millis(1));
        collector.record_message_call("c", Outcome::Ok, Duration::from_millis(1));
    });
    for ((name, _), (_, help, _)) in &got {
        assert!(help.is_some(), "{name} has no description");
    }
    assert_eq!(
        got.len(),
        families::ALL.len() - 1,
        "all but the overflow counter: {got:#?}"
    );
}

/// The one test of this binary that installs a global recorder: every other one records into
/// a local recorder, which takes precedence, so they are unaffected.
#[test]
fn handles_of_the_global_recorder_are_kept_and_a_local_one_still_takes_precedence() {
    let debugging = DebuggingRecorder::new();
    let global_snapshotter = debugging.snapshotter();
    let global: &'static DescriptionCounter<DebuggingRecorder> =
        Box::leak(Box::new(DescriptionCounter::new(debugging)));
    metrics::set_global_recorder(global).expect("no other test installs a global recorder");
    let collector = FacadeCollector::new();
    assert!(current::global_is_known(), "learnt on construction");

    // Threads with no local recorder record into the global one.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for count in 0..100 {
                    collector.record_session_active(count);
                    collector.record_message_received("dingtalk", "inbound", "text");
                }
            });
        }
    });
    assert_eq!(global.count(), families::ALL.len(), "described once");
    assert!(collector.families.sessions_active.has_global_handle());
    let got = read(&global_snapshotter);
    let sessions = &got[&series("gort_sessions_active", &[])];
    assert_eq!(sessions.2, DebugValue::Gauge(99.0.into()));
    assert_eq!(sessions.1.as_deref(), Some("Number of active sessions."));
    let labels = [
        ("channel", "dingtalk"),
        ("direction", "inbound"),
        ("type", "text"),
    ];
    let received = &got[&series("gort_messages_received_total", &labels)];
    assert_eq!(received.2, DebugValue::Counter(400));

    // The kept handle does not leak into a local recorder.
    let local = recorded(|| collector.record_session_active(7));
    assert_eq!(
        local[&series("gort_sessions_active", &[])].2,
        DebugValue::Gauge(7.0.into())
    );
    collector.record_session_active(8);
    let got = read(&global_snapshotter);
    assert_eq!(
        got[&series("gort_sessions_active", &[])].2,
        DebugValue::Gauge(8.0.into())
    );

    // Caching off: the same values, through a registration per record.
    let uncached = FacadeCollector::builder().cache_handles(false).build();
    uncached.record_retry("op", 2, true);
    uncached.record_retry("op", 3, true);
    let got = read(&global_snapshotter);
    let retries = series(
        "gort_retry_attempts_total",
        &[("operation", "op"), ("success", "true")],
    );
    assert_eq!(got[&retries].2, DebugValue::Counter(5));
    assert!(!uncached.families.sessions_active.has_global_handle());
    assert_eq!(global.count(), families::ALL.len(), "still described once");
}
