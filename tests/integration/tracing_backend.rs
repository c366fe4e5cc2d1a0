//! `TracingCollector`: each record is one event with target `gort_metrics`, the chosen level
//! and typed fields, read back by a capturing subscriber layer.

use gort_metrics::{TracingCollector, with_collector};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// A field value with its type, so that a test can tell `3` from `"3"`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    Str(String),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Debug(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Captured {
    pub(crate) target: String,
    pub(crate) level: Level,
    pub(crate) fields: BTreeMap<String, FieldValue>,
}

impl Captured {
    pub(crate) fn field(&self, name: &str) -> &FieldValue {
        self.fields
            .get(name)
            .unwrap_or_else(|| panic!("no field {name} in {self:?}"))
    }
}

#[derive(Default)]
struct Fields(BTreeMap<String, FieldValue>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().into(), FieldValue::Str(value.into()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), FieldValue::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), FieldValue::U64(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), FieldValue::F64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), FieldValue::Bool(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), FieldValue::Debug(format!("{value:?}")));
    }
}

/// A layer that keeps every event it sees.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let metadata = event.metadata();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Captured {
                target: metadata.target().into(),
                level: *metadata.level(),
                fields: fields.0,
            });
    }
}

/// Runs `f` with a capturing subscriber as this thread's subscriber; returns the events.
pub(crate) fn capture_events(f: impl FnOnce()) -> Vec<Captured> {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, f);
    let events = capture.0.lock().unwrap_or_else(PoisonError::into_inner);
    events.clone()
}

/// Runs `f` with `collector` as this thread's collector; returns the events.
fn capture(collector: TracingCollector, f: impl FnOnce()) -> Vec<Captured> {
    capture_events(|| with_collector(collector, f))
}

fn s(value: &str) -> FieldValue {
    FieldValue::Str(value.into())
}

