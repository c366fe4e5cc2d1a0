//! The families the facade records: the Go service's nine, the two call counters of round 2,
//! and the overflow counter; their names, label names, HELP texts and units.

use metrics::{KeyName, Recorder, SharedString, Unit};

/// How a family is registered and described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One family: what a recorder is told about it once, and the label names its keys carry.
#[derive(Debug)]
pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    pub(super) labels: &'static [&'static str],
    pub(super) help: &'static str,
    pub(super) unit: Option<Unit>,
}

impl Spec {
    /// Tells `recorder` this family's HELP text and unit.
    pub(super) fn describe(&self, recorder: &dyn Recorder) {
        let name = KeyName::from_const_str(self.name);
        let help = SharedString::const_str(self.help);
        match self.kind {
            Kind::Counter => recorder.describe_counter(name, self.unit, help),
            Kind::Gauge => recorder.describe_gauge(name, self.unit, help),
            Kind::Histogram => recorder.describe_histogram(name, self.unit, help),
        }
    }
}

pub(super) const MESSAGES_RECEIVED: Spec = Spec {
    name: "gort_messages_received_total",
    kind: Kind::Counter,
    labels: &["channel", "direction", "type"],
    help: "Total number of messages received by channel.",
    unit: Some(Unit::Count),
};

pub(super) const MESSAGES_SENT: Spec = Spec {
    name: "gort_messages_sent_total",
    kind: Kind::Counter,
    labels: &["channel", "direction", "type"],
    help: "Total number of messages sent by channel.",
    unit: Some(Unit::Count),
};

pub(super) const MESSAGE_DURATION: Spec = Spec {
    name: "gort_message_duration_seconds",
    kind: Kind::Histogram,
    labels: &["channel"],
    help: "Duration of message processing in seconds.",
    unit: Some(Unit::Seconds),
};

/// A state, 1 running and 0 stopped: no unit fits, so none is claimed.
pub(super) const CHANNEL_STATUS: Spec = Spec {
    name: "gort_channel_status",
    kind: Kind::Gauge,
    labels: &["channel", "type"],
    help: "Current status of the channel (1=running, 0=stopped).",
    unit: None,
};

pub(super) const CHANNEL_ERRORS: Spec = Spec {
    name: "gort_channel_errors_total",
    kind: Kind::Counter,
    labels: &["channel", "type", "error_type"],
    help: "Total number of channel errors.",
    unit: Some(Unit::Count),
};

pub(super) const SESSIONS_ACTIVE: Spec = Spec {
    name: "gort_sessions_active",
    kind: Kind::Gauge,
    labels: &[],
    help: "Number of active sessions.",
    unit: Some(Unit::Count),
};

pub(super) const SESSION_DURATION: Spec = Spec {
    name: "gort_session_duration_seconds",
    kind: Kind::Histogram,
    labels: &[],
    help: "Duration of sessions in seconds.",
    unit: Some(Unit::Seconds),
};

pub(super) const MIDDLEWARE_DURATION: Spec = Spec {
    name: "gort_middleware_duration_seconds",
    kind: Kind::Histogram,
    labels: &["middleware"],
    help: "Duration of middleware execution in seconds.",
    unit: Some(Unit::Seconds),
};

/// A counter that adds the attempts of each retried call, as the Go code does.
pub(super) const RETRY_ATTEMPTS: Spec = Spec {
    name: "gort_retry_attempts_total",
    kind: Kind::Counter,
    labels: &["operation", "success"],
    help: "Total number of retry attempts.",
    unit: Some(Unit::Count),
};

pub(super) const MIDDLEWARE_CALLS: Spec = Spec {
    name: "gort_middleware_calls_total",
    kind: Kind::Counter,
    labels: &["middleware", "outcome"],
    help: "Total number of middleware calls by outcome.",
    unit: Some(Unit::Count),
};

pub(super) const MESSAGE_CALLS: Spec = Spec {
    name: "gort_message_calls_total",
    kind: Kind::Counter,
    labels: &["channel", "outcome"],
    help: "Total number of message handler calls by outcome.",
    unit: Some(Unit::Count),
};

/// Named and worded as the Prometheus backend's, so one alert covers both.
pub(super) const OVERFLOWED: Spec = Spec {
    name: "gort_metrics_overflow_total",
    kind: Kind::Counter,
    labels: &["family"],
    help: "Records folded into the __overflow__ series because their family reached its \
           limit of distinct label sets.",
    unit: Some(Unit::Count),
};

/// Every family, in the order of the Go service's registration, then ours.
pub(super) const ALL: [&Spec; 12] = [
    &MESSAGES_RECEIVED,
    &MESSAGES_SENT,
    &MESSAGE_DURATION,
    &CHANNEL_STATUS,
    &CHANNEL_ERRORS,
    &SESSIONS_ACTIVE,
    &SESSION_DURATION,
    &MIDDLEWARE_DURATION,
    &RETRY_ATTEMPTS,
    &MIDDLEWARE_CALLS,
    &MESSAGE_CALLS,
    &OVERFLOWED,
];

/// Tells `recorder` the HELP text and unit of every family.
pub(super) fn describe_all(recorder: &dyn Recorder) {
    for spec in ALL {
        spec.describe(recorder);
    }
}

/// `"true"` / `"false"`, as Go's `strconv.FormatBool` writes the `success` label.
pub(super) fn bool_label(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}