/// `message`, `metric`, then the record's own fields.
type ExpectedEvent = (&'static str, &'static str, Vec<(&'static str, FieldValue)>);

#[test]
fn every_record_is_one_event_with_typed_fields() {
    let events = capture(TracingCollector::new(), || {
        gort_metrics::record_message_received("dingtalk", "inbound", "text");
        gort_metrics::record_message_sent("feishu", "outbound", "image");
        gort_metrics::record_message_duration("dingtalk", Duration::from_millis(30));
        gort_metrics::record_channel_status("my-dingtalk", "dingtalk", true);
        gort_metrics::record_channel_error("my-dingtalk", "dingtalk", "connection");
        gort_metrics::record_session_active(-1);
        gort_metrics::record_session_duration(Duration::from_secs(2));
        gort_metrics::record_middleware_duration("auth", Duration::from_micros(7_500));
        gort_metrics::record_retry("api-call", 3, false);
    });
    let expected: [ExpectedEvent; 9] = [
        (
            "message received",
            "messages_received",
            vec![
                ("channel", s("dingtalk")),
                ("direction", s("inbound")),
                ("type", s("text")),
            ],
        ),
        (
            "message sent",
            "messages_sent",
            vec![
                ("channel", s("feishu")),
                ("direction", s("outbound")),
                ("type", s("image")),
            ],
        ),
        (
            "message processed",
            "message_duration",
            vec![
                ("channel", s("dingtalk")),
                ("duration_seconds", FieldValue::F64(0.03)),
            ],
        ),
        (
            "channel status",
            "channel_status",
            vec![
                ("channel", s("my-dingtalk")),
                ("type", s("dingtalk")),
                ("running", FieldValue::Bool(true)),
            ],
        ),
        (
            "channel error",
            "channel_errors",
            vec![
                ("channel", s("my-dingtalk")),
                ("type", s("dingtalk")),
                ("error_type", s("connection")),
            ],
        ),
        (
            "active sessions",
            "sessions_active",
            vec![("count", FieldValue::I64(-1))],
        ),
        (
            "session ended",
            "session_duration",
            vec![("duration_seconds", FieldValue::F64(2.0))],
        ),
        (
            "middleware ran",
            "middleware_duration",
            vec![
                ("middleware", s("auth")),
                ("duration_seconds", FieldValue::F64(0.0075)),
            ],
        ),
        (
            "retried operation finished",
            "retry_attempts",
            vec![
                ("operation", s("api-call")),
                ("attempts", FieldValue::U64(3)),
                ("success", FieldValue::Bool(false)),
            ],
        ),
    ];
    assert_eq!(events.len(), expected.len(), "{events:#?}");
    for (event, (message, metric, fields)) in events.iter().zip(expected) {
        assert_eq!(event.target, "gort_metrics");
        assert_eq!(event.level, Level::DEBUG);
        assert_eq!(event.field("message"), &FieldValue::Debug(message.into()));
        assert_eq!(event.field("metric"), &s(metric));
        // message and metric, then exactly the record's own fields.
        assert_eq!(event.fields.len(), fields.len() + 2, "{event:?}");
        for (name, value) in fields {
            assert_eq!(event.field(name), &value, "{name} of {message}");
        }
    }
}

#[test]
fn the_level_is_configurable() {
    for level in [
        Level::ERROR,
        Level::WARN,
        Level::INFO,
        Level::DEBUG,
        Level::TRACE,
    ] {
        let events = capture(TracingCollector::new().with_level(level), || {
            gort_metrics::record_retry("op", 1, true);
        });
        let levels: Vec<Level> = events.iter().map(|event| event.level).collect();
        assert_eq!(levels, [level]);
    }
}

#[test]
fn a_level_filter_drops_events_below_it() {
    use tracing_subscriber::filter::LevelFilter;

    let capture_layer = Capture::default();
    let subscriber =
        tracing_subscriber::registry().with(capture_layer.clone().with_filter(LevelFilter::INFO));
    tracing::subscriber::with_default(subscriber, || {
        with_collector(TracingCollector::new(), || {
            gort_metrics::record_session_active(1);
        });
        with_collector(TracingCollector::new().with_level(Level::INFO), || {
            gort_metrics::record_session_active(2);
        });
    });
    let events = capture_layer
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let counts: Vec<&FieldValue> = events.iter().map(|event| event.field("count")).collect();
    assert_eq!(counts, [&FieldValue::I64(2)]);
}

#[test]
fn call_records_are_duration_events_with_an_outcome() {
    use gort_metrics::{Collector, Outcome};

    let collector = TracingCollector::new();
    let events = capture_events(|| {
        for outcome in Outcome::ALL {
            collector.record_middleware_call("auth", outcome, Duration::from_millis(4));
        }
        collector.record_message_call("dingtalk", Outcome::Error, Duration::from_millis(30));
    });
    assert_eq!(events.len(), 5, "{events:#?}");
    for (event, outcome) in events.iter().zip(Outcome::ALL) {
        assert_eq!(
            event.field("message"),
            &FieldValue::Debug("middleware ran".into())
        );
        assert_eq!(event.field("metric"), &s("middleware_duration"));
        assert_eq!(event.field("middleware"), &s("auth"));
        assert_eq!(event.field("outcome"), &s(outcome.as_str()));
        assert_eq!(event.field("duration_seconds"), &FieldValue::F64(0.004));
        assert_eq!(event.fields.len(), 5, "{event:?}");
    }
    let message = &events[4];
    assert_eq!(
        message.field("message"),
        &FieldValue::Debug("message processed".into())
    );
    assert_eq!(message.field("metric"), &s("message_duration"));
    assert_eq!(message.field("channel"), &s("dingtalk"));
    assert_eq!(message.field("outcome"), &s("error"));
    assert_eq!(message.field("duration_seconds"), &FieldValue::F64(0.03));
}

#[gort_metrics::timed(channel = "feishu")]
fn handle_message() {}

#[test]
fn timed_functions_report_their_outcome_through_the_tracing_collector() {
    let events = capture(TracingCollector::new(), handle_message);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].field("channel"), &s("feishu"));
    assert_eq!(events[0].field("outcome"), &s("ok"));
}
